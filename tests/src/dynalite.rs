//! dynalite on loopback: an independent implementation of DynamoDB, shared by
//! the whole test process, for the `Table` conformance cases that need no
//! transactions (dynalite has none; moto serves those). It refuses what
//! DynamoDB refuses about item sizes, key sizes and duplicate batch keys, and
//! keeps a new table CREATING for a while, as DynamoDB does.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::{Mutex, OnceLock};

/// How long the shared dynalite keeps a new table CREATING: long enough that
/// every fixture waits for its table, short enough to keep the suite quick.
const SHARED_CREATE_TABLE_MS: u64 = 100;

/// One dynalite process; it stops when dropped, or when the tests end.
pub struct DynaliteServer {
    endpoint: String,
    // Its stdin closing stops dynalite.
    process: Mutex<Child>,
}

impl DynaliteServer {
    /// A dynalite of its own that keeps new tables CREATING for `create_table_ms`.
    pub fn start(create_table_ms: u64) -> DynaliteServer {
        let folder = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("dynalite");
        assert!(
            folder.join("node_modules/dynalite").is_dir(),
            "dynalite is not installed: run `npm ci` in {} (./scripts/test does)",
            folder.display()
        );
        let mut child = Command::new("node")
            .arg("serve.js")
            .arg(create_table_ms.to_string())
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
        DynaliteServer {
            endpoint: format!("http://127.0.0.1:{port}"),
            process: Mutex::new(child),
        }
    }

    /// A DynamoDB client for this dynalite.
    pub fn client(&self) -> aws_sdk_dynamodb::Client {
        crate::dynamodb_client_at(&self.endpoint)
    }
}

impl Drop for DynaliteServer {
    fn drop(&mut self) {
        let process = self.process.get_mut().unwrap_or_else(|e| e.into_inner());
        drop(process.stdin.take());
        let _ = process.wait();
    }
}

/// A DynamoDB client for the dynalite this test process shares, started on first use.
pub fn dynalite_client() -> aws_sdk_dynamodb::Client {
    shared().client()
}

fn shared() -> &'static DynaliteServer {
    static DYNALITE: OnceLock<DynaliteServer> = OnceLock::new();
    DYNALITE.get_or_init(|| DynaliteServer::start(SHARED_CREATE_TABLE_MS))
}
