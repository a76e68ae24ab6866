//! A payment's outcome reaches our records through Stripe's
//! `payment_intent.*` events, sent by the stand-in signed as Stripe signs
//! them, on both engines: an order whose customer confirmed the payment at
//! their bank and never came back is paid (captured once); one the bank
//! refused records the decline; an outcome our records have already
//! changes nothing; a success for an invoice we cannot settle is written
//! to the audit log for staff.

use std::time::Duration;

use hostfront::staff::Role;
use hostfront_tests::App;
use hostfront_tests::shopper::{Shopper, fresh_username, hosting};
use hostfront_tests::staff::Clerk;
use hostfront_tests::stripe_server::{AUTHENTICATES, StripeServer};
use serde_json::{Value, json};

use crate::stripe_checkout::at_the_bank;
use crate::stripe_events::on_stripe;

/// A new customer's order, paid with a card whose bank asks its holder,
/// who answers `answer` there and does not come back; the order after it.
async fn left_at_the_bank<'a>(app: &'a App, answer: &str, settled: &str) -> (Shopper<'a>, Value) {
    let ada = Shopper::sign_up(app, &format!("{}@example.com", fresh_username()), "GB").await;
    let (_, order) = ada
        .order(hosting("subdomain", &fresh_username(), &fresh_username()))
        .await;
    let id = order["id"].as_str().unwrap().to_string();
    let (status, waiting) = ada.pay(&id, AUTHENTICATES, "GB").await;
    assert_eq!(status, 200, "{waiting}");
    at_the_bank(waiting["payment_action_url"].as_str().unwrap(), answer).await;
    for _ in 0..50 {
        let (_, order) = ada.get(&format!("/api/orders/{id}")).await;
        if order.pointer(settled).is_some_and(|v| !v.is_null()) {
            return (ada, order);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the event never settled order {id}");
}

async fn unreconciled(admin: &Clerk<'_>, customer: &str) -> usize {
    let (status, entries) = admin
        .get(&format!("/api/admin/audit?customer={customer}"))
        .await;
    assert_eq!(status, 200, "{entries}");
    let entries = entries["items"].as_array().unwrap();
    entries
        .iter()
        .filter(|e| e["action"] == "payment_unreconciled")
        .count()
}

async fn payments_left_at_the_bank_are_settled(app: &App, stripe: &StripeServer) {
    let endpoint = app.url("/api/payments/events");
    stripe.send_events_to(&endpoint);
    let admin = Clerk::log_in(app, Role::Admin).await;

    // Confirmed at the bank: paid, captured once; Stripe's
    // payment_intent.succeeded for our capture changes nothing.
    let (ada, paid) = left_at_the_bank(app, "approve", "/payment/card_last4").await;
    let id = paid["id"].as_str().unwrap();
    assert_eq!(paid["invoice"]["status"], "paid", "{paid}");
    let captured = stripe.intents_with_key(&format!("{id}-authorize-1"));
    assert_eq!(captured.len(), 1);
    assert_eq!(captured[0].1, "succeeded");
    let (status, back) = ada
        .post(&format!("/api/orders/{id}/pay/confirm"), json!({}), None)
        .await;
    assert_eq!(
        (status, &back["payment"]),
        (200, &paid["payment"]),
        "coming back later changes nothing"
    );
    tokio::time::sleep(Duration::from_millis(500)).await;
    let customer = paid["invoice"]["customer_id"].as_str().unwrap();
    assert_eq!(unreconciled(&admin, customer).await, 0);

    // Refused at the bank: the decline is recorded.
    let (_, refused) = left_at_the_bank(app, "fail", "/payment_problem/code").await;
    assert_eq!(refused["status"], "awaiting_payment");
    assert_eq!(refused["payment_problem"]["code"], "authentication_failed");
    assert_eq!(refused["invoice"]["status"], "open");

    // Stripe says an open invoice we cannot settle was paid: staff are told.
    let grace = Shopper::sign_up(app, &format!("{}@example.com", fresh_username()), "GB").await;
    let (_, order) = grace
        .order(hosting("subdomain", &fresh_username(), &fresh_username()))
        .await;
    let number = order["invoice"]["number"].as_str().unwrap();
    let customer = order["invoice"]["customer_id"].as_str().unwrap();
    let event = json!({"id": "evt_unknown_success", "object": "event", "type": "payment_intent.succeeded",
        "created": 1_800_000_000, "data": {"object": {"id": "pi_elsewhere", "object": "payment_intent",
        "status": "succeeded", "amount": 100, "currency": "usd", "metadata": {"reference": number}}}});
    assert_eq!(stripe.send(&endpoint, &event).await, 200);
    assert_eq!(unreconciled(&admin, customer).await, 1);
    let (_, still) = grace
        .get(&format!("/api/orders/{}", order["id"].as_str().unwrap()))
        .await;
    assert_eq!(
        still["invoice"]["status"], "open",
        "nothing is settled on Stripe's word alone"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn payment_outcomes_embedded() {
    let stripe = StripeServer::start().await;
    let app = App::embedded_with(on_stripe(&stripe)).await;
    payments_left_at_the_bank_are_settled(&app, &stripe).await;
    app.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn payment_outcomes_cloud() {
    let stripe = StripeServer::start().await;
    let app = App::cloud_with(on_stripe(&stripe)).await;
    payments_left_at_the_bank_are_settled(&app, &stripe).await;
    app.shutdown().await.unwrap();
}
