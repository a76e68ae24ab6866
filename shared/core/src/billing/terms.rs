//! The terms an invoice is issued on: who sells, who buys, and how tax
//! applies to the sale. They are fixed when the invoice is issued and kept
//! with it, so a later change of address, VAT number or rate never changes
//! an invoice already issued.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::accounts::Customer;
use crate::config::Config;
pub use crate::party::Party;

/// Which rule set the tax on a sale.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum TaxScheme {
    /// The shop's one configured rate, whoever buys.
    Flat,
}

/// How tax applies to a sale: the rate, where it is due and under which
/// rule, and what the invoice must say about it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct TaxTreatment {
    pub scheme: TaxScheme,
    /// Basis points: 2000 is 20 %.
    pub rate_bps: u32,
    /// ISO 3166-1 alpha-2 of the country whose tax this is.
    pub country: String,
    /// What the invoice must state, e.g. the legal mention of a reverse charge.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mention: Option<String>,
}

/// Seller, buyer and tax of one sale.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Terms {
    pub seller: Party,
    pub buyer: Party,
    pub tax: TaxTreatment,
}

impl Terms {
    /// The terms on which the shop sells to `customer` today.
    pub fn of(config: &Config, customer: &Customer) -> Terms {
        Terms {
            seller: config.seller.clone(),
            buyer: buyer(customer),
            tax: TaxTreatment {
                scheme: TaxScheme::Flat,
                rate_bps: config.tax_rate_bps,
                country: customer.country.clone(),
                mention: None,
            },
        }
    }

    /// A flat `rate_bps` between two parties named only, for unit tests.
    #[cfg(test)]
    pub(crate) fn flat_for_tests(rate_bps: u32) -> Terms {
        let party = |name: &str| Party {
            name: name.into(),
            address: Vec::new(),
            country: "DE".into(),
            tax_id: None,
            registration: None,
        };
        Terms {
            seller: party("Seller"),
            buyer: party("Buyer"),
            tax: TaxTreatment {
                scheme: TaxScheme::Flat,
                rate_bps,
                country: "DE".into(),
                mention: None,
            },
        }
    }
}

/// The customer, as their account names them: the company's name when
/// they buy as one, their own otherwise, and their address when they gave it.
fn buyer(customer: &Customer) -> Party {
    Party {
        name: customer
            .company
            .clone()
            .unwrap_or_else(|| customer.name.clone()),
        address: customer
            .address
            .as_ref()
            .map(|address| address.printed())
            .unwrap_or_default(),
        country: customer.country.clone(),
        tax_id: None,
        registration: None,
    }
}
