//! Two-step login for customers, over real HTTP: turning it on (confirmed
//! by the app's first code; recovery codes shown once) and off, the login's
//! second step (a code is good once, a recovery code once, a ticket five
//! wrong codes), the code asked again to unlock a domain, and staff
//! requiring it.

use hostfront::staff::{Role, totp};
use hostfront_tests::App;
use hostfront_tests::shopper::Shopper;
use hostfront_tests::staff::Clerk;
use reqwest::Method;
use serde_json::{Value, json};

use super::{PASSWORD, address, audited, code, me, post, send};
use crate::hardening::portal_quota::live_domain;

/// The code the customer's app shows `steps` steps of 30 seconds from now.
fn code_in(app: &App, secret: &str, steps: i64) -> String {
    totp::code_at(secret, app.ports.clock.now_secs() + steps * 30)
}

/// Six digits that are none of the codes good now.
fn wrong_code(app: &App, secret: &str) -> String {
    let good: Vec<String> = (-1..=1).map(|s| code_in(app, secret, s)).collect();
    (0..)
        .map(|n: u32| format!("{:06}", n * 111_111 % 1_000_000))
        .find(|c| !good.contains(c))
        .unwrap()
}

/// Turns two-step login on for the session `cookie`: the secret and the
/// recovery codes.
async fn turn_on(app: &App, cookie: &str) -> (String, Vec<String>) {
    let (status, _, enrolment) = send(
        app,
        Method::POST,
        "/api/account/totp",
        json!({"current_password": PASSWORD}),
        Some(cookie),
    )
    .await;
    assert_eq!(status, 200, "{enrolment}");
    let secret = enrolment["secret"].as_str().unwrap().to_string();
    let body = json!({"code": code_in(app, &secret, 0)});
    let (status, _, on) = send(
        app,
        Method::POST,
        "/api/account/totp/confirm",
        body,
        Some(cookie),
    )
    .await;
    assert_eq!(status, 200, "{on}");
    let codes = on["recovery_codes"].as_array().unwrap();
    let codes = codes
        .iter()
        .map(|c| c.as_str().unwrap().to_string())
        .collect();
    (secret, codes)
}

/// The first step of a login: its answer, and the cookie set if any.
async fn first_step(app: &App, email: &str) -> (Value, Option<String>) {
    let body = json!({"email": email, "password": PASSWORD});
    let (status, cookie, answer) = send(app, Method::POST, "/api/login", body, None).await;
    assert_eq!(status, 200, "{answer}");
    (answer, cookie)
}

/// The second step with a fresh ticket and `factor` (`{"code": …}` or
/// `{"recovery_code": …}`): the status, the cookie and the answer.
async fn second_step(app: &App, email: &str, factor: Value) -> (u16, Option<String>, Value) {
    let (answer, cookie) = first_step(app, email).await;
    assert_eq!(answer["second_factor"], "totp", "{answer}");
    assert!(cookie.is_none(), "no session before the code");
    let mut body = factor;
    body["ticket"] = answer["ticket"].clone();
    send(app, Method::POST, "/api/login/totp", body, None).await
}

on_both_engines!(two_step_login_takes_each_code_once: two_step_login_embedded, two_step_login_cloud, |c| {
    c.policy.auth_per_minute = 100;
});

