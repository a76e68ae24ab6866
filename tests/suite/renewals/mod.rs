//! Renewing a customer's domain, on both engines: exactly once whatever
//! repeats, a declined card reaching no registrar, a registrar outage, the
//! registry's phases as the clock moves, and the portal over HTTP.

mod abandoned;
mod addons;
mod automatic;
mod cancel;
pub(crate) mod ended;
mod expired;
mod mail_claims;
mod manage;
mod over_http;
pub(crate) mod services;
mod transfers;
mod two_years;

use hostfront::Services;
use hostfront::accounts::Customer;
use hostfront::adapters::sim::{APPROVED, DECLINED};
use hostfront::audit::{self, AuditQuery};
use hostfront::billing::{InvoiceStatus, invoice};
use hostfront::clock::{Clock, ManualClock, add_years_secs};
use hostfront::domains::owned::{self, OwnedDomain};
use hostfront::mail::{self, MailKind};
use hostfront::payments::{Card, PaymentError};
use hostfront::registrar::DomainStatus;
use hostfront::renewals::{self, RenewRequest, RenewalError, RenewalStatus};
use hostfront_tests::embedded_services_with;
use hostfront_tests::shopper::{fresh_domain, fresh_username, register};

pub(crate) const DAY: i64 = 86_400;

pub(super) fn paying_with(number: &str, years: u32) -> RenewRequest {
    RenewRequest {
        years,
        card: Some(Card {
            number: number.into(),
            exp_month: 12,
            exp_year: 2099,
            cvc: "123".into(),
        }),
    }
}

/// A customer whose order for a new domain went live, and the domain's record.
/// The customer's first hosting service.
pub(crate) async fn first_service(
    services: &Services,
    customer_id: &str,
) -> hostfront::subscriptions::Subscription {
    hostfront::subscriptions::of_customer(services.table.as_ref(), customer_id)
        .await
        .unwrap()
        .remove(0)
}

pub(crate) async fn live_domain(services: &Services) -> (Customer, OwnedDomain) {
    let name = fresh_domain();
    let (customer, _) =
        hostfront_tests::customer_with_live_order(services, register(&name, &fresh_username()))
            .await;
    let domain = owned::find(services.table.as_ref(), &customer.id, &name)
        .await
        .unwrap()
        .unwrap();
    (customer, domain)
}

pub(super) async fn registry_expiry(services: &Services, name: &str) -> i64 {
    services.registrar.info(name).await.unwrap().expires_at
}

pub(crate) async fn mails_of(services: &Services, kind: MailKind, to: &str) -> usize {
    mail::outbox(services, 500)
        .await
        .unwrap()
        .into_iter()
        .filter(|m| m.kind == kind && m.to == to)
        .count()
}

/// The same services with a registrar that does not answer.
fn registrar_down(services: &Services) -> Services {
    let mut config = hostfront_tests::settings_of(services);
    config.sim.registrar_failure_rate = 1.0;
    hostfront::wiring::with_ports(
        config,
        services.clock.clone(),
        services.table.clone(),
        services.queue.clone(),
        services.sealer.clone(),
    )
}

