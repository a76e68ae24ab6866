//! What one order costs in table requests.

use std::sync::Arc;
use std::time::{Duration, Instant};

use hostfront::adapters::sim::APPROVED;
use hostfront::dispatch::AppJobs;
use hostfront::jobs::{WorkerSettings, run_worker};
use hostfront::orders;
use hostfront::store::ItemExt;
use hostfront::{CustomerId, OrderId};
use hostfront_tests::shopper::{Shopper, fresh_domain, hosting};
use hostfront_tests::{App, CountingTable, until};
use tokio_util::sync::CancellationToken;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_order_costs_a_bounded_number_of_table_requests() {
    let dir = tempfile::TempDir::new().unwrap();
    let mut config = hostfront_tests::test_config(dir.path());
    // The default simulated latencies, to measure order-to-live time as a user sees it.
    config.sim.registrar_latency_ms = 40;
    config.sim.panel_latency_ms = 150;
    // The test runs the worker itself, so that each phase's requests are its own.
    config.server.workers = 0;
    let server = config.server.clone();
    let db = hostfront::adapters::embedded::EmbeddedDb::open(dir.path()).unwrap();
    let mut ports =
        hostfront::wiring::embedded(config, db, Arc::new(hostfront::clock::SystemClock));
    let plain = ports.table.clone();
    let counting = Arc::new(CountingTable::new(plain.clone()));
    ports.table = counting.clone();
    let app = App::serve_with(ports, server).await;
    let ada = Shopper::sign_up(&app, "ada@example.com", "GB").await;
    let domain = fresh_domain();
    let before = counting.counts();
    let (_, order) = ada.order(hosting("register", &domain, "bakery")).await;
    let placed = counting.counts();
    let id = order["id"].as_str().unwrap();
    let started = Instant::now();
    ada.pay(id, APPROVED, "GB").await;
    let paid = counting.counts();
    let stop = CancellationToken::new();
    let settings = WorkerSettings {
        wait: Duration::from_millis(20),
        ..WorkerSettings::default()
    };
    let jobs = Arc::new(AppJobs {
        ports: app.ports.clone(),
    });
    let worker = tokio::spawn(run_worker(
        app.ports.queue.clone(),
        jobs,
        settings,
        stop.clone(),
    ));
    // Watch the table rather than poll the API, so polling adds no reads.
    let key = plain
        .get(&hostfront::store::Key::new(
            "EMAIL#ada@example.com",
            "MARKER",
        ))
        .await
        .unwrap()
        .unwrap();
    let order_key = orders::order_key(
        &CustomerId::new(key.str_attr("customer_id").unwrap()),
        &OrderId::new(id),
    );
    until(Duration::from_secs(30), "the order live", || async {
        let item = plain.get(&order_key).await.unwrap().unwrap();
        item.str_attr("status") == Some("active")
    })
    .await;
    let live_after = started.elapsed();
    let watched = counting.counts();
    stop.cancel();
    worker.await.unwrap();
    eprintln!(
        "one order: place {:?}, pay {:?}, provision {:?} (reads, writes); order to live {live_after:?} after payment",
        (placed.0 - before.0, placed.1 - before.1),
        (paid.0 - placed.0, paid.1 - placed.1),
        (watched.0 - paid.0, watched.1 - paid.1),
    );
    let total = (watched.0 - before.0, watched.1 - before.1);
    assert!(total.1 < 40, "writes per order: {total:?}");
    app.shutdown().await.unwrap();
}
