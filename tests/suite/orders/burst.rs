//! A burst of paid orders goes live about as fast as one: the workers run
//! the jobs they receive side by side, none waiting behind another.

use std::time::{Duration, Instant};

use hostfront_tests::App;
use hostfront_tests::shopper::{Shopper, fresh_domain, fresh_username, hosting};

/// Places and pays `count` orders of one customer at once; the time until
/// all are live.
async fn burst(shopper: &Shopper<'_>, count: usize) -> Duration {
    let mut ids = Vec::new();
    for _ in 0..count {
        let (status, order) = shopper
            .order(hosting("register", &fresh_domain(), &fresh_username()))
            .await;
        assert_eq!(status, 201, "{order}");
        ids.push(order["id"].as_str().unwrap().to_string());
    }
    let started = Instant::now();
    let payments = ids
        .iter()
        .map(|id| shopper.pay(id, "4242424242424242", "GB"));
    for (status, paid) in futures::future::join_all(payments).await {
        assert!(status == 200 || status == 202, "{status} {paid}");
    }
    for id in &ids {
        shopper.wait_for(id, "active").await;
    }
    started.elapsed()
}

/// Rounds of the comparison: the suite runs other tests beside this one, so
/// each figure is the best of its rounds, one and ten taken in turn.
const ROUNDS: usize = 3;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ten_paid_orders_go_live_within_one_and_a_half_times_one() {
    // Each provisioning step waits on the simulated registry and panel, as
    // real ones make it wait: that, not this machine, is the time measured.
    let app = App::embedded_with(|c| {
        c.sim.registrar_latency_ms = 150;
        c.sim.panel_latency_ms = 150;
    })
    .await;
    let shopper = Shopper::sign_up(&app, "burst@example.com", "GB").await;
    let (mut one, mut ten) = (Duration::MAX, Duration::MAX);
    for _ in 0..ROUNDS {
        one = one.min(burst(&shopper, 1).await);
        ten = ten.min(burst(&shopper, 10).await);
    }
    let ratio = ten.as_secs_f64() / one.as_secs_f64();
    println!("one order live in {one:?}, ten in {ten:?} (best of {ROUNDS}): {ratio:.2}×");
    assert!(
        ratio <= 1.5,
        "one order live in {one:?}, ten in {ten:?} (best of {ROUNDS}): {ratio:.2}×"
    );
    app.shutdown().await.unwrap();
}
