//! Floods a hostile client can send: logins that would hash passwords
//! without end, card numbers tried one after another, names hoarded with
//! unpaid orders.

use hostfront_tests::App;
use hostfront_tests::shopper::Shopper;
use serde_json::json;

/// Twenty logins at once with room for one hash: one hash runs at a time,
/// and those that cannot start in time are told when to come back.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn password_hashing_is_bounded() {
    let app = App::embedded_with(|c| {
        c.hash_concurrency = 1;
        c.hash_wait_ms = 20;
    })
    .await;
    Shopper::sign_up(&app, "ada@example.com", "GB").await;
    let login = json!({"email": "ada@example.com", "password": "correct horse battery"});
    let logins = (0..20).map(|_| async {
        let response = hostfront_tests::http()
            .post(app.url("/api/login"))
            .json(&login)
            .send()
            .await
            .unwrap();
        (
            response.status().as_u16(),
            response.headers().get("retry-after").is_some(),
        )
    });
    let answers = futures::future::join_all(logins).await;
    assert_eq!(
        app.services.hasher.peak(),
        1,
        "never more hashes than allowed at once"
    );
    assert!(answers.contains(&(503, true)), "{answers:?}");
    assert!(answers.iter().any(|(s, _)| *s == 200), "{answers:?}");
    assert!(
        answers.iter().all(|a| a.0 == 200 || *a == (503, true)),
        "{answers:?}"
    );
    app.shutdown().await.unwrap();
}

on_both_engines!(card_testing: card_testing_embedded, card_testing_cloud, |c| {
    c.declines_per_order = 3;
    c.declines_per_day = 5;
});

/// Declined cards are capped per order and per customer per day, and after
/// the first two of a day a decline no longer says why.
async fn card_testing(app: &App) {
    use hostfront::adapters::sim::{APPROVED, DECLINED};
    use hostfront_tests::shopper::{fresh_username, hosting};
    let carder = Shopper::sign_up(app, &format!("{}@example.com", fresh_username()), "GB").await;
    let first = carder
        .order(hosting("subdomain", &fresh_username(), &fresh_username()))
        .await
        .1;
    let first = first["id"].as_str().unwrap();
    let mut told = Vec::new();
    for card in [DECLINED, "4000000000009995", DECLINED] {
        let (status, error) = carder.pay(first, card, "GB").await;
        assert_eq!(status, 402, "{error}");
        told.push(error["error"]["code"].as_str().unwrap().to_string());
    }
    assert_eq!(
        told,
        ["card_declined", "insufficient_funds", "payment_declined"]
    );
    let (status, error) = carder.pay(first, APPROVED, "GB").await;
    assert_eq!(
        (status, error["error"]["code"].as_str()),
        (409, Some("too_many_declines")),
        "no card is tried for this order any more"
    );
    let (_, shown) = carder.get(&format!("/api/orders/{first}")).await;
    assert_eq!(
        (shown["status"].as_str(), &shown["payment"]),
        (Some("awaiting_payment"), &json!(null))
    );

    let second = carder
        .order(hosting("subdomain", &fresh_username(), &fresh_username()))
        .await
        .1;
    let second = second["id"].as_str().unwrap();
    for _ in 0..2 {
        let (status, error) = carder.pay(second, DECLINED, "GB").await;
        assert_eq!(
            (status, error["error"]["code"].as_str()),
            (402, Some("payment_declined"))
        );
    }
    let response = hostfront_tests::http()
        .post(app.url(&format!("/api/orders/{second}/pay")))
        .header("cookie", &carder.cookie)
        .json(&hostfront_tests::shopper::pay_body(APPROVED, "GB"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        response.status().as_u16(),
        429,
        "five declines today: no more cards until tomorrow"
    );
    let wait: u64 = response.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=86_400).contains(&wait), "{wait}");
}
