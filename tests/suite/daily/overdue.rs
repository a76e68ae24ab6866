//! Overdue services are ended once; a payment in time keeps a service.

use super::{day_run, run_today};
use crate::renewals::services::{card, travel_to};
use crate::renewals::{DAY, first_service, live_domain, mails_of};
use hostfront::CustomerId;
use hostfront::Ports;
use hostfront::adapters::sim::{APPROVED, DECLINED};
use hostfront::audit::{self, AuditQuery};
use hostfront::billing::{InvoiceFor, InvoiceStatus, invoice, payment_method};
use hostfront::clock::ManualClock;
use hostfront::daily::Check;
use hostfront::invoice_payments as pay;
use hostfront::mail::MailKind;
use hostfront::payments::PaymentSource;
use hostfront::subscriptions::{self, SubscriptionStatus, billing};

/// A customer whose first service went unpaid until it was suspended; the
/// service and the unpaid period's first day.
async fn suspended_for_an_unpaid_invoice(
    clock: &ManualClock,
    ports: &Ports,
    customers: usize,
) -> Vec<(hostfront::accounts::Customer, subscriptions::Subscription)> {
    let mut held = Vec::new();
    for _ in 0..customers {
        let (customer, _) = live_domain(ports).await;
        payment_method::save(ports, &customer.id, &card(DECLINED), "bad")
            .await
            .unwrap();
        let service = first_service(ports, &customer.id).await;
        held.push((customer, service));
    }
    let due = held[0].1.next_due.clone();
    travel_to(clock, &due, 13);
    billing::run(ports).await.unwrap();
    // The plan suspends after its last try, 7 days after the due date.
    for days in [0, -3, -7] {
        travel_to(clock, &due, days);
        billing::run(ports).await.unwrap();
    }
    for (customer, service) in &held {
        let now = subscriptions::find(ports.table.as_ref(), &customer.id, &service.id)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(now.status, SubscriptionStatus::Suspended);
    }
    held
}

async fn an_overdue_service_ends_once_and_a_payment_in_time_keeps_one(
    clock: &ManualClock,
    ports: &Ports,
) {
    let table = ports.table.as_ref();
    let held = suspended_for_an_unpaid_invoice(clock, ports, 2).await;
    let due = held[0].1.next_due.clone();
    let (ada, late) = &held[0];
    let (bob, paying) = &held[1];

    // Bob pays his invoice by hand while suspended: his service comes back.
    let unpaid = invoice::of_customer(table, &bob.id, 10).await.unwrap();
    let unpaid = unpaid
        .iter()
        .find(|i| matches!(&i.about, InvoiceFor::Period { from, .. } if *from == due))
        .unwrap();
    pay::pay_invoice(
        ports,
        &bob.id,
        &unpaid.number,
        PaymentSource::Method(card(APPROVED)),
    )
    .await
    .unwrap();
    let service_of = |customer: CustomerId, id: String| async move {
        subscriptions::find(table, &customer, &id)
            .await
            .unwrap()
            .unwrap()
    };
    assert_eq!(
        service_of(bob.id.clone(), paying.id.clone()).await.status,
        SubscriptionStatus::Active
    );

    // The plan ends a service suspended for 30 days; not a day sooner.
    travel_to(clock, &due, -36);
    run_today(ports, Check::OverdueServices).await;
    assert_eq!(
        service_of(ada.id.clone(), late.id.clone()).await.status,
        SubscriptionStatus::Suspended
    );
    travel_to(clock, &due, -37);
    run_today(ports, Check::OverdueServices).await;
    let run = day_run(ports, Check::OverdueServices).await;
    assert_eq!(run.counts.get("terminated"), Some(&1), "{run:?}");
    let ended = service_of(ada.id.clone(), late.id.clone()).await;
    assert!(ended.ended_at.is_some());
    assert_eq!(
        ended.status,
        SubscriptionStatus::Cancelled,
        "the teardown ran: {ended:?}"
    );
    assert!(
        ports
            .panel
            .state(&ended.hosting.account.username)
            .await
            .unwrap()
            .is_none(),
        "the account is gone from the panel"
    );
    assert_eq!(
        service_of(bob.id.clone(), paying.id.clone()).await.status,
        SubscriptionStatus::Active,
        "paid in time"
    );
    // What it left unpaid ended with it: voided, and not to be paid.
    let left = crate::renewals::ended::period_invoice(ports, &ada.id, &due).await;
    assert_eq!(left.status, InvoiceStatus::Void);
    crate::renewals::ended::paying_is_refused(ports, &ada.id, &left.number).await;
    let subject = format!("service:{}", late.id);
    let ending = audit::read(table, AuditQuery::Subject(&subject), 50)
        .await
        .unwrap();
    assert!(
        ending
            .iter()
            .any(|e| e.actor.label() == "system:overdue-services"),
        "{ending:?}"
    );

    // Again the next day, and a batch delivered twice: one end, one mail.
    clock.advance_secs(DAY);
    run_today(ports, Check::OverdueServices).await;
    let notices = mails_of(ports, MailKind::Notice, &ada.email).await;
    assert_eq!(notices, 1);
    assert_eq!(mails_of(ports, MailKind::Notice, &bob.email).await, 0);
}

with_clock_on_both_engines!(
    an_overdue_service_ends_once_and_a_payment_in_time_keeps_one:
        overdue_services_embedded,
        overdue_services_on_dynamodb
);
