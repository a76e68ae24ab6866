//! A service that ends leaves nothing to pay, on both engines with the
//! manual clock: the period invoiced ahead of a cancellation at the end of
//! the term is voided as the service ends, never charged, and paying it by
//! hand is refused (409 `service_ended`).

use hostfront::Ports;
use hostfront::adapters::sim::APPROVED;
use hostfront::billing::{InvoiceFor, InvoiceStatus, invoice, payment_method};
use hostfront::clock::ManualClock;
use hostfront::invoice_payments::{self as pay, PayError};
use hostfront::mail::MailKind;
use hostfront::payments::PaymentSource;
use hostfront::scheduler::Task;
use hostfront::subscriptions::cancel::{self, Acting, When};
use hostfront::subscriptions::{self, SubscriptionStatus};

use super::services::{card, travel_to};
use super::{first_service, live_domain, mails_of};
use hostfront::CustomerId;

/// The customer's invoice for the period of `service_id` that starts `from`.
pub(crate) async fn period_invoice(
    ports: &Ports,
    customer_id: &CustomerId,
    from: &str,
) -> invoice::Invoice {
    invoice::of_customer(ports.table.as_ref(), customer_id, 100)
        .await
        .unwrap()
        .into_iter()
        .find(|i| matches!(&i.about, InvoiceFor::Period { from: f, .. } if f == from))
        .expect("the period was invoiced")
}

/// Paying `number` by hand is refused: its service ended.
pub(crate) async fn paying_is_refused(ports: &Ports, customer_id: &CustomerId, number: &str) {
    let refused = pay::pay_invoice(
        ports,
        customer_id,
        number,
        PaymentSource::Method(card(APPROVED)),
    )
    .await;
    assert!(
        matches!(
            refused,
            Err(PayError::Conflict {
                code: "service_ended",
                ..
            })
        ),
        "{refused:?}"
    );
}

async fn a_service_cancelled_at_the_end_of_its_term_leaves_nothing_to_pay(
    clock: &ManualClock,
    ports: &Ports,
) {
    let (customer, _) = live_domain(ports).await;
    payment_method::save(ports, &customer.id, &card(APPROVED), "ok")
        .await
        .unwrap();
    let service = first_service(ports, &customer.id).await;
    let due = service.next_due.clone();
    // The next period is invoiced ahead; then the customer cancels at the
    // end of the term, which is that period's first day.
    travel_to(clock, &due, 13);
    Task::RunBilling.run(ports).await.unwrap();
    let ahead = period_invoice(ports, &customer.id, &due).await;
    assert_eq!(ahead.status, InvoiceStatus::Open);
    let acting = Acting {
        actor: hostfront::audit::Actor::Customer(customer.id.clone()),
        client: None,
        role: None,
    };
    cancel::request(ports, acting, &customer.id, &service.id, When::EndOfTerm)
        .await
        .unwrap();

    // On that day the service ends: the invoice is voided, never charged.
    travel_to(clock, &due, 0);
    let (first, second) = tokio::join!(Task::RunBilling.run(ports), Task::RunBilling.run(ports));
    first.unwrap();
    second.unwrap();
    let ended = subscriptions::find(ports.table.as_ref(), &customer.id, &service.id)
        .await
        .unwrap()
        .unwrap();
    assert!(ended.ended_at.is_some());
    assert_eq!(ended.status, SubscriptionStatus::Suspended, "ending");
    let voided = period_invoice(ports, &customer.id, &due).await;
    assert_eq!(voided.status, InvoiceStatus::Void);
    assert_eq!(
        mails_of(ports, MailKind::ServiceReceipt, &customer.email).await,
        0,
        "no receipt for a service that ended"
    );
    paying_is_refused(ports, &customer.id, &voided.number).await;
    travel_to(clock, &due, -3);
    Task::RunBilling.run(ports).await.unwrap();
    assert_eq!(
        period_invoice(ports, &customer.id, &due).await.status,
        InvoiceStatus::Void,
        "nothing charges it later"
    );
}

with_clock_on_both_engines!(
    a_service_cancelled_at_the_end_of_its_term_leaves_nothing_to_pay:
        ended_leaves_nothing_embedded,
        ended_leaves_nothing_cloud
);
