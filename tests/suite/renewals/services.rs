//! Recurring billing of hosting services, on both engines with the manual
//! clock: the next period invoiced ahead and charged once when due, the due
//! date moved one cycle; a declined card through dunning to suspension, the
//! panel following, and the unpaid invoice paid by hand to have it back.

use hostfront::Services;
use hostfront::adapters::sim::{APPROVED, DECLINED};
use hostfront::billing::{InvoiceFor, InvoiceStatus, invoice, payment_method};
use hostfront::clock::{Clock, ManualClock};
use hostfront::mail::MailKind;
use hostfront::payments::{Card, PaymentSource};
use hostfront::subscriptions::billing::{self, ServiceBilling};
use hostfront::subscriptions::pay::{self, PayError};
use hostfront::subscriptions::{self, ServiceStatus};

use super::{DAY, first_service, live_domain, mails_of};

pub(crate) fn card(number: &str) -> Card {
    Card {
        number: number.into(),
        exp_month: 12,
        exp_year: 2099,
        cvc: "123".into(),
    }
}

pub(crate) fn midnight(date: &str) -> i64 {
    let date = time::Date::parse(
        date,
        time::macros::format_description!("[year]-[month]-[day]"),
    )
    .unwrap();
    date.midnight().assume_utc().unix_timestamp()
}

/// Moves the clock to noon, `days` days before `date` (negative: after).
pub(crate) fn travel_to(clock: &ManualClock, date: &str, days: i64) {
    clock.advance_secs(midnight(date) - days * DAY + DAY / 2 - clock.now_secs());
}

