//! Stripe's events about saved cards, sent by the stand-in signed as Stripe
//! signs them, on both engines: `setup_intent.succeeded` saves a card whose
//! saving request was cut off, with the consent the customer gave, changes
//! nothing for a card the request saved nor in place of a card saved
//! after it, and never saves a card without
//! consent on record (staff are told); and cards saved before the card
//! updater's lookup existed are reached by it once the migration ran.

use std::time::Duration;

use hostfront::CustomerId;
use hostfront::adapters::sim::APPROVED;
use hostfront::billing::payment_method;
use hostfront::scheduler::Task;
use hostfront::settings::PaymentsChoice;
use hostfront::staff::Role;
use hostfront::store::{Key, TxOp};
use hostfront_tests::App;
use hostfront_tests::shopper::{Shopper, fresh_username};
use hostfront_tests::staff::Clerk;
use hostfront_tests::stripe_server::StripeServer;
use serde_json::{Value, json};

/// The adapter gives up on an answer after this long.
const TIMEOUT: Duration = Duration::from_secs(2);

fn on_stripe(stripe: &StripeServer) -> impl FnOnce(&mut hostfront::settings::Settings) {
    let settings = stripe.settings(TIMEOUT);
    move |config| config.adapters.payments = PaymentsChoice::Stripe(settings)
}

async fn customer_of(shopper: &Shopper<'_>) -> CustomerId {
    CustomerId::new(shopper.get("/api/me").await.1["id"].as_str().unwrap())
}

async fn signed_up(app: &App) -> Shopper<'_> {
    Shopper::sign_up(app, &format!("{}@example.com", fresh_username()), "GB").await
}

