//! Benchmark of `GET /api/domains/check` over real HTTP on the embedded engine,
//! with the simulated registry answering in 150 ms (a registry round trip).
//! Run on demand, in release:
//!
//!     cargo run --release -p hostfront-tests --bin bench-domain-check
//!
//! It reports p50 and p99 of a fresh check (every candidate goes to the
//! registry), of a cached check, and cached checks per second at concurrency 50;
//! then fresh checks by 10 users at once within the registrar's default quota
//! (20 calls a second, 5 kept for orders), without a pause and at a person's
//! pace: how many answered, how many names were marked `unknown` for want of
//! quota, and p50/p99.

use std::sync::Arc;
use std::time::{Duration, Instant};

use hostfront::adapters::embedded::EmbeddedDb;
use hostfront::clock::SystemClock;
use hostfront::settings::Settings;
use hostfront_tests::{App, test_config};

const REGISTRY_LATENCY_MS: u64 = 150;
const FRESH_CHECKS: usize = 60;
const CACHED_CHECKS: usize = 1000;
const CONCURRENCY: usize = 50;
const LOAD_SECONDS: u64 = 10;

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

fn report(name: &str, mut samples: Vec<Duration>) -> (Duration, Duration) {
    samples.sort();
    let (p50, p99) = (percentile(&samples, 0.50), percentile(&samples, 0.99));
    println!(
        "{name:<28} n={:<5} p50={:>8.2} ms  p99={:>8.2} ms",
        samples.len(),
        ms(p50),
        ms(p99)
    );
    (p50, p99)
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// One request, reading the whole body but not parsing it: under load the
/// client's parsing would compete with the server for this machine's cores.
async fn timed_raw(client: &reqwest::Client, url: &str) -> Duration {
    let start = Instant::now();
    let response = client.get(url).send().await.expect("the app answers");
    assert_eq!(response.status(), 200, "{url}");
    response.bytes().await.expect("a body");
    start.elapsed()
}

async fn timed(client: &reqwest::Client, url: &str) -> (Duration, serde_json::Value) {
    let start = Instant::now();
    let response = client.get(url).send().await.expect("the app answers");
    assert_eq!(response.status(), 200, "{url}");
    let body: serde_json::Value = response.json().await.expect("JSON");
    (start.elapsed(), body)
}

/// The app on a fresh embedded database, the registry answering in
/// `REGISTRY_LATENCY_MS`, with `configure`'s changes.
async fn app_with(dir: &tempfile::TempDir, configure: impl FnOnce(&mut Settings)) -> App {
    let mut config = test_config(dir.path());
    config.sim.registrar_latency_ms = REGISTRY_LATENCY_MS;
    config.server.workers = 0;
    // One client makes every request here; the limits are measured elsewhere.
    config.policy.check_per_minute = u32::MAX;
    config.policy.check_burst = u32::MAX;
    config.policy.check_window_limit = u32::MAX;
    configure(&mut config);
    let db = EmbeddedDb::open(dir.path()).expect("database");
    let server = config.server.clone();
    App::serve_with(
        hostfront::wiring::embedded(config, db, Arc::new(SystemClock)),
        server,
    )
    .await
}

#[tokio::main]
async fn main() {
    let dir = tempfile::TempDir::new().expect("temp dir");
    let app = app_with(&dir, |_| {}).await;
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(CONCURRENCY)
        .build()
        .expect("client");
    let url = |name: &str| app.url(&format!("/api/domains/check?name={name}"));

    println!(
        "registry round trip: {REGISTRY_LATENCY_MS} ms; engine: sqlite; over HTTP on loopback\n"
    );
    let names: Vec<String> = (0..FRESH_CHECKS)
        .map(|i| format!("quietbench{i}bakery.com"))
        .collect();
    let mut fresh = Vec::new();
    let mut candidates = Vec::new();
    for name in &names {
        let (elapsed, body) = timed(&client, &url(name)).await;
        assert_eq!(body["cached"], false);
        candidates.push(
            body["results"].as_array().unwrap().len()
                + body["suggestions"].as_array().unwrap().len(),
        );
        fresh.push(elapsed);
    }
    candidates.sort();
    println!(
        "names checked per fresh search: median {}",
        candidates[candidates.len() / 2]
    );
    let (_, fresh_p99) = report("fresh check", fresh);

    let mut cached = Vec::new();
    for i in 0..CACHED_CHECKS {
        let (elapsed, body) = timed(&client, &url(&names[i % names.len()])).await;
        assert_eq!(body["cached"], true);
        cached.push(elapsed);
    }
    let (_, cached_p99) = report("cached check (sequential)", cached);

    let deadline = Instant::now() + Duration::from_secs(LOAD_SECONDS);
    let mut workers = tokio::task::JoinSet::new();
    for w in 0..CONCURRENCY {
        let (client, urls) = (
            client.clone(),
            names.iter().map(|n| url(n)).collect::<Vec<_>>(),
        );
        workers.spawn(async move {
            let mut samples = Vec::new();
            let mut i = w;
            while Instant::now() < deadline {
                samples.push(timed_raw(&client, &urls[i % urls.len()]).await);
                i += 1;
            }
            samples
        });
    }
    let mut loaded = Vec::new();
    while let Some(samples) = workers.join_next().await {
        loaded.extend(samples.expect("worker"));
    }
    let per_second = loaded.len() as f64 / LOAD_SECONDS as f64;
    report(&format!("cached check (c={CONCURRENCY})"), loaded);
    println!("cached checks per second at concurrency {CONCURRENCY}: {per_second:.0}\n");

    let budget = Duration::from_millis(REGISTRY_LATENCY_MS + 25);
    println!(
        "fresh p99 {:.1} ms vs budget {:.0} ms (registry + 25 ms): {}",
        ms(fresh_p99),
        ms(budget),
        if fresh_p99 <= budget {
            "within"
        } else {
            "OVER"
        }
    );
    println!(
        "cached p99 {:.2} ms vs 5 ms: {}",
        ms(cached_p99),
        if cached_p99 < Duration::from_millis(5) {
            "within"
        } else {
            "OVER"
        }
    );
    println!(
        "cached throughput {per_second:.0}/s vs 3000/s: {}",
        if per_second >= 3000.0 {
            "within"
        } else {
            "UNDER"
        }
    );
    app.shutdown().await.expect("clean shutdown");
    // Without a pause: far more searches than the quota, which this machine's
    // cores also serve. Then at a person's pace, within the searches' share.
    fresh_at_once(Duration::ZERO).await;
    fresh_at_once(Duration::from_secs(1)).await;
}

const USERS: usize = 10;
const QUOTA_SECONDS: u64 = 5;

/// Ten users searching fresh names at once for a few seconds, each pausing
/// `pause` after an answer, with the registrar's quota a shared budget of 20
/// calls a second, 5 kept for orders.
async fn fresh_at_once(pause: Duration) {
    let dir = tempfile::TempDir::new().expect("temp dir");
    let app = app_with(&dir, |config| {
        config.policy.registrar_calls_per_second = 20;
        config.policy.registrar_reserved_per_second = 5;
    })
    .await;
    let client = reqwest::Client::new();
    let deadline = Instant::now() + Duration::from_secs(QUOTA_SECONDS);
    let mut users = tokio::task::JoinSet::new();
    for user in 0..USERS {
        let (client, base) = (client.clone(), app.url("/api/domains/check?name="));
        users.spawn(async move {
            let mut seen = Vec::new();
            let mut i = 0;
            while Instant::now() < deadline {
                let url = format!("{base}user{user}search{i}bakery.com");
                let start = Instant::now();
                let response = client.get(&url).send().await.expect("the app answers");
                let status = response.status().as_u16();
                let body: serde_json::Value = response.json().await.unwrap_or_default();
                let unknown = body["results"][0]["reason"] == "unknown";
                seen.push((start.elapsed(), status, unknown));
                i += 1;
                tokio::time::sleep(pause).await;
            }
            seen
        });
    }
    let mut seen = Vec::new();
    while let Some(more) = users.join_next().await {
        seen.extend(more.expect("user"));
    }
    let answered = seen.iter().filter(|(_, status, _)| *status == 200).count();
    let unknown = seen.iter().filter(|(_, _, unknown)| *unknown).count();
    let checked: Vec<Duration> = seen
        .iter()
        .filter(|(_, status, unknown)| *status == 200 && !unknown)
        .map(|(elapsed, _, _)| *elapsed)
        .collect();
    println!(
        "\nfresh checks, {USERS} users at once for {QUOTA_SECONDS} s, each pausing {pause:?} after an answer; registrar quota 20/s (5 kept for orders):"
    );
    println!(
        "  {} searches, {answered} answered 200, {} otherwise; {unknown} with the searched name marked unknown",
        seen.len(),
        seen.len() - answered
    );
    if !checked.is_empty() {
        report("  checked answers", checked);
    }
    report(
        "  all answers",
        seen.iter().map(|(elapsed, _, _)| *elapsed).collect(),
    );
    app.shutdown().await.expect("clean shutdown");
}
