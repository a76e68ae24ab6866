//! Benchmark of the static site against the API's cheapest answer, in one
//! run on the local server (embedded engine), over HTTP on loopback: at
//! concurrency 50, requests a second and p50 of `GET /api/health`, of an
//! asset at its versioned address, of a page (rewritten with its assets'
//! addresses) and of an unversioned asset, each twice, in turns. Run on
//! demand, in release:
//!
//!     cargo run --release -p hostfront-tests --bin bench-static-files
//!
//! The target: a static file at least half the health check's throughput.

use std::sync::Arc;
use std::time::{Duration, Instant};

use hostfront::adapters::embedded::EmbeddedDb;
use hostfront::clock::SystemClock;
use hostfront_tests::{App, test_config};

const CONCURRENCY: usize = 50;
const SECONDS: u64 = 5;

/// Requests a second and the p50 of `url` at `CONCURRENCY` for `SECONDS`.
async fn load(client: &reqwest::Client, url: &str) -> (f64, Duration) {
    let deadline = Instant::now() + Duration::from_secs(SECONDS);
    let mut workers = tokio::task::JoinSet::new();
    for _ in 0..CONCURRENCY {
        let (client, url) = (client.clone(), url.to_string());
        workers.spawn(async move {
            let mut samples = Vec::new();
            while Instant::now() < deadline {
                let start = Instant::now();
                let response = client.get(&url).send().await.expect("the app answers");
                assert_eq!(response.status(), 200, "{url}");
                response.bytes().await.expect("a body");
                samples.push(start.elapsed());
            }
            samples
        });
    }
    let mut samples = Vec::new();
    while let Some(done) = workers.join_next().await {
        samples.extend(done.expect("worker"));
    }
    samples.sort();
    let per_second = samples.len() as f64 / SECONDS as f64;
    (per_second, samples[samples.len() / 2])
}

#[tokio::main]
async fn main() {
    let dir = tempfile::TempDir::new().expect("temp dir");
    let mut config = test_config(dir.path());
    config.server.workers = 0;
    let site = config.server.site_dir();
    let db = EmbeddedDb::open(dir.path()).expect("database");
    let server = config.server.clone();
    let app = App::serve_with(
        hostfront::wiring::embedded(config, db, Arc::new(SystemClock)),
        server,
    )
    .await;
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(CONCURRENCY)
        .build()
        .expect("client");
    let version = hostfront::http::site::version(&site).expect("the site's assets");
    let targets = [
        ("GET /api/health", app.url("/api/health")),
        (
            "versioned asset",
            app.url(&format!("/v/{version}/assets/site.css")),
        ),
        ("page", app.url("/order.html")),
        ("unversioned asset", app.url("/assets/site.css")),
    ];
    println!("concurrency {CONCURRENCY}, {SECONDS} s each, twice in turns, no compression asked\n");
    let mut best = vec![0.0_f64; targets.len()];
    for round in 1..=2 {
        for (i, (name, url)) in targets.iter().enumerate() {
            let (per_second, p50) = load(&client, url).await;
            best[i] = best[i].max(per_second);
            println!(
                "round {round} {name:<18} {per_second:>8.0}/s  p50 {:>6.2} ms",
                p50.as_secs_f64() * 1000.0
            );
        }
    }
    println!();
    for (i, (name, _)) in targets.iter().enumerate().skip(1) {
        let ratio = best[i] / best[0];
        let verdict = if ratio >= 0.5 { "within" } else { "UNDER" };
        println!("{name:<18} {ratio:.2}x the health check (target 0.5x): {verdict}");
    }
    app.shutdown().await.expect("clean shutdown");
}
