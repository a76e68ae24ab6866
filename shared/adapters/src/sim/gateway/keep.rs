//! Paying and keeping the card for later, as Stripe's
//! `setup_future_usage=off_session` does: the payment method that pays is
//! spent on that payment, and its card becomes a saved card (a token) once
//! the payment is held, that is at once, or once its holder confirmed it at
//! the bank. Without the charge asking, nothing is kept.

use hostfront_core::payments::{Charge, PaymentSource, SavedCard};
use hostfront_core::store::{Item, ItemExt, TxOp};

use super::SimulatedGateway;
use crate::sim::cards::Profile;

impl SimulatedGateway {
    /// The card a charge keeps, if it asks to keep one: its token, and the
    /// entry that makes the token chargeable.
    pub(super) fn kept_card(&self, charge: &Charge, card: &Profile) -> Option<(SavedCard, TxOp)> {
        let keeps = charge.keep_for_later && matches!(charge.source, PaymentSource::Method(_));
        keeps.then(|| {
            let saved = SavedCard {
                token: format!("tok_{}", ulid::Ulid::new()),
                last4: card.last4.clone(),
                exp_month: card.exp_month,
                exp_year: card.exp_year,
            };
            let entry = self.entry(&saved.token, "token", card.fields());
            (saved, entry)
        })
    }

    /// The token entry an authorisation waiting for its holder keeps back
    /// until they confirm: made from what `hold` noted on it.
    pub(super) fn token_on_confirmation(&self, authorization: &Item) -> Option<TxOp> {
        let kept: SavedCard = serde_json::from_value(authorization.get("kept")?.clone()).ok()?;
        let fields = authorization.get("kept_card")?.clone();
        Some(self.entry(&kept.token, "token", fields))
    }
}

/// The card an authorisation entry kept, once it holds the amount.
pub(super) fn kept_of(authorization: &Item) -> Option<SavedCard> {
    authorization
        .get("kept")
        .filter(|_| authorization.str_attr("holder_check") != Some("pending"))
        .and_then(|kept| serde_json::from_value(kept.clone()).ok())
}
