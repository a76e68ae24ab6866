//! Where the buyer is, as a payment shows it. EU VAT on electronically
//! supplied services is due where the customer is; the seller may presume
//! it from two pieces of evidence that do not contradict each other
//! (Council Implementing Regulation 282/2011, articles 24b and 24f: the
//! billing address, the IP address's country, the country of the bank or
//! card, …). The account's country is one piece; a payment must show at
//! least one more in that country, or the order is held for staff to look.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// What a payment showed of where the buyer is.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct PaymentPlace {
    /// ISO 3166-1 alpha-2 of the card's billing address, as given.
    pub billing_country: String,
    /// Of the bank that issued the card, as the payment provider says.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub card_country: Option<String>,
    /// Of the client's IP address, as the CDN in front of the API says
    /// (`HOSTFRONT_CLIENT_COUNTRY_HEADER`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_country: Option<String>,
}

impl PaymentPlace {
    /// The pieces it holds, each with what it is.
    fn pieces(&self) -> Vec<(&'static str, &str)> {
        let mut pieces = vec![("the billing country", self.billing_country.as_str())];
        if let Some(card) = &self.card_country {
            pieces.push(("the card's country", card));
        }
        if let Some(client) = &self.client_country {
            pieces.push(("the client's country", client));
        }
        pieces
    }

    /// Why the payment does not show the buyer in `account_country`: none
    /// of its pieces is there. None when one is.
    pub fn disagreement(&self, account_country: &str) -> Option<String> {
        let pieces = self.pieces();
        if pieces
            .iter()
            .any(|(_, country)| country.eq_ignore_ascii_case(account_country))
        {
            return None;
        }
        let named: Vec<String> = pieces
            .iter()
            .map(|(what, country)| format!("{what} {country}"))
            .collect();
        let verb = if named.len() == 1 { "is" } else { "are" };
        Some(format!(
            "{} {verb} not the account's country {account_country}",
            named.join(" and ")
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn place(billing: &str, card: Option<&str>, client: Option<&str>) -> PaymentPlace {
        PaymentPlace {
            billing_country: billing.into(),
            card_country: card.map(Into::into),
            client_country: client.map(Into::into),
        }
    }

    #[test]
    fn one_piece_in_the_accounts_country_is_enough() {
        assert_eq!(place("GB", Some("US"), None).disagreement("GB"), None);
        assert_eq!(place("US", Some("GB"), None).disagreement("GB"), None);
        assert_eq!(place("US", None, Some("gb")).disagreement("GB"), None);
    }

    #[test]
    fn none_in_the_accounts_country_says_what_each_showed() {
        assert_eq!(
            place("US", None, None).disagreement("GB").unwrap(),
            "the billing country US is not the account's country GB"
        );
        assert_eq!(
            place("US", Some("US"), Some("DE"))
                .disagreement("GB")
                .unwrap(),
            "the billing country US and the card's country US and the client's country DE are not the account's country GB"
        );
    }
}