async fn a_service_is_billed_each_period_once(clock: &ManualClock, services: &Services) {
    let (customer, _) = live_domain(services).await;
    let table = services.table.as_ref();
    payment_method::save(services, &customer.id, &card(APPROVED), "ok")
        .await
        .unwrap();
    let service = first_service(services, &customer.id).await;
    let due = service.next_due.clone();
    travel_to(clock, &due, 15);
    assert_eq!(
        billing::run(services).await.unwrap(),
        ServiceBilling::default()
    );
    travel_to(clock, &due, 13);
    let (first, second) = tokio::join!(billing::run(services), billing::run(services));
    assert_eq!(first.unwrap().invoiced + second.unwrap().invoiced, 1);
    let ahead = invoice::of_customer(table, &customer.id, 10).await.unwrap();
    let ahead = ahead
        .iter()
        .find(|i| matches!(&i.about, InvoiceFor::Period { .. }))
        .unwrap();
    assert!(
        matches!(
            pay::pay_invoice(
                services,
                &customer.id,
                &ahead.number,
                saved(services, &customer.id).await
            )
            .await,
            Err(PayError::Conflict {
                code: "charged_automatically",
                ..
            })
        ),
        "an invoice the billing run charges is not paid by hand"
    );
    assert_eq!(
        mails_of(services, MailKind::ServiceInvoice, &customer.email).await,
        1
    );

    travel_to(clock, &due, 0);
    let (first, second) = tokio::join!(billing::run(services), billing::run(services));
    assert_eq!(first.unwrap().charged + second.unwrap().charged, 1);
    assert_eq!(billing::run(services).await.unwrap().charged, 0);
    let paid = subscriptions::find(table, &customer.id, &service.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        paid.next_due,
        hostfront::clock::add_months(
            time::Date::parse(
                &due,
                time::macros::format_description!("[year]-[month]-[day]")
            )
            .unwrap(),
            1
        )
        .to_string(),
        "one cycle on"
    );
    let invoices = invoice::of_customer(table, &customer.id, 10).await.unwrap();
    let period = invoices
        .iter()
        .find(|i| matches!(&i.about, InvoiceFor::Period { from, .. } if *from == due))
        .unwrap();
    assert_eq!((period.status, period.subtotal), (InvoiceStatus::Paid, 499));
    assert_eq!(
        mails_of(services, MailKind::ServiceReceipt, &customer.email).await,
        1
    );

    // The next period with a card that declines: three tries, then suspended.
    payment_method::save(services, &customer.id, &card(DECLINED), "bad")
        .await
        .unwrap();
    let next = paid.next_due.clone();
    travel_to(clock, &next, 13);
    assert_eq!(billing::run(services).await.unwrap().invoiced, 1);
    for (days, suspended) in [(0, 0), (-3, 0), (-7, 1)] {
        travel_to(clock, &next, days);
        let run = billing::run(services).await.unwrap();
        assert_eq!((run.declined, run.suspended), (1, suspended), "{days}");
        assert_eq!(billing::run(services).await.unwrap().declined, 0);
    }
    let stopped = subscriptions::find(table, &customer.id, &service.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stopped.status, ServiceStatus::Suspended);
    assert_eq!(
        stopped.next_due, next,
        "an unpaid period does not move the due date"
    );
    assert_eq!(
        mails_of(services, MailKind::ServicePaymentFailed, &customer.email).await,
        3
    );
    // The panel follows: the account is suspended, once the job has run.
    let username = &stopped.hosting.account.username;
    let waiting = || subscriptions::panel::resume_stalled(services, std::time::Duration::ZERO);
    assert_eq!(
        waiting().await.unwrap(),
        1,
        "the change waits for the panel"
    );
    subscriptions::panel::sync(services, &customer.id, &service.id)
        .await
        .unwrap();
    assert!(
        services
            .panel
            .state(username)
            .await
            .unwrap()
            .unwrap()
            .suspended
    );
    assert_eq!(waiting().await.unwrap(), 0, "and the panel has it");

    // The customer pays the unpaid invoice by hand: a declined card changes
    // nothing; two payments at once charge once; the service comes back.
    let unpaid = invoice::of_customer(table, &customer.id, 10).await.unwrap();
    let unpaid = unpaid
        .iter()
        .find(|i| matches!(&i.about, InvoiceFor::Period { from, .. } if *from == next))
        .unwrap();
    assert_eq!(unpaid.status, InvoiceStatus::Open);
    let declined = pay::pay_invoice(
        services,
        &customer.id,
        &unpaid.number,
        PaymentSource::Card(card(DECLINED)),
    )
    .await;
    assert!(
        matches!(declined, Err(PayError::Declined { .. })),
        "{declined:?}"
    );
    let pay = || {
        pay::pay_invoice(
            services,
            &customer.id,
            &unpaid.number,
            PaymentSource::Card(card(APPROVED)),
        )
    };
    let (first, second) = tokio::join!(pay(), pay());
    let paid_by_hand = match (first, second) {
        (Ok(paid), Ok(_)) => paid,
        (
            Ok(paid),
            Err(PayError::Conflict {
                code: "payment_in_progress",
                ..
            }),
        )
        | (
            Err(PayError::Conflict {
                code: "payment_in_progress",
                ..
            }),
            Ok(paid),
        ) => paid,
        other => panic!("{other:?}"),
    };
    assert_eq!(paid_by_hand.status, InvoiceStatus::Paid);
    assert_eq!(
        pay().await.unwrap().status,
        InvoiceStatus::Paid,
        "paid already: no charge"
    );
    let receipts = hostfront::mail::outbox(services, 500)
        .await
        .unwrap()
        .into_iter()
        .filter(|m| m.kind == MailKind::ServiceReceipt && m.id.ends_with(&format!("{next}-paid")))
        .count();
    assert_eq!(receipts, 1, "one receipt for the payment by hand");
    let back = subscriptions::find(table, &customer.id, &service.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(back.status, ServiceStatus::Active);
    assert!(back.next_due > next, "the paid period moves the due date");
    subscriptions::panel::sync(services, &customer.id, &service.id)
        .await
        .unwrap();
    assert!(
        !services
            .panel
            .state(username)
            .await
            .unwrap()
            .unwrap()
            .suspended
    );
    // Another customer cannot see or pay it.
    let (eve, _) =
        hostfront_tests::customer(services, &hostfront_tests::shopper::fresh_username()).await;
    assert!(matches!(
        pay::pay_invoice(
            services,
            &eve.id,
            &unpaid.number,
            PaymentSource::Card(card(APPROVED))
        )
        .await,
        Err(PayError::NotFound)
    ));
}

async fn saved(services: &Services, customer_id: &str) -> PaymentSource {
    let token = payment_method::find(services.table.as_ref(), customer_id)
        .await
        .unwrap()
        .unwrap()
        .token;
    PaymentSource::Saved(token)
}

with_clock_on_both_engines!(a_service_is_billed_each_period_once: service_billing_embedded, service_billing_cloud);

/// The daily billing run over 1,000 auto-renewing domains and 1,000 hosting
/// services due within the lead time, on the embedded engine: what it costs
/// in table requests and time. A figure, with a generous bound.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_billing_run_over_a_thousand_services_and_domains() {
    use hostfront::domains::owned::{OwnedDomain, OwnedStatus};
    use hostfront::registrar::Registration;
    use hostfront::subscriptions::Subscription;

    let clock = ManualClock::starting_now();
    let (_dir, services) = hostfront_tests::embedded_services_with(&clock, |_| {});
    let (customer, domain) = live_domain(&services).await;
    payment_method::save(&services, &customer.id, &card(APPROVED), "ok")
        .await
        .unwrap();
    let template = subscriptions::of_customer(services.table.as_ref(), &customer.id)
        .await
        .unwrap()
        .remove(0);
    const N: usize = 1000;
    let mut ops = Vec::new();
    for i in 0..N {
        let name = format!("fleet{i:04}-{}", domain.name);
        let info = services
            .registrar
            .register(&Registration {
                domain: name.clone(),
                years: 1,
                registrant: customer.id.clone(),
                nameservers: domain.nameservers.clone(),
                idempotency_key: format!("fleet-{i}"),
            })
            .await
            .unwrap();
        ops.push(
            OwnedDomain {
                name: name.clone(),
                unicode: name.clone(),
                order_id: format!("fleet-{i}"),
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
            services
                .table
                .transact(std::mem::take(&mut ops))
                .await
                .unwrap();
        }
    }
    if !ops.is_empty() {
        services.table.transact(ops).await.unwrap();
    }
    // Every domain expires within the lead time, every service is due.
    let expiry = services
        .registrar
        .info(&domain.name)
        .await
        .unwrap()
        .expires_at;
    clock.advance_secs(expiry - 20 * DAY - clock.now_secs());
    let counting = std::sync::Arc::new(hostfront_tests::CountingTable::new(services.table.clone()));
    let mut counted = services.clone();
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

/// Account credit granted by staff comes off the next service invoices
/// once, before any card: an invoice it pays in full is paid with no card
/// saved, and what is left of it comes off the next.
async fn account_credit_pays_the_next_invoices(clock: &ManualClock, services: &Services) {
    use hostfront::audit::Actor;
    use hostfront::billing::credit::{self, CreditError};
    use hostfront::staff::Role;

    let (customer, _) = live_domain(services).await;
    let table = services.table.as_ref();
    let service = first_service(services, &customer.id).await;
    let clerk = Actor::Staff("stf-billing".into());
    let grant = |role, amount| {
        credit::grant(
            services,
            (&clerk, role, "192.0.2.1"),
            (&customer.id, "USD"),
            amount,
            "the site was down a day",
        )
    };
    assert!(matches!(
        grant(Role::Billing, 60_000).await,
        Err(CreditError::OverLimit { .. })
    ));
    assert_eq!(grant(Role::Billing, 300).await.unwrap(), 300);
    assert_eq!(grant(Role::Admin, 600).await.unwrap(), 900);

    let due = service.next_due.clone();
    travel_to(clock, &due, 13);
    let (first, second) = tokio::join!(billing::run(services), billing::run(services));
    assert_eq!(first.unwrap().invoiced + second.unwrap().invoiced, 1);
    assert_eq!(
        credit::balance(table, &customer.id).await.unwrap().0,
        900 - 499,
        "taken once"
    );
    let customer_id = customer.id.as_str();
    let period = |from: String| async move {
        invoice::of_customer(table, customer_id, 10)
            .await
            .unwrap()
            .into_iter()
            .find(|i| matches!(&i.about, InvoiceFor::Period { from: f, .. } if *f == from))
            .unwrap()
    };
    let covered = period(due.clone()).await;
    assert_eq!((covered.credit, covered.total), (499, 0));
    travel_to(clock, &due, 0);
    assert_eq!(
        billing::run(services).await.unwrap().charged,
        1,
        "with no card saved"
    );
    let paid = period(due.clone()).await;
    assert_eq!(
        (paid.status, paid.capture_id.as_deref()),
        (InvoiceStatus::Paid, None)
    );
    let moved = subscriptions::find(table, &customer.id, &service.id)
        .await
        .unwrap()
        .unwrap();
    assert_ne!(moved.next_due, due, "the paid period moves the due date");

    travel_to(clock, &moved.next_due, 13);
    billing::run(services).await.unwrap();
    let partly = period(moved.next_due.clone()).await;
    assert_eq!((partly.credit, partly.total), (401, 98));
    assert_eq!(credit::balance(table, &customer.id).await.unwrap().0, 0);
}

with_clock_on_both_engines!(account_credit_pays_the_next_invoices: credit_embedded, credit_cloud);
