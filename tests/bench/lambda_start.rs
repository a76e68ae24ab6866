//! Cold and warm starts of the Lambda functions, against a hello-world
//! `lambda_runtime` function built the same way, under the local Runtime API
//! on moto. `scripts/bench-lambda` builds the zips with cargo-lambda and runs
//! this with the folder they are in:
//!
//!     cargo run -p hostfront-tests --bin bench-lambda-start -- <lambda dir> [rounds]
//!
//! For each function it prints the zip's size, then its init (process start
//! to the first poll for work), its first and its warm invocation: min,
//! median and max over the rounds. The functions start in turn within each
//! round, each round beginning with the next one, so that machine noise
//! falls on all alike.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use hostfront_tests::lambda::{Stack, api_event};
use serde_json::{Value, json};

/// The pause before each cold start.
const SETTLE: Duration = Duration::from_millis(100);

/// Each function and the event its measured invocations get.
fn functions() -> Vec<(&'static str, Value)> {
    vec![
        ("hello", json!({"name": "world"})),
        ("api-system", api_event("GET", "/api/health")),
        ("api-catalog", api_event("GET", "/api/catalog")),
        (
            "api-domains",
            api_event("GET", "/api/domains/check?name=bakery.com"),
        ),
        ("api-accounts", api_event("GET", "/api/me")),
        ("api-orders", api_event("GET", "/api/orders")),
        ("api-portal", api_event("GET", "/api/services")),
        ("api-admin", api_event("GET", "/api/admin/me")),
        ("worker", json!({"Records": []})),
        ("scheduler", json!({"task": "sweep-expired"})),
    ]
}

#[derive(Default)]
struct Timings {
    init: Vec<Duration>,
    first: Vec<Duration>,
    warm: Vec<Duration>,
}

fn summary(samples: &mut [Duration]) -> (f64, f64, f64) {
    samples.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    (
        ms(samples[0]),
        ms(samples[samples.len() / 2]),
        ms(samples[samples.len() - 1]),
    )
}

/// The bootstrap inside `<dir>/<function>/bootstrap.zip`, unpacked beside it.
fn unpack(dir: &Path, function: &str) -> (PathBuf, u64) {
    let zip = dir.join(function).join("bootstrap.zip");
    let size = std::fs::metadata(&zip)
        .unwrap_or_else(|e| panic!("{}: {e}", zip.display()))
        .len();
    let out = dir.join(function).join("unpacked");
    std::fs::create_dir_all(&out).unwrap();
    let status = std::process::Command::new("python3")
        .args(["-m", "zipfile", "-e"])
        .arg(&zip)
        .arg(&out)
        .status()
        .expect("python3 unpacks the zip");
    assert!(status.success(), "cannot unpack {}", zip.display());
    let bootstrap = out.join("bootstrap");
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&bootstrap, std::fs::Permissions::from_mode(0o755)).unwrap();
    (bootstrap, size)
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let mut args = std::env::args().skip(1);
    let dir = PathBuf::from(args.next().expect("the folder of the built zips"));
    let rounds: usize = args.next().map(|r| r.parse().unwrap()).unwrap_or(10);
    let stack = Stack::on_moto().await;
    let functions = functions();
    let bootstraps: Vec<(PathBuf, u64)> = functions
        .iter()
        .map(|(name, _)| unpack(&dir, name))
        .collect();
    let mut timings: Vec<Timings> = functions.iter().map(|_| Timings::default()).collect();
    for round in 0..rounds {
        // Each round begins with the next function, and each cold start
        // waits until the last function's requests have left moto (a Python
        // server that goes on working after it answers): no function always
        // starts in the wake of the same heavy one.
        for i in (0..functions.len()).map(|k| (k + round) % functions.len()) {
            let event = &functions[i].1;
            tokio::time::sleep(SETTLE).await;
            let mut function = stack.start_unready(&bootstraps[i].0, &[]).await;
            let init = function.init(Duration::from_secs(20)).await;
            let started = Instant::now();
            let first = function.invoke(event.clone()).await;
            let first_took = started.elapsed();
            let started = Instant::now();
            let warm = function.invoke(event.clone()).await;
            let warm_took = started.elapsed();
            for outcome in [first, warm] {
                outcome.response();
            }
            function.stop().await;
            timings[i].init.push(init);
            timings[i].first.push(first_took);
            timings[i].warm.push(warm_took);
        }
    }
    let (_, hello_init, _) = summary(&mut timings[0].init.clone());
    println!(
        "{:<13} {:>9} | {:>23} | {:>6} | {:>23} | {:>23}",
        "function",
        "zip (KB)",
        "init ms min/med/max",
        "×hello",
        "first ms min/med/max",
        "warm ms min/med/max"
    );
    for (i, (name, _)) in functions.iter().enumerate() {
        let t = &mut timings[i];
        let (a, b, c) = summary(&mut t.init);
        let (d, e, f) = summary(&mut t.first);
        let (g, h, k) = summary(&mut t.warm);
        println!(
            "{name:<13} {:>9} | {a:>6.2} {b:>7.2} {c:>8.2} | {:>6.2} | {d:>6.2} {e:>7.2} {f:>8.2} | {g:>6.2} {h:>7.2} {k:>8.2}",
            bootstraps[i].1 / 1024,
            b / hello_init,
        );
    }
    println!("({rounds} rounds; init is process start to the first GET /next)");
}
