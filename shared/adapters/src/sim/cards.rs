//! The simulated gateway's test cards, and what it keeps of a saved one: the
//! last four digits, the brand, the expiry and how the test card behaves,
//! never the number (a real gateway's token holds no more for its merchant).
//!
//! | card number | outcome |
//! |---|---|
//! | 4242 4242 4242 4242 | approved |
//! | 4000 0000 0000 0002 | `card_declined` |
//! | 4000 0000 0000 9995 | `insufficient_funds` |
//! | 4000 0000 0000 0069 | `expired_card` |
//! | 4000 0000 0000 0341 | saved, then `card_declined` at every charge |
//! | 4000 0025 0000 3155 | the bank asks its holder to confirm: with the holder at hand, at the simulated bank's page (`/bank.html`); without, `authentication_required` |
//!
//! Any other number that passes the Luhn check is approved; one that fails it
//! is `invalid_card`, and so is an expiry date in the past. 4000 0027 6000
//! 3184 asks its holder to confirm, as 4000 0025 0000 3155 does.
//!
//! The card page makes a payment method of a card (`pm_sim_…`, used once);
//! Stripe's test payment methods (`TEST_METHODS`) stand for their cards
//! wherever a payment method is taken, as many times as asked.

use serde_json::json;

use hostfront_core::payments::PaymentError;
use hostfront_core::payments::simulated::{CardDetails, CardShown, last4};
use hostfront_core::store::{Item, ItemExt};

pub const APPROVED: &str = "4242424242424242";
pub const DECLINED: &str = "4000000000000002";
pub const INSUFFICIENT_FUNDS: &str = "4000000000009995";
pub const EXPIRED: &str = "4000000000000069";
/// Saves, then declines every charge (Stripe's test card of that name).
pub const DECLINES_WHEN_CHARGED: &str = "4000000000000341";
/// Its bank asks its holder to confirm every payment (Stripe's test card of that name).
pub const AUTHENTICATES: &str = "4000002500003155";
/// Its bank asks its holder to confirm every payment (Stripe's test card of that name).
const ALWAYS_AUTHENTICATES: &str = "4000002760003184";

/// Stripe's test payment methods, and the test card each stands for (its
/// testing guide, "Test code"; older names beside the newer ones).
pub const TEST_METHODS: [(&str, &str); 11] = [
    ("pm_card_visa", APPROVED),
    ("pm_card_mastercard", "5555555555554444"),
    ("pm_card_visa_chargeDeclined", DECLINED),
    ("pm_card_chargeDeclined", DECLINED),
    (
        "pm_card_visa_chargeDeclinedInsufficientFunds",
        INSUFFICIENT_FUNDS,
    ),
    (
        "pm_card_chargeDeclinedInsufficientFunds",
        INSUFFICIENT_FUNDS,
    ),
    ("pm_card_visa_chargeDeclinedExpiredCard", EXPIRED),
    ("pm_card_chargeDeclinedExpiredCard", EXPIRED),
    ("pm_card_chargeCustomerFail", DECLINES_WHEN_CHARGED),
    ("pm_card_authenticationRequiredOnSetup", AUTHENTICATES),
    ("pm_card_authenticationRequired", ALWAYS_AUTHENTICATES),
];

/// The test payment method standing for the test card `number`.
pub fn test_method(number: &str) -> Option<&'static str> {
    let digits: String = number.chars().filter(char::is_ascii_digit).collect();
    TEST_METHODS
        .iter()
        .find(|(_, card)| *card == digits)
        .map(|(id, _)| *id)
}

/// How a test card's bank answers a charge.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Behaviour {
    Approves,
    Declines,
    InsufficientFunds,
    Expired,
    /// Asks its holder to confirm.
    Authenticates,
}

impl Behaviour {
    const ALL: [Behaviour; 5] = [
        Behaviour::Approves,
        Behaviour::Declines,
        Behaviour::InsufficientFunds,
        Behaviour::Expired,
        Behaviour::Authenticates,
    ];

