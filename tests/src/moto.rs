//! moto on loopback, shared by the whole test process, and AWS clients for it.

use std::io::{BufRead, BufReader};
use std::net::TcpListener as StdListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::{Mutex, OnceLock};

/// The venv python that has `moto[server]`; the test command sets it.
const MOTO_PYTHON: &str = "HOSTFRONT_TEST_PYTHON";

struct Moto {
    endpoint: String,
    // Held for the life of the test process: its stdin closing stops moto.
    _process: Mutex<Child>,
}

pub(crate) fn free_port() -> u16 {
    StdListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free loopback port")
        .port()
}

/// The moto server this test process shares, started on first use.
pub fn moto_endpoint() -> String {
    static MOTO: OnceLock<Moto> = OnceLock::new();
    MOTO.get_or_init(|| {
        let python = std::env::var(MOTO_PYTHON).unwrap_or_else(|_| {
            panic!("{MOTO_PYTHON} is not set: run the tests with ./scripts/test, which installs moto[server]")
        });
        let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("moto_server.py");
        let port = free_port();
        let mut child = Command::new(&python)
            .arg(&script)
            .arg(port.to_string())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start moto with {python}: {e}"));
        let mut ready = String::new();
        BufReader::new(child.stdout.take().expect("piped stdout"))
            .read_line(&mut ready)
            .expect("moto prints when it is ready");
        assert_eq!(ready.trim(), "ready", "moto did not start");
        Moto { endpoint: format!("http://127.0.0.1:{port}"), _process: Mutex::new(child) }
    })
    .endpoint
    .clone()
}

/// `prefix` and a fresh ULID: a name no other test uses on the shared moto.
pub fn unique(prefix: &str) -> String {
    format!("{prefix}-{}", ulid::Ulid::new().to_string().to_lowercase())
}

/// A client of `$sdk` (an `aws_sdk_*` crate) for the moto server, with test credentials.
macro_rules! moto_client {
    ($name:ident, $sdk:ident) => {
        pub fn $name() -> $sdk::Client {
            moto_client!(@at $sdk, moto_endpoint())
        }
    };
    (@at $sdk:ident, $endpoint:expr) => {{
            use $sdk::config::{BehaviorVersion, Credentials, Region};
            let config = $sdk::Config::builder()
                .behavior_version(BehaviorVersion::latest())
                .region(Region::new("us-east-1"))
                .endpoint_url($endpoint)
                .http_client(hostfront::wiring::https_client())
                .credentials_provider(Credentials::new("test", "test", None, None, "moto"))
                .build();
            $sdk::Client::from_conf(config)
    }};
}

moto_client!(dynamodb_client, aws_sdk_dynamodb);

/// A DynamoDB client for `endpoint`: a proxy in front of moto, or dynalite.
pub fn dynamodb_client_at(endpoint: &str) -> aws_sdk_dynamodb::Client {
    moto_client!(@at aws_sdk_dynamodb, endpoint)
}
moto_client!(sqs_client, aws_sdk_sqs);
moto_client!(kms_client, aws_sdk_kms);
moto_client!(route53_client, aws_sdk_route53);

/// A Route 53 client for moto through `endpoint` (a proxy in front of it).
pub fn route53_client_at(endpoint: &str) -> aws_sdk_route53::Client {
    moto_client!(@at aws_sdk_route53, endpoint)
}
moto_client!(sesv2_client, aws_sdk_sesv2);
