//! A card is kept for charges without its holder only with their consent,
//! over HTTP on both engines: ticked at checkout, the card that pays the
//! order is kept (after the bank's check too, when the bank asks) and pays
//! a renewal by itself; unticked, nothing is kept.

use hostfront::adapters::sim::{APPROVED, AUTHENTICATES};
use hostfront::billing::consent::CONSENT_TEXT;
use hostfront_tests::App;
use hostfront_tests::shopper::{Shopper, fresh_domain, fresh_username, hosting};
use serde_json::{Value, json};

/// A new customer with a domain order awaiting payment, and its id and domain.
async fn ordering(app: &App) -> (Shopper<'_>, String, String) {
    let shopper = Shopper::sign_up(app, &format!("{}@example.com", fresh_username()), "GB").await;
    let domain = fresh_domain();
    let (_, order) = shopper
        .order(hosting("register", &domain, &fresh_username()))
        .await;
    let id = order["id"].as_str().unwrap().to_string();
    (shopper, id, domain)
}

/// Pays the order with a new payment method of `card`, ticking "Use this
/// card for renewals" when `keep`.
async fn pay(shopper: &Shopper<'_>, id: &str, card: &str, keep: bool) -> (u16, Value) {
    let method = shopper.payment_method(card).await;
    let body = json!({"payment_method": method, "billing_country": "GB", "save_card": keep});
    shopper
        .post(&format!("/api/orders/{id}/pay"), body, None)
        .await
}

fn consented_at_checkout(saved: &Value, last4: &str) {
    assert_eq!(saved["last4"], last4, "{saved}");
    assert_eq!(saved["consent"]["given_at"], "checkout", "{saved}");
    assert_eq!(saved["consent"]["text"], CONSENT_TEXT, "{saved}");
    assert!(saved["consent"]["at"].is_string(), "{saved}");
}

async fn a_card_is_kept_at_checkout_only_with_consent(app: &App) {
    // Unticked: the order is paid and nothing is kept.
    let (bob, id, _) = ordering(app).await;
    let (status, paid) = pay(&bob, &id, APPROVED, false).await;
    assert_eq!(status, 200, "{paid}");
    assert_eq!(
        bob.get("/api/payment-method").await,
        (200, serde_json::Value::Null),
        "nothing kept"
    );

    // Ticked: the card that paid is kept, with the consent recorded.
    let (ada, id, domain) = ordering(app).await;
    let (status, paid) = pay(&ada, &id, APPROVED, true).await;
    assert_eq!(status, 200, "{paid}");
    let (status, saved) = ada.get("/api/payment-method").await;
    assert_eq!(status, 200, "{saved}");
    consented_at_checkout(&saved, "4242");
    ada.wait_for(&id, "active").await;

    // It pays a renewal without being given again.
    let (status, renewal) = ada
        .post(
            &format!("/api/domains/{domain}/renew"),
            json!({"years": 1}),
            Some("renew-with-kept-card"),
        )
        .await;
    assert_eq!(status, 202, "{renewal}");
    assert_eq!(renewal["card_last4"], "4242");
}

on_both_engines!(a_card_is_kept_at_checkout_only_with_consent: kept_with_consent_embedded, kept_with_consent_cloud);

