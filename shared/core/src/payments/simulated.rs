//! The simulated payment provider's own card form: what its card page posts
//! to it, never to Hostfront's API. A real provider takes the card on its
//! own servers; the simulation takes it on ours, under a path of its own
//! that exists only where the simulated gateway is in use.

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use super::sim_dashboard::{
    DashboardError, Deliveries, ProviderDashboard, SimulatedCard, SimulatedPayment,
};
use super::{PaymentError, PaymentMethodId};

/// A card as the simulated provider's card page sends it.
#[derive(Clone, PartialEq, Eq, Deserialize)]
pub struct CardDetails {
    pub number: String,
    #[serde(deserialize_with = "crate::input::whole_number")]
    pub exp_month: u32,
    #[serde(deserialize_with = "crate::input::whole_number")]
    pub exp_year: i32,
    pub cvc: String,
}

impl CardDetails {
    /// Checks the card's form, not whether it is good: that is the bank's to say.
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

impl std::fmt::Debug for CardDetails {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "CardDetails(…{})", last4(&self.number))
    }
}

/// The last four digits of a card number.
pub fn last4(number: &str) -> String {
    let digits: String = number.chars().filter(char::is_ascii_digit).collect();
    digits[digits.len().saturating_sub(4)..].to_string()
}

/// What identifies a card to its holder: never its number.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CardShown {
    pub brand: String,
    pub last4: String,
    pub exp_month: u32,
    pub exp_year: i32,
}

/// A payment method the simulated provider made from a card.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MadeMethod {
    pub id: String,
    pub card: CardShown,
}

impl MadeMethod {
    pub fn id(&self) -> PaymentMethodId {
        PaymentMethodId::parse(&self.id).expect("the simulation makes well-formed ids")
    }
}

/// The simulated provider's side of its card page, its dashboard
/// (`sim_dashboard`) and the delivery of its events.
#[async_trait]
pub trait SimulatedProvider: Send + Sync {
    /// Keeps `card` as a payment method, once its number, expiry and code
    /// are good; a bad one is `Declined` (`invalid_card`, `expired_card`).
    async fn make_payment_method(&self, card: &CardDetails) -> Result<MadeMethod, PaymentError>;

    /// Its payments, saved cards and events.
    async fn dashboard(&self) -> Result<ProviderDashboard, DashboardError>;

    /// Gives back `amount` of charge `charge` at the provider, as its
    /// dashboard does, and queues `charge.refunded`.
    async fn refund_at_provider(
        &self,
        charge: &str,
        amount: i64,
    ) -> Result<SimulatedPayment, DashboardError>;

    /// A cardholder disputes charge `charge` for `reason`: queues
    /// `charge.dispute.created`.
    async fn open_dispute(
        &self,
        charge: &str,
        reason: &str,
    ) -> Result<SimulatedPayment, DashboardError>;

    /// Closes the open dispute of `charge`, won or lost: queues
    /// `charge.dispute.closed`.
    async fn close_dispute(
        &self,
        charge: &str,
        won: bool,
    ) -> Result<SimulatedPayment, DashboardError>;

    /// The card updater: the saved card `token` gets a new expiry, and
    /// `payment_method.automatically_updated` is queued.
    async fn update_card_expiry(
        &self,
        token: &str,
        exp_month: u32,
        exp_year: i32,
    ) -> Result<SimulatedCard, DashboardError>;

    /// Reads (or makes, once per installation) the secret its events are
    /// signed with, so that `Payments::event` can check them.
    async fn load_event_secret(&self) -> Result<(), PaymentError>;

    /// Sends the events due to `endpoint`, signed; one not answered 2xx is
    /// sent again later.
    async fn deliver_due(&self, endpoint: &str) -> Result<Deliveries, PaymentError>;
}
