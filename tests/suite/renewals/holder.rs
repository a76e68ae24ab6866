//! A charge made without the customer that their card's bank wants them to
//! confirm (3-D Secure, the simulation's 4000 0025 0000 3155) is not
//! tried as an ordinary decline: on both engines with the manual clock, the
//! customer is mailed a link to pay in the portal while they are there, and
//! a service's invoice may then be paid by hand, once, before the next try.

use hostfront::Ports;
use hostfront::adapters::sim::{APPROVED, AUTHENTICATES};
use hostfront::billing::{InvoiceFor, InvoiceStatus, invoice, payment_method};
use hostfront::clock::{Clock, ManualClock};
use hostfront::invoice_payments as pay;
use hostfront::mail::{self, MailKind};
use hostfront::payments::PaymentSource;
use hostfront::renewals;
use hostfront::subscriptions::billing;

use super::services::{card, travel_to};
use super::{DAY, first_service, live_domain, registry_expiry};

/// The one mail of `kind` to `to`: its text.
async fn only_mail(ports: &Ports, kind: MailKind, to: &str) -> String {
    let mut mails: Vec<_> = mail::outbox(ports, 500)
        .await
        .unwrap()
        .into_iter()
        .filter(|m| m.kind == kind && m.to == to)
        .collect();
    assert_eq!(mails.len(), 1, "one {kind:?} mail");
    mails.remove(0).text
}

async fn a_service_whose_bank_wants_its_holder_is_paid_in_the_portal(
    clock: &ManualClock,
    ports: &Ports,
) {
    let (customer, _) = live_domain(ports).await;
    payment_method::save(ports, &customer.id, &card(AUTHENTICATES), "3ds")
        .await
        .unwrap();
    let service = first_service(ports, &customer.id).await;
    let due = service.next_due.clone();
    travel_to(clock, &due, 13);
    assert_eq!(billing::run(ports).await.unwrap().invoiced, 1);
    travel_to(clock, &due, 0);
    assert_eq!(billing::run(ports).await.unwrap().declined, 1);

    let bill = invoice::of_customer(ports.table.as_ref(), &customer.id, 10)
        .await
        .unwrap()
        .into_iter()
        .find(|i| matches!(&i.about, InvoiceFor::Period { from, .. } if *from == due))
        .unwrap();
    let text = only_mail(ports, MailKind::ServicePaymentFailed, &customer.email).await;
    assert!(
        text.contains("Your bank asks you to confirm the payment"),
        "{text}"
    );
    assert!(
        text.contains(&format!("Pay invoice {} in your portal", bill.number)),
        "{text}"
    );
    assert!(
        text.contains(&format!("/portal.html?pay={}#invoices", bill.number)),
        "{text}"
    );
    assert!(!text.contains("We could not charge"), "{text}");

    // Paid by hand, with the customer at hand; the run charges it no more.
    let paid = pay::pay_invoice(
        ports,
        &customer.id,
        &bill.number,
        PaymentSource::Method(card(APPROVED)),
    )
    .await
    .unwrap();
    assert_eq!(paid.invoice.status, InvoiceStatus::Paid);
    travel_to(clock, &due, -3);
    let run = billing::run(ports).await.unwrap();
    assert_eq!((run.charged, run.declined), (0, 0), "paid already");
    let moved = first_service(ports, &customer.id).await;
    assert_ne!(moved.next_due, due, "the due date moved on");
}

with_clock_on_both_engines!(a_service_whose_bank_wants_its_holder_is_paid_in_the_portal: service_holder_embedded, service_holder_cloud);

async fn a_renewal_whose_bank_wants_its_holder_says_to_renew_in_the_portal(
    clock: &ManualClock,
    ports: &Ports,
) {
    let (customer, domain) = live_domain(ports).await;
    payment_method::save(ports, &customer.id, &card(AUTHENTICATES), "3ds")
        .await
        .unwrap();
    let expiry = registry_expiry(ports, &domain.name).await;
    clock.advance_secs(expiry - 29 * DAY - clock.now_secs());
    assert_eq!(renewals::run_billing(ports).await.unwrap().invoiced, 1);
    clock.advance_secs(expiry - DAY / 2 - clock.now_secs());
    assert_eq!(renewals::run_billing(ports).await.unwrap().declined, 1);
    let text = only_mail(ports, MailKind::RenewalPaymentFailed, &customer.email).await;
    assert!(
        text.contains("Your bank asks you to confirm the payment"),
        "{text}"
    );
    assert!(
        text.contains("Renew it in your portal while you are there"),
        "{text}"
    );
    assert!(text.contains("/portal.html#domains"), "{text}");
    assert!(!text.contains("We could not charge"), "{text}");
}

with_clock_on_both_engines!(a_renewal_whose_bank_wants_its_holder_says_to_renew_in_the_portal: renewal_holder_embedded, renewal_holder_cloud);
