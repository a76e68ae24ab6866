//! Benchmark of the daily operations at a large reseller's scale, on the
//! embedded engine. Run on demand, in release:
//!
//!     cargo run --release -p hostfront-tests --bin bench-daily-ops [customers]
//!
//! It makes one real customer through the product (order, payment,
//! provisioning), then copies that customer's records, with new names, into
//! `customers` customers (100,000 by default), each with a domain and a
//! hosting service: the domain's record and the simulated registry's, the
//! service with its panel account and its zone. Expiries and certificates
//! are spread over a year. Some drift: 1 % of domains were renewed at the
//! registry, 0.1 % transferred away, 1 % of sites point elsewhere, and 0.5 %
//! of services were suspended for an unpaid invoice 31 days ago.
//!
//! Each daily check then runs over all of them, fanned out through the queue
//! and worked off by the local worker, and it prints items per second, the
//! table requests and the DynamoDB request units per item (estimated from
//! item sizes by `CountingTable`), and what a day of each would cost for
//! 1,000,000 domains on DynamoDB on demand, Lambda and SQS, with the prices
//! and assumptions it used.

use std::sync::Arc;
use std::time::{Duration, Instant};

use hostfront::Ports;
use hostfront::clock::{Clock, ManualClock};
use hostfront::daily::{self, Check};
use hostfront::dispatch::AppJobs;
use hostfront::registrar::Drift;
use hostfront::resolver::Pointing;
use hostfront::store::{Item, Key};
use hostfront_tests::CountingTable;
use hostfront_tests::shopper::{fresh_domain, fresh_username, register};
use serde_json::Value;

const DAY: i64 = 86_400;
/// Items written per `put_many` while generating.
const WRITE_CHUNK: usize = 25;

// Prices used for the projection (AWS us-east-1, on demand, as listed in 2026).
const DYNAMO_PER_MILLION_WRITE_UNITS: f64 = 0.625;
const DYNAMO_PER_MILLION_READ_UNITS: f64 = 0.125;
const LAMBDA_PER_GB_SECOND: f64 = 0.000_016_666_7;
const LAMBDA_PER_MILLION_REQUESTS: f64 = 0.20;
const SQS_PER_MILLION_REQUESTS: f64 = 0.40;
/// The worker's memory in the template.
const WORKER_GB: f64 = 0.25;
/// Assumed latencies on AWS: a DynamoDB request, a registrar `info` call
/// (however many names), a panel call, a DNS lookup.
const DYNAMO_MS: f64 = 5.0;
const REGISTRAR_MS: f64 = 150.0;
const PANEL_MS: f64 = 100.0;
const DNS_MS: f64 = 20.0;
const PROJECTED_DOMAINS: f64 = 1_000_000.0;

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let customers: usize = std::env::args()
        .nth(1)
        .map(|n| n.parse().expect("a number of customers"))
        .unwrap_or(100_000);
    let clock = ManualClock::starting_now();
    let (_dir, ports) = hostfront_tests::embedded_ports_with(&clock, |config| {
        // The registrar's quota paces a real run (see the projection); here
        // the simulated registry answers at once and without a quota.
        config.policy.registrar_calls_per_second = 1_000_000;
    });
    let started = Instant::now();
    let template = one_real_customer(&ports).await;
    generate(&ports, &clock, &template, customers).await;
    drift(&ports, customers).await;
    println!(
        "generated {customers} customers, each with a domain and a hosting service, in {:.1} s",
        started.elapsed().as_secs_f64()
    );

    let counting = Arc::new(CountingTable::new(ports.table.clone()));
    let counted = Ports {
        table: counting.clone(),
        ..ports.clone()
    };
    println!(
        "\n{:<20} {:>8} {:>8} {:>10} {:>9} {:>9} {:>9} {:>9}  counts",
        "check", "items", "batches", "items/s", "req/item", "RRU/item", "WRU/item", "ms/batch*"
    );
    let mut projections = Vec::new();
    for check in Check::ALL {
        let before = (counting.counts(), counting.units());
        let started = Instant::now();
        daily::fan_out(&counted, check).await.expect("fans out");
        work_off(&counted).await;
        let took = started.elapsed();
        let run = daily::last_run(&counted, check).await.unwrap().unwrap();
        let (after, units) = (counting.counts(), counting.units());
        let requests = (after.0 + after.1 - before.0.0 - before.0.1) as f64;
        let read_units = units.0 - before.1.0;
        let write_units = (units.1 - before.1.1) as f64;
        let items = run.items.max(1) as f64;
        let batches = run.batches.max(1) as f64;
        let external = external_calls_per_batch(check, items / batches);
        // Each batch's calls one after another, as a worker makes them.
        let batch_ms = requests / batches * DYNAMO_MS + external;
        println!(
            "{:<20} {:>8} {:>8} {:>10.0} {:>9.2} {:>9.2} {:>9.2} {:>9.0}  {:?}",
            check.name(),
            run.items,
            run.batches,
            items / took.as_secs_f64(),
            requests / items,
            read_units / items,
            write_units / items,
            batch_ms,
            run.counts
        );
        assert_eq!(run.batches, run.batches_done, "every batch ran");
        if run.items > 0 {
            projections.push(Projection {
                check,
                read_units_per_item: read_units / items,
                write_units_per_item: write_units / items,
                batch_ms,
                items_per_batch: items / batches,
                items_per_domain: items / customers as f64,
            });
        }
    }
    project(&projections);
}

