//! A renewal happens once whatever repeats, one whose job was lost is sent
//! again, and one costs a bounded number of table requests.

use super::{DAY, live_domain, mails_of, paying_with, registry_expiry};
use hostfront::Ports;
use hostfront::adapters::sim::APPROVED;
use hostfront::audit::{self, AuditQuery};
use hostfront::billing::{InvoiceStatus, invoice};
use hostfront::clock::{ManualClock, add_years_secs};
use hostfront::domains::owned::{self};
use hostfront::mail::MailKind;
use hostfront::payments::PaymentError;
use hostfront::registrar::DomainStatus;
use hostfront::renewals::{self, RenewalError, RenewalStatus};
use hostfront_tests::embedded_ports_with;

async fn a_renewal_happens_once_whatever_repeats(clock: &ManualClock, ports: &Ports) {
    let (customer, domain) = live_domain(ports).await;
    let before = registry_expiry(ports, &domain.name).await;
    let quote = renewals::quote(ports, &domain, 1).await.unwrap();
    assert_eq!(
        (quote.phase, quote.max_years, quote.subtotal),
        (DomainStatus::Active, 9, 1499)
    );
    let too_far = renewals::renew(
        ports,
        &customer,
        &domain.name,
        "k-far",
        paying_with(APPROVED, 10),
    )
    .await;
    assert!(
        matches!(too_far, Err(RenewalError::TooManyYears { max_years: 9 })),
        "{too_far:?}"
    );

    let (renewal, created) = renewals::renew(
        ports,
        &customer,
        &domain.name,
        "k-1",
        paying_with(APPROVED, 2),
    )
    .await
    .unwrap();
    assert!(created);
    assert_eq!(renewal.status, RenewalStatus::Queued);
    let tax = hostfront_tests::money(2 * 1499, "USD")
        .share(ports.config.tax_rate_bps)
        .unwrap()
        .minor();
    assert_eq!(renewal.total, 2 * 1499 + tax, "two years and their tax");

    // A double click (the same key) and 20 requests at once (other keys)
    // while it is queued: the same renewal, or "under way".
    let same = |key: String| {
        let customer = customer.clone();
        let name = domain.name.clone();
        async move { renewals::renew(ports, &customer, &name, &key, paying_with(APPROVED, 2)).await }
    };
    let answers = futures::future::join_all(
        (0..20)
            .map(|i| same(format!("k-{}", if i % 2 == 0 { 1 } else { 100 + i })))
            .collect::<Vec<_>>(),
    )
    .await;
    for answer in answers {
        match answer {
            Ok((again, created)) => assert!(!created && again.id == renewal.id),
            Err(RenewalError::Underway) => {}
            Err(other) => panic!("{other:?}"),
        }
    }

    // The job delivered twice at once, then once more.
    let (first, second) = tokio::join!(
        renewals::run(ports, &domain.name, renewal.current_expiry, false),
        renewals::run(ports, &domain.name, renewal.current_expiry, false),
    );
    first.unwrap();
    second.unwrap();
    renewals::run(ports, &domain.name, renewal.current_expiry, true)
        .await
        .unwrap();
    let done = renewals::find(ports.table.as_ref(), &domain.name, renewal.current_expiry)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(done.status, RenewalStatus::Renewed);
    assert_eq!(
        registry_expiry(ports, &domain.name).await,
        add_years_secs(before, 2)
    );
    assert_eq!(done.new_expiry, Some(add_years_secs(before, 2)));
    let record = owned::find(ports.table.as_ref(), &customer.id, &domain.name)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(record.expires_at, Some(add_years_secs(before, 2)));
    let bill = invoice::find(ports.table.as_ref(), &customer.id, &done.invoice_number)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(bill.status, InvoiceStatus::Paid);
    assert_eq!(
        mails_of(ports, MailKind::RenewalReceipt, &customer.email).await,
        1
    );
    // One capture: the authorisation has nothing left to take.
    let more = ports
        .payments
        .capture(done.authorization_id.as_deref().unwrap(), 1, "probe")
        .await;
    assert!(matches!(more, Err(PaymentError::Invalid(_))), "{more:?}");
    let subject = format!("renewal:{}@{}", domain.name, renewal.current_expiry);
    let moves: Vec<String> = audit::read(ports.table.as_ref(), AuditQuery::Subject(&subject), 10)
        .await
        .unwrap()
        .into_iter()
        .rev()
        .map(|e| e.action)
        .collect();
    assert_eq!(moves, ["authorised", "renewed"]);

    // The next period is a renewal of its own.
    clock.advance_secs(DAY);
    let (next, created) = renewals::renew(
        ports,
        &customer,
        &domain.name,
        "k-2",
        paying_with(APPROVED, 1),
    )
    .await
    .unwrap();
    assert!(created);
    assert_eq!(next.current_expiry, add_years_secs(before, 2));
}

with_clock_on_both_engines!(a_renewal_happens_once_whatever_repeats: once_embedded, once_cloud);

async fn a_renewal_whose_job_was_lost_is_sent_again(clock: &ManualClock, ports: &Ports) {
    let (customer, domain) = live_domain(ports).await;
    renewals::renew(
        ports,
        &customer,
        &domain.name,
        "lost-1",
        paying_with(APPROVED, 1),
    )
    .await
    .unwrap();
    let sweep = || hostfront::scheduler::Task::ResumeRenewals.run(ports);
    let nothing_abandoned = ", ended 0 abandoned while authorising";
    assert_eq!(
        sweep().await.unwrap(),
        format!("enqueued 0 stalled renewals again{nothing_abandoned}")
    );
    clock.advance_secs(11 * 60);
    assert_eq!(
        sweep().await.unwrap(),
        format!("enqueued 1 stalled renewals again{nothing_abandoned}")
    );
}

with_clock_on_both_engines!(a_renewal_whose_job_was_lost_is_sent_again: lost_embedded, lost_cloud);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_renewal_costs_a_bounded_number_of_table_requests() {
    let clock = ManualClock::starting_now();
    let (_dir, ports) = embedded_ports_with(&clock, |_| {});
    let (customer, domain) = live_domain(&ports).await;
    let counting = std::sync::Arc::new(hostfront_tests::CountingTable::new(ports.table.clone()));
    let mut counted = ports.clone();
    counted.table = counting.clone();
    let (renewal, _) = renewals::renew(
        &counted,
        &customer,
        &domain.name,
        "cost",
        paying_with(APPROVED, 1),
    )
    .await
    .unwrap();
    let requested = counting.counts();
    renewals::run(&counted, &domain.name, renewal.current_expiry, false)
        .await
        .unwrap();
    let total = counting.counts();
    let job = (total.0 - requested.0, total.1 - requested.1);
    eprintln!("one renewal: request {requested:?}, job {job:?} (reads, writes)");
    // Reads include one of the customer's declined cards, before the card is
    // tried, and one of their account credit, which the invoice takes first.
    assert!(
        requested.0 <= 7 && requested.1 <= 2,
        "request: {requested:?}"
    );
    assert!(job.0 <= 5 && job.1 <= 1, "job: {job:?}");
}
