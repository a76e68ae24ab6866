//! The `Payments` port's contract, on the simulated gateway, with its ledger
//! on SQLite and on DynamoDB (moto): test cards, no double charge on retry,
//! and never more captured or refunded than there is.

use std::sync::Arc;

use hostfront::adapters::sim::{APPROVED, DECLINED, EXPIRED, INSUFFICIENT_FUNDS, SimulatedGateway};
use hostfront::payments::{Card, Charge, PaymentError, PaymentSource, Payments};
use hostfront_tests::TableFixture;

macro_rules! conformance {
    ($($case:ident),* $(,)?) => {
        mod sqlite {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn $case() { let f = hostfront_tests::sqlite_table().await; super::$case(super::gateway(&f)).await }
            )*
        }
        mod dynamodb {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn $case() { let f = hostfront_tests::dynamodb_table().await; super::$case(super::gateway(&f)).await }
            )*
        }
    };
}

conformance!(
    test_cards_behave_as_documented,
    a_retried_authorisation_charges_once,
    captures_and_refunds_never_exceed_what_there_is,
    concurrent_retries_of_one_capture_capture_once,
    a_voided_authorisation_cannot_be_captured,
    a_saved_card_pays_as_the_card_would,
);

fn gateway(f: &TableFixture) -> SimulatedGateway {
    SimulatedGateway::new(f.table.clone(), Arc::new(f.clock.clone()))
}

fn card(number: &str) -> Card {
    Card {
        number: number.into(),
        exp_month: 12,
        exp_year: 2099,
        cvc: "123".into(),
    }
}

fn charge(number: &str, key: &str) -> Charge {
    Charge {
        amount: 4990,
        currency: "USD".into(),
        source: PaymentSource::Card(card(number)),
        reference: "INV-000001".into(),
        idempotency_key: key.into(),
    }
}

fn declined_code(result: Result<impl std::fmt::Debug, PaymentError>) -> String {
    match result {
        Err(PaymentError::Declined { code, .. }) => code,
        other => panic!("expected a decline, got {other:?}"),
    }
}

async fn test_cards_behave_as_documented(g: SimulatedGateway) {
    let approved = g.authorize(&charge(APPROVED, "a1")).await.unwrap();
    assert_eq!(
        (approved.amount, approved.card_last4.as_str()),
        (4990, "4242")
    );
    assert_eq!(
        declined_code(g.authorize(&charge(DECLINED, "a2")).await),
        "card_declined"
    );
    assert_eq!(
        declined_code(g.authorize(&charge(INSUFFICIENT_FUNDS, "a3")).await),
        "insufficient_funds"
    );
    assert_eq!(
        declined_code(g.authorize(&charge(EXPIRED, "a4")).await),
        "expired_card"
    );
    assert_eq!(
        declined_code(g.authorize(&charge("4242424242424241", "a5")).await),
        "invalid_card"
    );
    let mut old = charge(APPROVED, "a6");
    old.source = PaymentSource::Card(Card {
        exp_year: 2020,
        ..card(APPROVED)
    });
    assert_eq!(declined_code(g.authorize(&old).await), "expired_card");
    let mut nothing = charge(APPROVED, "a7");
    nothing.amount = 0;
    assert!(matches!(
        g.authorize(&nothing).await,
        Err(PaymentError::Invalid(_))
    ));
}

async fn a_retried_authorisation_charges_once(g: SimulatedGateway) {
    let first = g
        .authorize(&charge(APPROVED, "checkout-order-1"))
        .await
        .unwrap();
    assert_eq!(
        g.authorize(&charge(APPROVED, "checkout-order-1"))
            .await
            .unwrap(),
        first
    );
    let capture = g.capture(&first.id, 4990, "capture-order-1").await.unwrap();
    assert_eq!(
        g.capture(&first.id, 4990, "capture-order-1").await.unwrap(),
        capture,
        "a retry captures nothing more"
    );
    let other = g
        .authorize(&charge(APPROVED, "checkout-order-2"))
        .await
        .unwrap();
    assert_ne!(other.id, first.id, "a new key is a new payment");
}

