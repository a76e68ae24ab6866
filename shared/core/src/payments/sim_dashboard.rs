//! The simulated payment provider's dashboard, for the local demo: what a
//! provider's own dashboard shows and does (its payments, refunds made
//! there, disputes its cardholders open, the card updater's new expiry),
//! each changing the simulation's own state and queueing the events Stripe
//! would send, which it delivers to the shop's events route, signed as
//! Stripe signs, again and again until it is answered.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A payment the simulated provider holds: a capture, as its dashboard lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct SimulatedPayment {
    /// The charge (`cap_…`): the invoice's `capture_id`.
    pub id: String,
    /// What it paid for, as the payment carried it: the invoice number.
    pub reference: String,
    /// Minor units captured.
    pub amount: i64,
    pub currency: String,
    /// Minor units given back so far, by the shop or at the provider.
    pub refunded: i64,
    pub card_last4: String,
    /// When it was captured (unix seconds).
    pub created: i64,
    /// Its dispute, once a cardholder opened one (one per charge, as at Stripe).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dispute: Option<SimulatedDispute>,
}

/// A cardholder's dispute of a simulated payment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct SimulatedDispute {
    /// `dp_…`
    pub id: String,
    /// Stripe's reason: `fraudulent`, `product_not_received`, …
    pub reason: String,
    /// `needs_response` while open; `won` or `lost` once closed.
    pub status: String,
    /// When it was opened (unix seconds).
    pub opened: i64,
}

/// A card the simulated provider keeps for later charges.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct SimulatedCard {
    /// The saved card's token (`tok_…`), as the shop keeps it.
    pub token: String,
    pub brand: String,
    pub last4: String,
    pub exp_month: u32,
    pub exp_year: i32,
}

/// An event the simulated provider sends, and how its delivery goes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct SimulatedEvent {
    /// `evt_…`
    pub id: String,
    /// Stripe's type: `charge.refunded`, `charge.dispute.created`, …
    #[serde(rename = "type")]
    pub kind: String,
    /// The id of the object it is about.
    pub object: String,
    /// When it was made (unix seconds).
    pub created: i64,
    /// `pending` (sent again at `next_attempt`), `delivered` (answered
    /// 2xx), or `failed` (not answered for three days: given up).
    pub state: String,
    /// Deliveries tried so far.
    pub attempts: u32,
    /// When it is sent next (unix seconds), while pending.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_attempt: Option<i64>,
    /// How the last delivery that failed went.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_error: Option<String>,
}

/// Everything the simulated provider's dashboard shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ProviderDashboard {
    /// Newest first.
    pub payments: Vec<SimulatedPayment>,
    pub cards: Vec<SimulatedCard>,
    /// The events of the last 30 days, newest first.
    pub events: Vec<SimulatedEvent>,
}

/// What one round of deliveries did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Deliveries {
    /// Answered 2xx.
    pub delivered: usize,
    /// Not answered 2xx: sent again later, with a longer wait each time.
    pub failed: usize,
}

/// Why an action on the simulated dashboard was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DashboardError {
    #[error("{0}")]
    NotFound(String),
    /// The action does not fit what it acts on (an amount, an expiry).
    #[error("{0}")]
    Invalid(String),
    /// The payment is not in a state that allows it (a dispute open already).
    #[error("{0}")]
    Conflict(String),
    #[error("the simulated provider's storage is not answering: {0}")]
    Unavailable(String),
}
