//! A payment method as Hostfront knows it: the provider's id of a card its
//! own page or field took, and what the browser needs to reach that page.

use serde::Serialize;
use utoipa::ToSchema;

/// The provider's id of a payment method (`pm_…`): the only thing of a
/// card the API takes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentMethodId(String);

impl PaymentMethodId {
    /// The id, if `id` has the form of one: `pm_` then 1 to 255 letters,
    /// digits and underscores.
    pub fn parse(id: &str) -> Result<PaymentMethodId, &'static str> {
        let rest = id.strip_prefix("pm_").unwrap_or_default();
        let well_formed = (1..=255).contains(&rest.len())
            && rest.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
        match well_formed {
            true => Ok(PaymentMethodId(id.to_string())),
            false => Err(
                "payment_method must be the payment provider's id of the card (pm_…), as its card form gives it",
            ),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for PaymentMethodId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// How the browser takes a card: in the simulated provider's page (framed
/// from `card_page`), or in Stripe's Payment Element with the account's
/// publishable key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
#[serde(tag = "provider", rename_all = "lowercase")]
pub enum ClientSetup {
    Simulated { card_page: String },
    Stripe { publishable_key: String },
}

#[cfg(test)]
mod tests {
    use super::PaymentMethodId;

    #[test]
    fn only_a_provider_id_is_a_payment_method() {
        for good in ["pm_card_visa", "pm_sim_01J0", "pm_1PqR"] {
            assert_eq!(PaymentMethodId::parse(good).unwrap().as_str(), good);
        }
        let long = format!("pm_{}", "a".repeat(256));
        for bad in [
            "",
            "pm_",
            "4242424242424242",
            "tok_visa",
            "pm_a-b",
            "pm_a b",
            &long,
        ] {
            assert!(PaymentMethodId::parse(bad).is_err(), "{bad}");
        }
    }
}
