//! Both limiter layers, and clients behind a trusted proxy limited one by one.

use super::check;
use hostfront::Ports;
use hostfront::ratelimit::ClientLimiter;
use hostfront_tests::App;
use std::sync::Arc;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn both_limiter_layers_answer_429_with_retry_after() {
    let app = App::embedded_with(|c| {
        c.policy.check_per_minute = 60;
        c.policy.check_burst = 3;
    })
    .await;
    for _ in 0..3 {
        assert_eq!(check(&app, "bakery.com").await.0, 200);
    }
    let (status, retry, body) = check(&app, "bakery.com").await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (429, Some("rate_limited"))
    );
    assert!(retry.unwrap().parse::<u64>().unwrap() >= 1);
    app.shutdown().await.unwrap();

    // The shared window counts across processes: two apps (two Lambda
    // containers, each with its own in-process limiter) on one table.
    let first = App::embedded_with(|c| c.policy.check_window_limit = 3).await;
    let policy = &first.ports.config;
    let own_limiter = ClientLimiter::new(
        "check",
        policy.check_per_minute,
        policy.check_burst,
        policy.check_window_limit,
        60,
    );
    let second = App::serve(Ports {
        check_limiter: Arc::new(own_limiter),
        ..first.ports.clone()
    })
    .await;
    assert_eq!(check(&first, "bakery.com").await.0, 200);
    assert_eq!(check(&second, "bakery.com").await.0, 200);
    assert_eq!(check(&first, "bakery.com").await.0, 200);
    let (status, retry, body) = check(&second, "bakery.com").await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (429, Some("rate_limited"))
    );
    let retry: u64 = retry.unwrap().parse().unwrap();
    assert!((1..=60).contains(&retry), "until the window ends: {retry}");
    let (status, _, _) = first.get("/api/subdomains/check?name=mysite").await;
    assert_eq!(status, 429, "subdomain checks share the limit");
    second.shutdown().await.unwrap();
    first.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn clients_behind_a_trusted_proxy_are_limited_one_by_one() {
    let app = App::embedded_with(|c| {
        c.policy.check_burst = 2;
        c.policy.check_per_minute = 2;
        c.policy.trusted_proxies = vec!["127.0.0.1/32".parse().unwrap()];
    })
    .await;
    let from = |ip: &'static str| [("x-forwarded-for", ip)];
    let url = "/api/domains/check?name=bakery.com";
    for _ in 0..2 {
        assert_eq!(app.get_with(url, &from("198.51.100.1")).await.0, 200);
    }
    assert_eq!(app.get_with(url, &from("198.51.100.1")).await.0, 429);
    assert_eq!(
        app.get_with(url, &from("198.51.100.2")).await.0,
        200,
        "another client behind the proxy"
    );
    app.shutdown().await.unwrap();
}
