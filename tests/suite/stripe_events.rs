//! Stripe's events settle what the API did not see, sent by the stand-in
//! signed as Stripe signs them, on both engines: the card updater's new
//! expiry reaches the saved card, once, and an older update that arrives
//! late changes nothing.

use std::time::Duration;

use hostfront::adapters::sim::APPROVED;
use hostfront::settings::PaymentsChoice;
use hostfront_tests::App;
use hostfront_tests::shopper::{Shopper, fresh_username, hosting};
use hostfront_tests::stripe_server::StripeServer;
use serde_json::{Value, json};

async fn expiry(shopper: &Shopper<'_>) -> Value {
    let (status, saved) = shopper.get("/api/payment-method").await;
    assert_eq!(status, 200, "{saved}");
    json!([saved["last4"], saved["exp_month"], saved["exp_year"]])
}

async fn the_card_updater_reaches_the_saved_card(app: &App, stripe: &StripeServer) {
    let endpoint = app.url("/api/payments/events");
    stripe.send_events_to(&endpoint);
    let ada = Shopper::sign_up(app, &format!("{}@example.com", fresh_username()), "GB").await;
    let (status, order) = ada
        .order(hosting("subdomain", &fresh_username(), &fresh_username()))
        .await;
    assert_eq!(status, 201, "{order}");
    let method = stripe.browser_payment_method(APPROVED).await;
    let body = json!({"payment_method": method, "billing_country": "GB", "save_card": true});
    let path = format!("/api/orders/{}/pay", order["id"].as_str().unwrap());
    let (status, paid) = ada.post(&path, body, None).await;
    assert_eq!(status, 200, "{paid}");
    assert_eq!(expiry(&ada).await, json!(["4242", 12, 2099]));

    let (event, status) = stripe.card_updated(&method, 3, 2031).await;
    assert_eq!(status, 200);
    assert_eq!(expiry(&ada).await, json!(["4242", 3, 2031]));

    // Delivered again: taken once.
    assert_eq!(stripe.send(&endpoint, &event).await, 200);
    // An older update, arriving late: changes nothing.
    let mut older = event.clone();
    older["id"] = json!("evt_older");
    older["created"] = json!(event["created"].as_i64().unwrap() - 60);
    older["data"]["object"]["card"]["exp_year"] = json!(2030);
    assert_eq!(stripe.send(&endpoint, &older).await, 200);
    assert_eq!(expiry(&ada).await, json!(["4242", 3, 2031]));
}

pub(crate) fn on_stripe(stripe: &StripeServer) -> impl FnOnce(&mut hostfront::settings::Settings) {
    let settings = stripe.settings(Duration::from_secs(5));
    move |config| config.adapters.payments = PaymentsChoice::Stripe(settings)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn card_updater_embedded() {
    let stripe = StripeServer::start().await;
    let app = App::embedded_with(on_stripe(&stripe)).await;
    the_card_updater_reaches_the_saved_card(&app, &stripe).await;
    app.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn card_updater_cloud() {
    let stripe = StripeServer::start().await;
    let app = App::cloud_with(on_stripe(&stripe)).await;
    the_card_updater_reaches_the_saved_card(&app, &stripe).await;
    app.shutdown().await.unwrap();
}