/// The customer's saved card, waiting up to `wait` for one to be there.
async fn saved_card(shopper: &Shopper<'_>, wait: Duration) -> Value {
    let until = std::time::Instant::now() + wait;
    loop {
        let (status, saved) = shopper.get("/api/payment-method").await;
        assert_eq!(status, 200, "{saved}");
        if !saved.is_null() || std::time::Instant::now() > until {
            return saved;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn audited(admin: &Clerk<'_>, customer: &CustomerId, action: &str) -> usize {
    let path = format!("/api/admin/audit?customer={customer}");
    let (status, entries) = admin.get(&path).await;
    assert_eq!(status, 200, "{entries}");
    let entries = entries["items"].as_array().unwrap();
    entries.iter().filter(|e| e["action"] == action).count()
}

async fn cards_set_up_at_stripe_are_saved_only_with_consent(app: &App, stripe: &StripeServer) {
    let endpoint = app.url("/api/payments/events");
    stripe.send_events_to(&endpoint);
    let admin = Clerk::log_in(app, Role::Admin).await;

    // Saved by the request: the event that follows changes nothing.
    let ada = signed_up(app).await;
    let method = stripe.browser_payment_method(APPROVED).await;
    let card = json!({"payment_method": method, "consent": true});
    let (status, saved) = ada.put("/api/payment-method", card, Some("card-1")).await;
    assert_eq!(status, 200, "{saved}");
    tokio::time::sleep(Duration::from_millis(700)).await;
    assert_eq!(saved_card(&ada, Duration::ZERO).await, saved);

    // The request cut off after Stripe set the card up: the event saves it,
    // with the consent the customer gave.
    let grace = signed_up(app).await;
    let method = stripe.browser_payment_method(APPROVED).await;
    stripe.slow_next_to("/v1/setup_intents", TIMEOUT * 2);
    let card = json!({"payment_method": method, "consent": true});
    let (status, cut_off) = grace.put("/api/payment-method", card, Some("card-1")).await;
    assert_eq!(status, 503, "{cut_off}");
    let kept = saved_card(&grace, Duration::from_secs(5)).await;
    assert_eq!(
        json!([
            kept["last4"],
            kept["exp_month"],
            kept["consent"]["given_at"]
        ]),
        json!(["4242", 12, "portal"]),
        "{kept}"
    );
    assert!(
        kept["consent"]["text"]
            .as_str()
            .unwrap()
            .starts_with("I allow")
    );

    // A setup whose event comes after its customer saved another card: the
    // card saved later stays.
    let nina = signed_up(app).await;
    let customer = customer_of(&nina).await;
    stripe.send_events_to("http://127.0.0.1:9/nowhere");
    let older = stripe.browser_payment_method(APPROVED).await;
    stripe.slow_next_to("/v1/setup_intents", TIMEOUT * 2);
    let card = json!({"payment_method": older, "consent": true});
    assert_eq!(
        nina.put("/api/payment-method", card, Some("older")).await.0,
        503
    );
    stripe.send_events_to(&endpoint);
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let newer = stripe.browser_payment_method("5555555555554444").await;
    let card = json!({"payment_method": newer, "consent": true});
    let (status, saved) = nina.put("/api/payment-method", card, Some("newer")).await;
    assert_eq!((status, &saved["last4"]), (200, &json!("4444")), "{saved}");
    let late = stripe.setup_succeeded(&format!("{customer}-card-older"));
    assert_eq!(stripe.send(&endpoint, &late).await, 200);
    assert_eq!(saved_card(&nina, Duration::ZERO).await, saved);

    // A card set up under a request with no consent on record: not saved,
    // and staff are told.
    let mia = signed_up(app).await;
    let customer = customer_of(&mia).await;
    let event = json!({"id": "evt_setup_unconsented", "object": "event", "type": "setup_intent.succeeded",
        "created": 1_800_000_000, "data": {"object": {"id": "seti_elsewhere", "object": "setup_intent",
        "status": "succeeded", "customer": "cus_elsewhere", "payment_method": "pm_elsewhere",
        "usage": "off_session", "metadata": {"hostfront_key": format!("{customer}-card-never")}}}});
    assert_eq!(stripe.send(&endpoint, &event).await, 200);
    assert_eq!(saved_card(&mia, Duration::ZERO).await, Value::Null);
    assert_eq!(audited(&admin, &customer, "card_not_saved").await, 1);
    // Delivered again: taken once.
    assert_eq!(stripe.send(&endpoint, &event).await, 200);
    assert_eq!(audited(&admin, &customer, "card_not_saved").await, 1);
}

async fn expiry(shopper: &Shopper<'_>) -> Value {
    let saved = saved_card(shopper, Duration::ZERO).await;
    json!([saved["last4"], saved["exp_month"], saved["exp_year"]])
}

async fn old_saved_cards_reach_the_card_updater_after_the_migration(
    app: &App,
    stripe: &StripeServer,
) {
    stripe.send_events_to(&app.url("/api/payments/events"));
    let ada = signed_up(app).await;
    let method = stripe.browser_payment_method(APPROVED).await;
    let card = json!({"payment_method": method, "consent": true});
    let (status, saved) = ada.put("/api/payment-method", card, Some("card-1")).await;
    assert_eq!(status, 200, "{saved}");
    // Stored as cards were before the lookup existed, before the migration.
    let customer = customer_of(&ada).await;
    let table = app.ports.table.as_ref();
    let token = payment_method::find(table, &customer)
        .await
        .unwrap()
        .unwrap()
        .token;
    let delete = |key: Key| TxOp::Delete {
        key,
        condition: None,
    };
    table
        .transact(vec![
            delete(Key::new(format!("PAYCARD#{token}"), "CUSTOMER")),
            delete(Key::new("MIGRATION#card_lookups", "DONE")),
        ])
        .await
        .unwrap();
    let (_, status) = stripe.card_updated(&method, 3, 2031).await;
    assert_eq!(status, 200);
    assert_eq!(expiry(&ada).await, json!(["4242", 12, 2099]), "not reached");

    let outcome = Task::MigrateRecords.run(&app.ports).await.unwrap();
    assert!(
        outcome.ends_with("; 1 saved cards reachable by the card updater"),
        "{outcome}"
    );
    let again = Task::MigrateRecords.run(&app.ports).await.unwrap();
    assert!(!again.contains("saved cards"), "{again}");

    let (_, status) = stripe.card_updated(&method, 4, 2032).await;
    assert_eq!(status, 200);
    assert_eq!(expiry(&ada).await, json!(["4242", 4, 2032]));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn setup_succeeded_embedded() {
    let stripe = StripeServer::start().await;
    let app = App::embedded_with(on_stripe(&stripe)).await;
    cards_set_up_at_stripe_are_saved_only_with_consent(&app, &stripe).await;
    app.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn setup_succeeded_cloud() {
    let stripe = StripeServer::start().await;
    let app = App::cloud_with(on_stripe(&stripe)).await;
    cards_set_up_at_stripe_are_saved_only_with_consent(&app, &stripe).await;
    app.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn card_lookup_backfill_embedded() {
    let stripe = StripeServer::start().await;
    let app = App::embedded_with(on_stripe(&stripe)).await;
    old_saved_cards_reach_the_card_updater_after_the_migration(&app, &stripe).await;
    app.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn card_lookup_backfill_cloud() {
    let stripe = StripeServer::start().await;
    let app = App::cloud_with(on_stripe(&stripe)).await;
    old_saved_cards_reach_the_card_updater_after_the_migration(&app, &stripe).await;
    app.shutdown().await.unwrap();
}
