//! The email, changed only once the new address follows its link; an
//! address another account holds is refused, and of two accounts racing
//! for one address only one gets it.

use hostfront::mail::MailKind;
use hostfront::store::{ItemExt, Key};
use hostfront_tests::App;
use hostfront_tests::shopper::Shopper;
use reqwest::Method;
use serde_json::{Value, json};

use super::{PASSWORD, address, audited, code, login, me, post, send, tokens};

async fn confirmation_links(app: &App, email: &str) -> Vec<String> {
    tokens(app, email, MailKind::ConfirmEmailChange, "#confirm-email=").await
}

async fn ask(shopper: &Shopper<'_>, email: &str, password: &str) -> (u16, Value) {
    let body = json!({"email": email, "current_password": password});
    shopper.put("/api/account/email", body, None).await
}

async fn marker_owner(app: &App, email: &str) -> Option<String> {
    let marker = app
        .ports
        .table
        .get(&Key::new(format!("EMAIL#{email}"), "MARKER"))
        .await
        .unwrap();
    marker.and_then(|m| m.str_attr("customer_id").map(str::to_string))
}

on_both_engines!(the_email_changes_once_the_new_address_confirms: email_embedded, email_cloud);

async fn the_email_changes_once_the_new_address_confirms(app: &App) {
    let (old, new) = (address("ada"), address("ada-new"));
    let bob_email = address("bob");
    let ada = Shopper::sign_up(app, &old, "GB").await;
    Shopper::sign_up_as(app, &bob_email, "Bob Secretname", "GB").await;
    let id = me(app, &ada.cookie).await.1["id"]
        .as_str()
        .unwrap()
        .to_string();

    let (status, body) = ask(&ada, &new, "not my password").await;
    assert_eq!((status, code(&body)), (403, "wrong_password"));
    let (status, body) = ask(&ada, &bob_email.to_uppercase(), PASSWORD).await;
    assert_eq!((status, code(&body)), (409, "email_taken"));
    assert!(
        !body.to_string().contains("Bob") && !body.to_string().contains("bob"),
        "{body}"
    );
    for (email, refused) in [
        ("not an address", "invalid_email"),
        (old.as_str(), "same_email"),
    ] {
        let (status, body) = ask(&ada, email, PASSWORD).await;
        assert_eq!((status, code(&body)), (422, refused));
    }
    assert!(
        confirmation_links(app, &new).await.is_empty(),
        "nothing mailed yet"
    );

    let (status, body) = ask(&ada, &new, PASSWORD).await;
    assert_eq!(
        (status, body["status"].as_str()),
        (202, Some("confirmation_sent")),
        "{body}"
    );
    assert_eq!(
        me(app, &ada.cookie).await.1["email"],
        old.as_str(),
        "not before the link"
    );
    assert_eq!(login(app, &new, PASSWORD).await, Err(401));
    let links = confirmation_links(app, &new).await;
    assert_eq!(links.len(), 1);

    let (status, body) = post(
        app,
        "/api/account/email/confirm",
        json!({"token": links[0]}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["email"], new.as_str());
    assert_eq!(body["billing_contact"]["email"], new.as_str());
    let (status, body) = post(
        app,
        "/api/account/email/confirm",
        json!({"token": links[0]}),
    )
    .await;
    assert_eq!(
        (status, code(&body)),
        (410, "link_gone"),
        "a link works once"
    );
    assert_eq!(me(app, &ada.cookie).await.1["email"], new.as_str());
    assert_eq!(
        login(app, &old, PASSWORD).await,
        Err(401),
        "the old address no longer logs in"
    );
    assert!(login(app, &new, PASSWORD).await.is_ok());
    assert_eq!(
        marker_owner(app, &old).await,
        None,
        "the old address is free"
    );
    assert_eq!(marker_owner(app, &new).await, Some(id.clone()));
    let told = hostfront::mail::outbox(&app.ports, 100).await.unwrap();
    assert!(told.iter().any(|m| m.to == old
        && m.kind == MailKind::Notice
        && m.text.contains(&new)
        && m.text.contains("no longer logs in")));
    let actions = audited(app, &id).await;
    assert!(
        actions.contains(&"email_changed".to_string()),
        "{actions:?}"
    );
    let (status, _, _) = send(
        app,
        Method::PUT,
        "/api/account/email",
        json!({"email": new, "current_password": PASSWORD}),
        None,
    )
    .await;
    assert_eq!(status, 401);
}

on_both_engines!(of_two_accounts_confirming_one_address_one_wins: race_embedded, race_cloud);

async fn of_two_accounts_confirming_one_address_one_wins(app: &App) {
    let shared = address("shared");
    let ada = Shopper::sign_up(app, &address("ada"), "GB").await;
    let bob = Shopper::sign_up(app, &address("bob"), "GB").await;
    assert_eq!(ask(&ada, &shared, PASSWORD).await.0, 202);
    assert_eq!(ask(&bob, &shared, PASSWORD).await.0, 202, "free when asked");
    let links = confirmation_links(app, &shared).await;
    assert_eq!(links.len(), 2);
    let confirms = links
        .iter()
        .map(|token| post(app, "/api/account/email/confirm", json!({ "token": token })));
    let mut answers = futures::future::join_all(confirms).await;
    answers.sort_by_key(|(status, _)| *status);
    assert_eq!(answers[0].0, 200, "{answers:?}");
    assert_eq!((answers[1].0, code(&answers[1].1)), (409, "email_taken"));
    let winner = answers[0].1["id"].as_str().unwrap().to_string();
    assert_eq!(marker_owner(app, &shared).await, Some(winner));
    let emails = [me(app, &ada.cookie).await.1, me(app, &bob.cookie).await.1]
        .map(|c| c["email"].as_str().unwrap().to_string());
    assert_eq!(
        emails.iter().filter(|e| **e == shared).count(),
        1,
        "{emails:?}"
    );
}

on_both_engines!(a_holder_taking_the_account_back_voids_a_pending_change: take_back_embedded, take_back_cloud);

/// Whoever asked for the change (someone with the session and password)
/// loses it once the holder, warned at the old address, sets a new
/// password or logs out on every device; a reset link sent to the old
/// address dies once the email has moved.
async fn a_holder_taking_the_account_back_voids_a_pending_change(app: &App) {
    let old = address("victim");
    let victim = Shopper::sign_up(app, &old, "GB").await;

    // Asked, then a new password: the link is gone.
    let thief = address("thief");
    assert_eq!(ask(&victim, &thief, PASSWORD).await.0, 202);
    let mails = hostfront::mail::outbox(&app.ports, 100).await.unwrap();
    let warned = mails.iter().any(|m| {
        m.to == old
            && m.kind == MailKind::Notice
            && m.text.contains(&thief)
            && m.text.contains("asked to make")
    });
    assert!(
        warned,
        "the old address is warned when the change is asked for"
    );
    let change = json!({"current_password": PASSWORD, "new_password": "a brand new long secret"});
    let (status, cookie, _) = send(
        app,
        Method::PUT,
        "/api/account/password",
        change,
        Some(&victim.cookie),
    )
    .await;
    assert_eq!(status, 200);
    let link = confirmation_links(app, &thief).await.pop().unwrap();
    let (status, body) = post(app, "/api/account/email/confirm", json!({"token": link})).await;
    assert_eq!((status, code(&body)), (410, "link_gone"), "{body}");

    // Asked again, then log out everywhere: gone too.
    let cookie = cookie.unwrap();
    let again = Shopper {
        app,
        cookie: cookie.clone(),
    };
    let thief = address("thief");
    assert_eq!(ask(&again, &thief, "a brand new long secret").await.0, 202);
    let (status, _, _) = send(
        app,
        Method::POST,
        "/api/logout",
        json!({"everywhere": true}),
        Some(&cookie),
    )
    .await;
    assert_eq!(status, 204);
    let link = confirmation_links(app, &thief).await.pop().unwrap();
    let (status, _) = post(app, "/api/account/email/confirm", json!({"token": link})).await;
    assert_eq!(status, 410);
    assert_eq!(marker_owner(app, &thief).await, None);

    // A reset link to the old address, then the email moves: the link dies.
    let cookie = login(app, &old, "a brand new long secret").await.unwrap();
    let holder = Shopper { app, cookie };
    assert_eq!(
        post(app, "/api/password-reset", json!({"email": old}))
            .await
            .0,
        202
    );
    let new = address("moved");
    assert_eq!(ask(&holder, &new, "a brand new long secret").await.0, 202);
    let link = confirmation_links(app, &new).await.pop().unwrap();
    assert_eq!(
        post(app, "/api/account/email/confirm", json!({"token": link}))
            .await
            .0,
        200
    );
    let reset = tokens(app, &old, MailKind::PasswordReset, "#token=")
        .await
        .pop()
        .unwrap();
    let body = json!({"token": reset, "password": "the thief's own password"});
    let (status, body) = post(app, "/api/password-reset/confirm", body).await;
    assert_eq!((status, code(&body)), (410, "link_gone"), "{body}");
    assert!(login(app, &new, "a brand new long secret").await.is_ok());
}
