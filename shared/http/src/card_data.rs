//! The body of a request that pays or saves a card: the payment provider's
//! id of the card only. Card numbers, expiry dates and security codes are
//! taken by the provider's own page or field; a body that carries them is
//! refused before anything is read from it or charged, and they are never
//! echoed, logged or kept.

use axum::extract::{FromRequest, Request};
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::error::{ApiError, ApiJson};

/// Fields that could only hold card data.
const CARD_FIELDS: [&str; 7] = [
    "card",
    "number",
    "cvc",
    "cvv",
    "exp_month",
    "exp_year",
    "payment_method_data",
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
        serde_json::from_value(body)
            .map(PaymentJson)
            .map_err(|e| ApiError::bad_request("invalid_body", e.to_string()))
    }
}

fn carries_card_data(body: &Value) -> bool {
    let named = CARD_FIELDS.iter().any(|field| body.get(field).is_some());
    named || body.get("payment_method").is_some_and(Value::is_object)
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
        ] {
            assert!(super::carries_card_data(&card), "{card}");
        }
        for id in [
            json!({"payment_method": "pm_card_visa", "billing_country": "GB"}),
            json!({"years": 1}),
        ] {
            assert!(!super::carries_card_data(&id), "{id}");
        }
    }
}
