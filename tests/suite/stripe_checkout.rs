//! Paying through Stripe, over HTTP: a customer whose bank asks them to
//! confirm the payment goes to the bank's page and back, a payment the bank
//! refuses or that is left there charges nothing, and Stripe's events are
//! taken once and only when signed.

use std::time::Duration;

use hostfront::adapters::sim::APPROVED;
use hostfront::audit::{self, AuditQuery};
use hostfront::settings::PaymentsChoice;
use hostfront_tests::App;
use hostfront_tests::shopper::{Shopper, fresh_domain, fresh_username, hosting};
use hostfront_tests::stripe_server::{AUTHENTICATES, StripeServer};
use serde_json::json;

async fn shop_on(stripe: &StripeServer) -> App {
    let settings = stripe.settings(Duration::from_secs(5));
    App::embedded_with(|config| {
        config.adapters.payments = PaymentsChoice::Stripe(settings);
    })
    .await
}

/// A new customer with an order awaiting payment.
async fn ordering(app: &App) -> (Shopper<'_>, String) {
    let ada = Shopper::sign_up(app, &format!("{}@example.com", fresh_username()), "GB").await;
    let (_, order) = ada
        .order(hosting("register", &fresh_domain(), &fresh_username()))
        .await;
    let id = order["id"].as_str().unwrap().to_string();
    (ada, id)
}

