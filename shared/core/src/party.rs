//! A party to a sale (the seller, a buyer), as an invoice names it.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A party to a sale, as the invoice names it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Party {
    /// The legal name (a company's, or a person's).
    pub name: String,
    /// The postal address, one line each, without the country.
    #[serde(default)]
    pub address: Vec<String>,
    /// ISO 3166-1 alpha-2.
    pub country: String,
    /// The VAT number or other tax ID, when the party has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tax_id: Option<String>,
    /// A company's registration (register and number), when it has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub registration: Option<String>,
}
