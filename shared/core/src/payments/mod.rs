//! The `Payments` port: authorise, capture and refund card payments. Every
//! call carries an idempotency key, so a retried checkout never charges twice.
//! Card numbers never reach Hostfront: the card is taken by the payment
//! provider's own page or field, which gives a payment method's id
//! (`method`); only that id, the brand and the last four digits are ever
//! stored or logged.

pub mod events;
mod method;
pub mod sim_dashboard;
pub mod simulated;

pub use method::{ClientSetup, PaymentMethodId};

use crate::money::{Currency, Money};
use async_trait::async_trait;
use serde::{Deserialize, Serialize};

/// What a charge is paid with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PaymentSource {
    /// A payment method the provider's card page just made for this payment.
    Method(PaymentMethodId),
    /// A card the gateway keeps for the customer, by its token.
    Saved(String),
}

/// A card the gateway keeps, as Hostfront may know it: a token and what
/// identifies the card to its owner, never its number.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SavedCard {
    pub token: String,
    pub last4: String,
    pub exp_month: u32,
    pub exp_year: i32,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Charge {
    pub amount: Money,
    pub source: PaymentSource,
    /// What is paid, e.g. an invoice number.
    pub reference: String,
    pub idempotency_key: String,
    /// The card that pays is also kept for later charges without its
    /// holder (Stripe's `setup_future_usage=off_session`): only with the
    /// customer's consent, and only for a payment method, not a saved card.
    pub keep_for_later: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Authorization {
    pub id: String,
    pub amount: i64,
    pub currency: Currency,
    pub card_last4: String,
    /// ISO 3166-1 alpha-2 of the bank that issued the card, when the
    /// provider says: evidence of where the buyer is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub card_country: Option<String>,
    /// The card kept for later charges, when the charge asked for it
    /// (`keep_for_later`) and its holder's bank let it be held.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kept: Option<SavedCard>,
}

/// How a charge made with its cardholder at hand came out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Authorized {
    /// The amount is held on the card.
    Held(Authorization),
    /// The card's bank asks its holder to confirm the payment (3-D Secure):
    /// they go to `url`, come back to the return URL, and `authenticated`
    /// then says how it went.
    Authenticate {
        authorization_id: String,
        url: String,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Capture {
    pub id: String,
    pub authorization_id: String,
    pub amount: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Refund {
    pub id: String,
    pub capture_id: String,
    pub amount: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PaymentError {
    /// The card or its bank said no: `card_declined`, `insufficient_funds`,
    /// `expired_card`, `invalid_card`. Tell the customer; retrying will not help.
    #[error("{message}")]
    Declined { code: String, message: String },
    /// The request itself is wrong (amount, unknown authorisation, over-refund).
    #[error("{0}")]
    Invalid(String),
    /// Timeouts and outages: worth retrying with the same idempotency key.
    #[error("the payment provider is unavailable: {0}")]
    Unavailable(String),
}

/// What the provider tells of a payment on its own, in a signed webhook.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaymentEvent {
    /// The provider's id of the event: one event may be delivered again.
    pub id: String,
    /// The provider's name for what happened (`charge.dispute.created`).
    pub kind: String,
    /// The id of the payment object it is about.
    pub object: String,
    /// When the provider made the event (unix seconds): events may come
    /// out of order, and an older one must not undo a newer.
    #[serde(default)]
    pub created: i64,
    /// The card a `payment_method.*` event describes, as the saved card of
    /// its customer: the card updater's new expiry or number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub card: Option<SavedCard>,
    /// What the charge a `charge.*` event describes paid for (our
    /// `reference`, the invoice number, as the payment carried it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
    /// All the provider has given back of that charge so far, in minor
    /// units, whoever asked for it (us, or someone at the provider).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refunded: Option<i64>,
    /// The key of our request that a `setup_intent.*` event's card setup
    /// was made under (`save_card`'s idempotency key).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub setup_key: Option<String>,
    /// The dispute a `charge.dispute.*` event describes, as it is now.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dispute: Option<DisputeReport>,
}

/// A cardholder's dispute of a charge, as the provider reports it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DisputeReport {
    /// The charge disputed: the invoice's `capture_id`.
    pub charge: String,
    /// Minor units disputed.
    pub amount: i64,
    pub currency: String,
    /// The provider's reason (`fraudulent`, `product_not_received`, …).
    pub reason: String,
    /// The provider's status (`needs_response`, `under_review`, `won`, `lost`, …).
    pub status: String,
    /// When it was opened (unix seconds).
    pub opened: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EventError {
    /// This provider sends no events (or none are set up).
    #[error("this shop takes no payment events")]
    NotTaken,
    /// Not signed by the provider, or signed too long ago.
    #[error("the event's signature does not hold: {0}")]
    BadSignature(String),
}

#[async_trait]
pub trait Payments: Send + Sync {
    fn name(&self) -> &'static str;

    /// The event in a webhook's `body`, if `signature` proves the provider
    /// sent it recently (`now`, unix seconds).
    fn event(&self, signature: &str, body: &[u8], now: i64) -> Result<PaymentEvent, EventError> {
        let _ = (signature, body, now);
        Err(EventError::NotTaken)
    }

    /// What charge `charge` paid for (the `reference` it was made with),
    /// asked of the provider: a dispute names only the charge. None when
    /// the provider knows no such charge, or cannot tell.
    async fn reference_of_charge(&self, charge: &str) -> Result<Option<String>, PaymentError> {
        let _ = charge;
        Ok(None)
    }

    /// The card that setup `setup` (a `setup_intent.*` event's object)
    /// keeps for later charges, asked of the provider: events name the
    /// card only. None when the setup has not succeeded, or is unknown.
    async fn card_saved_by(&self, setup: &str) -> Result<Option<SavedCard>, PaymentError> {
        let _ = setup;
        Ok(None)
    }

    /// What the browser needs to make a payment method with this provider.
    fn client_setup(&self) -> Option<ClientSetup> {
        None
    }

    /// Keeps the card of `method` for later charges without its owner
    /// (renewals, recurring invoices); checks that it could pay (a valid,
    /// unexpired card).
    async fn save_card(
        &self,
        method: &PaymentMethodId,
        idempotency_key: &str,
    ) -> Result<SavedCard, PaymentError>;

    /// Forgets the saved card of `token` at the provider, so it can never
    /// be charged again (its holder asked to erase their account); a card
    /// forgotten already is fine. A provider that keeps no cards says so.
    async fn forget_card(&self, token: &str) -> Result<(), PaymentError> {
        let _ = token;
        Err(PaymentError::Invalid(format!(
            "{} cannot forget a saved card",
            self.name()
        )))
    }

    /// Reserves `charge.amount` on the card. A card whose bank asks its
    /// holder to confirm the payment is declined (`authentication_required`):
    /// the holder is not at hand.
    async fn authorize(&self, charge: &Charge) -> Result<Authorization, PaymentError>;

    /// Reserves `charge.amount` on a card whose holder is at hand: if their
    /// bank asks them to confirm the payment, they are sent to it, and come
    /// back to `return_url`. A provider that cannot send them declines such
    /// a card, as `authorize` does.
    async fn authorize_with_holder(
        &self,
        charge: &Charge,
        return_url: &str,
    ) -> Result<Authorized, PaymentError> {
        let _ = return_url;
        self.authorize(charge).await.map(Authorized::Held)
    }

    /// How the holder's check at their bank went, for an authorisation that
    /// `authorize_with_holder` sent them to make: held once they confirmed,
    /// declined (`authentication_failed`) when they did not, and the same
    /// `Authenticate` while they have not yet.
    async fn authenticated(&self, authorization_id: &str) -> Result<Authorized, PaymentError> {
        Err(PaymentError::Invalid(format!(
            "no check at the bank is under way for {authorization_id}"
        )))
    }

    /// The holder's answer to their bank's check, where the bank is the
    /// provider's own (the simulation's): returns where to send them back.
    /// Real cards' banks answer on their own pages.
    async fn answer_bank_check(
        &self,
        authorization_id: &str,
        confirmed: bool,
    ) -> Result<String, PaymentError> {
        let _ = confirmed;
        Err(PaymentError::Invalid(format!(
            "no check of this shop's bank is under way for {authorization_id}"
        )))
    }

    /// The authorisation an earlier `authorize` with `idempotency_key` made,
    /// if it made one: how a caller cut off mid-call learns what it holds.
    async fn authorization_made_with(
        &self,
        idempotency_key: &str,
    ) -> Result<Option<Authorization>, PaymentError>;

    /// Takes up to the authorised amount, once: what it does not take is
    /// released, as card providers do.
    async fn capture(
        &self,
        authorization_id: &str,
        amount: i64,
        idempotency_key: &str,
    ) -> Result<Capture, PaymentError>;

    /// Releases what is left of an authorisation, so none of it can be
    /// captured any more; a retry with the same key does nothing more.
    async fn void(&self, authorization_id: &str, idempotency_key: &str)
    -> Result<(), PaymentError>;

    /// Gives back up to what was captured, over one or more refunds.
    async fn refund(
        &self,
        capture_id: &str,
        amount: i64,
        idempotency_key: &str,
    ) -> Result<Refund, PaymentError>;
}
