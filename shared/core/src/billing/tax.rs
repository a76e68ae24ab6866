//! The tax decision: which rule taxes a sale, at what rate, in which
//! country, and what the invoice must say. For a seller established in an
//! EU member state (`HOSTFRONT_SELLER_COUNTRY`), hosting and domains are
//! electronically supplied services, taxed where the buyer is:
//!
//! | buyer                                                  | scheme           | rate                     |
//! |--------------------------------------------------------|------------------|--------------------------|
//! | VAT number of another member state, valid in VIES      | `reverse_charge` | 0 %, with the mention    |
//! | in the seller's member state (or its VAT number is)    | `domestic`       | the seller's             |
//! | consumer in another member state                       | `oss`            | the buyer's member state |
//! | outside the EU                                         | `outside_scope`  | 0 %, with the mention    |
//!
//! A VAT number still pending (the register could not answer) counts as
//! none: the consumer's rate applies until it is confirmed, and the
//! invoices issued meanwhile are corrected then (`billing::vat_correction`).
//! A seller outside the EU charges its one configured rate
//! (`HOSTFRONT_TAX_RATE_BPS`, `flat`).

use super::terms::{TaxEvidence, TaxScheme, TaxTreatment};
use super::vat_rates::{is_member_state, iso_country, standard_rate_bps};
use crate::accounts::{Customer, VatStatus};
use crate::config::Config;

/// What an invoice under reverse charge must state.
pub const REVERSE_CHARGE: &str = "Reverse charge: VAT to be accounted for by the recipient (Article 196, Council Directive 2006/112/EC)";

/// What an invoice to a buyer outside the EU states.
pub const OUTSIDE_SCOPE: &str = "Outside the scope of EU VAT: services supplied to a customer established outside the EU (Articles 44 and 58, Council Directive 2006/112/EC)";

/// How tax applies when the shop sells to `customer` today.
pub fn treatment(config: &Config, customer: &Customer) -> TaxTreatment {
    let evidence = Some(TaxEvidence {
        account_country: customer.country.clone(),
        billing_country: None,
        disagreement: None,
        vat_number: customer.vat.clone(),
    });
    let seller = config.seller.country.as_str();
    let (scheme, rate_bps, country) = match standard_rate_bps(seller) {
        None => (
            TaxScheme::Flat,
            config.tax_rate_bps,
            customer.country.clone(),
        ),
        Some(domestic) => decide(seller, domestic, customer),
    };
    let mention = match scheme {
        TaxScheme::ReverseCharge => Some(REVERSE_CHARGE.to_string()),
        TaxScheme::OutsideScope => Some(OUTSIDE_SCOPE.to_string()),
        _ => None,
    };
    TaxTreatment {
        scheme,
        rate_bps,
        country,
        mention,
        evidence,
    }
}

/// The scheme, rate and country for an EU `seller` whose own rate is `domestic`.
fn decide(seller: &str, domestic: u32, customer: &Customer) -> (TaxScheme, u32, String) {
    let business_in = customer
        .vat
        .as_ref()
        .filter(|vat| vat.status == VatStatus::Valid)
        .map(|vat| iso_country(vat.number.get(..2).unwrap_or_default()))
        .filter(|country| is_member_state(country));
    let buyer = customer.country.as_str();
    match business_in {
        Some(country) if country == seller => (TaxScheme::Domestic, domestic, seller.into()),
        Some(country) => (TaxScheme::ReverseCharge, 0, country.into()),
        None if buyer == seller => (TaxScheme::Domestic, domestic, seller.into()),
        None => match standard_rate_bps(buyer) {
            Some(rate) => (TaxScheme::Oss, rate, buyer.into()),
            None => (TaxScheme::OutsideScope, 0, buyer.into()),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::accounts::{Contact, VatRegistration};

    fn config(seller: &str) -> Config {
        let lookup = |name: &str| match name {
            "HOSTFRONT_SELLER_COUNTRY" => Some(seller.to_string()),
            "HOSTFRONT_TAX_RATE_BPS" => Some("750".to_string()),
            _ => None,
        };
        let env = crate::config::Env::new(&lookup);
        Config::read(&env, "http://127.0.0.1", "outbox".into()).unwrap()
    }

    fn buyer(country: &str, vat: Option<(&str, VatStatus)>) -> Customer {
        let contact = Contact {
            name: "Ada".into(),
            email: "ada@example.com".into(),
        };
        Customer {
            id: crate::CustomerId::new("c"),
            email: "ada@example.com".into(),
            name: "Ada".into(),
            country: country.into(),
            billing_contact: contact.clone(),
            technical_contact: contact,
            created_at: "2026-12-01T00:00:00Z".into(),
            vat: vat.map(|(number, status)| VatRegistration {
                number: number.into(),
                status,
                given_at: "2026-12-01T00:00:00Z".into(),
                checked_at: None,
                consultation: None,
                name: None,
                address: None,
            }),
        }
    }

    fn decided(seller: &str, customer: &Customer) -> (TaxScheme, u32, String, bool) {
        let t = treatment(&config(seller), customer);
        (t.scheme, t.rate_bps, t.country, t.mention.is_some())
    }

    #[test]
    fn an_eu_seller_taxes_where_the_buyer_is() {
        use TaxScheme::*;
        let valid = Some(("FR12345678901", VatStatus::Valid));
        let pending = Some(("FR12345678901", VatStatus::Pending));
        for (customer, want) in [
            (buyer("DE", None), (Domestic, 1900, "DE", false)),
            (
                buyer("DE", Some(("DE123456789", VatStatus::Valid))),
                (Domestic, 1900, "DE", false),
            ),
            (buyer("FR", None), (Oss, 2000, "FR", false)),
            (buyer("FI", None), (Oss, 2550, "FI", false)),
            (buyer("GR", None), (Oss, 2400, "GR", false)),
            (buyer("FR", valid), (ReverseCharge, 0, "FR", true)),
            (
                buyer("GR", Some(("EL094259216", VatStatus::Valid))),
                (ReverseCharge, 0, "GR", true),
            ),
            (buyer("FR", pending), (Oss, 2000, "FR", false)),
            (buyer("US", None), (OutsideScope, 0, "US", true)),
            (
                buyer("GB", Some(("XI123456789", VatStatus::Valid))),
                (OutsideScope, 0, "GB", true),
            ),
        ] {
            let (scheme, rate, country, mention) = want;
            assert_eq!(
                decided("DE", &customer),
                (scheme, rate, country.to_string(), mention),
                "{} {:?}",
                customer.country,
                customer.vat
            );
        }
    }

    #[test]
    fn a_seller_outside_the_eu_charges_its_flat_rate() {
        for customer in [
            buyer("US", None),
            buyer("FR", Some(("FR12345678901", VatStatus::Valid))),
        ] {
            let (scheme, rate, country, mention) = decided("US", &customer);
            assert_eq!((scheme, rate, mention), (TaxScheme::Flat, 750, false));
            assert_eq!(country, customer.country);
        }
    }

    #[test]
    fn the_evidence_notes_a_billing_country_that_disagrees() {
        let mut t = treatment(&config("DE"), &buyer("FR", None));
        t.note_billing_country("FR");
        let evidence = t.evidence.clone().unwrap();
        assert_eq!(
            (evidence.billing_country.as_deref(), evidence.disagreement),
            (Some("FR"), None)
        );
        t.note_billing_country("US");
        let disagreement = t.evidence.unwrap().disagreement.unwrap();
        assert!(
            disagreement.contains("US") && disagreement.contains("FR"),
            "{disagreement}"
        );
    }
}
