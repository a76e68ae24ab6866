//! Sessions an attacker cannot plant, confuse, end from another site, or
//! keep after the owner logs out everywhere.

use hostfront_tests::App;
use hostfront_tests::shopper::{Shopper, fresh_username};
use serde_json::{Value, json};

async fn login(app: &App, email: &str, cookie: Option<&str>) -> (u16, Option<String>) {
    let mut request = hostfront_tests::http()
        .post(app.url("/api/login"))
        .json(&json!({"email": email, "password": "correct horse battery"}));
    if let Some(cookie) = cookie {
        request = request.header("cookie", cookie);
    }
    let response = request.send().await.unwrap();
    let cookie = response
        .headers()
        .get("set-cookie")
        .map(|c| c.to_str().unwrap().to_string());
    (response.status().as_u16(), cookie)
}

async fn me(app: &App, cookie: &str) -> (u16, Value) {
    let (status, _, body) = app.get_with("/api/me", &[("cookie", cookie)]).await;
    (status, body)
}

fn pair(set_cookie: &str) -> String {
    set_cookie.split(';').next().unwrap().to_string()
}

on_both_engines!(sessions: sessions_embedded, sessions_cloud);

async fn sessions(app: &App) {
    let email = format!("{}@example.com", fresh_username());
    let ada = Shopper::sign_up(app, &email, "GB").await;
    let (status, set_cookie) = login(app, &email, None).await;
    assert_eq!(status, 200);
    let set_cookie = set_cookie.unwrap();
    assert!(set_cookie.starts_with("__Host-hf_session="), "{set_cookie}");
    for attribute in ["Secure", "Path=/", "HttpOnly", "SameSite=Lax"] {
        assert!(set_cookie.contains(attribute), "{set_cookie}");
    }
    assert!(
        !set_cookie.to_lowercase().contains("domain="),
        "{set_cookie}"
    );
    let second = pair(&set_cookie);

    // Two session cookies: refused, whichever is real.
    let both = format!("{}; {second}", ada.cookie);
    let (status, body) = me(app, &both).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (400, Some("ambiguous_session"))
    );

    // A cross-site form cannot log anyone out: logout takes JSON only.
    let form = hostfront_tests::http()
        .post(app.url("/api/logout"))
        .header("cookie", &second)
        .header("content-type", "application/x-www-form-urlencoded")
        .body("everywhere=true")
        .send()
        .await
        .unwrap();
    assert_eq!(form.status().as_u16(), 415);
    assert_eq!(me(app, &second).await.0, 200, "the session goes on");

    // A session planted in the victim's browser ends when they log in.
    let (status, fresh) = login(app, &email, Some(&second)).await;
    assert_eq!(status, 200);
    assert_eq!(
        me(app, &second).await.0,
        401,
        "the session the login arrived with ended"
    );
    let third = pair(&fresh.unwrap());

    // Logging out everywhere ends every session of the account, and only those.
    let other = Shopper::sign_up(app, &format!("{}@example.com", fresh_username()), "GB").await;
    let (status, _) = ada
        .post("/api/logout", json!({"everywhere": true}), None)
        .await;
    assert_eq!(status, 204);
    assert_eq!(me(app, &ada.cookie).await.0, 401);
    assert_eq!(me(app, &third).await.0, 401);
    assert_eq!(
        me(app, &other.cookie).await.0,
        200,
        "another customer stays logged in"
    );
    let (status, again) = login(app, &email, None).await;
    assert_eq!(status, 200);
    assert_eq!(
        me(app, &pair(&again.unwrap())).await.0,
        200,
        "a new login works"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_plain_http_host_gets_a_cookie_it_can_keep() {
    let app = App::embedded_with(|c| c.policy.cookie_secure = false).await;
    let email = "plain@example.com";
    Shopper::sign_up(&app, email, "GB").await;
    let (_, set_cookie) = login(&app, email, None).await;
    let set_cookie = set_cookie.unwrap();
    assert!(
        set_cookie.starts_with("hf_session=") && !set_cookie.contains("Secure"),
        "{set_cookie}"
    );
    assert_eq!(me(&app, &pair(&set_cookie)).await.0, 200);
    app.shutdown().await.unwrap();
}

on_both_engines!(forms_cannot_post: forms_cannot_post_embedded, forms_cannot_post_cloud);

/// A page on another site can send a form or a "simple" request without
/// asking; routes that take no body refuse every content type such a
/// request can carry, and nothing changes. What the site itself sends works.
async fn forms_cannot_post(app: &App) {
    use hostfront_tests::shopper::hosting;
    let ada = Shopper::sign_up(app, &format!("{}@example.com", fresh_username()), "GB").await;
    let (status, order) = ada
        .order(hosting("subdomain", &fresh_username(), &fresh_username()))
        .await;
    assert_eq!(status, 201, "{order}");
    let id = order["id"].as_str().unwrap();
    let cancel = app.url(&format!("/api/orders/{id}/cancel"));
    for (content_type, body) in [
        ("application/x-www-form-urlencoded", ""),
        ("multipart/form-data; boundary=x", "--x--\r\n"),
        ("text/plain;charset=UTF-8", "{}"),
        ("Text/Plain", ""),
    ] {
        let answer = hostfront_tests::http()
            .post(&cancel)
            .header("cookie", &ada.cookie)
            .header("content-type", content_type)
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(answer.status().as_u16(), 415, "{content_type}");
        let error: Value = answer.json().await.unwrap();
        assert_eq!(error["error"]["code"], "unsupported_media_type", "{error}");
    }
    let refused = hostfront_tests::http()
        .delete(app.url("/api/payment-method"))
        .header("cookie", &ada.cookie)
        .header("content-type", "text/plain")
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status().as_u16(), 415);
    let (_, shown) = ada.get(&format!("/api/orders/{id}")).await;
    assert_eq!(shown["status"], "awaiting_payment", "unchanged: {shown}");

    let (status, cancelled) = ada
        .post(&format!("/api/orders/{id}/cancel"), json!({}), None)
        .await;
    assert_eq!(
        (status, cancelled["status"].as_str()),
        (200, Some("cancelled"))
    );
}
