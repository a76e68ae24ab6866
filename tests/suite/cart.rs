//! The cart kept with the account: what the site sends is kept in a form
//! orders take (ASCII names, each once, a sold plan, a known cycle) and
//! comes back on any device the customer logs in on; bad input changes
//! nothing; nobody else sees it.

use hostfront_tests::App;
use hostfront_tests::shopper::{Shopper, fresh_username};
use serde_json::{Value, json};

async fn sign_up(app: &App) -> (Shopper<'_>, String) {
    let email = format!("{}@example.com", fresh_username());
    (Shopper::sign_up(app, &email, "DE").await, email)
}

async fn put(shopper: &Shopper<'_>, cart: Value) -> (u16, Value) {
    shopper.put("/api/cart", cart, None).await
}

async fn the_cart_follows_the_account(app: &App) {
    let (ada, email) = sign_up(app).await;
    assert_eq!(
        ada.get("/api/cart").await,
        (200, json!({"domains": [], "plan_id": null, "cycle": null}))
    );

    let cart = json!({"domains": ["Bäckerei.de", "xn--bckerei-5wa.de", "sunny.com"],
        "plan_id": "web-starter", "cycle": "annual"});
    let (status, kept) = put(&ada, cart).await;
    assert_eq!(status, 200, "{kept}");
    assert_eq!(kept["domains"], json!(["xn--bckerei-5wa.de", "sunny.com"]));

    // Logged in elsewhere: the same cart.
    let elsewhere = Shopper::log_in(app, &email).await;
    assert_eq!(elsewhere.get("/api/cart").await, (200, kept.clone()));

    // Bad input changes nothing.
    let too_many: Vec<String> = (0..21).map(|n| format!("name{n}.com")).collect();
    for (bad, code) in [
        (json!({"domains": too_many}), "too_many_domains"),
        (json!({"domains": ["shop.sunny.com"]}), "invalid_domain"),
        (json!({"domains": ["not a name"]}), "invalid_domain"),
        (
            json!({"domains": ["ex\u{200b}ample.com"]}),
            "invalid_domain",
        ),
        (json!({"domains": ["http://sunny.com/x"]}), "invalid_domain"),
        (json!({"domains": ["example.net"]}), "company_domain"),
        (json!({"domains": ["sunny.museum"]}), "not_sold"),
        (json!({"plan_id": "web-nothing"}), "unknown_plan"),
        (json!({"cycle": "weekly"}), "invalid_cycle"),
    ] {
        let (status, error) = put(&ada, bad).await;
        assert_eq!(
            (status, error["error"]["code"].as_str()),
            (422, Some(code)),
            "{error}"
        );
    }
    let (status, error) = put(&ada, json!({"domains": [], "price": 1})).await;
    assert_eq!(status, 400, "unknown fields are refused: {error}");
    assert_eq!(ada.get("/api/cart").await, (200, kept));

    // Nobody else's, and not a visitor's.
    let (bob, _) = sign_up(app).await;
    assert_eq!(bob.get("/api/cart").await.1["domains"], json!([]));
    let (status, _, _) = app.get_with("/api/cart", &[]).await;
    assert_eq!(status, 401);
}

on_both_engines!(the_cart_follows_the_account: cart_embedded, cart_cloud);

/// A visitor's cart sent with their signup is theirs once they follow the
/// link, on whichever device; a bad one is refused before anything is mailed.
async fn the_signup_link_carries_the_cart(app: &App) {
    let signup = |email: &str, cart: Value| {
        json!({"email": email, "password": "correct horse battery", "name": "Ada Lovelace",
            "country": "GB", "cart": cart})
    };
    let bad = format!("{}@example.com", fresh_username());
    let cart = json!({"domains": ["shop.sunny.com"]});
    let (status, error) = app
        .send_with(
            reqwest::Method::POST,
            "/api/signup",
            &signup(&bad, cart),
            &[],
        )
        .await;
    assert_eq!(
        (status, error["error"]["code"].as_str()),
        (422, Some("invalid_domain")),
        "{error}"
    );
    // A cart is an object; its fields in an array are not one.
    let cart = json!([["sunny.com"], "web-starter", "monthly"]);
    let body = signup(&bad, cart);
    let (status, error) = app
        .send_with(reqwest::Method::POST, "/api/signup", &body, &[])
        .await;
    assert_eq!(status, 400, "{error}");

    let email = format!("{}@example.com", fresh_username());
    let cart = json!({"domains": ["sunny.com"], "plan_id": "web-business", "cycle": "monthly"});
    let (status, _) = app
        .send_with(
            reqwest::Method::POST,
            "/api/signup",
            &signup(&email, cart.clone()),
            &[],
        )
        .await;
    assert_eq!(status, 202);
    let token = hostfront_tests::verification_token(&app.ports, &email).await;
    let (status, _) = app
        .send_with(
            reqwest::Method::POST,
            "/api/verify-email",
            &json!({"token": token}),
            &[],
        )
        .await;
    assert_eq!(status, 201);
    let ada = Shopper::log_in(app, &email).await;
    assert_eq!(ada.get("/api/cart").await, (200, cart));
}

on_both_engines!(the_signup_link_carries_the_cart: signup_cart_embedded, signup_cart_cloud);
