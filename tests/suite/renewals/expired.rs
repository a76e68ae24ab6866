//! Renewing a domain by hand once the registry sync has marked it expired,
//! in grace and from redemption, on both engines: renewed, paid and
//! receipted on the day of the charge, by the job's first delivery; and a
//! renewal job that keeps failing shows staff why.

use std::time::Duration;

use hostfront::Ports;
use hostfront::adapters::sim::APPROVED;
use hostfront::billing::{InvoiceStatus, invoice};
use hostfront::clock::{Clock, ManualClock, add_years_secs};
use hostfront::daily::Check;
use hostfront::domains::owned::{self, OwnedStatus};
use hostfront::mail::MailKind;
use hostfront::registrar::DomainStatus;
use hostfront::renewals::{self, RenewalStatus};
use hostfront::scheduler::Task;
use hostfront::staff::dead_letters;
use hostfront_tests::work_off_queue;

use super::{DAY, live_domain, paying_with, registry_expiry};

/// Today's registry sync, run twice at once, and its batches.
async fn sync_today(ports: &Ports) {
    let (first, second) = tokio::join!(
        Task::Daily(Check::RegistrySync).run(ports),
        Task::Daily(Check::RegistrySync).run(ports)
    );
    first.unwrap();
    second.unwrap();
    work_off_queue(ports).await;
}

/// Renews `customer`'s expired `name` by hand through the queue, as the
/// portal does, and checks it renewed, paid and receipted today.
async fn renew_by_hand(
    ports: &Ports,
    customer: &hostfront::accounts::Customer,
    name: &str,
    expiry: i64,
    price: i64,
) {
    let table = ports.table.as_ref();
    let before = owned::find(table, &customer.id, name)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(before.status, OwnedStatus::Expired, "the sync marked it");
    let key = format!("late-{name}");
    let ask = || renewals::renew(ports, customer, name, &key, paying_with(APPROVED, 1));
    let (renewal, created) = ask().await.unwrap();
    assert!(created);
    assert_eq!(renewal.lines.iter().map(|l| l.amount).sum::<i64>(), price);
    work_off_queue(ports).await;

    let today = ports.clock.now().date().to_string();
    let done = renewals::find(table, name, expiry).await.unwrap().unwrap();
    assert_eq!(done.status, RenewalStatus::Renewed, "{done:?}");
    let domain = owned::find(table, &customer.id, name)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(domain.status, OwnedStatus::Active);
    assert_eq!(domain.expires_at, Some(add_years_secs(expiry, 1)));
    assert_eq!(domain.v, before.v + 1, "one write of the domain's record");
    let bill = invoice::find(table, &customer.id, &done.invoice_number)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(bill.status, InvoiceStatus::Paid);
    assert!(bill.paid_at.unwrap().starts_with(&today));
    let receipts: Vec<_> = hostfront::mail::outbox(ports, 500)
        .await
        .unwrap()
        .into_iter()
        .filter(|m| m.kind == MailKind::RenewalReceipt && m.to == customer.email)
        .filter(|m| m.id.contains(name))
        .collect();
    assert_eq!(receipts.len(), 1, "{receipts:?}");
    assert!(
        receipts[0].created_at.starts_with(&today),
        "dated the charge day"
    );
    // Asking again with the same key gives the renewal as it is: renewed.
    let (again, created) = ask().await.unwrap();
    assert!(!created);
    assert_eq!(
        (again.status, again.status_message.as_str()),
        (RenewalStatus::Renewed, "Renewed.")
    );
    assert!(dead_letters::list(ports).await.unwrap().is_empty());
}

async fn an_expired_domain_renewed_by_hand_is_renewed_paid_and_receipted(
    clock: &ManualClock,
    ports: &Ports,
) {
    let (ada, in_grace) = live_domain(ports).await;
    let (bob, restored) = live_domain(ports).await;
    for (customer, domain) in [(&ada, &in_grace), (&bob, &restored)] {
        owned::set_auto_renew(ports, &customer.id, &domain.name, false)
            .await
            .unwrap();
    }
    let expiry = registry_expiry(ports, &in_grace.name).await;
    let restored_expiry = registry_expiry(ports, &restored.name).await;

    // Two days after expiry the sync marks both expired; Ada renews in grace.
    clock.advance_secs(expiry + 2 * DAY - clock.now_secs());
    sync_today(ports).await;
    renew_by_hand(ports, &ada, &in_grace.name, expiry, 1499).await;

    // In redemption Bob restores his: the restore fee and a year.
    clock.advance_secs(restored_expiry + 50 * DAY - clock.now_secs());
    sync_today(ports).await;
    assert_eq!(
        ports.registrar.info(&restored.name).await.unwrap().status,
        DomainStatus::Redemption
    );
    renew_by_hand(ports, &bob, &restored.name, restored_expiry, 1499 + 8000).await;

    // The next sync finds nothing to put right.
    clock.advance_secs(DAY);
    sync_today(ports).await;
    let run = hostfront::daily::last_run(ports, Check::RegistrySync)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(run.counts.get("expiry_corrected"), None, "{run:?}");
}

with_clock_on_both_engines!(
    an_expired_domain_renewed_by_hand_is_renewed_paid_and_receipted:
        renewed_after_expiry_embedded,
        renewed_after_expiry_cloud
);

/// Delivers the queue's jobs until they are all among the failed ones, each
/// delivery as a worker makes it, without waiting out the backoffs.
async fn deliver_until_dead(ports: &Ports) {
    let handler = hostfront::dispatch::AppJobs {
        ports: ports.clone(),
    };
    for _ in 0..20 {
        let messages = ports
            .queue
            .receive(10, Duration::from_secs(60), Duration::ZERO)
            .await
            .unwrap();
        if messages.is_empty() {
            return;
        }
        for message in &messages {
            if !hostfront::jobs::process(ports.queue.as_ref(), &handler, message).await {
                ports
                    .queue
                    .change_visibility(&message.receipt, Duration::ZERO)
                    .await
                    .unwrap();
            }
        }
    }
    panic!("the jobs never ended");
}

async fn a_failed_renewal_job_shows_staff_its_error(_: &ManualClock, ports: &Ports) {
    let (customer, domain) = live_domain(ports).await;
    let (renewal, _) = renewals::renew(
        ports,
        &customer,
        &domain.name,
        "doomed",
        paying_with(APPROVED, 1),
    )
    .await
    .unwrap();
    // The card's hold is gone before the job captures it: every try fails.
    ports
        .payments
        .void(renewal.authorization_id.as_deref().unwrap(), "gone")
        .await
        .unwrap();
    deliver_until_dead(ports).await;
    let failed = dead_letters::list(ports).await.unwrap();
    assert_eq!(failed.len(), 1, "{failed:?}");
    assert_eq!(failed[0].kind, "renew_domain");
    assert_eq!(
        failed[0].subject.as_deref(),
        Some(format!("domain:{}", domain.name).as_str())
    );
    assert!(
        failed[0].last_error.contains("capture refused"),
        "{failed:?}"
    );
}

with_clock_on_both_engines!(
    a_failed_renewal_job_shows_staff_its_error:
        failed_job_error_embedded,
        failed_job_error_cloud
);
