//! Recurring billing of hosting services, on both engines with the manual
//! clock: the next period invoiced ahead and charged once when due, the due
//! date moved one cycle; a declined card through dunning to suspension, the
//! panel following, and the unpaid invoice paid by hand to have it back.

mod credit;
mod scale;

use hostfront::Ports;
use hostfront::adapters::sim::{APPROVED, DECLINED};
use hostfront::billing::{InvoiceFor, InvoiceStatus, invoice, payment_method};
use hostfront::clock::{Clock, ManualClock};
use hostfront::invoice_payments::{self as pay, PayError};
use hostfront::mail::MailKind;
use hostfront::payments::{PaymentMethodId, PaymentSource};
use hostfront::subscriptions::billing::{self, ServiceBilling};
use hostfront::subscriptions::{self, SubscriptionStatus};

use super::{DAY, first_service, live_domain, mails_of};
use hostfront::CustomerId;

pub(crate) fn card(number: &str) -> PaymentMethodId {
    hostfront_tests::shopper::method(number)
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

async fn a_service_is_billed_each_period_once(clock: &ManualClock, ports: &Ports) {
    let (customer, _) = live_domain(ports).await;
    let table = ports.table.as_ref();
    payment_method::save(ports, &customer.id, &card(APPROVED), "ok")
        .await
        .unwrap();
    let service = first_service(ports, &customer.id).await;
    let due = service.next_due.clone();
    travel_to(clock, &due, 15);
    assert_eq!(
        billing::run(ports).await.unwrap(),
        ServiceBilling::default()
    );
    travel_to(clock, &due, 13);
    let (first, second) = tokio::join!(billing::run(ports), billing::run(ports));
    assert_eq!(first.unwrap().invoiced + second.unwrap().invoiced, 1);
    let ahead = invoice::of_customer(table, &customer.id, 10).await.unwrap();
    let ahead = ahead
        .iter()
        .find(|i| matches!(&i.about, InvoiceFor::Period { .. }))
        .unwrap();
    // Issued ahead, it is supplied from the period's first day, which its line names.
    assert_eq!(ahead.supplied_on.as_deref(), Some(due.as_str()));
    let line = &ahead.lines[0];
    assert_eq!(
        line.period.as_ref().map(|p| p.from.as_str()),
        Some(due.as_str())
    );
    let to = &line.period.as_ref().unwrap().to;
    assert_eq!(
        line.description,
        format!("Web Starter, monthly, {due} to {to}")
    );
    assert_eq!(line.tax, ahead.tax);
    assert!(
        matches!(
            pay::pay_invoice(
                ports,
                &customer.id,
                &ahead.number,
                saved(ports, &customer.id).await
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
        mails_of(ports, MailKind::ServiceInvoice, &customer.email).await,
        1
    );

    travel_to(clock, &due, 0);
    let (first, second) = tokio::join!(billing::run(ports), billing::run(ports));
    assert_eq!(first.unwrap().charged + second.unwrap().charged, 1);
    assert_eq!(billing::run(ports).await.unwrap().charged, 0);
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
        mails_of(ports, MailKind::ServiceReceipt, &customer.email).await,
        1
    );

    // The next period with a card that declines: three tries, then suspended.
    payment_method::save(ports, &customer.id, &card(DECLINED), "bad")
        .await
        .unwrap();
    let next = paid.next_due.clone();
    travel_to(clock, &next, 13);
    assert_eq!(billing::run(ports).await.unwrap().invoiced, 1);
    for (days, suspended) in [(0, 0), (-3, 0), (-7, 1)] {
        travel_to(clock, &next, days);
        let run = billing::run(ports).await.unwrap();
        assert_eq!((run.declined, run.suspended), (1, suspended), "{days}");
        assert_eq!(billing::run(ports).await.unwrap().declined, 0);
    }
    let stopped = subscriptions::find(table, &customer.id, &service.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stopped.status, SubscriptionStatus::Suspended);
    assert_eq!(
        stopped.next_due, next,
        "an unpaid period does not move the due date"
    );
    assert_eq!(
        mails_of(ports, MailKind::ServicePaymentFailed, &customer.email).await,
        3
    );
    // The panel follows: the account is suspended, once the job has run.
    let username = &stopped.hosting.account.username;
    let waiting = || subscriptions::panel::resume_stalled(ports, std::time::Duration::ZERO);
    assert_eq!(
        waiting().await.unwrap(),
        1,
        "the change waits for the panel"
    );
    subscriptions::panel::sync(ports, &customer.id, &service.id)
        .await
        .unwrap();
    assert!(
        ports
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
        ports,
        &customer.id,
        &unpaid.number,
        PaymentSource::Method(card(DECLINED)),
    )
    .await;
    assert!(
        matches!(declined, Err(PayError::Declined { .. })),
        "{declined:?}"
    );
    let pay = || {
        pay::pay_invoice(
            ports,
            &customer.id,
            &unpaid.number,
            PaymentSource::Method(card(APPROVED)),
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
    assert_eq!(paid_by_hand.invoice.status, InvoiceStatus::Paid);
    assert_eq!(
        pay().await.unwrap().invoice.status,
        InvoiceStatus::Paid,
        "paid already: no charge"
    );
    let receipts = hostfront::mail::outbox(ports, 500)
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
    assert_eq!(back.status, SubscriptionStatus::Active);
    assert!(back.next_due > next, "the paid period moves the due date");
    subscriptions::panel::sync(ports, &customer.id, &service.id)
        .await
        .unwrap();
    assert!(
        !ports
            .panel
            .state(username)
            .await
            .unwrap()
            .unwrap()
            .suspended
    );
    // Another customer cannot see or pay it.
    let (eve, _) =
        hostfront_tests::customer(ports, &hostfront_tests::shopper::fresh_username()).await;
    assert!(matches!(
        pay::pay_invoice(
            ports,
            &eve.id,
            &unpaid.number,
            PaymentSource::Method(card(APPROVED))
        )
        .await,
        Err(PayError::NotFound)
    ));
}

async fn saved(ports: &Ports, customer_id: &CustomerId) -> PaymentSource {
    let token = payment_method::find(ports.table.as_ref(), customer_id)
        .await
        .unwrap()
        .unwrap()
        .token;
    PaymentSource::Saved(token)
}

with_clock_on_both_engines!(a_service_is_billed_each_period_once: service_billing_embedded, service_billing_cloud);