async fn a_card_whose_bank_checks_its_holder_is_kept_once_they_confirm(app: &App) {
    let (ada, id, _) = ordering(app).await;
    let (status, waiting) = pay(&ada, &id, AUTHENTICATES, true).await;
    assert_eq!(status, 200, "{waiting}");
    assert_eq!(
        ada.get("/api/payment-method").await,
        (200, serde_json::Value::Null),
        "not kept before the holder confirms"
    );
    let url = waiting["payment_action_url"].as_str().unwrap();
    let check = url.split("check=").nth(1).unwrap();
    let answer = format!("/api/payments/simulated-bank/{check}");
    let (status, back) = ada.post(&answer, json!({"confirmed": true}), None).await;
    assert_eq!(status, 200, "{back}");
    let confirm = format!("/api/orders/{id}/pay/confirm");
    let (status, paid) = ada.post(&confirm, json!({}), None).await;
    assert_eq!(status, 200, "{paid}");
    assert_ne!(paid["status"], "awaiting_payment", "{paid}");
    let (status, saved) = ada.get("/api/payment-method").await;
    assert_eq!(status, 200, "{saved}");
    consented_at_checkout(&saved, "3155");

    // Refused at the bank: nothing is kept.
    let (bob, id, _) = ordering(app).await;
    let (_, waiting) = pay(&bob, &id, AUTHENTICATES, true).await;
    let url = waiting["payment_action_url"].as_str().unwrap();
    let check = url.split("check=").nth(1).unwrap();
    let answer = format!("/api/payments/simulated-bank/{check}");
    bob.post(&answer, json!({"confirmed": false}), None).await;
    let confirm = format!("/api/orders/{id}/pay/confirm");
    let (status, _) = bob.post(&confirm, json!({}), None).await;
    assert_eq!(status, 402);
    assert_eq!(
        bob.get("/api/payment-method").await,
        (200, serde_json::Value::Null)
    );
}

on_both_engines!(a_card_whose_bank_checks_its_holder_is_kept_once_they_confirm: kept_after_bank_embedded, kept_after_bank_cloud);

/// The words the site shows beside "Use this card for renewals" are the
/// words recorded as agreed to.
#[test]
fn the_site_shows_the_words_recorded_as_consent() {
    for page in ["order.html", "portal.html"] {
        let path = format!("{}/../site/{page}", env!("CARGO_MANIFEST_DIR"));
        let html = std::fs::read_to_string(&path).unwrap();
        assert!(html.contains("Use this card for renewals"), "{page}");
        assert!(
            html.contains(CONSENT_TEXT),
            "{page} shows the consent's words"
        );
    }
}

/// A card saved before consent was recorded: kept, shown without consent,
/// and confirmed by its owner in the portal once.
async fn a_card_saved_before_consent_is_confirmed_by_its_owner(app: &App) {
    use hostfront::billing::payment_method;
    use hostfront::store::{Key, record_item};
    let (ada, id, _) = ordering(app).await;
    let (status, _) = pay(&ada, &id, APPROVED, true).await;
    assert_eq!(status, 200);
    assert_eq!(
        ada.post("/api/payment-method/consent", json!({}), None)
            .await
            .0,
        200
    );

    // The record as it was written before consent was recorded.
    let (_, me) = ada.get("/api/me").await;
    let customer = hostfront::CustomerId::new(me["id"].as_str().unwrap());
    let table = app.ports.table.as_ref();
    let saved = payment_method::find(table, &customer)
        .await
        .unwrap()
        .unwrap();
    let mut legacy = record_item(
        &saved,
        &Key::new(format!("CUSTOMER#{customer}"), "PAYMENT_METHOD"),
        "payment_method",
    );
    legacy.remove("consent");
    table.put(legacy, None).await.unwrap();

    let (status, shown) = ada.get("/api/payment-method").await;
    assert_eq!((status, &shown["consent"]), (200, &Value::Null), "{shown}");
    let (status, confirmed) = ada
        .post("/api/payment-method/consent", json!({}), None)
        .await;
    assert_eq!(status, 200, "{confirmed}");
    assert_eq!(confirmed["consent"]["given_at"], "portal");
    assert_eq!(confirmed["consent"]["text"], CONSENT_TEXT);
    let (_, again) = ada
        .post("/api/payment-method/consent", json!({}), None)
        .await;
    assert_eq!(
        again["consent"], confirmed["consent"],
        "the first consent stands"
    );

    let removed = hostfront_tests::http()
        .delete(app.url("/api/payment-method"))
        .header("cookie", &ada.cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(removed.status().as_u16(), 204);
    let (status, _) = ada
        .post("/api/payment-method/consent", json!({}), None)
        .await;
    assert_eq!(status, 404, "no card: nothing is made");
}

on_both_engines!(a_card_saved_before_consent_is_confirmed_by_its_owner: legacy_card_embedded, legacy_card_cloud);