/// What the customer's browser does at the bank's page: follows `answer`
/// (`approve` or `fail`), and is sent back; returns where to.
pub(crate) async fn at_the_bank(url: &str, answer: &str) -> String {
    let browser = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let page = browser.get(url).send().await.unwrap().text().await.unwrap();
    assert!(
        page.contains(&format!("/{answer}")),
        "the bank asks: {page}"
    );
    let answered = browser.get(format!("{url}/{answer}")).send().await.unwrap();
    assert!(answered.status().is_redirection(), "{answered:?}");
    answered.headers()["location"].to_str().unwrap().to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_customer_confirms_the_payment_at_their_bank() {
    let stripe = StripeServer::start().await;
    let app = shop_on(&stripe).await;
    let (ada, id) = ordering(&app).await;
    let id = id.as_str();
    let confirm = format!("/api/orders/{id}/pay/confirm");
    let (status, early) = ada.post(&confirm, json!({}), None).await;
    assert_eq!(
        (status, early["error"]["code"].as_str()),
        (409, Some("nothing_to_confirm")),
        "{early}"
    );

    let (status, waiting) = ada.pay(id, AUTHENTICATES, "GB").await;
    assert_eq!(status, 200, "{waiting}");
    assert_eq!(waiting["status"], "awaiting_payment");
    let bank = waiting["payment_action_url"]
        .as_str()
        .expect("the bank's page");
    let (_, again) = ada.post(&confirm, json!({}), None).await;
    assert_eq!(again["payment_action_url"], bank, "still waiting: {again}");

    let back = at_the_bank(bank, "approve").await;
    assert!(
        back.ends_with(&format!("/order.html?id={id}&confirmed=1")),
        "back to the order's page: {back}"
    );
    let (status, paid) = ada.post(&confirm, json!({}), None).await;
    assert_eq!(status, 200, "{paid}");
    assert_eq!(paid["invoice"]["status"], "paid", "{paid}");
    assert_eq!(paid["payment"]["card_last4"], "3155");
    assert_eq!(paid["payment_action_url"], serde_json::Value::Null);
    let (_, twice) = ada.post(&confirm, json!({}), None).await;
    assert_eq!(
        twice["payment"], paid["payment"],
        "confirming again changes nothing"
    );
    let intents = stripe.intents_with_key(&format!("{id}-authorize-1"));
    assert_eq!(intents.len(), 1);
    assert_eq!(
        intents[0].1, "succeeded",
        "authorised at the bank, then captured"
    );
    ada.wait_for(id, "active").await;
    app.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_payment_the_bank_refuses_or_left_there_charges_nothing() {
    let stripe = StripeServer::start().await;
    let app = shop_on(&stripe).await;
    let (ada, id) = ordering(&app).await;
    let id = id.as_str();
    let confirm = format!("/api/orders/{id}/pay/confirm");

    // Refused at the bank: declined, the order still awaits payment.
    let (_, waiting) = ada.pay(id, AUTHENTICATES, "GB").await;
    at_the_bank(waiting["payment_action_url"].as_str().unwrap(), "fail").await;
    let (status, refused) = ada.post(&confirm, json!({}), None).await;
    assert_eq!(
        (status, refused["error"]["code"].as_str()),
        (402, Some("authentication_failed")),
        "{refused}"
    );
    let (_, order) = ada.get(&format!("/api/orders/{id}")).await;
    assert_eq!(order["status"], "awaiting_payment");
    assert_eq!(order["payment_problem"]["code"], "authentication_failed");

    // Left at the bank, then paid with another card: the first is released.
    let (_, waiting) = ada.pay(id, AUTHENTICATES, "GB").await;
    assert!(waiting["payment_action_url"].is_string(), "{waiting}");
    let (status, paid) = ada.pay(id, APPROVED, "GB").await;
    assert_eq!(status, 200, "{paid}");
    assert_eq!(paid["payment"]["card_last4"], "4242");
    let left = stripe.intents_with_key(&format!("{id}-authorize-2"));
    assert_eq!(left[0].1, "canceled", "nothing stays reserved: {left:?}");
    let captured = stripe.intents_with_key(&format!("{id}-authorize-3"));
    assert_eq!(captured[0].1, "succeeded");
    ada.wait_for(id, "active").await;
    app.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn stripe_events_are_taken_once_and_only_when_signed() {
    let stripe = StripeServer::start().await;
    let app = shop_on(&stripe).await;
    let now = app.ports.clock.now_secs();
    let dispute = json!({"id": "evt_dispute_1", "type": "charge.dispute.created",
        "data": {"object": {"id": "dp_1", "charge": "ch_1", "amount": 4990}}});
    let (body, signature) = StripeServer::signed_event(&dispute, now);
    let event: serde_json::Value = serde_json::from_str(&body).unwrap();
    let post = |signature: String| {
        let (app, event) = (&app, event.clone());
        async move {
            app.post_with(
                "/api/payments/events",
                &event,
                &[("stripe-signature", signature.as_str())],
            )
            .await
        }
    };
    let (status, taken) = post(signature.clone()).await;
    assert_eq!(status, 200, "{taken}");
    assert_eq!(taken, json!({"received": true, "duplicate": false}));
    let (status, again) = post(signature.clone()).await;
    assert_eq!(
        (status, &again["duplicate"]),
        (200, &json!(true)),
        "a replay is taken once"
    );
    let entries = audit::read(
        app.ports.table.as_ref(),
        AuditQuery::Subject("payment:dp_1"),
        10,
    )
    .await
    .unwrap();
    assert_eq!(entries.len(), 1, "one audit entry for the dispute");
    assert_eq!(entries[0].action, "charge.dispute.created");

    let forged = signature.replace("v1=", "v1=0");
    let (status, refused) = post(forged).await;
    assert_eq!(
        (status, refused["error"]["code"].as_str()),
        (403, Some("invalid_signature")),
        "{refused}"
    );
    let (_, stale) = StripeServer::signed_event(&dispute, now - 3600);
    assert_eq!(post(stale).await.0, 403, "an old signature is refused");
    let flood = format!("t={now},{}", vec!["v1=00"; 10_000].join(","));
    let started = std::time::Instant::now();
    let (status, _) = app
        .post_with(
            "/api/payments/events",
            &json!({"padding": "x".repeat(60_000)}),
            &[("stripe-signature", flood.as_str())],
        )
        .await;
    assert_eq!(status, 403, "ten thousand signatures are no Stripe header");
    assert!(
        started.elapsed() < Duration::from_secs(1),
        "refused before hashing: {:?}",
        started.elapsed()
    );
    let (status, unsigned) = post(String::new()).await;
    assert_eq!(
        (status, unsigned["error"]["code"].as_str()),
        (400, Some("signature_required"))
    );
    app.shutdown().await.unwrap();

    let simulated = App::embedded().await;
    let (status, _) = simulated
        .post_with(
            "/api/payments/events",
            &dispute,
            &[("stripe-signature", "t=1,v1=00")],
        )
        .await;
    assert_eq!(
        status, 403,
        "the simulated gateway takes only the events it signed itself"
    );
    simulated.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_card_kept_at_checkout_is_attached_at_stripe_and_charged_off_session() {
    let stripe = StripeServer::start().await;
    let app = shop_on(&stripe).await;
    let (ada, id) = ordering(&app).await;
    let method = stripe.browser_payment_method(APPROVED).await;
    let body = json!({"payment_method": method, "billing_country": "GB", "save_card": true});
    let (status, paid) = ada.post(&format!("/api/orders/{id}/pay"), body, None).await;
    assert_eq!(status, 200, "{paid}");
    let (status, saved) = ada.get("/api/payment-method").await;
    assert_eq!(status, 200, "{saved}");
    assert_eq!(
        (&saved["last4"], &saved["consent"]["given_at"]),
        (&json!("4242"), &json!("checkout"))
    );
    ada.wait_for(&id, "active").await;
    let (_, domains) = ada.get("/api/domains").await;
    let domain = domains[0]["name"].as_str().unwrap();
    let (status, renewal) = ada
        .post(
            &format!("/api/domains/{domain}/renew"),
            json!({"years": 1}),
            Some("renew-kept"),
        )
        .await;
    assert_eq!(status, 202, "the kept card pays off session: {renewal}");
    assert_eq!(renewal["card_last4"], "4242");

    // Unticked, the card is used up with the payment and nothing is kept.
    let (bob, id) = ordering(&app).await;
    let (status, _) = bob.pay(&id, APPROVED, "GB").await;
    assert_eq!(status, 200);
    assert_eq!(
        bob.get("/api/payment-method").await,
        (200, serde_json::Value::Null)
    );
    app.shutdown().await.unwrap();
}
