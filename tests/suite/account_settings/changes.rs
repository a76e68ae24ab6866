//! The password, proven by the current one, and the name and country.

use hostfront_tests::App;
use hostfront_tests::shopper::Shopper;
use reqwest::Method;
use serde_json::json;

use super::{PASSWORD, address, audited, code, login, me, send};

on_both_engines!(a_password_change_keeps_this_session_and_ends_the_others: password_embedded, password_cloud);

async fn a_password_change_keeps_this_session_and_ends_the_others(app: &App) {
    let email = address("ada");
    let ada = Shopper::sign_up(app, &email, "GB").await;
    let other_device = login(app, &email, PASSWORD).await.unwrap();
    let id = me(app, &ada.cookie).await.1["id"]
        .as_str()
        .unwrap()
        .to_string();
    let change =
        |current: &str, new: &str| json!({"current_password": current, "new_password": new});
    let path = "/api/account/password";

    let (status, cookie, body) = send(
        app,
        Method::PUT,
        path,
        change("not my password", "a new long secret"),
        Some(&ada.cookie),
    )
    .await;
    assert_eq!((status, code(&body)), (403, "wrong_password"));
    assert!(cookie.is_none());
    for (new, refused) in [("short", "weak_password"), (PASSWORD, "same_password")] {
        let (status, _, body) = send(
            app,
            Method::PUT,
            path,
            change(PASSWORD, new),
            Some(&ada.cookie),
        )
        .await;
        assert_eq!((status, code(&body)), (422, refused), "{new}");
    }
    assert_eq!(me(app, &other_device).await.0, 200, "nothing changed yet");

    let (status, cookie, body) = send(
        app,
        Method::PUT,
        path,
        change(PASSWORD, "a new long secret"),
        Some(&ada.cookie),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let renewed = cookie.expect("the session goes on under a new cookie");
    assert_eq!(me(app, &renewed).await.0, 200, "this session stays");
    assert_eq!(me(app, &other_device).await.0, 401, "the others end");
    assert_eq!(me(app, &ada.cookie).await.0, 401, "the old token is gone");
    assert_eq!(login(app, &email, PASSWORD).await, Err(401));
    assert!(login(app, &email, "a new long secret").await.is_ok());
    assert!(
        audited(app, &id)
            .await
            .contains(&"password_changed".to_string())
    );

    let (status, _, _) = send(
        app,
        Method::PUT,
        path,
        change("a new long secret", "x"),
        None,
    )
    .await;
    assert_eq!(status, 401, "only for the logged in");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_current_password_counts_against_the_login_limit() {
    // Six a minute allows a burst of three: signing up and following the
    // link take two, the wrong password the third; the next login waits.
    let app = App::embedded_with(|c| c.policy.auth_per_minute = 6).await;
    let email = address("ada");
    let ada = Shopper::sign_up(&app, &email, "GB").await;
    let wrong = json!({"current_password": "a guess at it", "new_password": "a new long secret"});
    let (status, _, _) = send(
        &app,
        Method::PUT,
        "/api/account/password",
        wrong,
        Some(&ada.cookie),
    )
    .await;
    assert_eq!(status, 403);
    assert_eq!(login(&app, &email, PASSWORD).await, Err(429));
    app.shutdown().await.unwrap();
}

on_both_engines!(name_and_country_change_and_bad_ones_change_nothing: details_embedded, details_cloud);

async fn name_and_country_change_and_bad_ones_change_nothing(app: &App) {
    let ada = Shopper::sign_up_as(app, &address("ada"), "Ada Lovelace", "GB").await;
    let before = me(app, &ada.cookie).await.1;
    for (body, refused) in [
        (json!({"name": "  ", "country": "DE"}), "invalid_name"),
        (
            json!({"name": "Ada\u{7}King", "country": "DE"}),
            "invalid_name",
        ),
        (
            json!({"name": "Ada King", "country": "Germany"}),
            "invalid_country",
        ),
        (
            json!({"name": "Ada King", "country": "XX"}),
            "invalid_country",
        ),
    ] {
        let (status, body) = ada.put("/api/account/details", body.clone(), None).await;
        assert_eq!((status, code(&body)), (422, refused), "{body}");
    }
    assert_eq!(me(app, &ada.cookie).await.1, before, "nothing changed");

    let (status, after) = ada
        .put(
            "/api/account/details",
            json!({"name": " Ada King ", "country": "de"}),
            None,
        )
        .await;
    assert_eq!(status, 200, "{after}");
    assert_eq!(
        (after["name"].as_str(), after["country"].as_str()),
        (Some("Ada King"), Some("DE"))
    );
    assert_eq!(
        after["billing_contact"]["name"], "Ada King",
        "the holder's contacts follow"
    );
    assert_eq!(after["email"], before["email"]);
    assert_eq!(me(app, &ada.cookie).await.1, after);
    let id = after["id"].as_str().unwrap();
    assert!(
        audited(app, id)
            .await
            .contains(&"details_changed".to_string())
    );
    let (status, _, _) = send(
        app,
        Method::PUT,
        "/api/account/details",
        json!({"name": "Eve", "country": "FR"}),
        None,
    )
    .await;
    assert_eq!(status, 401);
}

/// Guesses of the current password from many addresses share the account's
/// own budget, counted before the password is checked: once it is spent, the
/// right password is refused too, from a fresh address.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_accounts_budget_stops_a_right_guess_from_a_fresh_address() {
    let app = App::embedded_with(|c| {
        c.policy.auth_per_minute = 6;
        c.policy.trusted_proxies = vec!["127.0.0.1/32".parse().unwrap()];
    })
    .await;
    let ada = Shopper::sign_up(&app, &address("ada"), "GB").await;
    let change =
        |password: &str| json!({"current_password": password, "new_password": "a new long secret"});
    let from = |n: u8| format!("198.51.100.{n}");
    let mut statuses = Vec::new();
    for n in 1..=4 {
        let headers = [
            ("cookie", ada.cookie.as_str()),
            ("x-forwarded-for", &from(n)),
        ];
        let (status, _) = app
            .send_with(
                Method::PUT,
                "/api/account/password",
                &change("a guess at it"),
                &headers,
            )
            .await;
        statuses.push(status);
    }
    assert_eq!(
        statuses,
        [403, 403, 403, 429],
        "the account's burst of three, then its limit"
    );
    let headers = [
        ("cookie", ada.cookie.as_str()),
        ("x-forwarded-for", &from(9)),
    ];
    let (status, _) = app
        .send_with(
            Method::PUT,
            "/api/account/password",
            &change(PASSWORD),
            &headers,
        )
        .await;
    assert_eq!(
        status, 429,
        "a right guess past the limit is refused as a wrong one"
    );
    app.shutdown().await.unwrap();
}