async fn captures_and_refunds_never_exceed_what_there_is(g: SimulatedGateway) {
    let auth = g.authorize(&charge(APPROVED, "k1")).await.unwrap();
    assert!(
        matches!(
            g.capture(&auth.id, 5000, "c0").await,
            Err(PaymentError::Invalid(_))
        ),
        "over the authorisation"
    );
    let capture = g.capture(&auth.id, 3000, "c1").await.unwrap();
    g.capture(&auth.id, 1990, "c2").await.unwrap();
    assert!(
        matches!(
            g.capture(&auth.id, 1, "c3").await,
            Err(PaymentError::Invalid(_))
        ),
        "nothing left"
    );
    g.refund(&capture.id, 1000, "r1").await.unwrap();
    g.refund(&capture.id, 2000, "r2").await.unwrap();
    assert!(
        matches!(
            g.refund(&capture.id, 1, "r3").await,
            Err(PaymentError::Invalid(_))
        ),
        "all given back"
    );
    assert!(matches!(
        g.capture("auth_nope", 1, "c4").await,
        Err(PaymentError::Invalid(_))
    ));
    assert!(
        matches!(
            g.refund(&auth.id, 1, "r4").await,
            Err(PaymentError::Invalid(_))
        ),
        "refunds are of captures"
    );
}

async fn concurrent_retries_of_one_capture_capture_once(g: SimulatedGateway) {
    let g = Arc::new(g);
    let auth = g.authorize(&charge(APPROVED, "k")).await.unwrap();
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..10 {
        let (g, id) = (g.clone(), auth.id.clone());
        tasks.spawn(async move { g.capture(&id, 4990, "the-one-capture").await });
    }
    let mut ids = std::collections::HashSet::new();
    while let Some(result) = tasks.join_next().await {
        ids.insert(
            result
                .unwrap()
                .expect("every retry sees the one capture")
                .id,
        );
    }
    assert_eq!(ids.len(), 1);
    assert!(
        matches!(
            g.capture(&auth.id, 1, "another").await,
            Err(PaymentError::Invalid(_))
        ),
        "captured exactly once"
    );
}

async fn a_voided_authorisation_cannot_be_captured(g: SimulatedGateway) {
    let held = g.authorize(&charge(APPROVED, "auth-void")).await.unwrap();
    g.void(&held.id, "void-1").await.unwrap();
    g.void(&held.id, "void-1").await.unwrap();
    let taken = g.capture(&held.id, held.amount, "cap-after-void").await;
    assert!(matches!(taken, Err(PaymentError::Invalid(_))), "{taken:?}");
    assert!(matches!(
        g.void("auth_nobody", "void-2").await,
        Err(PaymentError::Invalid(_))
    ));
}

async fn a_saved_card_pays_as_the_card_would(g: SimulatedGateway) {
    let saved = g.save_card(&card(APPROVED), "save-1").await.unwrap();
    assert_eq!(g.save_card(&card(APPROVED), "save-1").await.unwrap(), saved);
    assert_eq!((saved.last4.as_str(), saved.exp_year), ("4242", 2099));
    assert!(saved.token.starts_with("tok_"));
    let mut by_token = charge(APPROVED, "tok-a1");
    by_token.source = PaymentSource::Saved(saved.token.clone());
    assert_eq!(g.authorize(&by_token).await.unwrap().card_last4, "4242");
    // A card that declines declines as well once saved; an unknown token is invalid.
    let declining = g.save_card(&card(DECLINED), "save-2").await.unwrap();
    by_token.source = PaymentSource::Saved(declining.token);
    by_token.idempotency_key = "tok-a2".into();
    assert_eq!(declined_code(g.authorize(&by_token).await), "card_declined");
    by_token.source = PaymentSource::Saved("tok_nobody".into());
    by_token.idempotency_key = "tok-a3".into();
    assert!(matches!(
        g.authorize(&by_token).await,
        Err(PaymentError::Invalid(_))
    ));
    let bad = g.save_card(&card("4242424242424241"), "save-3").await;
    assert_eq!(declined_code(bad), "invalid_card");
}
