//! What Stripe's answers mean for the port.

use serde_json::Value;

use hostfront_core::money::Currency;
use hostfront_core::payments::{
    Authorization, Authorized, DisputeReport, EventError, PaymentError, PaymentEvent, SavedCard,
};

/// What an error answer means for the port.
pub(super) fn failure(status: u16, error: &Value) -> PaymentError {
    let text = |name: &str| error[name].as_str().unwrap_or_default().to_string();
    let message = text("message");
    match (status, text("type").as_str()) {
        (402, "card_error") | (_, "card_error") => {
            let code = match (text("code").as_str(), text("decline_code").as_str()) {
                (_, "insufficient_funds") => "insufficient_funds",
                ("expired_card" | "invalid_expiry_year" | "invalid_expiry_month", _) => {
                    "expired_card"
                }
                ("incorrect_number" | "invalid_number" | "invalid_cvc" | "incorrect_cvc", _) => {
                    "invalid_card"
                }
                ("authentication_required", _) => "authentication_required",
                _ => "card_declined",
            };
            PaymentError::Declined {
                code: code.into(),
                message,
            }
        }
        // 409: a request with the same key is still under way; its answer
        // will be there for the retry.
        (409 | 429 | 500..=599, _) => {
            PaymentError::Unavailable(format!("Stripe {status}: {message}"))
        }
        _ => PaymentError::Invalid(message),
    }
}

/// The bank's check an intent waits for, when it is a page to send the holder to.
pub(super) fn bank_check(intent: &Value) -> Option<Authorized> {
    let action = &intent["next_action"];
    (action["type"].as_str() == Some("redirect_to_url")).then_some(())?;
    Some(Authorized::Authenticate {
        authorization_id: intent["id"].as_str()?.to_string(),
        url: action["redirect_to_url"]["url"].as_str()?.to_string(),
    })
}

pub(super) fn authorization_of(intent: &Value) -> Option<Authorization> {
    Some(Authorization {
        id: intent["id"].as_str()?.to_string(),
        amount: intent["amount"].as_i64()?,
        currency: Currency::parse(&intent["currency"].as_str()?.to_uppercase()).ok()?,
        card_last4: intent["payment_method"]["card"]["last4"]
            .as_str()
            .unwrap_or_default()
            .to_string(),
        // The issuing bank's country, as the PaymentMethod's card says.
        card_country: intent["payment_method"]["card"]["country"]
            .as_str()
            .filter(|country| !country.is_empty())
            .map(str::to_ascii_uppercase),
        kept: kept_of(intent),
    })
}

/// The card an intent keeps for later charges: its payment method, on its
/// Customer, when it was made with `setup_future_usage=off_session`.
fn kept_of(intent: &Value) -> Option<SavedCard> {
    (intent["setup_future_usage"].as_str() == Some("off_session")).then_some(())?;
    let customer = intent["customer"].as_str()?;
    saved_card_of(customer, &intent["payment_method"]).ok()
}

pub(super) fn unexpected(what: &str) -> PaymentError {
    PaymentError::Unavailable(format!("Stripe answered without {what}"))
}

/// The reference a charge or a PaymentIntent pays for: the
/// `metadata[reference]` the payment was made with, or else its
/// description (set to the same reference).
pub(super) fn charge_reference(object: &Value) -> Option<String> {
    if !matches!(object["object"].as_str(), Some("charge" | "payment_intent")) {
        return None;
    }
    [&object["metadata"]["reference"], &object["description"]]
        .into_iter()
        .filter_map(Value::as_str)
        .find(|reference| !reference.is_empty())
        .map(str::to_string)
}

/// The dispute a Dispute object describes.
fn dispute_of(object: &Value) -> Option<DisputeReport> {
    if object["object"].as_str() != Some("dispute") {
        return None;
    }
    let text = |value: &Value| value.as_str().unwrap_or_default().to_string();
    Some(DisputeReport {
        charge: text(&object["charge"]),
        amount: object["amount"].as_i64().unwrap_or_default(),
        currency: text(&object["currency"]).to_ascii_uppercase(),
        reason: text(&object["reason"]),
        status: text(&object["status"]),
        opened: object["created"].as_i64().unwrap_or_default(),
    })
}

/// The saved card of `customer` that an expanded PaymentMethod describes.
pub(super) fn saved_card_of(customer: &str, method: &Value) -> Result<SavedCard, PaymentError> {
    let id = method["id"]
        .as_str()
        .ok_or_else(|| unexpected("a payment method"))?;
    let card = &method["card"];
    let number = |name: &str| card[name].as_i64().ok_or_else(|| unexpected("a card"));
    Ok(SavedCard {
        token: super::forms::saved_token(customer, id),
        last4: card["last4"].as_str().unwrap_or_default().to_string(),
        exp_month: u32::try_from(number("exp_month")?).map_err(|_| unexpected("a card"))?,
        exp_year: i32::try_from(number("exp_year")?).map_err(|_| unexpected("a card"))?,
    })
}

/// The event a webhook's verified `body` carries: its id, type, object and
/// time, and for a PaymentMethod on a Customer (`payment_method.updated`,
/// `payment_method.automatically_updated`, Stripe's card updater) the card
/// as a saved card; for a SetupIntent, the key of our request that made it.
pub(crate) fn event_of(body: &[u8]) -> Result<PaymentEvent, EventError> {
    let not_an_event = || EventError::BadSignature("the body is not an event".into());
    let event: Value = serde_json::from_slice(body).map_err(|_| not_an_event())?;
    let text = |value: &Value| value.as_str().unwrap_or_default().to_string();
    let object = &event["data"]["object"];
    let card = match (object["object"].as_str(), object["customer"].as_str()) {
        (Some("payment_method"), Some(customer)) => saved_card_of(customer, object).ok(),
        _ => None,
    };
    let event = PaymentEvent {
        id: text(&event["id"]),
        kind: text(&event["type"]),
        object: text(&object["id"]),
        created: event["created"].as_i64().unwrap_or_default(),
        card,
        reference: charge_reference(object),
        dispute: dispute_of(object),
        setup_key: match object["object"].as_str() {
            Some("setup_intent") => object["metadata"]["hostfront_key"]
                .as_str()
                .map(str::to_string),
            _ => None,
        },
        refunded: match object["object"].as_str() {
            Some("charge") => object["amount_refunded"].as_i64(),
            _ => None,
        },
    };
    match event.id.is_empty() || event.kind.is_empty() {
        true => Err(not_an_event()),
        false => Ok(event),
    }
}
