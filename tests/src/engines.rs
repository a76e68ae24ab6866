//! The services on each engine: SQLite in a temporary directory, or
//! DynamoDB and SQS on moto.

use crate::{dynamodb_client, sqs_client, unique};
use hostfront::Ports;
use hostfront::adapters::aws::{DynamoTable, SqsQueue};
use hostfront::adapters::embedded::EmbeddedDb;
use hostfront::clock::{Clock, ManualClock};
use hostfront::settings::{MailChoice, ServerSettings, Settings};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;
use tempfile::TempDir;

pub fn test_config(data_dir: &Path) -> Settings {
    let mut config = defaults();
    config.set_data_dir(data_dir);
    // Tests read links from the development mailbox, as a person reads mail.
    config.adapters.mail = MailChoice::Outbox;
    config.server = test_server();
    config.sim.registrar_latency_ms = 0;
    config.sim.panel_latency_ms = 0;
    config.policy.registrar_calls_per_second = 10_000;
    config.policy.check_per_minute = 10_000;
    config.policy.check_burst = 10_000;
    config.policy.check_window_limit = 10_000;
    config.policy.auth_per_minute = 10_000;
    config.policy.auth_window_limit = 10_000;
    config.policy.purchase_per_minute = 10_000;
    // Journeys sign many customers up at once; the hashing test sets its own bound.
    config.hashing.wait = Duration::from_secs(60);
    config.policy.purchase_window_limit = 10_000;
    // Journeys place many orders from one account; the review test sets its own rules.
    config.policy.review_orders_per_day = 1_000;
    config.policy.max_unpaid_orders = 1_000;
    config
}

/// The local server as tests run it: the repository's site, and a short
/// grace period at shutdown.
pub fn test_server() -> ServerSettings {
    let mut server = defaults().server;
    server.site_folder = Some(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../site"));
    server.shutdown_grace = Duration::from_secs(5);
    server
}

fn defaults() -> Settings {
    Settings::from_lookup(|_| None).expect("defaults are valid")
}

/// Another process on the same table, queue and sealer as `ports`, with
/// their policy changed by `configure` and the clock `clock`.
pub fn another_process(
    ports: &Ports,
    clock: Arc<dyn Clock>,
    configure: impl FnOnce(&mut Settings),
) -> Ports {
    // The first process's files: its mailbox is in them.
    let data_dir = ports
        .config
        .mailbox_folder
        .parent()
        .expect("in the data folder");
    let mut settings = test_config(data_dir);
    settings.policy = (*ports.config).clone();
    configure(&mut settings);
    hostfront::wiring::with_ports(
        settings,
        clock,
        ports.table.clone(),
        ports.queue.clone(),
        ports.sealer.clone(),
    )
}

/// The ports on the embedded engine with a clock the test moves (no HTTP),
/// and the directory that holds their data.
pub fn embedded_ports(clock: &ManualClock) -> (TempDir, Ports) {
    embedded_ports_with(clock, |_| {})
}

/// As `embedded_ports`, with settings changed by `configure`.
pub fn embedded_ports_with(
    clock: &ManualClock,
    configure: impl FnOnce(&mut Settings),
) -> (TempDir, Ports) {
    let dir = TempDir::new().expect("temp dir");
    let mut config = test_config(dir.path());
    configure(&mut config);
    let db = EmbeddedDb::open(dir.path()).expect("embedded database opens");
    let ports = hostfront::wiring::embedded(config, db, Arc::new(clock.clone()));
    (dir, ports)
}

/// The ports on DynamoDB and SQS (moto), on a fresh table and queue, with a
/// clock the test moves (no HTTP).
pub async fn cloud_ports_with(
    clock: &ManualClock,
    configure: impl FnOnce(&mut Settings),
) -> (TempDir, Ports) {
    let dir = TempDir::new().expect("temp dir");
    let mut config = test_config(dir.path());
    configure(&mut config);
    let ports = on_moto(config, Arc::new(clock.clone()), "services").await;
    (dir, ports)
}

/// The ports of `config` on a fresh DynamoDB table and SQS queue on moto,
/// named after `prefix`.
pub async fn on_moto(config: Settings, clock: Arc<dyn Clock>, prefix: &str) -> Ports {
    let table = DynamoTable::new(dynamodb_client(), unique(prefix), clock.clone());
    table
        .create_if_missing()
        .await
        .expect("table created on moto");
    let queue = SqsQueue::create(
        sqs_client(),
        &unique(&format!("{prefix}-jobs")),
        config.policy.queue_max_receives,
    )
    .await
    .expect("queues created on moto");
    let sealer = hostfront::wiring::local_sealer(&config);
    hostfront::wiring::with_ports(config, clock, Arc::new(table), Arc::new(queue), sealer)
}
