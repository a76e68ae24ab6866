//! The `Payments` port's contract, on the simulated gateway, with its ledger
//! on SQLite and on DynamoDB (moto), and on the Stripe adapter against a
//! stand-in of Stripe's API: test cards, no double charge on retry, and
//! never more captured or refunded than there is.

use std::sync::Arc;
use std::time::Duration;

use crate::renewals::services::card;
use hostfront::adapters::sim::{
    APPROVED, DECLINED, DECLINES_WHEN_CHARGED, EXPIRED, INSUFFICIENT_FUNDS, SimulatedGateway,
};
use hostfront::adapters::stripe::StripePayments;
use hostfront::payments::{
    Authorized, Charge, PaymentError, PaymentMethodId, PaymentSource, Payments,
};
use hostfront_tests::TableFixture;
use hostfront_tests::stripe_server::{AUTHENTICATES, StripeServer};

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
        mod stripe {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn $case() {
                let server = hostfront_tests::stripe_server::StripeServer::start().await;
                super::$case(super::stripe(&server, std::time::Duration::from_secs(5))).await
            }
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
    a_card_its_bank_checks_holds_only_once_its_holder_confirms,
    a_forgotten_card_is_never_charged_again,
);

fn gateway(f: &TableFixture) -> Arc<dyn Payments> {
    Arc::new(SimulatedGateway::new(
        f.table.clone(),
        Arc::new(f.clock.clone()),
    ))
}

/// The Stripe adapter on `server`, waiting `timeout` for each answer.
fn stripe(server: &StripeServer, timeout: Duration) -> Arc<dyn Payments> {
    Arc::new(StripePayments::new(server.settings(timeout)).expect("TLS settings"))
}

fn charge(number: &str, key: &str) -> Charge {
    Charge {
        keep_for_later: false,
        amount: hostfront_tests::money(4990, "USD"),
        source: PaymentSource::Method(card(number)),
        reference: "INV-000001".into(),
        idempotency_key: key.into(),
    }
}

/// The holder answers their bank's check: on the bank's own page (Stripe's
/// cards), or at the simulated bank.
async fn answer_at_bank(g: &dyn Payments, id: &str, url: &str, confirmed: bool) {
    let answer = if confirmed { "approve" } else { "fail" };
    if url.starts_with("http") {
        let browser = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        let sent_back = browser.get(format!("{url}/{answer}")).send().await.unwrap();
        assert!(sent_back.status().is_redirection(), "{sent_back:?}");
    } else {
        let back = g.answer_bank_check(id, confirmed).await.unwrap();
        assert_eq!(back, RETURN_URL, "the holder goes back to the shop");
    }
}

const RETURN_URL: &str = "https://shop.example/order.html?id=o1&confirmed=1";

async fn a_card_its_bank_checks_holds_only_once_its_holder_confirms(g: Arc<dyn Payments>) {
    let away = g.authorize(&charge(AUTHENTICATES, "k-away")).await;
    assert_eq!(
        declined_code(away),
        "authentication_required",
        "no holder at hand"
    );

    let asked = g
        .authorize_with_holder(&charge(AUTHENTICATES, "k-3ds"), RETURN_URL)
        .await
        .unwrap();
    let Authorized::Authenticate {
        authorization_id: id,
        url,
    } = asked.clone()
    else {
        panic!("the bank asks: {asked:?}");
    };
    assert_eq!(
        g.authorize_with_holder(&charge(AUTHENTICATES, "k-3ds"), RETURN_URL)
            .await
            .unwrap(),
        asked,
        "a retry is the same check"
    );
    assert!(
        g.capture(&id, 4990, "k-3ds-early").await.is_err(),
        "nothing held yet"
    );
    assert_eq!(g.authenticated(&id).await.unwrap(), asked, "still waiting");
    assert_eq!(g.authorization_made_with("k-3ds").await.unwrap(), None);

    answer_at_bank(g.as_ref(), &id, &url, true).await;
    let Authorized::Held(held) = g.authenticated(&id).await.unwrap() else {
        panic!("held once confirmed");
    };
    assert_eq!((held.amount, held.card_last4.as_str()), (4990, "3155"));
    assert_eq!(
        g.authorization_made_with("k-3ds").await.unwrap(),
        Some(held.clone())
    );
    g.capture(&held.id, 4990, "k-3ds-capture").await.unwrap();

    let refused = g
        .authorize_with_holder(&charge(AUTHENTICATES, "k-3ds-no"), RETURN_URL)
        .await
        .unwrap();
    let Authorized::Authenticate {
        authorization_id,
        url,
    } = refused
    else {
        panic!("the bank asks: {refused:?}");
    };
    answer_at_bank(g.as_ref(), &authorization_id, &url, false).await;
    assert_eq!(
        declined_code(g.authenticated(&authorization_id).await),
        "authentication_failed"
    );
    assert!(
        g.capture(&authorization_id, 4990, "k-3ds-no-capture")
            .await
            .is_err()
    );
    let plain = g
        .authorize_with_holder(&charge(APPROVED, "k-plain"), RETURN_URL)
        .await
        .unwrap();
    assert!(
        matches!(plain, Authorized::Held(_)),
        "most banks ask nothing: {plain:?}"
    );
}

