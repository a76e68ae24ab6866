//! The Stripe adapter where only a provider on the network can test it:
//! answers that come late, errors of its own, a bank that asks the customer
//! to authenticate, and Stripe's rules for confirmations and lookups.

use super::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_timeout_after_the_charge_charges_once_on_the_retry() {
    let server = StripeServer::start().await;
    let g = stripe(&server, Duration::from_millis(300));
    server.slow_next(Duration::from_secs(2));
    let late = g.authorize(&charge(APPROVED, "order-7-authorize-1")).await;
    assert!(
        matches!(late, Err(PaymentError::Unavailable(_))),
        "{late:?}"
    );
    let held = g
        .authorize(&charge(APPROVED, "order-7-authorize-1"))
        .await
        .expect("the retry gets the first answer");
    assert_eq!(
        server.intents_with_key("order-7-authorize-1").len(),
        1,
        "one charge"
    );
    assert_eq!(
        g.authorization_made_with("order-7-authorize-1")
            .await
            .unwrap(),
        Some(held.clone()),
        "a caller cut off learns what it holds"
    );
    assert_eq!(g.authorization_made_with("never-used").await.unwrap(), None);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_server_error_is_worth_retrying() {
    let server = StripeServer::start().await;
    let g = stripe(&server, Duration::from_secs(5));
    server.fail_next(500);
    let failed = g.authorize(&charge(APPROVED, "k-500")).await;
    assert!(
        matches!(failed, Err(PaymentError::Unavailable(_))),
        "{failed:?}"
    );
    g.authorize(&charge(APPROVED, "k-500")).await.unwrap();
    assert_eq!(server.intents_with_key("k-500").len(), 1);
    // The same key still under way elsewhere (Stripe's 409): retry later.
    server.fail_next(409);
    let busy = g.capture("pi_any", 1, "k-409").await;
    assert!(
        matches!(busy, Err(PaymentError::Unavailable(_))),
        "{busy:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_bank_asking_to_authenticate_is_declined_and_nothing_held() {
    let server = StripeServer::start().await;
    let g = stripe(&server, Duration::from_secs(5));
    let asked = g.authorize(&charge(AUTHENTICATES, "k-3ds")).await;
    assert_eq!(declined_code(asked), "authentication_required");
    let intents = server.intents_with_key("k-3ds");
    assert_eq!(intents.len(), 1);
    assert_eq!(intents[0].1, "canceled", "nothing stays reserved");
    assert_eq!(g.authorization_made_with("k-3ds").await.unwrap(), None);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_key_reused_with_other_parameters_is_refused() {
    let server = StripeServer::start().await;
    let g = stripe(&server, Duration::from_secs(5));
    g.authorize(&charge(APPROVED, "k-same")).await.unwrap();
    let mut other = charge(APPROVED, "k-same");
    other.amount = hostfront_tests::money(100, "USD");
    assert!(matches!(
        g.authorize(&other).await,
        Err(PaymentError::Invalid(_))
    ));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn every_confirmation_says_where_its_holder_comes_back_or_that_none_can() {
    let server = StripeServer::start().await;
    let g = stripe(&server, Duration::from_secs(5));
    // Nobody to send to a bank's page: a card charged or saved by the
    // server, a saved card charged off session.
    g.authorize(&charge(APPROVED, "k-server"))
        .await
        .expect("a card charged where no redirect can be followed");
    let saved = g
        .save_card(&card(APPROVED), "k-save")
        .await
        .expect("a card saved by the server");
    let mut by_token = charge(APPROVED, "k-off-session");
    by_token.source = PaymentSource::Saved(saved.token);
    g.authorize(&by_token)
        .await
        .expect("a saved card charged off session");
    // At checkout the customer is sent to their bank and back to the shop.
    let asked = g
        .authorize_with_holder(&charge(AUTHENTICATES, "k-checkout"), RETURN_URL)
        .await;
    assert!(
        matches!(asked, Ok(Authorized::Authenticate { .. })),
        "{asked:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn what_an_authorisation_holds_is_found_right_after_it_without_search() {
    let server = StripeServer::start().await;
    let g = stripe(&server, Duration::from_secs(5));
    let saved = g.save_card(&card(APPROVED), "save-r1").await.unwrap();
    let mut renewal = charge(APPROVED, "renewal-1-authorize");
    renewal.source = PaymentSource::Saved(saved.token);
    let held = g.authorize(&renewal).await.unwrap();
    // More intents since than one page of Stripe's list holds.
    for n in 0..100 {
        g.authorize(&charge(APPROVED, &format!("later-{n}")))
            .await
            .unwrap();
    }
    assert_eq!(
        g.authorization_made_with("renewal-1-authorize")
            .await
            .unwrap(),
        Some(held),
        "read right after the write"
    );
    assert_eq!(g.authorization_made_with("never-used").await.unwrap(), None);
    assert_eq!(
        server.searches(),
        0,
        "Search lags behind writes and is not offered everywhere"
    );
}
