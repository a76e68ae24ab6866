//! The `hostfront` binary as a user runs it: it creates its storage, serves the
//! site and the API, and stops cleanly on SIGTERM.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Duration;

#[tokio::test]
async fn serves_then_stops_cleanly_on_sigterm() {
    let data = tempfile::TempDir::new().unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let server = Command::new(env!("CARGO_BIN_EXE_hostfront"))
        .env("HOSTFRONT_DATA_DIR", data.path().join("nested/data"))
        .env("HOSTFRONT_LISTEN", format!("127.0.0.1:{port}"))
        .env(
            "HOSTFRONT_SITE_DIR",
            concat!(env!("CARGO_MANIFEST_DIR"), "/../../site"),
        )
        .env("HOSTFRONT_LOG_FORMAT", "json")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let base = format!("http://127.0.0.1:{port}");
    let client = reqwest::Client::new();
    let health =
        hostfront_tests::eventually(Duration::from_secs(30), "the server answering", || async {
            let response = client.get(format!("{base}/api/health")).send().await;
            let response = response.map_err(|error| error.to_string())?;
            Ok::<_, String>(response.json::<serde_json::Value>().await.unwrap())
        })
        .await;
    assert_eq!(health["engines"]["table"], "sqlite");
    assert!(
        data.path().join("nested/data/hostfront.sqlite3").exists(),
        "the first start creates its storage"
    );
    let home = client.get(format!("{base}/")).send().await.unwrap();
    assert_eq!(home.status(), 200);

    let killed = Command::new("kill")
        .arg("-TERM")
        .arg(server.id().to_string())
        .status()
        .unwrap();
    assert!(killed.success());
    let status = tokio::task::spawn_blocking(move || server.wait_with_output())
        .await
        .unwrap()
        .unwrap();
    assert!(
        status.status.success(),
        "exits 0 after SIGTERM: {:?}",
        status.status
    );

    // Logs are JSON lines, and each request's lines carry its request ID.
    let lines: Vec<serde_json::Value> = BufReader::new(&status.stdout[..])
        .lines()
        .map(|l| serde_json::from_str(&l.unwrap()).expect("a JSON log line"))
        .collect();
    let request_lines: Vec<&serde_json::Value> = lines
        .iter()
        .filter(|l| l["span"]["path"] == "/api/health")
        .collect();
    assert!(!request_lines.is_empty());
    assert!(request_lines.iter().all(|l| {
        l["span"]["request_id"]
            .as_str()
            .is_some_and(|id| id.len() == 26)
    }));
    assert!(lines.iter().any(|l| l["fields"]["message"] == "stopped"));
}
