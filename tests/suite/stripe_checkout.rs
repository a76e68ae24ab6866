//! Paying through Stripe, over HTTP: a customer pays an order, a bank that
//! asks to authenticate is told plainly, and Stripe's events are taken once
//! and only when signed.

use std::time::Duration;

use hostfront::adapters::sim::APPROVED;
use hostfront::audit::{self, AuditQuery};
use hostfront_tests::App;
use hostfront_tests::shopper::{Shopper, fresh_domain, fresh_username, hosting};
use hostfront_tests::stripe_server::{AUTHENTICATES, StripeServer};
use serde_json::json;

async fn shop_on(stripe: &StripeServer) -> App {
    let settings = stripe.settings(Duration::from_secs(5));
    App::embedded_with(|config| {
        config.adapters.payments = "stripe".into();
        config.adapters.stripe = Some(settings);
    })
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_customer_pays_an_order_through_stripe() {
    let stripe = StripeServer::start().await;
    let app = shop_on(&stripe).await;
    let ada = Shopper::sign_up(&app, &format!("{}@example.com", fresh_username()), "GB").await;
    let (_, order) = ada
        .order(hosting("register", &fresh_domain(), &fresh_username()))
        .await;
    let id = order["id"].as_str().unwrap();

    let (status, asked) = ada.pay(id, AUTHENTICATES, "GB").await;
    assert_eq!(
        (status, asked["error"]["code"].as_str()),
        (402, Some("authentication_required")),
        "{asked}"
    );
    assert!(
        asked["error"]["message"]
            .as_str()
            .unwrap()
            .contains("another card"),
        "{asked}"
    );
    let held = stripe.intents_with_key(&format!("{id}-authorize-1"));
    assert_eq!(held.len(), 1);
    assert_eq!(held[0].1, "canceled", "nothing stays reserved on the card");

    let (status, paid) = ada.pay(id, APPROVED, "GB").await;
    assert_eq!(status, 200, "{paid}");
    assert_eq!(paid["payment"]["card_last4"], "4242");
    assert_eq!(paid["invoice"]["status"], "paid");
    let captured = stripe.intents_with_key(&format!("{id}-authorize-2"));
    assert_eq!(captured.len(), 1);
    assert_eq!(captured[0].1, "succeeded", "authorised and captured");
    ada.wait_for(id, "active").await;
    app.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn stripe_events_are_taken_once_and_only_when_signed() {
    let stripe = StripeServer::start().await;
    let app = shop_on(&stripe).await;
    let now = app.services.clock.now_secs();
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
        app.services.table.as_ref(),
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
    assert_eq!(status, 404, "the simulated gateway sends no events");
    simulated.shutdown().await.unwrap();
}
