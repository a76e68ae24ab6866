//! Card testing through every path that charges or saves a card: paying an
//! order, renewing a domain, upgrading a service, paying an invoice by hand,
//! saving a card. One budget of declines per customer per day across all of
//! them, a cap per thing paid, and no reason named after the day's second
//! decline, whichever path; over HTTP, on both engines.

use std::sync::Arc;

use hostfront::Ports;
use hostfront::adapters::sim::{APPROVED, DECLINED, EXPIRED, INSUFFICIENT_FUNDS};
use hostfront::billing::{InvoiceFor, invoice, payment_method};
use hostfront::clock::ManualClock;
use hostfront::settings::Settings;
use hostfront::subscriptions::billing;
use hostfront_tests::App;
use hostfront_tests::shopper::{Shopper, fresh_username, hosting};
use serde_json::{Value, json};

use super::watched_gateway::{Seen, watched};
use crate::renewals::services::{card as saved_card, travel_to};
use crate::renewals::{first_service, live_domain};

/// Three declines for one thing, five for a customer's day.
fn caps(config: &mut Settings) {
    config.policy.declines_per_order = 3;
    config.policy.declines_per_day = 5;
}

/// Runs a case on each engine, with a clock it moves and the gateway watched.
macro_rules! on_both_engines_watched {
    ($case:ident: $embedded:ident, $cloud:ident) => {
        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn $embedded() {
            let clock = ManualClock::starting_now();
            let (_dir, ports) = hostfront_tests::embedded_ports_with(&clock, caps);
            let (ports, seen) = watched(ports);
            $case(&clock, ports, seen).await;
        }

        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn $cloud() {
            let clock = ManualClock::starting_now();
            let (_dir, ports) = hostfront_tests::cloud_ports_with(&clock, caps).await;
            let (ports, seen) = watched(ports);
            $case(&clock, ports, seen).await;
        }
    };
}

/// The test payment method of the test card `number`.
pub(crate) fn card(number: &str) -> Value {
    json!(hostfront_tests::shopper::test_method(number))
}

