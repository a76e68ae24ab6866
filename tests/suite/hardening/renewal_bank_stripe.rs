//! A domain renewed in the portal through Stripe (its stand-in) with a card
//! whose bank asks its holder to confirm: Stripe's bank page confirms it,
//! and the renewal is queued, renewed and captured once; refused there, it
//! is declined and nothing is captured.

use hostfront::Ports;
use hostfront::accounts::Customer;
use hostfront::clock::ManualClock;
use hostfront::domains::owned::OwnedDomain;
use hostfront::payments::PaymentEvent;
use hostfront::renewals::{self, Renewal, RenewalError, RenewalStatus, bank};
use hostfront_tests::stripe_server::{AUTHENTICATES, StripeServer};
use tempfile::TempDir;

use crate::renewals::{live_domain, paying_with};
use crate::stripe_checkout::at_the_bank;
use crate::stripe_events::on_stripe;

/// A shop on Stripe, a customer's domain, and its renewal sent to Stripe's
/// bank page, answered there with `answer` (`approve` or `fail`).
async fn answered_at_stripes_bank(
    stripe: &StripeServer,
    answer: &str,
) -> (TempDir, Ports, Customer, OwnedDomain, Renewal) {
    let clock = ManualClock::starting_now();
    let (dir, ports) = hostfront_tests::embedded_ports_with(&clock, on_stripe(stripe));
    let (customer, domain) = live_domain(&ports).await;
    let with_card = paying_with(AUTHENTICATES, 1);
    let (waiting, _) = renewals::renew(&ports, &customer, &domain.name, "k-3ds", with_card)
        .await
        .unwrap();
    assert_eq!(waiting.status, RenewalStatus::AtBank);
    let url = waiting
        .payment_action_url
        .clone()
        .expect("Stripe's bank page");
    let back = at_the_bank(&url, answer).await;
    assert!(
        back.contains(&format!("confirmed_renewal={}", domain.name)),
        "{back}"
    );
    (dir, ports, customer, domain, waiting)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_renewal_confirmed_at_stripes_bank_is_captured_once() {
    let stripe = StripeServer::start().await;
    let (_dir, ports, customer, domain, waiting) =
        answered_at_stripes_bank(&stripe, "approve").await;
    for _ in 0..2 {
        let queued = bank::confirmed_at_bank(&ports, &customer.id, &domain.name)
            .await
            .unwrap();
        assert_eq!(queued.status, RenewalStatus::Queued, "{queued:?}");
    }
    renewals::run(&ports, &domain.name, waiting.current_expiry, true)
        .await
        .unwrap();
    let done = bank::confirmed_at_bank(&ports, &customer.id, &domain.name)
        .await
        .unwrap();
    assert_eq!(done.status, RenewalStatus::Renewed, "{done:?}");
    let intents = stripe.intents_with_key(&format!("{}-authorize", waiting.id));
    assert_eq!(intents.len(), 1, "{intents:?}");
    assert_eq!(intents[0].1, "succeeded", "captured: {intents:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_renewal_refused_at_stripes_bank_is_declined() {
    let stripe = StripeServer::start().await;
    let (_dir, ports, customer, domain, waiting) = answered_at_stripes_bank(&stripe, "fail").await;
    let refused = bank::confirmed_at_bank(&ports, &customer.id, &domain.name).await;
    match refused {
        Err(RenewalError::Declined { code, .. }) => assert_eq!(code, "authentication_failed"),
        other => panic!("{other:?}"),
    }
    let ended = renewals::find(ports.table.as_ref(), &domain.name, waiting.current_expiry)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(ended.status, RenewalStatus::Declined);
    let intents = stripe.intents_with_key(&format!("{}-authorize", waiting.id));
    assert_ne!(intents[0].1, "succeeded", "nothing captured: {intents:?}");
}

/// Stripe's event of the bank's answer, taken before the holder is back,
/// queues the renewal as their return would (the events route's signature
/// check is tested elsewhere).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stripes_event_of_the_bank_queues_the_renewal() {
    let stripe = StripeServer::start().await;
    let (_dir, ports, customer, domain, waiting) =
        answered_at_stripes_bank(&stripe, "approve").await;
    let (intent, _) = stripe
        .intents_with_key(&format!("{}-authorize", waiting.id))
        .remove(0);
    let event = PaymentEvent {
        id: "evt_renewal_bank_answered".into(),
        kind: "payment_intent.amount_capturable_updated".into(),
        object: intent,
        created: 0,
        card: None,
        reference: Some(waiting.invoice_number.clone()),
        refunded: None,
        dispute: None,
        setup_key: None,
    };
    hostfront::provider_events::apply(&ports, &event)
        .await
        .unwrap();
    let queued = renewals::find(ports.table.as_ref(), &domain.name, waiting.current_expiry)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(queued.status, RenewalStatus::Queued, "settled by the event");
    let back = bank::confirmed_at_bank(&ports, &customer.id, &domain.name)
        .await
        .unwrap();
    assert_eq!(
        back.status,
        RenewalStatus::Queued,
        "the holder's return finds it queued"
    );
}
