//! The body of a request that pays or saves a card: the payment provider's
//! id of the card only. Card numbers, expiry dates and security codes are
//! taken by the provider's own page or field; a body that carries them is
//! refused before anything is read from it or charged, and they are never
//! echoed, logged or kept.

use axum::extract::{FromRequest, Request};
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::error::{ApiError, ApiJson};

/// Names that could only hold card data, as compared: lower case, without
/// `_`, `-` or spaces (so `Card_Number`, `card-number` and `cardNumber` are
/// one name).
const CARD_FIELDS: [&str; 16] = [
    "card",
    "cardnumber",
    "number",
    "pan",
    "cvc",
    "cvc2",
    "cvv",
    "cvv2",
    "securitycode",
    "expmonth",
    "expyear",
    "expiry",
    "expiration",
    "expirationdate",
    "paymentmethoddata",
    "track2",
];

/// `ApiJson` for a payment's body, refusing card data with a 422
/// `card_data_refused`.
pub struct PaymentJson<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for PaymentJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let ApiJson(body) = ApiJson::<Value>::from_request(req, state).await?;
        if carries_card_data(&body) {
            return Err(ApiError::unprocessable(
                "card_data_refused",
                "this shop never takes card numbers: enter the card in the payment provider's card form, and send the payment method id it gives (payment_method)",
            ));
        }
        // serde's own message quotes the value it could not take, which
        // could be a card number sent where an id belongs: name none.
        serde_json::from_value(body).map(PaymentJson).map_err(|_| {
            ApiError::bad_request(
                "invalid_body",
                "the body does not match this request: see the API document (payment_method is the provider's id, \"pm_…\")",
            )
        })
    }
}

/// Whether any key anywhere in `body` names card data, `payment_method`
/// is not a plain id, or any string or number anywhere looks like a card
/// number (13 to 19 digits that pass the Luhn check).
fn carries_card_data(body: &Value) -> bool {
    body.get("payment_method")
        .is_some_and(|m| !m.is_string() && !m.is_null())
        || holds_card_data(body)
}

fn holds_card_data(value: &Value) -> bool {
    match value {
        Value::Object(fields) => fields
            .iter()
            .any(|(name, inner)| names_card_data(name) || holds_card_data(inner)),
        Value::Array(items) => items.iter().any(holds_card_data),
        Value::String(text) => looks_like_a_card_number(text),
        Value::Number(number) => looks_like_a_card_number(&number.to_string()),
        Value::Bool(_) | Value::Null => false,
    }
}

fn names_card_data(name: &str) -> bool {
    let plain: String = name
        .chars()
        .filter(|c| !matches!(c, '_' | '-' | ' '))
        .flat_map(char::to_lowercase)
        .collect();
    CARD_FIELDS.contains(&plain.as_str())
}

/// 13 to 19 digits, alone or among spaces and hyphens (or after a `pm_`),
/// that pass the Luhn check.
fn looks_like_a_card_number(text: &str) -> bool {
    let digits: Vec<u32> = text.chars().filter_map(|c| c.to_digit(10)).collect();
    let only_digits_and_separators = text
        .trim_start_matches("pm_")
        .chars()
        .all(|c| c.is_ascii_digit() || c == ' ' || c == '-');
    only_digits_and_separators && (13..=19).contains(&digits.len()) && luhn(&digits)
}

fn luhn(digits: &[u32]) -> bool {
    let sum: u32 = digits
        .iter()
        .rev()
        .enumerate()
        .map(|(i, &d)| match (i % 2, d * 2) {
            (0, _) => d,
            (_, doubled) if doubled > 9 => doubled - 9,
            (_, doubled) => doubled,
        })
        .sum();
    sum.is_multiple_of(10)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    #[test]
    fn card_data_is_told_from_a_payment_method() {
        for card in [
            json!({"card": {"number": "4242424242424242"}, "billing_country": "GB"}),
            json!({"number": "4242424242424242", "exp_month": 12, "exp_year": 2099, "cvc": "123"}),
            json!({"payment_method": {"card": {"number": "4242424242424242"}}}),
            json!({"years": 1, "payment_method_data": {"type": "card"}}),
            json!({"payment_method": "pm_card_visa", "Card": {"cvc": "123"}}),
            json!({"payment_method": "pm_card_visa", "meta": {"card": {"x": 1}}}),
            json!({"payment_method": "pm_card_visa", "CVV": "999"}),
            json!({"payment_method": "pm_card_visa", "security-code": "999"}),
            json!({"payment_method": "pm_card_visa", "cardNumber": "x"}),
            json!({"payment_method": "pm_card_visa", "notes": ["4242 4242 4242 4242"]}),
            json!({"payment_method": "pm_4242424242424242"}),
            json!({"payment_method": 4242424242424242u64}),
        ] {
            assert!(super::carries_card_data(&card), "{card}");
        }
        for id in [
            json!({"payment_method": "pm_card_visa", "billing_country": "GB"}),
            json!({"years": 1}),
            json!({"payment_method": "pm_sim_01JC0000000000000000000000"}),
            json!({"payment_method": "pm_card_visa", "reference": "1234567890123"}),
            json!({"payment_method": null, "years": 2}),
        ] {
            assert!(!super::carries_card_data(&id), "{id}");
        }
    }
}
