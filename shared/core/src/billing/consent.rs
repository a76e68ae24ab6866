//! The customer's consent to have their card charged without them (card
//! networks' rules for merchant-initiated charges, and SCA's): when it was
//! given, where, and the words agreed to. A card saved before consent was
//! recorded has none, and the portal asks its owner to confirm it.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// What the customer agrees to by ticking "Use this card for renewals", at
/// checkout or in the portal; the site shows these words beside the box.
pub const CONSENT_TEXT: &str = "I allow this shop to charge this card without asking me each time for my domains' renewals and my services' invoices when they fall due, until I remove the card from my account.";

/// Where consent was given.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum GivenAt {
    /// Paying an order, for the card that paid it.
    Checkout,
    /// Saving a card, or confirming the card saved before, in the portal.
    Portal,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Consent {
    /// RFC 3339, UTC.
    pub at: String,
    pub given_at: GivenAt,
    /// The words agreed to.
    pub text: String,
}

impl Consent {
    /// Consent to `CONSENT_TEXT`, given `at` (RFC 3339) through `given_at`.
    pub fn given(at: String, given_at: GivenAt) -> Consent {
        Consent {
            at,
            given_at,
            text: CONSENT_TEXT.to_string(),
        }
    }
}