/// A customer made through the library, logged in over HTTP.
pub(crate) async fn log_in<'a>(app: &'a App, email: &str) -> Shopper<'a> {
    let response = hostfront_tests::http()
        .post(app.url("/api/login"))
        .json(&json!({"email": email, "password": "correct horse battery"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
    let cookie = response.headers()["set-cookie"].to_str().unwrap();
    let cookie = cookie.split(';').next().unwrap().to_string();
    Shopper { app, cookie }
}

/// One way of paying for one thing.
enum Path<'a> {
    Checkout(&'a str),
    Renewal(&'a str),
    Upgrade(&'a str),
    Invoice(&'a str),
    CardSave,
}

impl Path<'_> {
    /// Tries `card` for the thing, each time as a new request.
    async fn attempt(&self, shopper: &Shopper<'_>, card: Value) -> (u16, Value) {
        let key = ulid::Ulid::new().to_string();
        let key = Some(key.as_str());
        match self {
            Path::Checkout(id) => {
                let body = json!({"payment_method": card, "billing_country": "GB"});
                shopper
                    .post(&format!("/api/orders/{id}/pay"), body, None)
                    .await
            }
            Path::Renewal(domain) => {
                let body = json!({"years": 1, "payment_method": card});
                let path = format!("/api/domains/{domain}/renew");
                shopper.post(&path, body, key).await
            }
            Path::Upgrade(id) => {
                let body = json!({"plan_id": "web-business", "payment_method": card});
                let path = format!("/api/services/{id}/upgrade");
                shopper.post(&path, body, key).await
            }
            Path::Invoice(number) => {
                let path = format!("/api/invoices/{number}/pay");
                shopper
                    .post(&path, json!({"payment_method": card}), None)
                    .await
            }
            Path::CardSave => {
                let body = json!({"payment_method": card, "consent": true});
                shopper.put("/api/payment-method", body, key).await
            }
        }
    }
}

fn told((status, body): (u16, Value)) -> (u16, String) {
    let code = body["error"]["code"].as_str().unwrap_or("none").to_string();
    (status, code)
}

/// The budget on `path`, tried with `declining` (three cards the gateway
/// declines there, the first named `first_code`): a decline elsewhere
/// counts towards the day, the day's third decline names no reason, the
/// thing's fourth card and the day's sixth never reach the gateway, and
/// refused tries change nothing.
async fn the_budget_holds(
    shopper: &Shopper<'_>,
    seen: &Seen,
    path: Path<'_>,
    declining: [Value; 3],
    first_code: &str,
) {
    let (_, other) = shopper
        .order(hosting("subdomain", &fresh_username(), &fresh_username()))
        .await;
    let other = Path::Checkout(other["id"].as_str().unwrap());
    let first = other.attempt(shopper, card(DECLINED)).await;
    assert_eq!(
        told(first),
        (402, "card_declined".into()),
        "the day's first"
    );

    let mut codes = Vec::new();
    for declined in declining {
        let (status, error) = path.attempt(shopper, declined).await;
        assert_eq!(status, 402, "{error}");
        codes.push(error["error"]["code"].as_str().unwrap().to_string());
    }
    assert_eq!(
        codes,
        [first_code, "payment_declined", "payment_declined"],
        "the day's second decline names its reason; later ones do not"
    );

    let invoices = shopper.get("/api/invoices").await.1;
    let cards = seen.cards();
    let refused = path.attempt(shopper, card(APPROVED)).await;
    assert_eq!(
        told(refused),
        (409, "too_many_declines".into()),
        "three declines for this thing"
    );
    assert_eq!(seen.cards(), cards, "the card never reached the gateway");

    let fifth = other.attempt(shopper, card(INSUFFICIENT_FUNDS)).await;
    assert_eq!(told(fifth), (402, "payment_declined".into()));
    let cards = seen.cards();
    for refused in [
        path.attempt(shopper, card(APPROVED)).await,
        other.attempt(shopper, card(APPROVED)).await,
    ] {
        assert_eq!(
            told(refused),
            (429, "too_many_declines".into()),
            "five declines today: no more cards on any path"
        );
    }
    assert_eq!(seen.cards(), cards, "no card reached the gateway");
    let after = shopper.get("/api/invoices").await.1;
    assert_eq!(after, invoices, "refused tries invoice nothing");
}

async fn serve(ports: &Ports) -> App {
    App::serve(ports.clone()).await
}

async fn checkout(_: &ManualClock, ports: Ports, seen: Arc<Seen>) {
    let (customer, _) = live_domain(&ports).await;
    let app = serve(&ports).await;
    let shopper = log_in(&app, &customer.email).await;
    let (_, order) = shopper
        .order(hosting("subdomain", &fresh_username(), &fresh_username()))
        .await;
    let id = order["id"].as_str().unwrap();
    let declining = [card(DECLINED), card(INSUFFICIENT_FUNDS), card(EXPIRED)];
    the_budget_holds(
        &shopper,
        &seen,
        Path::Checkout(id),
        declining,
        "card_declined",
    )
    .await;
    let (_, order) = shopper.get(&format!("/api/orders/{id}")).await;
    assert_eq!(order["status"], "awaiting_payment");
    app.shutdown().await.unwrap();
}

on_both_engines_watched!(checkout: checkout_embedded, checkout_cloud);

async fn renewal(_: &ManualClock, ports: Ports, seen: Arc<Seen>) {
    let (customer, domain) = live_domain(&ports).await;
    let app = serve(&ports).await;
    let shopper = log_in(&app, &customer.email).await;
    let declining = [card(INSUFFICIENT_FUNDS), card(DECLINED), card(EXPIRED)];
    let path = Path::Renewal(&domain.name);
    the_budget_holds(&shopper, &seen, path, declining, "insufficient_funds").await;
    let (_, shown) = shopper.get(&format!("/api/domains/{}", domain.name)).await;
    assert_eq!(shown["expires_at"], json!(domain.expires_at), "not renewed");
    app.shutdown().await.unwrap();
}

on_both_engines_watched!(renewal: renewal_embedded, renewal_cloud);

async fn upgrade(_: &ManualClock, ports: Ports, seen: Arc<Seen>) {
    let (customer, _) = live_domain(&ports).await;
    let service = first_service(&ports, &customer.id).await;
    let app = serve(&ports).await;
    let shopper = log_in(&app, &customer.email).await;
    let declining = [card(EXPIRED), card(DECLINED), card(INSUFFICIENT_FUNDS)];
    let path = Path::Upgrade(&service.id);
    the_budget_holds(&shopper, &seen, path, declining, "expired_card").await;
    let (_, shown) = shopper.get("/api/services").await;
    assert_eq!(shown[0]["plan_id"], "web-starter");
    app.shutdown().await.unwrap();
}

on_both_engines_watched!(upgrade: upgrade_embedded, upgrade_cloud);

/// An invoice left unpaid when the saved card was declined through the
/// dunning days, paid by hand. The billing run's declines count against
/// nothing: they were not the customer's.
async fn invoice_paid_by_hand(clock: &ManualClock, ports: Ports, seen: Arc<Seen>) {
    let (customer, _) = live_domain(&ports).await;
    payment_method::save(&ports, &customer.id, &saved_card(DECLINED), "bad")
        .await
        .unwrap();
    let due = first_service(&ports, &customer.id).await.next_due;
    for days in [13, 0, -3, -7] {
        travel_to(clock, &due, days);
        billing::run(&ports).await.unwrap();
    }
    let bills = invoice::of_customer(ports.table.as_ref(), &customer.id, 10)
        .await
        .unwrap();
    let unpaid = bills
        .iter()
        .find(|i| matches!(&i.about, InvoiceFor::Period { from, .. } if *from == due))
        .unwrap();
    let app = serve(&ports).await;
    let shopper = log_in(&app, &customer.email).await;
    let declining = [card(DECLINED), card(EXPIRED), card(INSUFFICIENT_FUNDS)];
    let path = Path::Invoice(&unpaid.number);
    the_budget_holds(&shopper, &seen, path, declining, "card_declined").await;
    let (_, shown) = shopper
        .get(&format!("/api/invoices/{}", unpaid.number))
        .await;
    assert_eq!(shown["status"], "open");
    app.shutdown().await.unwrap();
}

on_both_engines_watched!(invoice_paid_by_hand: invoice_embedded, invoice_cloud);

/// The simulated gateway declines to keep a card its bank says has expired.
async fn card_save(_: &ManualClock, ports: Ports, seen: Arc<Seen>) {
    let (customer, _) = live_domain(&ports).await;
    let app = serve(&ports).await;
    let shopper = log_in(&app, &customer.email).await;
    let declining = [card(EXPIRED), card(EXPIRED), card(EXPIRED)];
    the_budget_holds(&shopper, &seen, Path::CardSave, declining, "expired_card").await;
    assert_eq!(
        shopper.get("/api/payment-method").await,
        (200, serde_json::Value::Null),
        "none saved"
    );
    app.shutdown().await.unwrap();
}

on_both_engines_watched!(card_save: card_save_embedded, card_save_cloud);