fn declined_code(result: Result<impl std::fmt::Debug, PaymentError>) -> String {
    match result {
        Err(PaymentError::Declined { code, .. }) => code,
        other => panic!("expected a decline, got {other:?}"),
    }
}

async fn test_cards_behave_as_documented(g: Arc<dyn Payments>) {
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
    let mut unknown = charge(APPROVED, "a5");
    unknown.source = PaymentSource::Method(PaymentMethodId::parse("pm_nobody").unwrap());
    assert!(
        matches!(g.authorize(&unknown).await, Err(PaymentError::Invalid(_))),
        "no such payment method"
    );
    let mut nothing = charge(APPROVED, "a7");
    nothing.amount = hostfront_tests::money(0, "USD");
    assert!(matches!(
        g.authorize(&nothing).await,
        Err(PaymentError::Invalid(_))
    ));
}

async fn a_retried_authorisation_charges_once(g: Arc<dyn Payments>) {
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

async fn captures_and_refunds_never_exceed_what_there_is(g: Arc<dyn Payments>) {
    let auth = g.authorize(&charge(APPROVED, "k1")).await.unwrap();
    assert!(
        matches!(
            g.capture(&auth.id, 5000, "c0").await,
            Err(PaymentError::Invalid(_))
        ),
        "over the authorisation"
    );
    let capture = g.capture(&auth.id, 3000, "c1").await.unwrap();
    assert!(
        matches!(
            g.capture(&auth.id, 1, "c3").await,
            Err(PaymentError::Invalid(_))
        ),
        "captured once: the rest was released"
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

async fn concurrent_retries_of_one_capture_capture_once(g: Arc<dyn Payments>) {
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

async fn a_voided_authorisation_cannot_be_captured(g: Arc<dyn Payments>) {
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

async fn a_saved_card_pays_as_the_card_would(g: Arc<dyn Payments>) {
    let saved = g.save_card(&card(APPROVED), "save-1").await.unwrap();
    assert_eq!(g.save_card(&card(APPROVED), "save-1").await.unwrap(), saved);
    assert_eq!((saved.last4.as_str(), saved.exp_year), ("4242", 2099));
    assert!(
        !saved.token.is_empty() && !saved.token.contains("4242"),
        "a token, never the number"
    );
    let mut by_token = charge(APPROVED, "tok-a1");
    by_token.source = PaymentSource::Saved(saved.token.clone());
    assert_eq!(g.authorize(&by_token).await.unwrap().card_last4, "4242");
    // A card that saves and then declines declines once saved; an unknown
    // token is invalid.
    let declining = g
        .save_card(&card(DECLINES_WHEN_CHARGED), "save-2")
        .await
        .unwrap();
    by_token.source = PaymentSource::Saved(declining.token);
    by_token.idempotency_key = "tok-a2".into();
    assert_eq!(declined_code(g.authorize(&by_token).await), "card_declined");
    by_token.source = PaymentSource::Saved("tok_nobody".into());
    by_token.idempotency_key = "tok-a3".into();
    assert!(matches!(
        g.authorize(&by_token).await,
        Err(PaymentError::Invalid(_))
    ));
    let nobody = PaymentMethodId::parse("pm_nobody").unwrap();
    let unknown = g.save_card(&nobody, "save-3").await;
    assert!(
        matches!(unknown, Err(PaymentError::Invalid(_))),
        "{unknown:?}"
    );
}

mod card_forms;
mod forgetting;
use forgetting::a_forgotten_card_is_never_charged_again;
mod over_stripe;
