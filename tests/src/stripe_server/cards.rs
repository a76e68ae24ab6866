//! Stripe's test cards: which numbers and expiry dates it takes, and what
//! the bank of each test number answers a charge.

use serde_json::{Value, json};

use super::error;

pub(super) fn card_error(code: &str, decline_code: Option<&str>, message: &str) -> (u16, Value) {
    let mut answer = error(402, "card_error", code, message);
    if let Some(decline) = decline_code {
        answer.1["error"]["decline_code"] = json!(decline);
    }
    answer
}

fn luhn(digits: &str) -> bool {
    let sum: u32 = digits
        .bytes()
        .rev()
        .enumerate()
        .map(|(i, b)| {
            let d = (b - b'0') as u32;
            if i % 2 == 1 {
                if d * 2 > 9 { d * 2 - 9 } else { d * 2 }
            } else {
                d
            }
        })
        .sum();
    sum.is_multiple_of(10)
}

/// Whether a card can be used at all (its number and expiry): Stripe's
/// checks when a payment method is made.
pub(super) fn usable(number: &str, exp_month: u32, exp_year: i32) -> Result<(), (u16, Value)> {
    if !(12..=19).contains(&number.len()) || !luhn(number) {
        return Err(card_error(
            "incorrect_number",
            None,
            "Your card number is incorrect.",
        ));
    }
    let now = time::OffsetDateTime::now_utc();
    if exp_year < now.year() || (exp_year == now.year() && exp_month < now.month() as u32) {
        return Err(card_error(
            "invalid_expiry_year",
            None,
            "Your card's expiration year is invalid.",
        ));
    }
    Ok(())
}

/// What the bank says to a charge, by Stripe's test card numbers.
pub(super) fn bank_answer(number: &str) -> Result<(), (u16, Value)> {
    match number {
        "4000000000000002" | "4000000000000341" => Err(card_error(
            "card_declined",
            Some("generic_decline"),
            "Your card was declined.",
        )),
        "4000000000009995" => Err(card_error(
            "card_declined",
            Some("insufficient_funds"),
            "Your card has insufficient funds.",
        )),
        "4000000000000069" => Err(card_error("expired_card", None, "Your card has expired.")),
        _ => Ok(()),
    }
}

/// The test card a test payment method (`pm_card_visa`, …) stands for.
pub(super) fn test_method_number(id: &str) -> Option<&'static str> {
    hostfront::adapters::sim::TEST_METHODS
        .iter()
        .find(|(test, _)| *test == id)
        .map(|(_, number)| *number)
}

/// Whether the bank of a test card asks its holder to confirm a payment
/// made with them at hand (3-D Secure).
pub(super) fn authenticates(number: &str) -> bool {
    matches!(number, "4000002500003155" | "4000002760003184")
}
