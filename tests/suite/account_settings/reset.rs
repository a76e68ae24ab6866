//! "Forgot your password?": the same answer for every address, a link that
//! works once and for half an hour, and every session ended.

use std::time::Instant;

use hostfront::Ports;
use hostfront::accounts::{self, AccountError, PasswordChange, PasswordResetConfirm};
use hostfront::clock::ManualClock;
use hostfront::mail::MailKind;
use hostfront::store::Key;
use hostfront_tests::App;
use hostfront_tests::shopper::Shopper;
use serde_json::json;

use super::{PASSWORD, address, audited, code, login, me, post, tokens};

const NEW_PASSWORD: &str = "a brand new long secret";

async fn reset_links(app: &App, email: &str) -> Vec<String> {
    tokens(app, email, MailKind::PasswordReset, "#token=").await
}

on_both_engines!(a_reset_link_sets_the_password_once_and_ends_every_session: reset_embedded, reset_cloud);

async fn a_reset_link_sets_the_password_once_and_ends_every_session(app: &App) {
    let email = address("ada");
    let ada = Shopper::sign_up(app, &email, "GB").await;
    let other_device = login(app, &email, PASSWORD).await.unwrap();
    let id = me(app, &ada.cookie).await.1["id"]
        .as_str()
        .unwrap()
        .to_string();

    let started = Instant::now();
    let known = post(
        app,
        "/api/password-reset",
        json!({ "email": email.to_uppercase() }),
    )
    .await;
    let known_took = started.elapsed();
    let started = Instant::now();
    let stranger = address("nobody");
    let unknown = post(app, "/api/password-reset", json!({ "email": stranger })).await;
    let unknown_took = started.elapsed();
    assert_eq!(known.0, 202, "{}", known.1);
    assert_eq!(
        known, unknown,
        "an address without an account is answered the same"
    );
    for took in [known_took, unknown_took] {
        assert!(took.as_millis() >= 400, "answered after {took:?}");
    }
    assert!(reset_links(app, &stranger).await.is_empty());
    let links = reset_links(app, &email).await;
    assert_eq!(links.len(), 1);
    let token = &links[0];
    assert!(
        app.ports
            .table
            .get(&Key::new(format!("RESET#{token}"), "PENDING"))
            .await
            .unwrap()
            .is_none(),
        "only a digest of the token is stored"
    );
    let again = post(app, "/api/password-reset", json!({ "email": email })).await;
    assert_eq!(again, known);
    assert_eq!(
        reset_links(app, &email).await.len(),
        1,
        "one mail per address a while"
    );

    let weak = post(
        app,
        "/api/password-reset/confirm",
        json!({"token": token, "password": "password123"}),
    )
    .await;
    assert_eq!((weak.0, code(&weak.1)), (422, "weak_password"));
    assert_eq!(
        login(app, &email, PASSWORD).await.map(|_| ()),
        Ok(()),
        "nothing changed"
    );

    let set = post(
        app,
        "/api/password-reset/confirm",
        json!({"token": token, "password": NEW_PASSWORD}),
    )
    .await;
    assert_eq!(set.0, 204, "{}", set.1);
    assert_eq!(me(app, &ada.cookie).await.0, 401, "every session ended");
    assert_eq!(me(app, &other_device).await.0, 401);
    let used = post(
        app,
        "/api/password-reset/confirm",
        json!({"token": token, "password": "yet another long one"}),
    )
    .await;
    assert_eq!(
        (used.0, code(&used.1)),
        (410, "link_gone"),
        "a link works once"
    );
    assert_eq!(login(app, &email, PASSWORD).await, Err(401));
    assert!(login(app, &email, NEW_PASSWORD).await.is_ok());
    assert!(
        audited(app, &id)
            .await
            .contains(&"password_reset".to_string())
    );

    let malformed = post(
        app,
        "/api/password-reset",
        json!({ "email": "not an address" }),
    )
    .await;
    assert_eq!((malformed.0, code(&malformed.1)), (422, "invalid_email"));
    let forged = post(
        app,
        "/api/password-reset/confirm",
        json!({"token": "forged", "password": NEW_PASSWORD}),
    )
    .await;
    assert_eq!((forged.0, code(&forged.1)), (410, "link_gone"));
}

/// The newest reset link mailed to `email`, read from the mailbox.
async fn newest_link(ports: &Ports, email: &str) -> String {
    hostfront_tests::link_tokens(ports, email, MailKind::PasswordReset, "#token=")
        .await
        .pop()
        .expect("a reset mail")
}

fn confirm(token: &str) -> PasswordResetConfirm {
    PasswordResetConfirm {
        token: token.to_string(),
        password: NEW_PASSWORD.into(),
    }
}

async fn ask(ports: &Ports, email: &str) {
    let request = accounts::PasswordResetRequest {
        email: email.to_string(),
    };
    accounts::request_password_reset(ports, request)
        .await
        .unwrap();
}

with_clock_on_both_engines!(reset_links_expire_and_die_with_a_newer_password: expiry_embedded, expiry_cloud);

async fn reset_links_expire_and_die_with_a_newer_password(clock: &ManualClock, ports: &Ports) {
    let (customer, session) = hostfront_tests::customer(ports, "ada").await;
    ask(ports, &customer.email).await;
    let expired = newest_link(ports, &customer.email).await;
    clock.advance_secs(accounts::reset::LINK_MINUTES * 60 + 1);
    assert!(matches!(
        accounts::confirm_password_reset(ports, confirm(&expired)).await,
        Err(AccountError::LinkGone(_))
    ));

    // A link sent before the password is next set dies with the old password.
    ask(ports, &customer.email).await;
    let stale = newest_link(ports, &customer.email).await;
    assert_ne!(stale, expired, "a new window, a new mail");
    clock.advance_secs(1);
    let change = PasswordChange {
        current_password: "correct horse battery".into(),
        new_password: "another long secret".into(),
    };
    accounts::change_password(ports, &customer.id, &session, change)
        .await
        .unwrap();
    assert!(matches!(
        accounts::confirm_password_reset(ports, confirm(&stale)).await,
        Err(AccountError::LinkGone(_))
    ));

    clock.advance_secs(accounts::reset::MAIL_EVERY_SECS);
    ask(ports, &customer.email).await;
    let fresh = newest_link(ports, &customer.email).await;
    accounts::confirm_password_reset(ports, confirm(&fresh))
        .await
        .unwrap();
}
