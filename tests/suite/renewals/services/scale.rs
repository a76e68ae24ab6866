//! The billing run over a thousand services and domains.

use super::card;
use crate::renewals::{DAY, live_domain};
use hostfront::OrderId;
use hostfront::adapters::sim::APPROVED;
use hostfront::billing::payment_method;
use hostfront::clock::{Clock, ManualClock};
use hostfront::subscriptions::billing::{self};
use hostfront::subscriptions::{self};

/// The daily billing run over 1,000 auto-renewing domains and 1,000 hosting
/// services due within the lead time, on the embedded engine: what it costs
/// in table requests and time. A figure, with a generous bound.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_billing_run_over_a_thousand_services_and_domains() {
    use hostfront::domains::owned::{OwnedDomain, OwnedStatus};
    use hostfront::registrar::Registration;
    use hostfront::subscriptions::Subscription;

    let clock = ManualClock::starting_now();
    let (_dir, ports) = hostfront_tests::embedded_ports_with(&clock, |_| {});
    let (customer, domain) = live_domain(&ports).await;
    payment_method::save(&ports, &customer.id, &card(APPROVED), "ok")
        .await
        .unwrap();
    let template = subscriptions::of_customer(ports.table.as_ref(), &customer.id)
        .await
        .unwrap()
        .remove(0);
    const N: usize = 1000;
    let mut ops = Vec::new();
    for i in 0..N {
        let name = format!("fleet{i:04}-{}", domain.name);
        let info = ports
            .registrar
            .register(&Registration {
                domain: name.clone(),
                years: 1,
                registrant: customer.id.to_string(),
                nameservers: domain.nameservers.clone(),
                idempotency_key: format!("fleet-{i}"),
                client_account: None,
            })
            .await
            .unwrap();
        ops.push(
            OwnedDomain {
                name: name.clone(),
                unicode: name.clone(),
                order_id: OrderId::new(format!("fleet-{i}")),
                status: OwnedStatus::Active,
                expires_at: Some(info.expires_at),
                ..domain.clone()
            }
            .create_op(),
        );
        ops.push(
            Subscription {
                id: format!("fleet-{i:04}"),
                domain: name,
                ..template.clone()
            }
            .create_op(),
        );
        if ops.len() >= 50 {
            ports
                .table
                .transact(std::mem::take(&mut ops))
                .await
                .unwrap();
        }
    }
    if !ops.is_empty() {
        ports.table.transact(ops).await.unwrap();
    }
    // Every domain expires within the lead time, every service is due.
    let expiry = ports.registrar.info(&domain.name).await.unwrap().expires_at;
    clock.advance_secs(expiry - 20 * DAY - clock.now_secs());
    let counting = std::sync::Arc::new(hostfront_tests::CountingTable::new(ports.table.clone()));
    let mut counted = ports.clone();
    counted.table = counting.clone();
    let started = std::time::Instant::now();
    let domains = hostfront::renewals::run_billing(&counted).await.unwrap();
    let domains_took = started.elapsed();
    let domain_ops = counting.counts();
    let started = std::time::Instant::now();
    let hosting = billing::run(&counted).await.unwrap();
    let hosting_took = started.elapsed();
    let total = counting.counts();
    let hosting_ops = (total.0 - domain_ops.0, total.1 - domain_ops.1);
    eprintln!(
        "billing run over {N} domains: {domains:?} in {domains_took:?}, {domain_ops:?} (reads, writes); over {} services: {hosting:?} in {hosting_took:?}, {hosting_ops:?}",
        N + 1
    );
    assert_eq!(domains.invoiced, N + 1);
    assert!(
        domain_ops.0 <= 12 * (N + 1) && domain_ops.1 <= 2 * (N + 1),
        "{domain_ops:?}"
    );
}
