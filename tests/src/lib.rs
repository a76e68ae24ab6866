//! Test support: moto and dynalite on loopback, engines on fresh tables and queues, and the
//! whole app on a free port.

use std::path::PathBuf;
use std::sync::Arc;

use hostfront::Services;
use hostfront::adapters::aws::{DynamoTable, SqsQueue};
use hostfront::adapters::embedded::EmbeddedDb;
use hostfront::clock::{Clock, ManualClock, SystemClock};
use hostfront::settings::{MailChoice, Settings};
use hostfront::store::Query;
use tempfile::TempDir;

pub mod aws_access;
mod counting;
mod dynalite;
pub mod epp_server;
mod fixtures;
pub mod lambda;
mod moto;
pub mod shopper;
pub mod staff;
pub mod stripe_server;
pub mod template;
mod wait;
pub mod whm_server;

pub use counting::CountingTable;
pub use dynalite::{DynaliteServer, dynalite_client};
pub use fixtures::{
    QueueFixture, TableFixture, dynalite_table, dynamodb_table, sqlite_queue, sqlite_table,
    sqs_queue,
};
pub use moto::{
    dynamodb_client, dynamodb_client_at, kms_client, moto_endpoint, route53_client,
    route53_client_at, sesv2_client, sqs_client, unique,
};
pub use wait::{eventually, until};