/// What one real customer's records are: the template every copy is made from.
struct Template {
    items: Vec<Item>,
    customer_id: hostfront::CustomerId,
    domain: String,
    username: String,
    service_id: String,
    expires_at: i64,
}

async fn one_real_customer(ports: &Ports) -> Template {
    let (domain, username) = (fresh_domain(), fresh_username());
    let (customer, service_id) =
        hostfront_tests::customer_with_live_order(ports, register(&domain, &username)).await;
    let keys = [
        Key::new(format!("CUSTOMER#{}", customer.id), "PROFILE"),
        hostfront::domains::owned::key(&customer.id, &domain),
        hostfront::subscriptions::key(&customer.id, service_id.as_str()),
        Key::new(format!("SIMREG#{domain}"), "DOMAIN"),
        Key::new(format!("SIMPANEL#ACCOUNT#{username}"), "ACCOUNT"),
        hostfront::zone::Zone::key(&domain),
    ];
    let items: Vec<Item> = ports
        .table
        .get_many(&keys)
        .await
        .unwrap()
        .into_iter()
        .map(|item| item.expect("the customer's records exist"))
        .collect();
    let expires_at = items[1]["expires_at"].as_i64().unwrap();
    Template {
        items,
        customer_id: customer.id,
        domain,
        username,
        service_id: service_id.to_string(),
        expires_at,
    }
}

/// The template's records under the names of copy `i`, with its expiry and
/// its certificate `i % 365` days earlier.
fn copy(template: &Template, i: usize, now: i64) -> Vec<Item> {
    let renames = [
        (template.customer_id.as_str(), format!("C{i:025}")),
        (template.service_id.as_str(), format!("S{i:025}")),
        (template.domain.as_str(), format!("shop{i:06}.com")),
        (template.username.as_str(), format!("u{i:07}")),
    ];
    let earlier = (i % 365) as i64 * DAY;
    template
        .items
        .iter()
        .map(|item| {
            let mut text = serde_json::to_string(item).unwrap();
            for (from, to) in &renames {
                text = text.replace(from, to);
            }
            let mut item: Item = serde_json::from_str(&text).unwrap();
            for moved in ["expires_at", "released_at"] {
                if let Some(at) = item.get(moved).and_then(Value::as_i64) {
                    item.insert(moved.into(), (at - earlier).into());
                }
            }
            if item.get("kind").and_then(Value::as_str) == Some("domain") {
                let expires = template.expires_at - earlier;
                item.insert(
                    "gsi1sk".into(),
                    format!("{expires:012}#{}", renames[2].1).into(),
                );
            }
            if item.contains_key("created_at")
                && item["pk"].as_str().unwrap().starts_with("SIMPANEL#")
            {
                item.insert("created_at".into(), (now - earlier).into());
            }
            item
        })
        .collect()
}

