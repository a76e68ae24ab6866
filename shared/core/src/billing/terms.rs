//! The terms an invoice is issued on: who sells, who buys, and how tax
//! applies to the sale. They are fixed when the invoice is issued and kept
//! with it, so a later change of address, VAT number or rate never changes
//! an invoice already issued.

use serde::{Deserialize, Serialize};

use super::evidence::PaymentPlace;
use utoipa::ToSchema;

use crate::accounts::{Customer, VatRegistration, VatStatus};
use crate::catalog::Catalog;
use crate::config::Config;
pub use crate::party::Party;
use crate::store::TableError;
use crate::{Catalogs, Settings, Storage};

/// Which rule set the tax on a sale (see `billing::tax` for when each applies).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum TaxScheme {
    /// The shop's one configured rate, whoever buys: a seller outside the EU.
    Flat,
    /// An EU seller's own rate, to a buyer in its own member state.
    Domestic,
    /// The rate of the consumer's member state, declared through the One
    /// Stop Shop: a consumer in another member state.
    Oss,
    /// No VAT charged: a business with a valid VAT number of another member
    /// state accounts for it (Article 196).
    ReverseCharge,
    /// No EU VAT: the buyer is outside the EU.
    OutsideScope,
}

/// What shows where the customer is, kept with the invoice: the account's
/// country, the billing country given when paying, and the VAT number as
/// it stood when the invoice was issued.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct TaxEvidence {
    /// ISO 3166-1 alpha-2 of the account, when the invoice was issued.
    pub account_country: String,
    /// ISO 3166-1 alpha-2 of the card's billing address, once paid by card
    /// at checkout.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub billing_country: Option<String>,
    /// Of the bank that issued the card that paid, when the provider said.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub card_country: Option<String>,
    /// Of the client's IP address when it paid, when the CDN said.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_country: Option<String>,
    /// Why the evidence disagrees, when it does.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disagreement: Option<String>,
    /// The buyer's VAT number and the register's answer about it (valid, or
    /// still pending when the register could not answer).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vat_number: Option<VatRegistration>,
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
    /// Whether the prices sold at included this tax: then the subtotal is
    /// the price less its tax (`billing::tax::amounts`).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub prices_include_tax: bool,
    /// Where the buyer is, as shown when it was decided; none on invoices
    /// issued before evidence was kept.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub evidence: Option<TaxEvidence>,
}

impl TaxTreatment {
    /// Keeps what the payment showed of where the buyer is with the
    /// evidence, and notes it when none of it is in the account's country.
    pub fn note_payment(&mut self, place: &PaymentPlace) {
        let Some(evidence) = self.evidence.as_mut() else {
            return;
        };
        evidence.billing_country = Some(place.billing_country.clone());
        evidence.card_country = place.card_country.clone();
        evidence.client_country = place.client_country.clone();
        evidence.disagreement = place.disagreement(&evidence.account_country);
    }

    /// The VAT number the buyer gave that was still being checked when this
    /// was decided.
    pub fn pending_vat_number(&self) -> Option<&str> {
        let registration = self.evidence.as_ref()?.vat_number.as_ref()?;
        (registration.status == VatStatus::Pending).then_some(registration.number.as_str())
    }
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
            tax: super::tax::treatment(config, customer),
        }
    }

    /// The terms on which the shop sells to `customer` today, at the
    /// catalog's prices (with or without tax).
    pub async fn for_sale(
        ports: &(impl Settings + Storage + Catalogs),
        customer: &Customer,
    ) -> Result<Terms, TableError> {
        let catalog = ports.catalog().get(ports.table(), ports.clock()).await?;
        Ok(Terms::of(ports.config(), customer).at_prices_of(&catalog))
    }

    /// These terms at the prices of `catalog` (with or without tax).
    pub fn at_prices_of(mut self, catalog: &Catalog) -> Terms {
        self.tax.prices_include_tax = catalog.prices_include_tax;
        self
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
                prices_include_tax: false,
                evidence: None,
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
        tax_id: customer
            .vat
            .as_ref()
            .filter(|vat| vat.status == VatStatus::Valid)
            .map(|vat| vat.number.clone()),
        registration: None,
    }
}