async fn two_step_login_takes_each_code_once(app: &App) {
    let email = address("ada");
    let ada = Shopper::sign_up(app, &email, "GB").await;
    let (status, _, refused) = send(
        app,
        Method::POST,
        "/api/account/totp",
        json!({"current_password": "not my password"}),
        Some(&ada.cookie),
    )
    .await;
    assert_eq!((status, code(&refused)), (403, "wrong_password"));
    let (status, _, enrolment) = send(
        app,
        Method::POST,
        "/api/account/totp",
        json!({"current_password": PASSWORD}),
        Some(&ada.cookie),
    )
    .await;
    assert_eq!(status, 200);
    assert!(
        enrolment["otpauth_url"]
            .as_str()
            .unwrap()
            .starts_with("otpauth://totp/")
    );
    let secret = enrolment["secret"].as_str().unwrap().to_string();
    let (status, _, pending) = send(
        app,
        Method::GET,
        "/api/account/totp",
        Value::Null,
        Some(&ada.cookie),
    )
    .await;
    assert_eq!(
        (status, &pending["enabled"], &pending["pending"]),
        (200, &json!(false), &json!(true))
    );
    let (_, cookie) = first_step(app, &email).await;
    assert!(cookie.is_some(), "not on until a code confirms it");

    let confirm = |code: String| json!({"code": code});
    let (status, _, refused) = send(
        app,
        Method::POST,
        "/api/account/totp/confirm",
        confirm(wrong_code(app, &secret)),
        Some(&ada.cookie),
    )
    .await;
    assert_eq!((status, code(&refused)), (403, "wrong_code"));
    let confirmed_with = code_in(app, &secret, 0);
    let (status, _, on) = send(
        app,
        Method::POST,
        "/api/account/totp/confirm",
        confirm(confirmed_with.clone()),
        Some(&ada.cookie),
    )
    .await;
    assert_eq!(status, 200, "{on}");
    let recovery: Vec<String> = serde_json::from_value(on["recovery_codes"].clone()).unwrap();
    assert_eq!(recovery.len(), 10);
    assert_eq!(on["status"]["enabled"], true);

    // The code that confirmed it is spent; the next one logs in, once.
    let (status, cookie, refused) = second_step(app, &email, json!({"code": confirmed_with})).await;
    assert_eq!(
        (status, code(&refused), cookie),
        (401, "wrong_code", None),
        "no replay"
    );
    let next = code_in(app, &secret, 1);
    let (status, cookie, customer) = second_step(app, &email, json!({"code": next})).await;
    assert_eq!((status, &customer["email"]), (200, &json!(email)));
    assert_eq!(me(app, &cookie.unwrap()).await.0, 200);
    let (status, _, refused) = second_step(app, &email, json!({"code": next})).await;
    assert_eq!((status, code(&refused)), (401, "wrong_code"), "no replay");

    // A recovery code works once.
    let (status, cookie, _) = second_step(app, &email, json!({"recovery_code": recovery[0]})).await;
    assert_eq!(status, 200);
    assert!(cookie.is_some());
    let (status, _, refused) =
        second_step(app, &email, json!({"recovery_code": recovery[0]})).await;
    assert_eq!((status, code(&refused)), (401, "wrong_code"));

    // Five wrong codes end the ticket: the password is asked again.
    let (answer, _) = first_step(app, &email).await;
    let attempt = |code: String| json!({"ticket": answer["ticket"], "code": code});
    for _ in 0..5 {
        let (status, body) = post(app, "/api/login/totp", attempt(wrong_code(app, &secret))).await;
        assert_eq!((status, code(&body)), (401, "wrong_code"));
    }
    let (status, body) = post(app, "/api/login/totp", attempt(recovery[1].clone())).await;
    assert_eq!(
        (status, code(&body)),
        (401, "login_expired"),
        "even a good code"
    );

    // Off with the password and a code (a recovery code will do).
    let off = |code: &str| json!({"current_password": PASSWORD, "code": code});
    let (status, _, refused) = send(
        app,
        Method::DELETE,
        "/api/account/totp",
        off(&wrong_code(app, &secret)),
        Some(&ada.cookie),
    )
    .await;
    assert_eq!((status, code(&refused)), (403, "wrong_code"));
    let (status, _, off_now) = send(
        app,
        Method::DELETE,
        "/api/account/totp",
        off(&recovery[2]),
        Some(&ada.cookie),
    )
    .await;
    assert_eq!((status, &off_now["enabled"]), (200, &json!(false)));
    let (_, cookie) = first_step(app, &email).await;
    assert!(cookie.is_some(), "one step again");
    let id = me(app, &ada.cookie).await.1["id"]
        .as_str()
        .unwrap()
        .to_string();
    let actions = audited(app, &id).await;
    assert!(actions.contains(&"totp_enabled".to_string()), "{actions:?}");
    assert!(
        actions.contains(&"totp_disabled".to_string()),
        "{actions:?}"
    );
}

on_both_engines!(unlocking_a_domain_asks_for_a_current_code: unlock_step_up_embedded, unlock_step_up_cloud, |c| {
    c.policy.auth_per_minute = 100;
    c.policy.domain_changes_per_minute = 1_000;
});

