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
    assert!(
        told.iter()
            .any(|m| m.to == old && m.kind == MailKind::Notice && m.text.contains(&new))
    );
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
