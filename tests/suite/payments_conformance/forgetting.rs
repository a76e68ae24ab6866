//! A saved card forgotten at its holder's request (the erasure of their
//! account) is never charged again; forgetting it twice is fine.

use std::sync::Arc;

use super::{card, charge};
use hostfront::adapters::sim::APPROVED;
use hostfront::payments::{PaymentError, PaymentSource, Payments};

pub(super) async fn a_forgotten_card_is_never_charged_again(g: Arc<dyn Payments>) {
    let saved = g.save_card(&card(APPROVED), "save-forget").await.unwrap();
    let mut by_token = charge(APPROVED, "forget-a1");
    by_token.source = PaymentSource::Saved(saved.token.clone());
    assert_eq!(g.authorize(&by_token).await.unwrap().card_last4, "4242");

    g.forget_card(&saved.token).await.unwrap();
    g.forget_card(&saved.token).await.unwrap();
    by_token.idempotency_key = "forget-a2".into();
    let refused = g.authorize(&by_token).await;
    assert!(
        matches!(refused, Err(PaymentError::Invalid(_))),
        "{refused:?}"
    );
}
