//! Customer accounts over real HTTP: signup, sessions in HttpOnly cookies,
//! login, logout, and the rules that keep accounts apart.

use std::sync::Arc;

use hostfront::accounts::{self, AccountError};
use hostfront::clock::ManualClock;
use hostfront::store::{ItemExt, Key};
use hostfront_tests::{App, embedded_ports, http, verification_token};
use serde_json::{Value, json};

struct Answer {
    status: u16,
    cookie: Option<String>,
    body: Value,
}

async fn post(app: &App, path: &str, body: Value, cookie: Option<&str>) -> Answer {
    let mut request = http().post(app.url(path)).json(&body);
    if let Some(cookie) = cookie {
        request = request.header("cookie", cookie);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let cookie = response
        .headers()
        .get("set-cookie")
        .map(|c| c.to_str().unwrap().to_string());
    Answer {
        status,
        cookie,
        body: response.json().await.unwrap_or(Value::Null),
    }
}

async fn me(app: &App, cookie: &str) -> (u16, Value) {
    let (status, _, body) = app.get_with("/api/me", &[("cookie", cookie)]).await;
    (status, body)
}

/// The `name=value` part of a Set-Cookie header, as a browser would send it back.
fn session(set_cookie: &str) -> String {
    set_cookie.split(';').next().unwrap().to_string()
}

fn ada() -> Value {
    json!({"email": "Ada@Example.com", "password": "correct horse battery", "name": "Ada Lovelace", "country": "gb"})
}

on_both_engines!(signup_login_logout: signup_login_logout_embedded, signup_login_logout_cloud);

async fn signup_login_logout(app: &App) {
    let started = post(app, "/api/signup", ada(), None).await;
    assert_eq!(started.status, 202, "{}", started.body);
    assert!(
        started.cookie.is_none(),
        "no account before the email is proven"
    );
    assert_eq!(started.body["status"], "verification_sent");
    assert_eq!(
        post(
            app,
            "/api/login",
            json!({"email": "ada@example.com", "password": "correct horse battery"}),
            None
        )
        .await
        .status,
        401,
        "nobody can log in before the link is followed"
    );
    let token = verification_token(&app.ports, "ada@example.com").await;
    let created = post(app, "/api/verify-email", json!({ "token": token }), None).await;
    assert_eq!(created.status, 201, "{}", created.body);
    let used = post(app, "/api/verify-email", json!({ "token": token }), None).await;
    assert_eq!(
        (used.status, used.body["error"]["code"].as_str()),
        (422, Some("invalid_token")),
        "a link works once"
    );
    let set_cookie = created.cookie.expect("a session cookie");
    for attribute in ["HttpOnly", "SameSite=Lax", "Secure", "Path=/"] {
        assert!(
            set_cookie.contains(attribute),
            "{attribute} in {set_cookie}"
        );
    }
    assert_eq!(created.body["email"], "ada@example.com");
    assert_eq!(created.body["country"], "GB");
    assert_eq!(
        created.body["billing_contact"],
        json!({"name": "Ada Lovelace", "email": "ada@example.com"})
    );
    assert!(
        created.body.get("password_hash").is_none() && !created.body.to_string().contains("argon2")
    );
    let cookie = session(&set_cookie);
    assert_eq!(me(app, &cookie).await, (200, created.body.clone()));

    let (status, _, body) = app.get("/api/me").await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (401, Some("not_logged_in"))
    );
    let forged = me(app, "__Host-hf_session=forged-token").await;
    assert_eq!(forged.0, 401);

    // Signing up with an email that has an account answers as any signup
    // does; the owner is told by mail instead.
    let again = post(app, "/api/signup", json!({"email": "ADA@example.com", "password": "another long secret", "name": "A", "country": "FR"}), None).await;
    let stranger = post(app, "/api/signup", json!({"email": "nobody@example.com", "password": "another long secret", "name": "A", "country": "FR"}), None).await;
    assert_eq!((again.status, stranger.status), (202, 202));
    let shape = |v: &Value| v.as_object().unwrap().keys().cloned().collect::<Vec<_>>();
    assert_eq!(shape(&again.body), shape(&stranger.body));
    assert!(again.cookie.is_none());
    let told = hostfront::mail::outbox(&app.ports, 100).await.unwrap();
    assert!(
        told.iter().any(
            |m| m.to == "ada@example.com" && m.kind == hostfront::mail::MailKind::AccountExists
        )
    );

    let wrong = post(
        app,
        "/api/login",
        json!({"email": "ada@example.com", "password": "not the password"}),
        None,
    )
    .await;
    assert_eq!(
        (wrong.status, wrong.body["error"]["code"].as_str()),
        (401, Some("invalid_credentials"))
    );
    let nobody = post(
        app,
        "/api/login",
        json!({"email": "nobody@example.com", "password": "not the password"}),
        None,
    )
    .await;
    assert_eq!(nobody.body, wrong.body, "an unknown email is told the same");

    let login = post(
        app,
        "/api/login",
        json!({"email": "ada@EXAMPLE.com", "password": "correct horse battery"}),
        None,
    )
    .await;
    assert_eq!(login.status, 200);
    let second = session(&login.cookie.unwrap());
    assert_ne!(second, cookie, "each login is a new session");

    let out = post(app, "/api/logout", json!({}), Some(&cookie)).await;
    assert_eq!(out.status, 204);
    assert!(
        out.cookie.unwrap().contains("Max-Age=0"),
        "the cookie is cleared"
    );
    assert_eq!(me(app, &cookie).await.0, 401, "the session ended");
    assert_eq!(me(app, &second).await.0, 200, "other sessions go on");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_signups_are_422s_and_write_nothing() {
    let app = App::embedded().await;
    for (change, code) in [
        (json!({"email": "not-an-email"}), "invalid_email"),
        (json!({"password": "short"}), "weak_password"),
        (json!({"password": "password123"}), "weak_password"),
        (json!({"password": "ada@example.com"}), "weak_password"),
        (json!({"password": "x".repeat(200)}), "invalid_password"),
        (json!({"name": "  "}), "invalid_name"),
        (json!({"country": "Germany"}), "invalid_country"),
    ] {
        let mut body = ada();
        for (k, v) in change.as_object().unwrap() {
            body[k] = v.clone();
        }
        let answer = post(&app, "/api/signup", body, None).await;
        assert_eq!(
            (answer.status, answer.body["error"]["code"].as_str()),
            (422, Some(code)),
            "{change}"
        );
        assert!(answer.cookie.is_none());
    }
    let missing = post(
        &app,
        "/api/signup",
        json!({"email": "ada@example.com"}),
        None,
    )
    .await;
    assert_eq!(
        (missing.status, missing.body["error"]["code"].as_str()),
        (400, Some("invalid_body")),
        "a body without its required fields does not fit the description"
    );
    assert!(
        app.ports
            .table
            .get(&Key::new("EMAIL#ada@example.com", "MARKER"))
            .await
            .unwrap()
            .is_none()
    );
    assert_eq!(
        post(&app, "/api/signup", ada(), None).await.status,
        202,
        "the email is still free"
    );
    assert_eq!(
        post(&app, "/api/signup", json!({"email": "eve@example.com", "password": "correct horse battery", "name": "Eve\u{1b}[2J", "country": "GB"}), None).await.body["error"]["code"],
        "invalid_name",
        "control characters are refused"
    );
    app.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fifty_concurrent_signups_of_one_email_make_one_account() {
    // All fifty are pending; of their fifty links, the first followed wins.
    let app = Arc::new(App::embedded().await);
    let mut tasks = tokio::task::JoinSet::new();
    for n in 0..50 {
        let app = app.clone();
        tasks.spawn(async move {
            let body = json!({"email": "race@example.com", "password": format!("long secret number {n}"), "name": "Racer", "country": "DE"});
            post(&app, "/api/signup", body, None).await.status
        });
    }
    let mut statuses = Vec::new();
    while let Some(status) = tasks.join_next().await {
        statuses.push(status.unwrap());
    }
    assert!(statuses.iter().all(|s| *s == 202), "{statuses:?}");
    let tokens = hostfront_tests::verification_tokens(&app.ports, "race@example.com").await;
    assert_eq!(tokens.len(), 50);
    let mut tasks = tokio::task::JoinSet::new();
    for token in tokens {
        let app = app.clone();
        tasks.spawn(async move {
            post(&app, "/api/verify-email", json!({ "token": token }), None)
                .await
                .status
        });
    }
    let mut statuses = Vec::new();
    while let Some(status) = tasks.join_next().await {
        statuses.push(status.unwrap());
    }
    assert_eq!(
        statuses.iter().filter(|s| **s == 201).count(),
        1,
        "{statuses:?}"
    );
    assert_eq!(statuses.iter().filter(|s| **s == 409).count(), 49);
    let marker = app
        .ports
        .table
        .get(&Key::new("EMAIL#race@example.com", "MARKER"))
        .await
        .unwrap()
        .unwrap();
    let id = marker.str_attr("customer_id").unwrap();
    let profile = app
        .ports
        .table
        .get(&Key::new(format!("CUSTOMER#{id}"), "PROFILE"))
        .await
        .unwrap()
        .unwrap();
    assert!(
        profile
            .str_attr("password_hash")
            .unwrap()
            .starts_with("$argon2id$"),
        "stored only as argon2id"
    );
    Arc::try_unwrap(app).ok().unwrap().shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn logins_are_rate_limited() {
    // Six a minute allows a burst of three.
    let app = App::embedded_with(|c| c.policy.auth_per_minute = 6).await;
    let attempt = json!({"email": "ada@example.com", "password": "guess number one"});
    for _ in 0..3 {
        assert_eq!(
            post(&app, "/api/login", attempt.clone(), None).await.status,
            401
        );
    }
    let limited = post(&app, "/api/login", attempt, None).await;
    assert_eq!(
        (limited.status, limited.body["error"]["code"].as_str()),
        (429, Some("rate_limited"))
    );
    app.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sessions_expire_and_are_stored_only_as_hashes() {
    let clock = ManualClock::starting_now();
    let (_dir, ports) = embedded_ports(&clock);
    let (customer, token) = hostfront_tests::customer(&ports, "ada").await;
    assert_eq!(
        accounts::session_customer(&ports, &token).await.unwrap(),
        customer
    );
    let stored = ports
        .table
        .query(hostfront::store::Query::partition(format!(
            "SESSION#{token}"
        )))
        .await
        .unwrap();
    assert!(stored.items.is_empty(), "the raw token is not a key");
    clock.advance_secs(accounts::SESSION_DAYS * 86_400 + 1);
    assert!(matches!(
        accounts::session_customer(&ports, &token).await,
        Err(AccountError::NotLoggedIn)
    ));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_session_says_who_is_logged_in_and_never_401s() {
    let app = App::embedded().await;
    let (status, _, visitor) = app.get("/api/session").await;
    assert_eq!((status, &visitor), (200, &json!({"customer": null})));
    let (status, _, forged) = app
        .get_with("/api/session", &[("cookie", "hf_session=forged")])
        .await;
    assert_eq!((status, &forged), (200, &json!({"customer": null})));
    let ada = hostfront_tests::shopper::Shopper::sign_up(&app, "ada@example.com", "GB").await;
    let (status, me) = ada.get("/api/session").await;
    assert_eq!(status, 200);
    assert_eq!(me["customer"]["email"], "ada@example.com");
}
