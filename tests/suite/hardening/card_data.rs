//! Card data never reaches the shop's API: card numbers sent to any path
//! that pays or saves a card are refused before anything is charged, a
//! payment method's id must look like one, and one customer cannot pay with
//! a payment method another customer's card form made.

use hostfront::adapters::sim::APPROVED;
use hostfront_tests::App;
use hostfront_tests::shopper::{Shopper, fresh_username, hosting};
use serde_json::{Value, json};

async fn customer(app: &App) -> Shopper<'_> {
    Shopper::sign_up(app, &format!("{}@example.com", fresh_username()), "GB").await
}

async fn unpaid_order(shopper: &Shopper<'_>) -> String {
    let (status, order) = shopper
        .order(hosting("subdomain", &fresh_username(), &fresh_username()))
        .await;
    assert_eq!(status, 201, "{order}");
    order["id"].as_str().unwrap().to_string()
}

fn code(answer: &(u16, Value)) -> (u16, &str) {
    (
        answer.0,
        answer.1["error"]["code"].as_str().unwrap_or("none"),
    )
}

/// Every way of paying or saving a card, with `body`.
async fn every_path(shopper: &Shopper<'_>, order: &str, body: Value) -> Vec<(u16, Value)> {
    let key = Some("card-data");
    let with_years = |mut body: Value, field: &str, value: Value| {
        body[field] = value;
        body
    };
    vec![
        shopper
            .post(&format!("/api/orders/{order}/pay"), body.clone(), None)
            .await,
        shopper
            .post(
                "/api/domains/example.com/renew",
                with_years(body.clone(), "years", json!(1)),
                key,
            )
            .await,
        shopper
            .post(
                "/api/services/svc-1/upgrade",
                with_years(body.clone(), "plan_id", json!("web-business")),
                key,
            )
            .await,
        shopper
            .post("/api/invoices/INV-000001/pay", body.clone(), None)
            .await,
        shopper.put("/api/payment-method", body, key).await,
    ]
}

async fn card_numbers_are_refused_and_nothing_is_charged(app: &App) {
    let ada = customer(app).await;
    let order = unpaid_order(&ada).await;
    let card = json!({"number": APPROVED, "exp_month": 12, "exp_year": 2099, "cvc": "123"});
    for body in [
        json!({"card": card, "billing_country": "GB"}),
        card.clone(),
        json!({"payment_method": card, "billing_country": "GB"}),
        // Anywhere, in any case or spelling, or as a bare number.
        json!({"payment_method": "pm_card_visa", "billing_country": "GB", "meta": {"Card": card}}),
        json!({"payment_method": "pm_card_visa", "billing_country": "GB", "CVV": "999"}),
        json!({"payment_method": APPROVED, "billing_country": "GB"}),
        json!({"payment_method": format!("pm_{APPROVED}"), "billing_country": "GB"}),
        json!({"payment_method": 4242424242424242u64, "billing_country": "GB"}),
    ] {
        for answer in every_path(&ada, &order, body.clone()).await {
            assert_eq!(
                code(&answer),
                (422, "card_data_refused"),
                "{body}: {answer:?}"
            );
            assert!(!answer.1.to_string().contains(APPROVED), "never echoed");
        }
    }
    for id in ["tok_visa", "pm_", "pm_a-b"] {
        let body = json!({"payment_method": id, "billing_country": "GB"});
        for answer in every_path(&ada, &order, body).await {
            assert_eq!(
                code(&answer),
                (422, "invalid_payment_method"),
                "{id}: {answer:?}"
            );
        }
    }
    let (_, shown) = ada.get(&format!("/api/orders/{order}")).await;
    assert_eq!(
        (shown["status"].as_str(), &shown["payment"]),
        (Some("awaiting_payment"), &Value::Null),
        "nothing was charged: {shown}"
    );
    assert_eq!(
        ada.get("/api/payment-method").await,
        (200, serde_json::Value::Null),
        "nothing saved"
    );
}

on_both_engines!(card_numbers_are_refused_and_nothing_is_charged: refused_embedded, refused_cloud);