    fn of(digits: &str) -> Behaviour {
        match digits {
            DECLINED | DECLINES_WHEN_CHARGED => Behaviour::Declines,
            INSUFFICIENT_FUNDS => Behaviour::InsufficientFunds,
            EXPIRED => Behaviour::Expired,
            AUTHENTICATES | ALWAYS_AUTHENTICATES => Behaviour::Authenticates,
            _ => Behaviour::Approves,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Behaviour::Approves => "approves",
            Behaviour::Declines => "declines",
            Behaviour::InsufficientFunds => "insufficient_funds",
            Behaviour::Expired => "expired",
            Behaviour::Authenticates => "authenticates",
        }
    }

    /// The bank's answer to a charge made without the holder.
    pub(super) fn answer(self) -> Result<(), PaymentError> {
        match self {
            Behaviour::Approves => Ok(()),
            Behaviour::Declines => Err(declined("card_declined", "the card was declined")),
            Behaviour::InsufficientFunds => Err(declined(
                "insufficient_funds",
                "the card has insufficient funds",
            )),
            Behaviour::Expired => Err(declined("expired_card", "the card has expired")),
            Behaviour::Authenticates => Err(declined(
                "authentication_required",
                "your bank asks you to confirm this payment, which cannot be done without you; pay with the card while you are at hand",
            )),
        }
    }
}

pub(super) fn declined(code: &str, message: &str) -> PaymentError {
    PaymentError::Declined {
        code: code.into(),
        message: message.into(),
    }
}

/// A card as the simulation knows it once it has checked the number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Profile {
    pub last4: String,
    pub brand: &'static str,
    pub exp_month: u32,
    pub exp_year: i32,
    pub behaviour: Behaviour,
    /// ISO 3166-1 alpha-2 of the issuing bank's country.
    pub country: &'static str,
}

impl Profile {
    /// The card's profile, if its number is one: 12 to 19 digits passing Luhn.
    pub(super) fn of(card: &CardDetails) -> Result<Profile, PaymentError> {
        let digits: String = card
            .number
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '-')
            .collect();
        if digits.len() < 12
            || digits.len() > 19
            || !digits.chars().all(|c| c.is_ascii_digit())
            || !luhn_valid(&digits)
        {
            return Err(declined("invalid_card", "that card number is not valid"));
        }
        Ok(Profile {
            last4: last4(&digits),
            brand: brand(&digits),
            exp_month: card.exp_month,
            exp_year: card.exp_year,
            behaviour: Behaviour::of(&digits),
            country: super::card_countries::issued_in(&digits),
        })
    }

    /// The profile of one of Stripe's test payment methods: its card, good
    /// until the end of the century.
    pub(super) fn of_test_method(id: &str) -> Option<Profile> {
        let (_, number) = TEST_METHODS.iter().find(|(test, _)| *test == id)?;
        let card = CardDetails {
            number: number.to_string(),
            exp_month: 12,
            exp_year: 2099,
            cvc: "123".into(),
        };
        Profile::of(&card).ok()
    }

    /// What identifies the card to its holder.
    pub(super) fn shown(&self) -> CardShown {
        CardShown {
            brand: self.brand.into(),
            last4: self.last4.clone(),
            exp_month: self.exp_month,
            exp_year: self.exp_year,
        }
    }

    /// What a saved card's entry keeps: nothing that could charge it elsewhere.
    pub(super) fn fields(&self) -> serde_json::Value {
        json!({
            "last4": self.last4, "brand": self.brand, "exp_month": self.exp_month,
            "exp_year": self.exp_year, "behaves": self.behaviour.name(),
            "country": self.country,
        })
    }

    /// The profile a saved card's entry keeps.
    pub(super) fn of_entry(entry: &Item) -> Option<Profile> {
        let behaves = entry.str_attr("behaves")?;
        let brand = entry.str_attr("brand")?;
        Some(Profile {
            last4: entry.str_attr("last4")?.to_string(),
            brand: BRANDS.iter().map(|(_, b)| *b).find(|b| *b == brand)?,
            exp_month: u32::try_from(entry.i64_attr("exp_month")?).ok()?,
            exp_year: i32::try_from(entry.i64_attr("exp_year")?).ok()?,
            behaviour: Behaviour::ALL.into_iter().find(|b| b.name() == behaves)?,
            country: country_of(entry),
        })
    }

    /// Refused when past its expiry at (`year`, `month`).
    pub(super) fn check_expiry(&self, year: i32, month: u32) -> Result<(), PaymentError> {
        if !(1..=12).contains(&self.exp_month) || (self.exp_year, self.exp_month) < (year, month) {
            return Err(declined("expired_card", "the card has expired"));
        }
        Ok(())
    }
}