pub fn test_config(data_dir: &std::path::Path) -> Settings {
    let mut config = Settings::from_lookup(|_| None).expect("defaults are valid");
    config.policy.data_dir = data_dir.to_path_buf();
    // Tests read links from the development mailbox, as a person reads mail.
    config.adapters.mail = MailChoice::Outbox;
    config.policy.site_folder = Some(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../site"));
    config.policy.shutdown_grace_secs = 5;
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
    config.policy.hash_wait_ms = 60_000;
    config.policy.purchase_window_limit = 10_000;
    // Journeys place many orders from one account; the review test sets its own rules.
    config.policy.review_orders_per_day = 1_000;
    config.policy.max_unpaid_orders = 1_000;
    config
}

/// The test settings with the policy of `services`, for another process on
/// the same table and queue.
pub fn settings_of(services: &Services) -> Settings {
    let mut settings = test_config(&services.config.data_dir);
    settings.policy = (*services.config).clone();
    settings
}

/// Services on the embedded engine with a clock the test moves (no HTTP),
/// and the directory that holds their data.
pub fn embedded_services(clock: &ManualClock) -> (TempDir, Services) {
    embedded_services_with(clock, |_| {})
}

/// As `embedded_services`, with settings changed by `configure`.
pub fn embedded_services_with(
    clock: &ManualClock,
    configure: impl FnOnce(&mut Settings),
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
    configure: impl FnOnce(&mut Settings),
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
        config.policy.queue_max_receives,
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
    pub async fn embedded_with(configure: impl FnOnce(&mut Settings)) -> App {
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
    pub async fn cloud_with(configure: impl FnOnce(&mut Settings)) -> App {
        let dir = TempDir::new().expect("temp dir");
        let clock: Arc<dyn Clock> = Arc::new(SystemClock);
        let mut config = test_config(dir.path());
        configure(&mut config);
        let table = DynamoTable::new(dynamodb_client(), unique("app"), clock.clone());
        table
            .create_if_missing()
            .await
            .expect("table created on moto");
        let queue = SqsQueue::create(
            sqs_client(),
            &unique("app-jobs"),
            config.policy.queue_max_receives,
        )
        .await
        .expect("queues created on moto");
        let sealer = hostfront::wiring::local_sealer(&config);
        let services =
            hostfront::wiring::with_ports(config, clock, Arc::new(table), Arc::new(queue), sealer);
        App::start(services, dir).await
    }

    /// An app served elsewhere, at `base` (the Lambda functions behind a
    /// local gateway), whose records `services` reads.
    pub fn behind(base: String, services: Services) -> App {
        App {
            base,
            services,
            stop: None,
            done: None,
            _dir: TempDir::new().expect("temp dir"),
        }
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
        let health = self.url("/api/health");
        until(
            std::time::Duration::from_secs(5),
            &format!("the app ready at {}", self.base),
            || async {
                let answer = client.get(&health).send().await;
                answer.is_ok_and(|response| response.status().is_success())
            },
        )
        .await;
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
        self.send_with(reqwest::Method::POST, path, body, headers)
            .await
    }

    /// Sends `body` as JSON with `method` and `headers`; returns the status and the JSON answer.
    pub async fn send_with(
        &self,
        method: reqwest::Method,
        path: &str,
        body: &serde_json::Value,
        headers: &[(&str, &str)],
    ) -> (u16, serde_json::Value) {
        let mut request = http().request(method, self.url(path)).json(body);
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
        match self.done.take() {
            Some(done) => done.await?,
            None => Ok(()),
        }
    }
}

/// A client for the app's HTTP API.
pub fn http() -> reqwest::Client {
    reqwest::Client::builder().build().expect("http client")
}

/// The token of the newest verification link mailed to `email`.
pub async fn verification_token(services: &Services, email: &str) -> String {
    let mut tokens = verification_tokens(services, email).await;
    tokens
        .pop()
        .unwrap_or_else(|| panic!("no verification mail to {email}"))
}

/// The tokens of every verification link mailed to `email`, oldest first,
/// as the development mailbox received them or, for mail sent through SES,
/// as moto's SES holds it.
pub async fn verification_tokens(services: &Services, email: &str) -> Vec<String> {
    let mailbox = hostfront::mail::outbox_folder(&services.config.data_dir);
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
        .map(|m| hostfront::mailbox::delivered(&mailbox, m))
        .filter_map(|m| Some((m.created_at.clone(), verification_link_token(&m.text)?)))
        .collect();
    links.sort();
    let tokens: Vec<String> = links.into_iter().map(|(_, token)| token).collect();
    if tokens.is_empty() {
        return sent_through_ses(email)
            .await
            .iter()
            .filter_map(|body| verification_link_token(body))
            .collect();
    }
    tokens
}

/// The token of the verification link in `text`; none where a stored copy
/// withholds it.
fn verification_link_token(text: &str) -> Option<String> {
    let token = text
        .split("#verify=")
        .nth(1)?
        .split(|c: char| c.is_whitespace() || c == '"' || c == '<')
        .next()?;
    let url_safe = |c: char| c.is_ascii_alphanumeric() || c == '-' || c == '_';
    (!token.is_empty() && token.chars().all(url_safe)).then(|| token.to_string())
}

/// The bodies of the mails moto's SES sent to `address`, oldest first.
async fn sent_through_ses(address: &str) -> Vec<String> {
    ses_messages(address)
        .await
        .iter()
        .filter_map(|m| m["body"].as_str().map(str::to_string))
        .collect()
}

/// The messages moto's SES sent to `address`, oldest first, as moto keeps
/// them (`subject`, `body`, `destinations`).
pub async fn ses_messages(address: &str) -> Vec<serde_json::Value> {
    let Ok(answer) = reqwest::get(format!("{}/moto-api/data.json", moto_endpoint())).await else {
        return Vec::new();
    };
    let state: serde_json::Value = answer.json().await.unwrap_or_default();
    state["ses"]["Message"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|m| m["destinations"]["ToAddresses"][0] == address)
        .cloned()
        .collect()
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

/// Runs every job waiting in `services`' queue, as a worker would, until none
/// is left (jobs delayed for later stay); returns how many deliveries ran.
pub async fn work_off_queue(services: &Services) -> usize {
    let handler = hostfront::dispatch::AppJobs {
        services: services.clone(),
    };
    let mut ran = 0;
    loop {
        let messages = services
            .queue
            .receive(
                10,
                std::time::Duration::from_secs(60),
                std::time::Duration::ZERO,
            )
            .await
            .expect("the queue answers");
        if messages.is_empty() {
            return ran;
        }
        for message in &messages {
            hostfront::jobs::process(services.queue.as_ref(), &handler, message).await;
            ran += 1;
        }
    }
}

/// A new customer (demo catalog seeded) whose order of `request` was paid
/// with an approved card and went live; the customer and the order's id.
pub async fn customer_with_live_order(
    services: &Services,
    request: hostfront::orders::create::OrderRequest,
) -> (hostfront::accounts::Customer, String) {
    use hostfront::orders::{checkout, create, provision};
    hostfront::catalog::seed_demo(services.table.as_ref())
        .await
        .expect("the catalog is seeded");
    let (customer, _) = customer(services, &shopper::fresh_username()).await;
    let placed = create::place(services, &customer, "order", request)
        .await
        .expect("the order is placed");
    checkout::pay(
        services,
        &customer,
        &placed.view.id,
        shopper::card(hostfront::adapters::sim::APPROVED),
    )
    .await
    .expect("the order is paid");
    provision::run(services, &customer.id, &placed.view.id, false)
        .await
        .expect("the order goes live");
    (customer, placed.view.id)
}
