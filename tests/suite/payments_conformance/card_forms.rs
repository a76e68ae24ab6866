//! Payment methods made by the provider's card form, as the browser makes
//! them: on the simulated provider's card page, and with Stripe.js's
//! publishable key on the stand-in.

use super::*;

/// A payment method the provider's card form made pays once: a retry of
/// that payment finds it, and any other payment (another customer's, who
/// learnt its id) is refused, holding nothing.
async fn a_card_forms_method_pays_once(g: &dyn Payments, method: &str) {
    let mut first = charge(APPROVED, "once-1");
    first.source = PaymentSource::Method(PaymentMethodId::parse(method).unwrap());
    let held = g.authorize(&first).await.unwrap();
    assert_eq!(held.card_last4, "4242");
    assert_eq!(g.authorize(&first).await.unwrap(), held, "a retry");
    let mut again = first.clone();
    again.idempotency_key = "once-2".into();
    let refused = g.authorize(&again).await;
    assert!(
        matches!(refused, Err(PaymentError::Invalid(_))),
        "{refused:?}"
    );
    assert_eq!(g.authorization_made_with("once-2").await.unwrap(), None);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_simulated_card_forms_method_pays_once() {
    use hostfront::payments::simulated::{CardDetails, SimulatedProvider};
    let f = hostfront_tests::sqlite_table().await;
    let gateway = SimulatedGateway::new(f.table.clone(), Arc::new(f.clock.clone()));
    let card = CardDetails {
        number: "4242 4242 4242 4242".into(),
        exp_month: 12,
        exp_year: 2099,
        cvc: "123".into(),
    };
    let made = gateway.make_payment_method(&card).await.unwrap();
    assert!(made.id.starts_with("pm_sim_"), "{made:?}");
    assert_eq!(
        (made.card.last4.as_str(), made.card.brand.as_str()),
        ("4242", "visa")
    );
    a_card_forms_method_pays_once(&gateway, &made.id).await;
    let luhn_fails = CardDetails {
        number: "4242424242424241".into(),
        ..card.clone()
    };
    let refused = gateway.make_payment_method(&luhn_fails).await;
    assert_eq!(declined_code(refused), "invalid_card");
    let expired = CardDetails {
        exp_year: 2020,
        ..card
    };
    assert_eq!(
        declined_code(gateway.make_payment_method(&expired).await),
        "expired_card"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_stripe_js_method_pays_once() {
    let server = StripeServer::start().await;
    let method = server.browser_payment_method(APPROVED).await;
    a_card_forms_method_pays_once(stripe(&server, Duration::from_secs(5)).as_ref(), &method).await;
}
