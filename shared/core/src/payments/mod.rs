//! The `Payments` port: authorise, capture and refund card payments. Every
//! call carries an idempotency key, so a retried checkout never charges twice.
//! Card numbers pass through; only the brand and the last four digits are
//! ever stored or logged.

pub mod events;

use crate::money::{Currency, Money};
use async_trait::async_trait;
use serde::{Deserialize, Serialize};

#[derive(Clone, PartialEq, Eq, Deserialize, utoipa::ToSchema)]
pub struct Card {
    /// 12 to 19 digits, spaces and hyphens allowed between them.
    #[schema(pattern = r"^[ -]*([0-9][ -]*){12,19}$")]
    pub number: String,
    #[serde(deserialize_with = "crate::input::whole_number")]
    #[schema(minimum = 1, maximum = 12)]
    pub exp_month: u32,
    #[serde(deserialize_with = "crate::input::whole_number")]
    #[schema(minimum = 1000, maximum = 9999)]
    pub exp_year: i32,
    #[schema(pattern = r"^[0-9]{3,4}$")]
    pub cvc: String,
}

impl Card {
    /// Checks the card's form, not whether it is good: that is the gateway's to say.
    pub fn check_form(&self) -> Result<(), &'static str> {
        let digits = self.number.chars().filter(char::is_ascii_digit).count();
        let only_digits_and_separators = self
            .number
            .chars()
            .all(|c| c.is_ascii_digit() || c == ' ' || c == '-');
        if !only_digits_and_separators || !(12..=19).contains(&digits) {
            return Err("a card number has 12 to 19 digits");
        }
        if !(1..=12).contains(&self.exp_month) || !(1000..=9999).contains(&self.exp_year) {
            return Err("give the expiry month (1 to 12) and the four-digit year");
        }
        if !(3..=4).contains(&self.cvc.len()) || !self.cvc.chars().all(|c| c.is_ascii_digit()) {
            return Err("the security code has 3 or 4 digits");
        }
        Ok(())
    }
}

impl std::fmt::Debug for Card {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Card(…{})", last4(&self.number))
    }
}

/// The last four digits of a card number.
pub fn last4(number: &str) -> String {
    let digits: String = number.chars().filter(char::is_ascii_digit).collect();
    digits[digits.len().saturating_sub(4)..].to_string()
}

/// What a charge is paid with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PaymentSource {
    /// A card given with the payment.
    Card(Card),
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
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Authorization {
    pub id: String,
    pub amount: i64,
    pub currency: Currency,
    pub card_last4: String,
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

    /// Keeps `card` for later charges without its owner (renewals, recurring
    /// invoices); checks that it could pay (a valid, unexpired card).
    async fn save_card(
        &self,
        card: &Card,
        idempotency_key: &str,
    ) -> Result<SavedCard, PaymentError>;

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
