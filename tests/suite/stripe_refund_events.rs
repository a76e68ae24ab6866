//! Refunds made in Stripe's dashboard reach our books through Stripe's
//! `charge.refunded` event, sent by the stand-in signed as Stripe signs
//! it, on both engines: what our records lack is credited once, with a
//! credit note; a refund staff made through us (whose event Stripe sends
//! too) is not counted again; an event for a charge that paid no invoice
//! of ours is answered 200 and changes nothing.

use std::time::Duration;

use hostfront::adapters::sim::APPROVED;
use hostfront::staff::Role;
use hostfront_tests::App;
use hostfront_tests::shopper::{Shopper, fresh_username, hosting};
use hostfront_tests::staff::Clerk;
use hostfront_tests::stripe_server::StripeServer;
use serde_json::{Value, json};

use crate::stripe_events::on_stripe;

/// The totals of the customer's credit notes, smallest first.
async fn note_totals(shopper: &Shopper<'_>) -> Vec<i64> {
    let (status, notes) = shopper.get("/api/credit-notes").await;
    assert_eq!(status, 200, "{notes}");
    let mut totals: Vec<i64> = notes
        .as_array()
        .unwrap()
        .iter()
        .map(|note| note["total"].as_i64().unwrap())
        .collect();
    totals.sort();
    totals
}

async fn refunded(shopper: &Shopper<'_>, number: &str) -> Value {
    let (status, invoice) = shopper.get(&format!("/api/invoices/{number}")).await;
    assert_eq!(status, 200, "{invoice}");
    invoice["refunded"].clone()
}

/// A new customer's order paid with a card at Stripe: the customer, the
/// order's id and its invoice.
pub(crate) async fn paid_on_stripe<'a>(
    app: &'a App,
    stripe: &StripeServer,
) -> (Shopper<'a>, String, Value) {
    let ada = Shopper::sign_up(app, &format!("{}@example.com", fresh_username()), "GB").await;
    let (_, order) = ada
        .order(hosting("subdomain", &fresh_username(), &fresh_username()))
        .await;
    let method = stripe.browser_payment_method(APPROVED).await;
    let body = json!({"payment_method": method, "billing_country": "GB"});
    let id = order["id"].as_str().unwrap().to_string();
    let (status, paid) = ada.post(&format!("/api/orders/{id}/pay"), body, None).await;
    assert_eq!(status, 200, "{paid}");
    (ada, id, paid["invoice"].clone())
}

async fn refunds_in_the_dashboard_are_credited_once(app: &App, stripe: &StripeServer) {
    let endpoint = app.url("/api/payments/events");
    stripe.send_events_to(&endpoint);
    let admin = Clerk::log_in(app, Role::Admin).await;
    let (ada, _, paid) = paid_on_stripe(app, stripe).await;
    let number = paid["number"].as_str().unwrap().to_string();
    let total = paid["total"].as_i64().unwrap();
    let charge = stripe.charge_paying(&number);

    // Staff refund through us: Stripe sends charge.refunded for it too,
    // after answering (again while we answer 5xx); it is recorded already.
    let refund = format!("/api/admin/invoices/{number}/refund");
    let (status, part) = admin
        .post(&refund, json!({"amount": 100, "why": "an outage"}))
        .await;
    assert_eq!(status, 200, "{part}");
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(note_totals(&ada).await, vec![100]);

    // Given back in the dashboard: credited, once, with a credit note.
    let (event, status) = stripe.refund_in_dashboard(&charge, 250).await;
    assert_eq!(status, 200);
    assert_eq!(event["data"]["object"]["amount_refunded"], 350);
    assert_eq!(note_totals(&ada).await, vec![100, 250]);
    assert_eq!(refunded(&ada, &number).await, 350);
    assert_eq!(stripe.send(&endpoint, &event).await, 200, "delivered again");
    let mut late = event.clone();
    late["id"] = json!("evt_late_copy");
    assert_eq!(
        stripe.send(&endpoint, &late).await,
        200,
        "another event, same total"
    );
    assert_eq!(note_totals(&ada).await, vec![100, 250]);

    // A charge that paid nothing of ours: taken, logged, nothing changes.
    let mut stranger = event.clone();
    stranger["id"] = json!("evt_stranger");
    stranger["data"]["object"]["id"] = json!("ch_not_ours");
    assert_eq!(stripe.send(&endpoint, &stranger).await, 200);
    assert_eq!(refunded(&ada, &number).await, 350);

    // A charge that does not carry its payment's reference: found through
    // the PaymentIntent the charge names.
    stripe.charges_without_payment_details();
    let (event, status) = stripe.refund_in_dashboard(&charge, 50).await;
    assert_eq!(status, 200);
    assert_eq!(event["data"]["object"]["metadata"], json!({}));
    assert_eq!(note_totals(&ada).await, vec![50, 100, 250]);
    assert_eq!(refunded(&ada, &number).await, 400);

    // Staff give back the rest: what the dashboard gave counts as given.
    let (status, rest) = admin.post(&refund, json!({"why": "closing"})).await;
    assert_eq!(status, 200, "{rest}");
    assert_eq!(rest["credit_note"]["total"], total - 400);
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(note_totals(&ada).await.len(), 4);
    assert_eq!(refunded(&ada, &number).await, total);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn dashboard_refunds_embedded() {
    let stripe = StripeServer::start().await;
    let app = App::embedded_with(on_stripe(&stripe)).await;
    refunds_in_the_dashboard_are_credited_once(&app, &stripe).await;
    app.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn dashboard_refunds_cloud() {
    let stripe = StripeServer::start().await;
    let app = App::cloud_with(on_stripe(&stripe)).await;
    refunds_in_the_dashboard_are_credited_once(&app, &stripe).await;
    app.shutdown().await.unwrap();
}