async fn another_customers_payment_method_cannot_be_used(app: &App) {
    let ada = customer(app).await;
    let eve = customer(app).await;
    let ada_order = unpaid_order(&ada).await;
    let eve_order = unpaid_order(&eve).await;
    let method = ada.payment_method(APPROVED).await;
    assert!(
        method.starts_with("pm_sim_"),
        "made by the card page: {method}"
    );
    let body = json!({"payment_method": method, "billing_country": "GB"});
    let (status, paid) = ada
        .post(&format!("/api/orders/{ada_order}/pay"), body.clone(), None)
        .await;
    assert_eq!(status, 200, "{paid}");
    let stolen = eve
        .post(&format!("/api/orders/{eve_order}/pay"), body.clone(), None)
        .await;
    assert_eq!(code(&stolen), (422, "invalid_payment"), "{stolen:?}");
    let (_, shown) = eve.get(&format!("/api/orders/{eve_order}")).await;
    assert_eq!(shown["status"], "awaiting_payment", "{shown}");
    let saved = eve
        .put(
            "/api/payment-method",
            json!({"payment_method": method, "consent": true}),
            Some("k"),
        )
        .await;
    assert_eq!(code(&saved), (422, "invalid_payment"), "{saved:?}");
}

on_both_engines!(another_customers_payment_method_cannot_be_used: stolen_embedded, stolen_cloud);

/// The simulated provider's card page is framed by the shop's own pages
/// only, and takes the card on its own endpoint, not the shop's API.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_simulated_card_page_is_the_providers_own() {
    let app = App::embedded().await;
    let response = hostfront_tests::http()
        .get(app.url("/simulated-gateway/card"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
    let headers = response.headers();
    assert_eq!(headers["x-frame-options"], "SAMEORIGIN");
    let policy = headers["content-security-policy"].to_str().unwrap();
    assert!(policy.contains("frame-ancestors 'self'"), "{policy}");
    let (status, _, setup) = app.get_with("/api/payments/setup", &[]).await;
    assert_eq!(status, 200);
    assert_eq!(
        setup,
        json!({"provider": "simulated", "card_page": "/simulated-gateway/card"})
    );
    let bad =
        json!({"number": "4242424242424241", "exp_month": 12, "exp_year": 2099, "cvc": "123"});
    let (status, refused) = app
        .send_with(
            reqwest::Method::POST,
            "/simulated-gateway/v1/payment_methods",
            &bad,
            &[],
        )
        .await;
    assert_eq!(
        (status, &refused["error"]["code"]),
        (402, &json!("invalid_card"))
    );
    let good =
        json!({"number": "4242 4242 4242 4242", "exp_month": 12, "exp_year": 2099, "cvc": "123"});
    let (status, made) = app
        .send_with(
            reqwest::Method::POST,
            "/simulated-gateway/v1/payment_methods",
            &good,
            &[],
        )
        .await;
    assert_eq!(status, 200, "{made}");
    assert_eq!(
        made["card"],
        json!({"brand": "visa", "last4": "4242", "exp_month": 12, "exp_year": 2099})
    );
    app.shutdown().await.unwrap();
}

/// A flood of cards at the simulated provider is cut off as Stripe cuts
/// off its test mode (429 `rate_limit` past 25 a second), every method it
/// makes is kept a day at most, and a card's digits in a field that wants
/// a number are not echoed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_simulated_provider_is_not_a_sink() {
    let app = App::embedded().await;
    let post = |body: Value| {
        let app = &app;
        async move {
            app.send_with(
                reqwest::Method::POST,
                "/simulated-gateway/v1/payment_methods",
                &body,
                &[],
            )
            .await
        }
    };
    let card =
        json!({"number": "4242 4242 4242 4242", "exp_month": 12, "exp_year": 2099, "cvc": "123"});
    let answers = futures::future::join_all((0..60).map(|_| post(card.clone()))).await;
    let limited = answers.iter().filter(|(s, _)| *s == 429).count();
    assert!(limited > 0, "60 at once: {answers:?}");
    assert!(
        answers
            .iter()
            .all(|(s, b)| *s == 200 || b["error"]["code"] == "rate_limit")
    );
    let made = answers.iter().find(|(s, _)| *s == 200).unwrap();
    let id = made.1["id"].as_str().unwrap();
    let key = hostfront::store::Key::new(format!("SIMPAY#{id}"), "ENTRY");
    let entry = app.ports.table.get(&key).await.unwrap().unwrap();
    let now = app.ports.clock.now_secs();
    let ttl = entry["ttl"].as_i64().expect("a ttl");
    assert!(ttl > now && ttl <= now + 24 * 3600, "{ttl} vs {now}");
    // The provider's limit is counted in real seconds: the next one.
    tokio::time::sleep(std::time::Duration::from_millis(1_100)).await;
    let mut digits = card.clone();
    digits["exp_month"] = json!("4242424242424242");
    let (status, refused) = post(digits).await;
    assert_eq!(status, 422, "{refused}");
    assert!(
        !refused.to_string().contains("4242424242424242"),
        "{refused}"
    );
}