/// Every 200th service: suspended, its period unpaid since 31 days ago.
fn overdue(copy: &mut [Item], i: usize, now: i64) -> Option<Item> {
    if i % 200 != 3 {
        return None;
    }
    let service = copy
        .iter_mut()
        .find(|item| item.get("kind").and_then(Value::as_str) == Some("service"))?;
    service.insert("status".into(), "suspended".into());
    let service_id = service["id"].as_str()?.to_string();
    let suspended_at = now - 31 * DAY;
    let period = hostfront::subscriptions::billing::Period {
        needs_holder: false,
        service_id: service_id.clone(),
        customer_id: hostfront::CustomerId::new(service["customer_id"].as_str()?),
        from: service["next_due"].as_str()?.to_string(),
        to: service["next_due"].as_str()?.to_string(),
        status: hostfront::subscriptions::billing::PeriodStatus::Unpaid,
        invoice_number: format!("INV-{i:06}"),
        total: 499,
        currency: hostfront::money::Currency::parse("USD").unwrap(),
        attempts: 3,
        next_attempt: suspended_at,
    };
    let Value::Object(mut item) = serde_json::to_value(&period).ok()? else {
        return None;
    };
    item.extend(
        Key::new(
            format!("SERVICE#{service_id}"),
            format!("PERIOD#{}", period.from),
        )
        .to_item(),
    );
    item.insert("kind".into(), "service_period".into());
    item.insert("gsi1pk".into(), "PERIODS#unpaid".into());
    item.insert(
        "gsi1sk".into(),
        format!("{:015}#{service_id}", suspended_at * 1000).into(),
    );
    Some(item)
}

async fn generate(ports: &Ports, clock: &ManualClock, template: &Template, customers: usize) {
    let now = clock.now_secs();
    let mut pending = Vec::new();
    for i in 0..customers {
        let mut records = copy(template, i, now);
        if let Some(period) = overdue(&mut records, i, now) {
            records.push(period);
        }
        pending.extend(records);
        if pending.len() >= 4 * WRITE_CHUNK {
            for chunk in pending.chunks(WRITE_CHUNK) {
                ports.table.put_many(chunk.to_vec()).await.unwrap();
            }
            pending.clear();
        }
    }
    for chunk in pending.chunks(WRITE_CHUNK) {
        ports.table.put_many(chunk.to_vec()).await.unwrap();
    }
}

/// 1 % renewed at the registry, 0.1 % transferred away, 1 % pointing elsewhere.
async fn drift(ports: &Ports, customers: usize) {
    let registry = ports.simulated_registry.clone().unwrap();
    let dns = ports.simulated_dns.clone().unwrap();
    let elsewhere = Pointing {
        nameservers: vec![
            "ns1.otherhost.example".into(),
            "ns2.otherhost.example".into(),
        ],
        addresses: vec!["203.0.113.9".parse().unwrap()],
    };
    for i in (0..customers).step_by(100) {
        let name = format!("shop{i:06}.com");
        registry
            .drift(&name, &Drift::RenewedElsewhere { years: 1 })
            .await
            .unwrap();
        let moved = format!("shop{:06}.com", i + 1);
        if i + 1 < customers {
            dns.point(&moved, Some(&elsewhere)).await.unwrap();
        }
    }
    for i in (2..customers).step_by(1000) {
        registry
            .drift(&format!("shop{i:06}.com"), &Drift::TransferredAway)
            .await
            .unwrap();
    }
}

