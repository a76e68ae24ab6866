//! The local server killed again and again while it provisions, with the
//! simulated registry and panel failing 30 % of their calls: every paid
//! order still goes live, with one hosting account and one capture each.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use hostfront_tests::{eventually, until};
use serde_json::{Value, json};

const ORDERS: usize = 12;
const KILLS: usize = 6;

struct Server {
    data: std::path::PathBuf,
    port: u16,
}

impl Server {
    fn base(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Starts the binary on the same data and port; `faults` is the share of
    /// registrar and panel calls that fail.
    async fn start(&self, faults: &str) -> Running {
        let child = Command::new(env!("CARGO_BIN_EXE_hostfront"))
            .env("HOSTFRONT_DATA_DIR", &self.data)
            .env("HOSTFRONT_LISTEN", format!("127.0.0.1:{}", self.port))
            .env(
                "HOSTFRONT_SITE_DIR",
                concat!(env!("CARGO_MANIFEST_DIR"), "/../../site"),
            )
            .env("HOSTFRONT_DEV_TOOLS", "true")
            .env("HOSTFRONT_LOG", "error")
            .env("HOSTFRONT_SIM_REGISTRAR_FAILURE_RATE", faults)
            .env("HOSTFRONT_SIM_PANEL_FAILURE_RATE", faults)
            .env("HOSTFRONT_SIM_REGISTRAR_LATENCY_MS", "40")
            .env("HOSTFRONT_SIM_PANEL_LATENCY_MS", "150")
            // One customer places all the orders, quickly.
            .env("HOSTFRONT_REVIEW_ORDERS_PER_DAY", "1000")
            .env("HOSTFRONT_MAX_UNPAID_ORDERS", "100")
            .env("HOSTFRONT_PURCHASE_PER_MINUTE", "10000")
            .env("HOSTFRONT_PURCHASE_WINDOW_LIMIT", "10000")
            // Each kill spends the delivery under way; faults spend others.
            .env("HOSTFRONT_QUEUE_MAX_RECEIVES", "10")
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("the server starts");
        // Killed on drop, also when it never answers.
        let running = Running(child);
        let client = reqwest::Client::new();
        let health = format!("{}/api/health", self.base());
        until(Duration::from_secs(30), "the server answering", || async {
            client.get(&health).send().await.is_ok()
        })
        .await;
        running
    }
}

/// A running server, killed when dropped, so a failing test leaves none behind.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn kill(running: &mut Running, signal: &str) {
    Command::new("kill")
        .arg(signal)
        .arg(running.0.id().to_string())
        .status()
        .unwrap();
    running.0.wait().unwrap();
}

async fn post(
    client: &reqwest::Client,
    url: String,
    cookie: &str,
    body: Value,
    key: Option<String>,
) -> (u16, Value) {
    let mut request = client.post(url).header("cookie", cookie).json(&body);
    if let Some(key) = key {
        request = request.header("idempotency-key", key);
    }
    let response = request.send().await.unwrap();
    (
        response.status().as_u16(),
        response.json().await.unwrap_or(Value::Null),
    )
}

/// The JSON at `url`, with `cookie`.
async fn get(client: &reqwest::Client, url: String, cookie: &str) -> Value {
    let response = client
        .get(url)
        .header("cookie", cookie)
        .send()
        .await
        .unwrap();
    response.json().await.unwrap()
}

