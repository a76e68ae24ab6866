//! A declined card reaches no registrar; a registrar outage keeps a renewal
//! queued, then releases the card.

use super::{live_domain, mails_of, paying_with, registry_expiry};
use hostfront::Ports;
use hostfront::adapters::sim::{APPROVED, DECLINED};
use hostfront::billing::{InvoiceStatus, invoice};
use hostfront::clock::{ManualClock, add_years_secs};
use hostfront::mail::MailKind;
use hostfront::payments::PaymentError;
use hostfront::renewals::{self, RenewalError, RenewalStatus};

/// The same services with a registrar that does not answer.
fn registrar_down(ports: &Ports) -> Ports {
    hostfront_tests::another_process(ports, ports.clock.clone(), |c| {
        c.sim.registrar_failure_rate = 1.0;
    })
}

async fn a_declined_card_reaches_no_registrar(_: &ManualClock, ports: &Ports) {
    let (customer, domain) = live_domain(ports).await;
    let before = registry_expiry(ports, &domain.name).await;
    let declined = renewals::renew(
        ports,
        &customer,
        &domain.name,
        "d-1",
        paying_with(DECLINED, 1),
    )
    .await;
    assert!(
        matches!(&declined, Err(RenewalError::Declined { code, .. }) if code == "card_declined"),
        "{declined:?}"
    );
    let record = renewals::find(ports.table.as_ref(), &domain.name, before)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(record.status, RenewalStatus::Declined);
    let bill = invoice::find(ports.table.as_ref(), &customer.id, &record.invoice_number)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(bill.status, InvoiceStatus::Void);
    // Nothing was queued for the registrar, and it was not asked.
    renewals::run(ports, &domain.name, before, true)
        .await
        .unwrap();
    assert_eq!(registry_expiry(ports, &domain.name).await, before);

    // Another card, another try: it takes the declined one's place.
    let (renewal, _) = renewals::renew(
        ports,
        &customer,
        &domain.name,
        "d-2",
        paying_with(APPROVED, 1),
    )
    .await
    .unwrap();
    assert_eq!(renewal.status, RenewalStatus::Queued);
    assert_ne!(renewal.invoice_number, record.invoice_number);
    renewals::run(ports, &domain.name, before, false)
        .await
        .unwrap();
    assert_eq!(
        registry_expiry(ports, &domain.name).await,
        add_years_secs(before, 1)
    );
}

with_clock_on_both_engines!(a_declined_card_reaches_no_registrar: declined_embedded, declined_cloud);

async fn a_registrar_outage_keeps_it_queued_then_releases_the_card(_: &ManualClock, ports: &Ports) {
    let (customer, domain) = live_domain(ports).await;
    let before = registry_expiry(ports, &domain.name).await;
    let (renewal, _) = renewals::renew(
        ports,
        &customer,
        &domain.name,
        "o-1",
        paying_with(APPROVED, 1),
    )
    .await
    .unwrap();
    let down = registrar_down(ports);
    let retried = renewals::run(&down, &domain.name, before, false).await;
    assert!(retried.is_err(), "a passing failure is retried");
    let queued = renewals::find(ports.table.as_ref(), &domain.name, before)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        queued.status,
        RenewalStatus::Queued,
        "{}",
        queued.status_message
    );

    renewals::run(&down, &domain.name, before, true)
        .await
        .unwrap();
    renewals::run(&down, &domain.name, before, true)
        .await
        .unwrap();
    let failed = renewals::find(ports.table.as_ref(), &domain.name, before)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(failed.status, RenewalStatus::Failed);
    assert!(failed.failure.unwrap().contains("unavailable"));
    let released = ports
        .payments
        .capture(
            renewal.authorization_id.as_deref().unwrap(),
            renewal.total,
            "late",
        )
        .await;
    assert!(
        matches!(released, Err(PaymentError::Invalid(_))),
        "the authorisation was released"
    );
    let bill = invoice::find(ports.table.as_ref(), &customer.id, &renewal.invoice_number)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(bill.status, InvoiceStatus::Void);
    assert_eq!(
        mails_of(ports, MailKind::RenewalFailed, &customer.email).await,
        1
    );
    assert_eq!(registry_expiry(ports, &domain.name).await, before);
    // Staff find it filed as failed.
    let failed_ones = ports
        .table
        .query(hostfront::store::Query::index(
            hostfront::store::Index::Gsi1,
            "RENEWALS#failed",
        ))
        .await
        .unwrap();
    assert_eq!(failed_ones.items.len(), 1);
}

with_clock_on_both_engines!(a_registrar_outage_keeps_it_queued_then_releases_the_card: outage_embedded, outage_cloud);