/// Runs the queued jobs as the local worker does: up to ten at once.
async fn work_off(ports: &Ports) {
    let handler = AppJobs {
        ports: ports.clone(),
    };
    loop {
        let messages = ports
            .queue
            .receive(10, Duration::from_secs(600), Duration::ZERO)
            .await
            .unwrap();
        if messages.is_empty() {
            return;
        }
        futures::future::join_all(
            messages
                .iter()
                .map(|m| hostfront::jobs::process(ports.queue.as_ref(), &handler, m)),
        )
        .await;
    }
}

/// The time a batch spends waiting on services other than the table.
fn external_calls_per_batch(check: Check, items_per_batch: f64) -> f64 {
    match check {
        Check::RegistrySync => REGISTRAR_MS,
        Check::CertificateAlerts => items_per_batch * PANEL_MS,
        Check::HostingCheck => items_per_batch * 2.0 * DNS_MS,
        // One read of the server's accounts and bandwidth, one of each account's domains.
        Check::PanelSync => (2.0 + items_per_batch) * PANEL_MS,
        // Each service it ends is torn down: suspended, backed up, removed.
        Check::OverdueServices => items_per_batch * 3.0 * PANEL_MS,
    }
}

/// What one check cost here, to scale up.
struct Projection {
    check: Check,
    read_units_per_item: f64,
    write_units_per_item: f64,
    batch_ms: f64,
    items_per_batch: f64,
    /// Its items for each customer's domain (an unpaid period is rarer).
    items_per_domain: f64,
}

fn project(runs: &[Projection]) {
    println!(
        "\n* ms/batch: a batch's table requests at {DYNAMO_MS} ms each, plus its registrar calls at {REGISTRAR_MS} ms, panel calls at {PANEL_MS} ms, DNS lookups at {DNS_MS} ms, one after another."
    );
    println!(
        "\nA day for {PROJECTED_DOMAINS:.0} domains (one hosting service each), on demand: DynamoDB ${DYNAMO_PER_MILLION_READ_UNITS}/M read units, ${DYNAMO_PER_MILLION_WRITE_UNITS}/M write units; Lambda ${LAMBDA_PER_GB_SECOND}/GB-s at {WORKER_GB} GB, ${LAMBDA_PER_MILLION_REQUESTS}/M requests; SQS ${SQS_PER_MILLION_REQUESTS}/M requests (send, receive, delete per batch)."
    );
    println!(
        "{:<20} {:>12} {:>12} {:>10} {:>10} {:>10} {:>10}",
        "check", "read units", "write units", "DynamoDB", "Lambda", "SQS", "total"
    );
    let mut total = 0.0;
    for run in runs {
        let items = run.items_per_domain * PROJECTED_DOMAINS;
        let reads = run.read_units_per_item * items;
        let writes = run.write_units_per_item * items;
        let batches = items / run.items_per_batch.max(1.0);
        let dynamo = reads / 1e6 * DYNAMO_PER_MILLION_READ_UNITS
            + writes / 1e6 * DYNAMO_PER_MILLION_WRITE_UNITS;
        let lambda = batches * run.batch_ms / 1000.0 * WORKER_GB * LAMBDA_PER_GB_SECOND
            + batches / 1e6 * LAMBDA_PER_MILLION_REQUESTS;
        let sqs = 3.0 * batches / 1e6 * SQS_PER_MILLION_REQUESTS;
        let sum = dynamo + lambda + sqs;
        total += sum;
        println!(
            "{:<20} {:>12.0} {:>12.0} {:>10.4} {:>10.4} {:>10.4} {:>10.4}",
            run.check.name(),
            reads,
            writes,
            dynamo,
            lambda,
            sqs,
            sum
        );
    }
    println!("{:<20} {:>67.4}  dollars a day", "all", total);
}