/// Card brands by their leading digits (the common ranges).
const BRANDS: [(&str, &str); 5] = [
    ("4", "visa"),
    ("5", "mastercard"),
    ("2", "mastercard"),
    ("3", "amex"),
    ("6", "discover"),
];

fn brand(digits: &str) -> &'static str {
    BRANDS
        .iter()
        .find(|(prefix, _)| digits.starts_with(prefix))
        .map_or("unknown", |(_, brand)| brand)
}

pub(super) fn luhn_valid(digits: &str) -> bool {
    let sum: u32 = digits
        .chars()
        .rev()
        .filter_map(|c| c.to_digit(10))
        .enumerate()
        .map(|(i, d)| {
            if i % 2 == 1 {
                if d * 2 > 9 { d * 2 - 9 } else { d * 2 }
            } else {
                d
            }
        })
        .sum();
    sum.is_multiple_of(10)
}

/// The issuing country a saved card's entry keeps, as one of the countries
/// the simulation knows (so that it is `'static`); the United States for a
/// card saved before countries were kept (Stripe's basic test cards').
fn country_of(entry: &Item) -> &'static str {
    let kept = entry.str_attr("country").unwrap_or("US");
    super::card_countries::card_of(kept).map_or("US", super::card_countries::issued_in)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn card(number: &str) -> CardDetails {
        CardDetails {
            number: number.into(),
            exp_month: 12,
            exp_year: 2099,
            cvc: "123".into(),
        }
    }

    #[test]
    fn a_saved_profile_keeps_how_its_card_behaves_and_not_its_number() {
        for number in [
            APPROVED,
            DECLINED,
            DECLINES_WHEN_CHARGED,
            INSUFFICIENT_FUNDS,
            EXPIRED,
            AUTHENTICATES,
            "5555555555554444",
        ] {
            let profile = Profile::of(&card(number)).unwrap();
            let fields = profile.fields();
            assert!(!fields.to_string().contains(number), "{fields}");
            let serde_json::Value::Object(entry) = fields else {
                unreachable!()
            };
            assert_eq!(Profile::of_entry(&entry), Some(profile));
        }
        assert_eq!(
            Profile::of(&card("5555555555554444")).unwrap().brand,
            "mastercard"
        );
        assert!(Profile::of(&card("4242424242424241")).is_err());
    }

    #[test]
    fn every_test_method_stands_for_a_test_card() {
        for (id, number) in TEST_METHODS {
            let profile = Profile::of_test_method(id).unwrap();
            assert_eq!(profile.last4, last4(number), "{id}");
            assert_eq!(profile.behaviour, Behaviour::of(number), "{id}");
        }
        assert_eq!(
            test_method("4000 0000 0000 0002"),
            Some("pm_card_visa_chargeDeclined")
        );
        assert_eq!(test_method("4242424242424241"), None);
        assert!(Profile::of_test_method("pm_sim_nobody").is_none());
    }
}
