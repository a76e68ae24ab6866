//! dynalite on loopback: an independent implementation of DynamoDB, shared by
//! the whole test process, for the `Table` conformance cases that need no
//! transactions (dynalite has none; moto serves those). It refuses what
//! DynamoDB refuses about item sizes, key sizes and duplicate batch keys, and
//! keeps a new table CREATING for a while, as DynamoDB does.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::{Mutex, OnceLock};

/// How long a new table stays CREATING: long enough that a write sent
/// before the table is ACTIVE fails, short enough to keep the suite quick.
pub const DYNALITE_CREATE_TABLE_MS: u64 = 250;

struct Dynalite {
    endpoint: String,
    // Held for the life of the test process: its stdin closing stops dynalite.
    _process: Mutex<Child>,
}

/// The dynalite server this test process shares, started on first use.
pub fn dynalite_endpoint() -> String {
    static DYNALITE: OnceLock<Dynalite> = OnceLock::new();
    DYNALITE.get_or_init(start).endpoint.clone()
}

/// A DynamoDB client for the shared dynalite.
pub fn dynalite_client() -> aws_sdk_dynamodb::Client {
    crate::dynamodb_client_at(&dynalite_endpoint())
}

fn start() -> Dynalite {
    let folder = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("dynalite");
    assert!(
        folder.join("node_modules/dynalite").is_dir(),
        "dynalite is not installed: run `npm ci` in {} (./scripts/test does)",
        folder.display()
    );
    let mut child = Command::new("node")
        .arg("serve.js")
        .arg(DYNALITE_CREATE_TABLE_MS.to_string())
        .current_dir(&folder)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start dynalite with node: {e}"));
    let mut ready = String::new();
    BufReader::new(child.stdout.take().expect("piped stdout"))
        .read_line(&mut ready)
        .expect("dynalite prints when it is ready");
    let port: u16 = ready
        .trim()
        .strip_prefix("ready ")
        .and_then(|port| port.parse().ok())
        .unwrap_or_else(|| panic!("dynalite did not start: {ready:?}"));
    Dynalite {
        endpoint: format!("http://127.0.0.1:{port}"),
        _process: Mutex::new(child),
    }
}
