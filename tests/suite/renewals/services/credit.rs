//! Account credit pays the next invoices.

use super::travel_to;
use crate::renewals::{first_service, live_domain};
use hostfront::Ports;
use hostfront::billing::{InvoiceFor, InvoiceStatus, invoice};
use hostfront::clock::ManualClock;
use hostfront::money::Currency;
use hostfront::subscriptions::billing::{self};
use hostfront::subscriptions::{self};

/// Account credit granted by staff comes off the next service invoices
/// once, before any card: an invoice it pays in full is paid with no card
/// saved, and what is left of it comes off the next.
async fn account_credit_pays_the_next_invoices(clock: &ManualClock, ports: &Ports) {
    use hostfront::audit::Actor;
    use hostfront::billing::credit::{self, CreditError};
    use hostfront::staff::Role;

    let (customer, _) = live_domain(ports).await;
    let table = ports.table.as_ref();
    let service = first_service(ports, &customer.id).await;
    let clerk = Actor::Staff("stf-billing".into());
    let usd = Currency::parse("USD").unwrap();
    let grant = |role, amount| {
        credit::grant(
            ports,
            (&clerk, role, "192.0.2.1"),
            (&customer.id, &usd),
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
    let (first, second) = tokio::join!(billing::run(ports), billing::run(ports));
    assert_eq!(first.unwrap().invoiced + second.unwrap().invoiced, 1);
    assert_eq!(
        credit::balance(table, &customer.id).await.unwrap().0,
        900 - 499,
        "taken once"
    );
    let customer_id = &customer.id;
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
        billing::run(ports).await.unwrap().charged,
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
    billing::run(ports).await.unwrap();
    let partly = period(moved.next_due.clone()).await;
    assert_eq!((partly.credit, partly.total), (401, 98));
    assert_eq!(credit::balance(table, &customer.id).await.unwrap().0, 0);

    // The service ends with that invoice open: it is voided, cancelled by
    // a credit note for all of it, and the credit it took comes back.
    let acting = hostfront::subscriptions::cancel::Acting {
        actor: Actor::Customer((&customer.id).into()),
        client: None,
        role: None,
    };
    use hostfront::subscriptions::cancel::{self, When};
    let ended = cancel::request(ports, acting, &customer.id, &service.id, When::Now)
        .await
        .unwrap();
    assert!(ended.ended_at.is_some(), "ends at once: no notice");
    assert_eq!(
        period(moved.next_due.clone()).await.status,
        InvoiceStatus::Void
    );
    assert_eq!(credit::balance(table, &customer.id).await.unwrap().0, 401);
    let notes = hostfront::billing::credit_note::of_customer(table, &customer.id, 10)
        .await
        .unwrap();
    let note = notes
        .iter()
        .find(|n| n.invoice_number == partly.number)
        .unwrap();
    assert_eq!(note.total, partly.subtotal + partly.tax);
    assert_eq!(cancel::end_due(ports).await.unwrap(), 0);
    assert_eq!(
        credit::balance(table, &customer.id).await.unwrap().0,
        401,
        "once"
    );
}

with_clock_on_both_engines!(account_credit_pays_the_next_invoices: credit_embedded, credit_cloud);
