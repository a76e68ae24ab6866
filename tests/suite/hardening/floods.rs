//! Floods a hostile client can send: logins that would hash passwords
//! without end, card numbers tried one after another, names hoarded with
//! unpaid orders.

use std::time::Duration;

use hostfront_tests::App;
use hostfront_tests::shopper::Shopper;
use serde_json::json;

/// Twenty logins at once with room for one hash: one hash runs at a time,
/// and those that cannot start in time are told when to come back.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn password_hashing_is_bounded() {
    let app = App::embedded_with(|c| {
        c.hashing.concurrency = 1;
        c.hashing.wait = Duration::from_millis(20);
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
        app.ports.hasher.peak(),
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
    c.policy.declines_per_order = 3;
    c.policy.declines_per_day = 5;
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

on_both_engines!(one_ipv6_network: one_ipv6_network_embedded, one_ipv6_network_cloud, |c| {
    c.policy.check_per_minute = 1;
    c.policy.check_burst = 1;
    c.policy.trusted_proxies = vec!["127.0.0.1/32".parse().unwrap()];
});

/// An IPv6 /48 holds 65,536 /64s, each a client with its own limit: the /48
/// has a limit of its own as well, a few clients' worth, so hopping from one
/// /64 to the next gains nothing past it. Other networks are not affected.
async fn one_ipv6_network(app: &App) {
    use hostfront::ratelimit::NETWORK_SHARE;
    let url = "/api/domains/check?name=bakery.com";
    let mut admitted = 0;
    for subnet in 0..40 {
        let client = format!("2001:db8:7:{subnet:x}::1");
        let (status, _, body) = app.get_with(url, &[("x-forwarded-for", &client)]).await;
        match status {
            200 => admitted += 1,
            429 => assert_eq!(body["error"]["code"], "rate_limited", "{body}"),
            other => panic!("{client}: {other} {body}"),
        }
    }
    // One check a minute per client: the network's burst, and at most one
    // more if the test ran long enough for its allowance to come back.
    let share = NETWORK_SHARE as usize;
    assert!(
        (share..=share + 1).contains(&admitted),
        "{admitted} of 40 admitted"
    );
    let (status, _, _) = app
        .get_with(url, &[("x-forwarded-for", "2001:db8:8::1")])
        .await;
    assert_eq!(status, 200, "another /48");
    let (status, _, _) = app
        .get_with(url, &[("x-forwarded-for", "198.51.100.7")])
        .await;
    assert_eq!(status, 200, "an IPv4 client");
}