async fn unlocking_a_domain_asks_for_a_current_code(app: &App) {
    let (ada, domain, _) = live_domain(app).await;
    let (secret, _) = turn_on(app, &ada.cookie).await;
    let lock = format!("/api/domains/{domain}/lock");
    let unlock = |code: Option<String>| json!({"locked": false, "current_password": PASSWORD, "totp_code": code});

    let (status, body) = ada.put(&lock, unlock(None), None).await;
    assert_eq!((status, code(&body)), (403, "totp_required"));
    let (status, body) = ada
        .put(&lock, unlock(Some(wrong_code(app, &secret))), None)
        .await;
    assert_eq!((status, code(&body)), (403, "wrong_code"));
    let (_, shown) = ada.get(&format!("/api/domains/{domain}")).await;
    assert_eq!(shown["locked"], true, "nothing changed");

    let good = code_in(app, &secret, 1);
    let (status, body) = ada.put(&lock, unlock(Some(good.clone())), None).await;
    assert_eq!((status, &body["locked"]), (200, &json!(false)), "{body}");
    let auth_code = format!("/api/domains/{domain}/auth-code");
    let again = json!({"current_password": PASSWORD, "totp_code": good});
    let (status, body) = ada.post(&auth_code, again, None).await;
    assert_eq!(
        (status, code(&body)),
        (403, "wrong_code"),
        "a code is good once"
    );
    let thief =
        json!({"name": "Thief", "email": "thief@example.org", "current_password": PASSWORD});
    let (status, body) = ada
        .put(&format!("/api/domains/{domain}/registrant"), thief, None)
        .await;
    assert_eq!((status, code(&body)), (403, "totp_required"));
}

on_both_engines!(staff_can_require_two_step_login: staff_require_two_step_embedded, staff_require_two_step_cloud, |c| {
    c.policy.auth_per_minute = 100;
});

async fn staff_can_require_two_step_login(app: &App) {
    let email = address("grace");
    let grace = Shopper::sign_up(app, &email, "GB").await;
    let id = me(app, &grace.cookie).await.1["id"]
        .as_str()
        .unwrap()
        .to_string();
    let clerk = Clerk::log_in(app, Role::Support).await;
    let path = format!("/api/admin/customers/{id}/two-step");
    let (status, body) = clerk
        .send(Method::PUT, &path, json!({"required": true}))
        .await;
    assert_eq!(
        (status, &body["required"], &body["enabled"]),
        (200, &json!(true), &json!(false)),
        "{body}"
    );
    let (status, file) = clerk.get(&format!("/api/admin/customers/{id}")).await;
    assert_eq!((status, &file["two_step"]["required"]), (200, &json!(true)));

    let (status, body) = me(app, &grace.cookie).await;
    assert_eq!(
        (status, code(&body)),
        (403, "totp_enrolment_required"),
        "nothing else first"
    );
    let (answer, cookie) = first_step(app, &email).await;
    assert_eq!(answer["must_enrol_totp"], true, "{answer}");
    let cookie = cookie.expect("a session that can only enrol");
    assert_eq!(me(app, &cookie).await.0, 403);
    let (_, _, session) = send(app, Method::GET, "/api/session", Value::Null, Some(&cookie)).await;
    assert_eq!(session["must_enrol_totp"], true, "{session}");

    let (secret, _) = turn_on(app, &cookie).await;
    assert_eq!(me(app, &cookie).await.0, 200, "enrolled: the account works");
    let off = json!({"current_password": PASSWORD, "code": code_in(app, &secret, 1)});
    let (status, _, refused) =
        send(app, Method::DELETE, "/api/account/totp", off, Some(&cookie)).await;
    assert_eq!((status, code(&refused)), (422, "totp_required_by_staff"));
    let (status, _, _) = second_step(app, &email, json!({"code": code_in(app, &secret, 1)})).await;
    assert_eq!(status, 200, "logs in with the code");
    let actions = audited(app, &id).await;
    assert!(
        actions.contains(&"totp_requirement_changed".to_string()),
        "{actions:?}"
    );
}
