//! A stolen session is not enough to take a domain: over HTTP, unlocking,
//! a change of registrant and the auth code need the account password
//! (each try counted with logins), the owner is mailed each time, and a
//! change of registrant locks the domain against transfers for 60 days
//! unless the registrant opts out.

use hostfront::mail::{self, MailKind};
use hostfront_tests::App;
use serde_json::json;

use super::portal_quota::live_domain;

const PASSWORD: &str = "correct horse battery";

on_both_engines!(a_stolen_session_cannot_take_a_domain: stolen_session_embedded, stolen_session_cloud, |c| {
    c.policy.auth_per_minute = 40;
    c.policy.domain_changes_per_minute = 1_000;
});

async fn security_mails(app: &App, to: &str) -> usize {
    mail::outbox(&app.ports, 500)
        .await
        .unwrap()
        .iter()
        .filter(|m| m.kind == MailKind::DomainSecurity && m.to == to)
        .count()
}

async fn a_stolen_session_cannot_take_a_domain(app: &App) {
    let (ada, domain, email) = live_domain(app).await;
    let lock = format!("/api/domains/{domain}/lock");
    let registrant = format!("/api/domains/{domain}/registrant");
    let auth_code = format!("/api/domains/{domain}/auth-code");
    let code = |body: &serde_json::Value| body["error"]["code"].as_str().map(str::to_string);

    let (status, error) = ada.put(&lock, json!({"locked": false}), None).await;
    assert_eq!(
        (status, code(&error).as_deref()),
        (422, Some("current_password_required"))
    );
    let (status, error) = ada
        .put(
            &lock,
            json!({"locked": false, "current_password": "sourdough starter"}),
            None,
        )
        .await;
    assert_eq!(
        (status, code(&error).as_deref()),
        (403, Some("wrong_password"))
    );
    let thief = json!({"name": "Thief", "email": "thief@example.org", "current_password": "guess"});
    let (status, error) = ada.put(&registrant, thief, None).await;
    assert_eq!(
        (status, code(&error).as_deref()),
        (403, Some("wrong_password"))
    );
    let (status, error) = ada.post(&auth_code, json!({}), None).await;
    assert_eq!(
        (status, code(&error).as_deref()),
        (422, Some("current_password_required"))
    );
    let (_, shown) = ada.get(&format!("/api/domains/{domain}")).await;
    assert_eq!(
        (&shown["locked"], &shown["registrant"]),
        (&json!(true), &json!(null)),
        "nothing changed: {shown}"
    );
    assert_eq!(security_mails(app, &email).await, 0);

    // With the password: unlocked, and a registrant who opted out of the lock.
    let (status, unlocked) = ada
        .put(
            &lock,
            json!({"locked": false, "current_password": PASSWORD}),
            None,
        )
        .await;
    assert_eq!(
        (status, &unlocked["locked"]),
        (200, &json!(false)),
        "{unlocked}"
    );
    let opted_out = json!({"name": "Bakery Ltd", "email": "shop@bakery.example",
        "current_password": PASSWORD, "opt_out_transfer_lock": true});
    let (status, changed) = ada.put(&registrant, opted_out, None).await;
    assert_eq!(status, 200, "{changed}");
    assert_eq!(
        (&changed["transfer_lock_until"], &changed["locked"]),
        (&json!(null), &json!(false))
    );
    // The password passes; the registry's 60 days after registration do not.
    let (status, error) = ada
        .post(&auth_code, json!({"current_password": PASSWORD}), None)
        .await;
    assert_eq!(
        (status, code(&error).as_deref()),
        (409, Some("too_recent")),
        "{error}"
    );

    // A change of registrant without the opt-out locks the domain for 60 days.
    let moved = json!({"name": "Bakery Ltd", "email": "owner@bakery.example", "current_password": PASSWORD});
    let (status, changed) = ada.put(&registrant, moved, None).await;
    assert_eq!(status, 200, "{changed}");
    let until = changed["transfer_lock_until"].as_i64().expect("a lock");
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    assert!((until - now - 60 * 86_400).abs() < 60, "{changed}");
    assert_eq!(changed["locked"], true);
    let day = time::OffsetDateTime::from_unix_timestamp(until)
        .unwrap()
        .date()
        .to_string();
    let (status, error) = ada
        .put(
            &lock,
            json!({"locked": false, "current_password": PASSWORD}),
            None,
        )
        .await;
    assert_eq!(
        (status, code(&error).as_deref()),
        (409, Some("transfer_locked"))
    );
    assert!(
        error["error"]["message"].as_str().unwrap().contains(&day),
        "{error}"
    );
    let (status, error) = ada
        .post(&auth_code, json!({"current_password": PASSWORD}), None)
        .await;
    assert_eq!(
        (status, code(&error).as_deref()),
        (409, Some("transfer_locked"))
    );

    // The unlock and both changes of registrant were mailed to the owner;
    // the auth code was never shown, so never mailed.
    assert_eq!(security_mails(app, &email).await, 3);
    assert_eq!(security_mails(app, "owner@bakery.example").await, 1);
    assert_eq!(
        security_mails(app, "shop@bakery.example").await,
        2,
        "as new, then as prior registrant"
    );

    // Guessing the password counts against the login limits.
    let mut answers = Vec::new();
    for n in 0..40 {
        let guess = json!({"locked": false, "current_password": format!("guess number {n}")});
        let (status, error) = ada.put(&lock, guess, None).await;
        answers.push((status, code(&error)));
        if status == 429 {
            break;
        }
    }
    assert_eq!(
        answers.last(),
        Some(&(429, Some("rate_limited".to_string()))),
        "{answers:?}"
    );
    assert!(
        answers[..answers.len() - 1].iter().all(|a| a.0 == 403),
        "{answers:?}"
    );
}