async fn a_renewal_happens_once_whatever_repeats(clock: &ManualClock, services: &Services) {
    let (customer, domain) = live_domain(services).await;
    let before = registry_expiry(services, &domain.name).await;
    let quote = renewals::quote(services, &domain, 1).await.unwrap();
    assert_eq!(
        (quote.phase, quote.max_years, quote.subtotal),
        (DomainStatus::Active, 9, 1499)
    );
    let too_far = renewals::renew(
        services,
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
        services,
        &customer,
        &domain.name,
        "k-1",
        paying_with(APPROVED, 2),
    )
    .await
    .unwrap();
    assert!(created);
    assert_eq!(renewal.status, RenewalStatus::Queued);
    let tax = hostfront::money::share(2 * 1499, services.config.tax_rate_bps);
    assert_eq!(renewal.total, 2 * 1499 + tax, "two years and their tax");

    // A double click (the same key) and 20 requests at once (other keys)
    // while it is queued: the same renewal, or "under way".
    let same = |key: String| {
        let customer = customer.clone();
        let name = domain.name.clone();
        async move { renewals::renew(services, &customer, &name, &key, paying_with(APPROVED, 2)).await }
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
        renewals::run(services, &domain.name, renewal.current_expiry, false),
        renewals::run(services, &domain.name, renewal.current_expiry, false),
    );
    first.unwrap();
    second.unwrap();
    renewals::run(services, &domain.name, renewal.current_expiry, true)
        .await
        .unwrap();
    let done = renewals::find(
        services.table.as_ref(),
        &domain.name,
        renewal.current_expiry,
    )
    .await
    .unwrap()
    .unwrap();
    assert_eq!(done.status, RenewalStatus::Renewed);
    assert_eq!(
        registry_expiry(services, &domain.name).await,
        add_years_secs(before, 2)
    );
    assert_eq!(done.new_expiry, Some(add_years_secs(before, 2)));
    let record = owned::find(services.table.as_ref(), &customer.id, &domain.name)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(record.expires_at, Some(add_years_secs(before, 2)));
    let bill = invoice::find(services.table.as_ref(), &customer.id, &done.invoice_number)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(bill.status, InvoiceStatus::Paid);
    assert_eq!(
        mails_of(services, MailKind::RenewalReceipt, &customer.email).await,
        1
    );
    // One capture: the authorisation has nothing left to take.
    let more = services
        .payments
        .capture(done.authorization_id.as_deref().unwrap(), 1, "probe")
        .await;
    assert!(matches!(more, Err(PaymentError::Invalid(_))), "{more:?}");
    let subject = format!("renewal:{}@{}", domain.name, renewal.current_expiry);
    let moves: Vec<String> =
        audit::read(services.table.as_ref(), AuditQuery::Subject(&subject), 10)
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
        services,
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

async fn a_declined_card_reaches_no_registrar(_: &ManualClock, services: &Services) {
    let (customer, domain) = live_domain(services).await;
    let before = registry_expiry(services, &domain.name).await;
    let declined = renewals::renew(
        services,
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
    let record = renewals::find(services.table.as_ref(), &domain.name, before)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(record.status, RenewalStatus::Declined);
    let bill = invoice::find(
        services.table.as_ref(),
        &customer.id,
        &record.invoice_number,
    )
    .await
    .unwrap()
    .unwrap();
    assert_eq!(bill.status, InvoiceStatus::Void);
    // Nothing was queued for the registrar, and it was not asked.
    renewals::run(services, &domain.name, before, true)
        .await
        .unwrap();
    assert_eq!(registry_expiry(services, &domain.name).await, before);

    // Another card, another try: it takes the declined one's place.
    let (renewal, _) = renewals::renew(
        services,
        &customer,
        &domain.name,
        "d-2",
        paying_with(APPROVED, 1),
    )
    .await
    .unwrap();
    assert_eq!(renewal.status, RenewalStatus::Queued);
    assert_ne!(renewal.invoice_number, record.invoice_number);
    renewals::run(services, &domain.name, before, false)
        .await
        .unwrap();
    assert_eq!(
        registry_expiry(services, &domain.name).await,
        add_years_secs(before, 1)
    );
}

with_clock_on_both_engines!(a_declined_card_reaches_no_registrar: declined_embedded, declined_cloud);

async fn a_registrar_outage_keeps_it_queued_then_releases_the_card(
    _: &ManualClock,
    services: &Services,
) {
    let (customer, domain) = live_domain(services).await;
    let before = registry_expiry(services, &domain.name).await;
    let (renewal, _) = renewals::renew(
        services,
        &customer,
        &domain.name,
        "o-1",
        paying_with(APPROVED, 1),
    )
    .await
    .unwrap();
    let down = registrar_down(services);
    let retried = renewals::run(&down, &domain.name, before, false).await;
    assert!(retried.is_err(), "a passing failure is retried");
    let queued = renewals::find(services.table.as_ref(), &domain.name, before)
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
    let failed = renewals::find(services.table.as_ref(), &domain.name, before)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(failed.status, RenewalStatus::Failed);
    assert!(failed.failure.unwrap().contains("unavailable"));
    let released = services
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
    let bill = invoice::find(
        services.table.as_ref(),
        &customer.id,
        &renewal.invoice_number,
    )
    .await
    .unwrap()
    .unwrap();
    assert_eq!(bill.status, InvoiceStatus::Void);
    assert_eq!(
        mails_of(services, MailKind::RenewalFailed, &customer.email).await,
        1
    );
    assert_eq!(registry_expiry(services, &domain.name).await, before);
    // Staff find it filed as failed.
    let failed_ones = services
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

async fn the_price_follows_the_registry_phase_as_time_passes(
    clock: &ManualClock,
    services: &Services,
) {
    let (customer, domain) = live_domain(services).await;
    let expiry = registry_expiry(services, &domain.name).await;
    clock.advance_secs(expiry - clock.now_secs() + DAY);
    let grace = renewals::quote(services, &domain, 1).await.unwrap();
    assert_eq!(
        (grace.phase, grace.subtotal),
        (DomainStatus::AutoRenewGrace, 1499)
    );
    clock.advance_secs(50 * DAY);
    let redemption = renewals::quote(services, &domain, 1).await.unwrap();
    assert_eq!(redemption.phase, DomainStatus::Redemption);
    assert_eq!(redemption.lines.len(), 2);
    assert_eq!(
        redemption.subtotal,
        1499 + 8000,
        "the restore fee and a year"
    );
    renewals::renew(
        services,
        &customer,
        &domain.name,
        "r-1",
        paying_with(APPROVED, 1),
    )
    .await
    .unwrap();
    renewals::run(services, &domain.name, expiry, false)
        .await
        .unwrap();
    assert_eq!(
        registry_expiry(services, &domain.name).await,
        add_years_secs(expiry, 1)
    );
    assert_eq!(
        services.registrar.info(&domain.name).await.unwrap().status,
        DomainStatus::Active
    );

    clock.advance_secs(add_years_secs(expiry, 1) - clock.now_secs() + 76 * DAY);
    let late = renewals::quote(services, &domain, 1).await;
    assert!(
        matches!(
            &late,
            Err(RenewalError::NotRenewable {
                code: "pending_delete",
                ..
            })
        ),
        "{late:?}"
    );
}

with_clock_on_both_engines!(the_price_follows_the_registry_phase_as_time_passes: phases_embedded, phases_cloud);

async fn a_renewal_whose_job_was_lost_is_sent_again(clock: &ManualClock, services: &Services) {
    let (customer, domain) = live_domain(services).await;
    renewals::renew(
        services,
        &customer,
        &domain.name,
        "lost-1",
        paying_with(APPROVED, 1),
    )
    .await
    .unwrap();
    let sweep = || hostfront::scheduler::Task::ResumeRenewals.run(services);
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
    let (_dir, services) = embedded_services_with(&clock, |_| {});
    let (customer, domain) = live_domain(&services).await;
    let counting = std::sync::Arc::new(hostfront_tests::CountingTable::new(services.table.clone()));
    let mut counted = services.clone();
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
    // Reads include one of the customer's declined cards, before the card is tried.
    assert!(
        requested.0 <= 6 && requested.1 <= 2,
        "request: {requested:?}"
    );
    assert!(job.0 <= 5 && job.1 <= 1, "job: {job:?}");
}
