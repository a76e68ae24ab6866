//! Test support: moto and dynalite on loopback, engines on fresh tables and queues, and the
//! whole app on a free port.

use hostfront::Ports;
use hostfront::store::Query;

mod app;
pub mod aws_access;
mod counting;
pub mod counting_gateway;
mod dynalite;
mod engines;
pub mod epp_server;
mod fixtures;
pub mod lambda;
pub mod loopback;
pub mod maas_server;
mod moto;
pub mod proxmox_server;
pub mod shopper;
pub mod staff;
pub mod stripe_server;
pub mod template;
pub mod vies_server;
mod wait;
pub mod whm_server;

pub use app::App;
pub use counting::CountingTable;
pub use dynalite::{DynaliteServer, dynalite_client};
pub use engines::{
    another_process, cloud_ports_with, embedded_ports, embedded_ports_with, on_moto, test_config,
    test_server,
};
pub use fixtures::{
    QueueFixture, TableFixture, dynalite_table, dynamodb_table, sqlite_queue, sqlite_table,
    sqs_queue,
};
pub use moto::{
    dynamodb_client, dynamodb_client_at, kms_client, moto_endpoint, route53_client,
    route53_client_at, sesv2_client, sqs_client, unique,
};
pub use wait::{eventually, until};

/// A client for the app's HTTP API.
pub fn http() -> reqwest::Client {
    reqwest::Client::builder().build().expect("http client")
}

/// The token of the newest verification link mailed to `email`.
pub async fn verification_token(ports: &Ports, email: &str) -> String {
    let mut tokens = verification_tokens(ports, email).await;
    tokens
        .pop()
        .unwrap_or_else(|| panic!("no verification mail to {email}"))
}

/// The tokens of every verification link mailed to `email`, oldest first,
/// as the development mailbox received them or, for mail sent through SES,
/// as moto's SES holds it.
pub async fn verification_tokens(ports: &Ports, email: &str) -> Vec<String> {
    link_tokens(
        ports,
        email,
        hostfront::mail::MailKind::VerifyEmail,
        "#verify=",
    )
    .await
}

/// The tokens of every link of `kind` mailed to `email` (the text after
/// `fragment`, e.g. `#token=`), oldest first, as `verification_tokens` finds them.
pub async fn link_tokens(
    ports: &Ports,
    email: &str,
    kind: hostfront::mail::MailKind,
    fragment: &str,
) -> Vec<String> {
    let mailbox = &ports.config.mailbox_folder;
    let mails = ports
        .table
        .query(Query::partition("OUTBOX"))
        .await
        .expect("the outbox reads");
    let sent: Vec<hostfront::mail::Mail> = mails
        .items
        .iter()
        .filter_map(|item| {
            serde_json::from_value::<hostfront::mail::Mail>(item.get("mail")?.clone()).ok()
        })
        .filter(|m| m.to == email && m.kind == kind)
        .collect();
    // No such mail in the outbox: none went anywhere, SES included (asking
    // moto for its whole state late in the suite takes minutes).
    if sent.is_empty() {
        return Vec::new();
    }
    let mut links: Vec<(String, String)> = sent
        .into_iter()
        .map(|m| hostfront::mailbox::delivered(mailbox, m))
        .filter_map(|m| Some((m.created_at.clone(), link_token(&m.text, fragment)?)))
        .collect();
    links.sort();
    let tokens: Vec<String> = links.into_iter().map(|(_, token)| token).collect();
    if tokens.is_empty() {
        return sent_through_ses(email)
            .await
            .iter()
            .filter_map(|body| link_token(body, fragment))
            .collect();
    }
    tokens
}

/// The token of the link in `text` after `fragment`; none where a stored
/// copy withholds it.
fn link_token(text: &str, fragment: &str) -> Option<String> {
    let token = text
        .split(fragment)
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
pub async fn customer(ports: &Ports, name: &str) -> (hostfront::accounts::Customer, String) {
    let email = format!("{name}@example.com");
    let signup = hostfront::accounts::Signup {
        email: email.clone(),
        password: "correct horse battery".into(),
        name: name.into(),
        country: "GB".into(),
        next: None,
        cart: None,
    };
    hostfront::accounts::signup(ports, signup)
        .await
        .expect("signup");
    let token = verification_token(ports, &email).await;
    hostfront::accounts::verify_email(ports, hostfront::accounts::Verification { token })
        .await
        .expect("verified")
}

/// Runs every job waiting in `services`' queue, as a worker would, until none
/// is left (jobs delayed for later stay); returns how many deliveries ran.
pub async fn work_off_queue(ports: &Ports) -> usize {
    let handler = hostfront::dispatch::AppJobs {
        ports: ports.clone(),
    };
    let mut ran = 0;
    loop {
        let messages = ports
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
            hostfront::jobs::process(ports.queue.as_ref(), &handler, message).await;
            ran += 1;
        }
    }
}

/// A new customer (demo catalog seeded) whose order of `request` was paid
/// with an approved card and went live; the customer and the order's id.
pub async fn customer_with_live_order(
    ports: &Ports,
    request: hostfront::orders::create::OrderRequest,
) -> (hostfront::accounts::Customer, hostfront::OrderId) {
    let (customer, order_id) = customer_with_paid_order(ports, request).await;
    hostfront::orders::provision::run(ports, &customer.id, &order_id, false)
        .await
        .expect("the order goes live");
    (customer, order_id)
}

/// A new customer with `request` placed and paid, its provisioning not run.
pub async fn customer_with_paid_order(
    ports: &Ports,
    request: hostfront::orders::create::OrderRequest,
) -> (hostfront::accounts::Customer, hostfront::OrderId) {
    hostfront::catalog::seed_demo(ports.table.as_ref())
        .await
        .expect("the catalog is seeded");
    let (customer, _) = customer(ports, &shopper::fresh_username()).await;
    let order_id = paid_order_of(ports, &customer, "order", request).await;
    (customer, order_id)
}

/// `request` placed for `customer` under the idempotency key `key`, and paid.
pub async fn paid_order_of(
    ports: &Ports,
    customer: &hostfront::accounts::Customer,
    key: &str,
    request: hostfront::orders::create::OrderRequest,
) -> hostfront::OrderId {
    use hostfront::orders::{checkout, create};
    let placed = create::place(ports, customer, key, request)
        .await
        .expect("the order is placed");
    checkout::pay(
        ports,
        customer,
        &placed.view.id,
        shopper::card(hostfront::adapters::sim::APPROVED),
    )
    .await
    .expect("the order is paid");
    placed.view.id
}

/// `minor` units of the currency `code` (`"USD"`).
pub fn money(minor: i64, code: &str) -> hostfront::money::Money {
    let currency = hostfront::money::Currency::parse(code).expect("an ISO 4217 code");
    hostfront::money::Money::new(minor, &currency)
}
