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

use super::invoice::InvoiceLine;
use super::terms::{TaxEvidence, TaxScheme, TaxTreatment};
use super::vat_rates::{is_member_state, iso_country, standard_rate_bps};
use crate::accounts::{Customer, VatStatus};
use crate::config::Config;
use crate::money::{Currency, Money};

/// What an invoice under reverse charge must state.
pub const REVERSE_CHARGE: &str = "Reverse charge: VAT to be accounted for by the recipient (Article 196, Council Directive 2006/112/EC)";

/// What an invoice to a buyer outside the EU states.
pub const OUTSIDE_SCOPE: &str = "Outside the scope of EU VAT: services supplied to a customer established outside the EU (Articles 44 and 58, Council Directive 2006/112/EC)";

/// How tax applies when the shop sells to `customer` today.
pub fn treatment(config: &Config, customer: &Customer) -> TaxTreatment {
    let evidence = Some(TaxEvidence {
        account_country: customer.country.clone(),
        billing_country: None,
        card_country: None,
        client_country: None,
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
        prices_include_tax: false,
        evidence,
    }
}

/// What the tax line of an invoice (or its credit note) is called: the
/// rate, and for EU VAT its country, or why there is none.
pub fn label(taxation: Option<&TaxTreatment>, rate_bps: u32) -> String {
    let percent = format!("{}%", rate_bps as f64 / 100.0);
    let Some(taxation) = taxation else {
        return format!("Tax ({percent})");
    };
    let included = if taxation.prices_include_tax {
        ", included"
    } else {
        ""
    };
    match taxation.scheme {
        TaxScheme::Flat => format!("Tax ({percent}{included})"),
        TaxScheme::Domestic | TaxScheme::Oss => {
            format!("VAT {percent} ({}{included})", taxation.country)
        }
        TaxScheme::ReverseCharge => "VAT 0%: reverse charge".into(),
        TaxScheme::OutsideScope => "No VAT: outside the EU".into(),
    }
}

/// The lines, subtotal and tax of a sale of `lines` under `tax`. Prices
/// without tax: the lines as they are, their sum the subtotal, and the tax
/// the rate of it (rounded half up). Prices with tax: the sum of the lines
/// is the total; its tax is `total × rate / (100 % + rate)` (rounded half
/// up), the subtotal the total less that tax, and each line shows its part
/// of the subtotal in proportion to its price, the rounding carried from
/// line to line so that the lines add up to the subtotal exactly, and
/// subtotal and tax to the total.
pub fn amounts(
    lines: Vec<InvoiceLine>,
    currency: &Currency,
    tax: &TaxTreatment,
) -> (Vec<InvoiceLine>, Money, Money) {
    let prices: Vec<Money> = lines
        .iter()
        .map(|l| Money::new(l.amount, currency))
        .collect();
    let sum = Money::sum(currency, &prices).expect("invoice lines fit in an i64");
    if !tax.prices_include_tax || sum.minor() <= 0 {
        let due = sum
            .share(tax.rate_bps)
            .expect("tax on a sum that fits fits");
        return (lines, sum, due);
    }
    let rate = i64::from(tax.rate_bps);
    let due = sum.part(rate, 10_000 + rate).expect("a part of a sum fits");
    let net = sum.checked_sub(&due).expect("less than the sum fits");
    let (mut before, mut given) = (0, 0);
    let lines = lines
        .into_iter()
        .map(|line| {
            before += line.amount;
            let up_to = net
                .part(before, sum.minor())
                .expect("a part of the net fits")
                .minor();
            let amount = up_to - given;
            given = up_to;
            InvoiceLine { amount, ..line }
        })
        .collect();
    (lines, net, due)
}

/// The scheme, rate and country for an EU `seller` whose own rate is `domestic`.
fn decide(seller: &str, domestic: u32, customer: &Customer) -> (TaxScheme, u32, String) {
    let buyer = customer.country.as_str();
    // A number counts for the business the account is: one of the country
    // the account is in. Anyone's valid number, given by an account of
    // another country, would otherwise buy a 0 % reverse charge.
    let business_in = customer
        .vat
        .as_ref()
        .filter(|vat| vat.status == VatStatus::Valid)
        .map(|vat| iso_country(vat.number.get(..2).unwrap_or_default()))
        .filter(|country| is_member_state(country) && *country == buyer);
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
            company: None,
            address: None,
            erased_at: None,
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
            // A number of a country other than the account's counts for nothing.
            (
                buyer("DE", Some(("AT12345678", VatStatus::Valid))),
                (Domestic, 1900, "DE", false),
            ),
            (
                buyer("BE", Some(("FR12345678901", VatStatus::Valid))),
                (Oss, 2100, "BE", false),
            ),
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

    fn line(amount: i64) -> InvoiceLine {
        InvoiceLine::new(format!("{amount}"), amount)
    }

    /// The amounts of `prices` at `rate_bps`, with or without tax included.
    fn charged(prices: &[i64], rate_bps: u32, included: bool) -> (Vec<i64>, i64, i64) {
        let mut tax = treatment(&config("DE"), &buyer("DE", None));
        (tax.rate_bps, tax.prices_include_tax) = (rate_bps, included);
        let usd = Currency::parse("USD").unwrap();
        let (lines, net, due) = amounts(prices.iter().copied().map(line).collect(), &usd, &tax);
        (
            lines.iter().map(|l| l.amount).collect(),
            net.minor(),
            due.minor(),
        )
    }

    #[test]
    fn prices_with_tax_are_split_into_net_and_tax_that_add_up_exactly() {
        assert_eq!(
            charged(&[1199, 499], 2000, false),
            (vec![1199, 499], 1698, 340)
        );
        assert_eq!(
            charged(&[1199, 499], 2000, true),
            (vec![999, 416], 1415, 283)
        );
        assert_eq!(
            charged(&[333, 333, 333], 1900, true),
            (vec![280, 279, 280], 839, 160)
        );
        assert_eq!(charged(&[1000], 0, true), (vec![1000], 1000, 0));
        for rate in [0, 700, 1700, 1900, 2000, 2100, 2550, 2700] {
            for prices in [
                vec![1],
                vec![499, 4990, 1],
                vec![3, 3, 3, 3, 3, 3, 3],
                vec![123_456, 7],
            ] {
                let (lines, net, tax) = charged(&prices, rate, true);
                let gross: i64 = prices.iter().sum();
                assert_eq!(lines.iter().sum::<i64>(), net, "{prices:?} at {rate}");
                assert_eq!(net + tax, gross, "{prices:?} at {rate}");
                let exact = gross as f64 * rate as f64 / (10_000.0 + rate as f64);
                assert!(
                    (tax as f64 - exact).abs() <= 0.5,
                    "{prices:?} at {rate}: {tax} {exact}"
                );
            }
        }
    }

    #[test]
    fn the_evidence_keeps_what_the_payment_showed() {
        use crate::billing::evidence::PaymentPlace;
        let mut t = treatment(&config("DE"), &buyer("FR", None));
        let mut place = PaymentPlace {
            billing_country: "FR".into(),
            card_country: Some("US".into()),
            client_country: None,
        };
        t.note_payment(&place);
        let evidence = t.evidence.clone().unwrap();
        assert_eq!(
            (
                evidence.billing_country.as_deref(),
                evidence.card_country.as_deref(),
                evidence.disagreement
            ),
            (Some("FR"), Some("US"), None)
        );
        place.billing_country = "US".into();
        t.note_payment(&place);
        let disagreement = t.evidence.unwrap().disagreement.unwrap();
        assert!(
            disagreement.contains("US") && disagreement.contains("FR"),
            "{disagreement}"
        );
    }
}
