//! A service invoice paid in the portal through Stripe (its stand-in) with
//! a card whose bank asks its holder to confirm: Stripe's bank page
//! confirms it, and the payment is captured once, whether the holder comes
//! back to the portal or Stripe's event of the bank's answer comes first.

use hostfront::Ports;
use hostfront::accounts::Customer;
use hostfront::billing::{Invoice, InvoiceFor, InvoiceStatus, invoice};
use hostfront::clock::ManualClock;
use hostfront::invoice_payments as pay;
use hostfront::payments::{PaymentEvent, PaymentSource};
use hostfront::subscriptions::{SubscriptionStatus, billing};
use hostfront_tests::stripe_server::{AUTHENTICATES, StripeServer};
use tempfile::TempDir;

use crate::renewals::services::{card, travel_to};
use crate::renewals::{first_service, live_domain};
use crate::stripe_checkout::at_the_bank;
use crate::stripe_events::on_stripe;

/// A shop on Stripe whose customer, with no card saved, had their service
/// suspended for its first unpaid period; that period's invoice.
async fn suspended_on(stripe: &StripeServer) -> (TempDir, Ports, Customer, Invoice) {
    let clock = ManualClock::starting_now();
    let (dir, ports) = hostfront_tests::embedded_ports_with(&clock, on_stripe(stripe));
    let (customer, _) = live_domain(&ports).await;
    let due = first_service(&ports, &customer.id).await.next_due;
    for day in (-40..=13).rev() {
        travel_to(&clock, &due, day);
        billing::run(&ports).await.unwrap();
    }
    let service = first_service(&ports, &customer.id).await;
    assert_eq!(service.status, SubscriptionStatus::Suspended, "unpaid");
    let bill = invoice::of_customer(ports.table.as_ref(), &customer.id, 10)
        .await
        .unwrap()
        .into_iter()
        .find(|i| matches!(&i.about, InvoiceFor::Period { from, .. } if *from == due))
        .unwrap();
    (dir, ports, customer, bill)
}

/// Pays `bill` with the card whose bank asks, and confirms at Stripe's bank page.
async fn confirmed_at_stripes_bank(ports: &Ports, customer: &Customer, bill: &Invoice) {
    let with_card = PaymentSource::Method(card(AUTHENTICATES));
    let waiting = pay::pay_invoice(ports, &customer.id, &bill.number, with_card)
        .await
        .unwrap();
    assert_eq!(waiting.invoice.status, InvoiceStatus::Open);
    let bank = waiting.payment_action_url.expect("Stripe's bank page");
    let back = at_the_bank(&bank, "approve").await;
    assert!(
        back.contains(&format!("confirmed={}", bill.number)),
        "{back}"
    );
}

/// Paid, back in service, and captured once at Stripe.
async fn paid_once(ports: &Ports, stripe: &StripeServer, customer: &Customer, bill: &Invoice) {
    for _ in 0..2 {
        let paid = pay::bank::confirmed_at_bank(ports, &customer.id, &bill.number)
            .await
            .unwrap();
        assert_eq!(paid.invoice.status, InvoiceStatus::Paid);
    }
    let intents = stripe.intents_with_key(&format!("{}-pay-0-authorize", bill.number));
    assert_eq!(intents.len(), 1, "{intents:?}");
    assert_eq!(intents[0].1, "succeeded", "captured: {intents:?}");
    let service = first_service(ports, &customer.id).await;
    assert_eq!(service.status, SubscriptionStatus::Active);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_holder_comes_back_from_stripes_bank() {
    let stripe = StripeServer::start().await;
    let (_dir, ports, customer, bill) = suspended_on(&stripe).await;
    confirmed_at_stripes_bank(&ports, &customer, &bill).await;
    paid_once(&ports, &stripe, &customer, &bill).await;
}

/// Stripe's event of the bank's answer, taken before the holder is back
/// (its signature is checked by the events route, tested elsewhere; the
/// shop's clock here is weeks ahead of the stand-in's).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stripes_event_of_the_bank_settles_the_invoice() {
    let stripe = StripeServer::start().await;
    let (_dir, ports, customer, bill) = suspended_on(&stripe).await;
    confirmed_at_stripes_bank(&ports, &customer, &bill).await;
    let (intent, _) = stripe
        .intents_with_key(&format!("{}-pay-0-authorize", bill.number))
        .remove(0);
    let event = PaymentEvent {
        id: "evt_bank_answered".into(),
        kind: "payment_intent.amount_capturable_updated".into(),
        object: intent,
        created: 0,
        card: None,
        reference: Some(bill.number.clone()),
        refunded: None,
        dispute: None,
        setup_key: None,
    };
    hostfront::provider_events::apply(&ports, &event)
        .await
        .unwrap();
    let now = invoice::find(ports.table.as_ref(), &customer.id, &bill.number)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(now.status, InvoiceStatus::Paid, "settled by the event");
    paid_once(&ports, &stripe, &customer, &bill).await;
}