/// Signs up through the mailed link; returns the session cookie.
async fn customer(client: &reqwest::Client, base: &str) -> String {
    let signup = json!({"email": "crash@example.com", "password": "survives every crash", "name": "Crash", "country": "GB"});
    let answer = client
        .post(format!("{base}/api/signup"))
        .json(&signup)
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 202);
    let mails = get(client, format!("{base}/api/outbox"), "").await;
    let text = mails
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["kind"] == "verify_email")
        .unwrap()["text"]
        .as_str()
        .unwrap()
        .to_string();
    let token = text
        .split("#verify=")
        .nth(1)
        .unwrap()
        .split_whitespace()
        .next()
        .unwrap();
    let verified = client
        .post(format!("{base}/api/verify-email"))
        .json(&json!({ "token": token }))
        .send()
        .await
        .unwrap();
    assert_eq!(verified.status(), 201);
    let cookie = verified.headers()["set-cookie"].to_str().unwrap();
    cookie.split(';').next().unwrap().to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn orders_go_live_through_faults_and_repeated_kills() {
    let dir = tempfile::TempDir::new().unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let server = Server {
        data: dir.path().join("data"),
        port,
    };
    let base = server.base();
    let client = reqwest::Client::new();

    // Orders placed without faults (the live check at placement would fail too).
    let mut running = server.start("0").await;
    let cookie = customer(&client, &base).await;
    let mut orders = Vec::new();
    for n in 0..ORDERS {
        let body = json!({"plan_id": "web-starter", "cycle": "monthly", "generate_password": true,
            "username": format!("crash{n}x"), "domain": {"action": "register", "name": format!("crashbakery{n}x.com")}});
        let (status, order) = post(
            &client,
            format!("{base}/api/orders"),
            &cookie,
            body,
            Some(format!("crash-{n}")),
        )
        .await;
        assert_eq!(status, 201, "{order}");
        orders.push(order["id"].as_str().unwrap().to_string());
    }
    kill(&mut running, "-TERM");

    // Paid with faults on; the server is killed six times while it provisions.
    running = server.start("0.3").await;
    let card = json!({"payment_method": "pm_card_visa", "billing_country": "GB"});
    for id in &orders {
        let (status, paid) = post(
            &client,
            format!("{base}/api/orders/{id}/pay"),
            &cookie,
            card.clone(),
            None,
        )
        .await;
        assert_eq!(status, 200, "{paid}");
    }
    for _ in 0..KILLS {
        // Killed at a random moment of the work: the moment is what is tested.
        tokio::time::sleep(Duration::from_millis(400 + fastrand_ms())).await;
        kill(&mut running, "-KILL");
        running = server.start("0.3").await;
    }
    let restarted = Instant::now();
    // Typically 47 to 50 s: the restarted server takes up at once the jobs
    // the killed one had received, which wait out the lease of the step a
    // kill interrupted (45 s), plus retries. A step that fails several times
    // in a row adds its backoff (doubling, up to a minute each): five in a
    // row add a minute, so the bound leaves room for a rare run of faults.
    let deadline = restarted + Duration::from_secs(240);
    let mut live = Vec::new();
    for id in &orders {
        let left = deadline.saturating_duration_since(Instant::now());
        let what = "live four minutes after the last restart";
        let order = eventually(left, what, || async {
            let order = get(&client, format!("{base}/api/orders/{id}"), &cookie).await;
            if order["status"] == "active" {
                Ok(order)
            } else {
                Err(order)
            }
        })
        .await;
        live.push(order);
    }
    eprintln!(
        "all {ORDERS} orders live {:?} after the last of {KILLS} kills",
        restarted.elapsed()
    );
    kill(&mut running, "-TERM");

    // Exactly one hosting account and one capture per order.
    let db = rusqlite::Connection::open(server.data.join("hostfront.sqlite3")).unwrap();
    let count = |sql: &str| -> i64 { db.query_row(sql, [], |r| r.get(0)).unwrap() };
    let accounts = count(
        "SELECT COALESCE(SUM(json_extract(body, '$.accounts')), 0) FROM items WHERE pk = 'SIMPANEL#SERVER' AND sk != 'BUILT'",
    );
    let captures = count(
        "SELECT COUNT(*) FROM items WHERE pk LIKE 'SIMPAY#%' AND json_extract(body, '$.kind') = 'capture'",
    );
    assert_eq!((accounts, captures), (ORDERS as i64, ORDERS as i64));
    let usernames: std::collections::HashSet<&str> = live
        .iter()
        .map(|o| o["service"]["account"]["username"].as_str().unwrap())
        .collect();
    assert_eq!(usernames.len(), ORDERS);
}

/// A few hundred milliseconds of jitter, so the kills land mid-step.
fn fastrand_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_millis() as u64
        % 400
}
