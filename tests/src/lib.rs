//! Test support: moto on loopback, engines on fresh tables and queues, and the
//! whole app on a free port.

use std::io::{BufRead, BufReader};
use std::net::TcpListener as StdListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex, OnceLock};

use hostfront::Services;
use hostfront::adapters::aws::DynamoTable;
use hostfront::adapters::aws::SqsQueue;
use hostfront::adapters::embedded::EmbeddedDb;
use hostfront::adapters::embedded::SqliteQueue;
use hostfront::adapters::embedded::SqliteTable;
use hostfront::clock::{Clock, ManualClock, SystemClock};
use hostfront::config::Config;
use hostfront::queue::Queue;
use hostfront::store::{Condition, Item, Key, Page, Query, Table, TableResult, TxOp, Update};
use tempfile::TempDir;

pub mod shopper;

/// The venv python that has `moto[server]`; the test command sets it.
const MOTO_PYTHON: &str = "HOSTFRONT_TEST_PYTHON";

struct Moto {
    endpoint: String,
    // Held for the life of the test process: its stdin closing stops moto.
    _process: Mutex<Child>,
}

fn free_port() -> u16 {
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

fn unique(prefix: &str) -> String {
    format!("{prefix}-{}", ulid::Ulid::new().to_string().to_lowercase())
}

/// A client of `$sdk` (an `aws_sdk_*` crate) for the moto server, with test credentials.
macro_rules! moto_client {
    ($name:ident, $sdk:ident) => {
        pub fn $name() -> $sdk::Client {
            use $sdk::config::{BehaviorVersion, Credentials, Region};
            let config = $sdk::Config::builder()
                .behavior_version(BehaviorVersion::latest())
                .region(Region::new("us-east-1"))
                .endpoint_url(moto_endpoint())
                .credentials_provider(Credentials::new("test", "test", None, None, "moto"))
                .build();
            $sdk::Client::from_conf(config)
        }
    };
}

moto_client!(dynamodb_client, aws_sdk_dynamodb);
moto_client!(sqs_client, aws_sdk_sqs);
moto_client!(kms_client, aws_sdk_kms);

/// A table on one engine with a clock the test moves.
pub struct TableFixture {
    pub table: Arc<dyn Table>,
    pub clock: ManualClock,
    _dir: Option<TempDir>,
}

pub async fn sqlite_table() -> TableFixture {
    let dir = TempDir::new().expect("temp dir");
    let clock = ManualClock::starting_now();
    let db = EmbeddedDb::open(dir.path()).expect("embedded database opens");
    let table = SqliteTable::new(db, Arc::new(clock.clone()));
    TableFixture {
        table: Arc::new(table),
        clock,
        _dir: Some(dir),
    }
}

pub async fn dynamodb_table() -> TableFixture {
    let clock = ManualClock::starting_now();
    let table = DynamoTable::new(dynamodb_client(), unique("table"), Arc::new(clock.clone()));
    table
        .create_if_missing()
        .await
        .expect("table created on moto");
    TableFixture {
        table: Arc::new(table),
        clock,
        _dir: None,
    }
}

/// A queue on one engine; `reopen` makes a fresh handle on the same storage,
/// as a restarted process would.
pub struct QueueFixture {
    pub queue: Arc<dyn Queue>,
    reopen: Box<dyn Fn() -> Arc<dyn Queue> + Send + Sync>,
    _dir: Option<TempDir>,
}

impl QueueFixture {
    pub fn reopen(&self) -> Arc<dyn Queue> {
        (self.reopen)()
    }
}

pub async fn sqlite_queue(max_receives: u32) -> QueueFixture {
    let dir = TempDir::new().expect("temp dir");
    let path = dir.path().to_path_buf();
    let open = move || -> Arc<dyn Queue> {
        let db = EmbeddedDb::open(&path).expect("embedded database opens");
        Arc::new(SqliteQueue::new(
            db,
            "jobs",
            max_receives,
            Arc::new(SystemClock),
        ))
    };
    QueueFixture {
        queue: open(),
        reopen: Box::new(open),
        _dir: Some(dir),
    }
}

pub async fn sqs_queue(max_receives: u32) -> QueueFixture {
    let queue = SqsQueue::create(sqs_client(), &unique("jobs"), max_receives)
        .await
        .expect("queues created on moto");
    let reopen_from = queue.clone();
    QueueFixture {
        queue: Arc::new(queue),
        reopen: Box::new(move || Arc::new(reopen_from.clone())),
        _dir: None,
    }
}

pub fn test_config(data_dir: &std::path::Path) -> Config {
    let mut config = Config::from_lookup(|_| None).expect("defaults are valid");
    config.data_dir = data_dir.to_path_buf();
    config.site_dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../site");
    config.shutdown_grace_secs = 5;
    config.sim_registrar_latency_ms = 0;
    config.sim_panel_latency_ms = 0;
    config.registrar_calls_per_second = 10_000;
    config.check_per_minute = 10_000;
    config.check_burst = 10_000;
    config.check_window_limit = 10_000;
    config.auth_per_minute = 10_000;
    config.auth_window_limit = 10_000;
    config.purchase_per_minute = 10_000;
    // Journeys sign many customers up at once; the hashing test sets its own bound.
    config.hash_wait_ms = 60_000;
    config.purchase_window_limit = 10_000;
    // Journeys place many orders from one account; the review test sets its own rules.
    config.review_orders_per_day = 1_000;
    config.max_unpaid_orders = 1_000;
    config
}

/// Services on the embedded engine with a clock the test moves (no HTTP),
/// and the directory that holds their data.
pub fn embedded_services(clock: &ManualClock) -> (TempDir, Services) {
    embedded_services_with(clock, |_| {})
}

/// As `embedded_services`, with settings changed by `configure`.
pub fn embedded_services_with(
    clock: &ManualClock,
    configure: impl FnOnce(&mut Config),
) -> (TempDir, Services) {
    let dir = TempDir::new().expect("temp dir");
    let mut config = test_config(dir.path());
    configure(&mut config);
    let db = EmbeddedDb::open(dir.path()).expect("embedded database opens");
    let services = hostfront::wiring::embedded(config, db, Arc::new(clock.clone()));
    (dir, services)
}

/// Services on DynamoDB and SQS (moto), on a fresh table and queue, with a
/// clock the test moves (no HTTP).
pub async fn cloud_services_with(
    clock: &ManualClock,
    configure: impl FnOnce(&mut Config),
) -> (TempDir, Services) {
    let dir = TempDir::new().expect("temp dir");
    let mut config = test_config(dir.path());
    configure(&mut config);
    let clock: Arc<dyn Clock> = Arc::new(clock.clone());
    let table = DynamoTable::new(dynamodb_client(), unique("services"), clock.clone());
    table
        .create_if_missing()
        .await
        .expect("table created on moto");
    let queue = SqsQueue::create(
        sqs_client(),
        &unique("services-jobs"),
        config.queue_max_receives,
    )
    .await
    .expect("queues created on moto");
    let sealer = hostfront::wiring::local_sealer(&config);
    let services =
        hostfront::wiring::with_ports(config, clock, Arc::new(table), Arc::new(queue), sealer);
    (dir, services)
}

/// The whole app, as the local server runs it, on a free loopback port.
pub struct App {
    pub base: String,
    pub services: Services,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    done: Option<tokio::task::JoinHandle<anyhow::Result<()>>>,
    _dir: TempDir,
}

impl App {
    /// On the embedded engine, with its own data directory.
    pub async fn embedded() -> App {
        App::embedded_with(|_| {}).await
    }

    /// On the embedded engine, with settings changed by `configure`.
    pub async fn embedded_with(configure: impl FnOnce(&mut Config)) -> App {
        let dir = TempDir::new().expect("temp dir");
        let mut config = test_config(dir.path());
        configure(&mut config);
        let db = EmbeddedDb::open(dir.path()).expect("embedded database opens");
        let services = hostfront::wiring::embedded(config, db, Arc::new(SystemClock));
        App::start(services, dir).await
    }

    /// On DynamoDB and SQS (moto), with a fresh table and queue.
    pub async fn cloud() -> App {
        App::cloud_with(|_| {}).await
    }

    /// On DynamoDB and SQS (moto), with settings changed by `configure`.
    pub async fn cloud_with(configure: impl FnOnce(&mut Config)) -> App {
        let dir = TempDir::new().expect("temp dir");
        let clock: Arc<dyn Clock> = Arc::new(SystemClock);
        let mut config = test_config(dir.path());
        configure(&mut config);
        let table = DynamoTable::new(dynamodb_client(), unique("app"), clock.clone());
        table
            .create_if_missing()
            .await
            .expect("table created on moto");
        let queue = SqsQueue::create(sqs_client(), &unique("app-jobs"), config.queue_max_receives)
            .await
            .expect("queues created on moto");
        let sealer = hostfront::wiring::local_sealer(&config);
        let services =
            hostfront::wiring::with_ports(config, clock, Arc::new(table), Arc::new(queue), sealer);
        App::start(services, dir).await
    }

    /// Another process on the same services (and so the same table and queue).
    pub async fn serve(services: Services) -> App {
        App::start(services, TempDir::new().expect("temp dir")).await
    }

    async fn start(services: Services, dir: TempDir) -> App {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("a loopback port");
        let base = format!("http://{}", listener.local_addr().expect("bound"));
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let done = tokio::spawn(hostfront::local::serve(
            services.clone(),
            listener,
            async move {
                let _ = stopped.await;
            },
        ));
        let app = App {
            base,
            services,
            stop: Some(stop),
            done: Some(done),
            _dir: dir,
        };
        app.wait_ready().await;
        app
    }

    /// Waits until the app answers, which it does once its start-up seeding is done.
    async fn wait_ready(&self) {
        let client = http();
        for _ in 0..100 {
            if let Ok(response) = client.get(self.url("/api/health")).send().await
                && response.status().is_success()
            {
                return;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        panic!("the app did not become ready at {}", self.base);
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// POSTs `body` as JSON with `headers`; returns the status and the JSON answer.
    pub async fn post_with(
        &self,
        path: &str,
        body: &serde_json::Value,
        headers: &[(&str, &str)],
    ) -> (u16, serde_json::Value) {
        let mut request = http().post(self.url(path)).json(body);
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let response = request.send().await.expect("the app answers");
        let status = response.status().as_u16();
        (
            status,
            response.json().await.unwrap_or(serde_json::Value::Null),
        )
    }

    /// GETs `path` and returns the status, the `Retry-After` header and the JSON body.
    pub async fn get(&self, path: &str) -> (u16, Option<String>, serde_json::Value) {
        self.get_with(path, &[]).await
    }

    pub async fn get_with(
        &self,
        path: &str,
        headers: &[(&str, &str)],
    ) -> (u16, Option<String>, serde_json::Value) {
        let mut request = http().get(self.url(path));
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let response = request.send().await.expect("the app answers");
        let status = response.status().as_u16();
        let retry = response
            .headers()
            .get("retry-after")
            .map(|v| v.to_str().unwrap().to_string());
        (
            status,
            retry,
            response.json().await.unwrap_or(serde_json::Value::Null),
        )
    }

    /// Stops the app as SIGTERM would and waits for it to finish.
    pub async fn shutdown(mut self) -> anyhow::Result<()> {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        self.done.take().expect("running").await?
    }
}

/// A client for the app's HTTP API.
pub fn http() -> reqwest::Client {
    reqwest::Client::builder().build().expect("http client")
}

/// A `Table` that counts the requests made through it, to measure what a
/// use case costs: reads are gets, batch gets and queries; writes are puts,
/// updates, deletes, batch puts and transactions (each counted once).
pub struct CountingTable {
    inner: Arc<dyn Table>,
    pub reads: std::sync::atomic::AtomicUsize,
    pub writes: std::sync::atomic::AtomicUsize,
}

impl CountingTable {
    pub fn new(inner: Arc<dyn Table>) -> Self {
        CountingTable {
            inner,
            reads: Default::default(),
            writes: Default::default(),
        }
    }

    /// (reads, writes) so far.
    pub fn counts(&self) -> (usize, usize) {
        use std::sync::atomic::Ordering::SeqCst;
        (self.reads.load(SeqCst), self.writes.load(SeqCst))
    }

    fn read(&self) {
        self.reads.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    }

    fn write(&self) {
        self.writes
            .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    }
}

#[async_trait::async_trait]
impl Table for CountingTable {
    fn engine(&self) -> &'static str {
        self.inner.engine()
    }

    async fn get(&self, key: &Key) -> TableResult<Option<Item>> {
        self.read();
        self.inner.get(key).await
    }

    async fn get_many(&self, keys: &[Key]) -> TableResult<Vec<Option<Item>>> {
        self.read();
        self.inner.get_many(keys).await
    }

    async fn put(&self, item: Item, condition: Option<Condition>) -> TableResult<()> {
        self.write();
        self.inner.put(item, condition).await
    }

    async fn put_many(&self, items: Vec<Item>) -> TableResult<()> {
        self.write();
        self.inner.put_many(items).await
    }

    async fn update(
        &self,
        key: &Key,
        update: Update,
        condition: Option<Condition>,
    ) -> TableResult<Item> {
        self.write();
        self.inner.update(key, update, condition).await
    }

    async fn delete(&self, key: &Key, condition: Option<Condition>) -> TableResult<Option<Item>> {
        self.write();
        self.inner.delete(key, condition).await
    }

    async fn query(&self, query: Query) -> TableResult<Page> {
        self.read();
        self.inner.query(query).await
    }

    async fn transact(&self, ops: Vec<TxOp>) -> TableResult<()> {
        self.write();
        self.inner.transact(ops).await
    }
}

/// The token of the newest verification link mailed to `email`.
pub async fn verification_token(services: &Services, email: &str) -> String {
    let mut tokens = verification_tokens(services, email).await;
    tokens
        .pop()
        .unwrap_or_else(|| panic!("no verification mail to {email}"))
}

/// The tokens of every verification link mailed to `email`, oldest first.
pub async fn verification_tokens(services: &Services, email: &str) -> Vec<String> {
    let mails = services
        .table
        .query(Query::partition("OUTBOX"))
        .await
        .expect("the outbox reads");
    let mut links: Vec<(String, String)> = mails
        .items
        .iter()
        .filter_map(|item| {
            serde_json::from_value::<hostfront::mail::Mail>(item.get("mail")?.clone()).ok()
        })
        .filter(|m| m.to == email && m.kind == hostfront::mail::MailKind::VerifyEmail)
        .filter_map(|m| {
            let token = m
                .text
                .split("#verify=")
                .nth(1)?
                .split_whitespace()
                .next()?
                .to_string();
            Some((m.created_at, token))
        })
        .collect();
    links.sort();
    links.into_iter().map(|(_, token)| token).collect()
}

/// A new customer with a session, made through the library on `services`:
/// signed up, then verified with the mailed link.
pub async fn customer(services: &Services, name: &str) -> (hostfront::accounts::Customer, String) {
    let email = format!("{name}@example.com");
    let signup = hostfront::accounts::Signup {
        email: email.clone(),
        password: "correct horse battery".into(),
        name: name.into(),
        country: "GB".into(),
        next: None,
    };
    hostfront::accounts::signup(services, signup)
        .await
        .expect("signup");
    let token = verification_token(services, &email).await;
    hostfront::accounts::verify_email(services, hostfront::accounts::Verification { token })
        .await
        .expect("verified")
}
