//! The customer's saved card: shown by its last four digits, saved in place
//! of any before with the customer's consent to charges without them,
//! confirmed when saved before consent was recorded, forgotten.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};

use super::{declined_code, method_given};
use crate::AppState;
use crate::accounts::CurrentCustomer;
use crate::card_data::PaymentJson;
use crate::error::{ApiError, ErrorBody};
use crate::orders::{Purchaser, idempotency_key};
use crate::table::RouteTable;
use hostfront_core::billing::payment_method::{self, PaymentMethodView, SaveError, SaveRequest};

/// The logged-in customer's saved card: its last four digits and expiry;
/// null when none is saved (an answer, not an error: the portal asks on
/// every visit).
#[utoipa::path(get, path = "/api/payment-method", tag = "portal", security(("session" = [])),
    responses((status = 200, body = Option<PaymentMethodView>, description = "the saved card, or null")))]
async fn get_payment_method(
    State(state): State<AppState>,
    CurrentCustomer(customer): CurrentCustomer,
) -> Result<Json<Option<PaymentMethodView>>, ApiError> {
    let saved = payment_method::find(state.ports.table.as_ref(), &customer.id).await?;
    Ok(Json(saved.map(|method| method.view())))
}

/// Saves a card as the customer's payment method, in place of any before;
/// renewals and recurring invoices are charged to it. The card is given as
/// the payment provider's id of it, which its card form makes. One
/// `Idempotency-Key` per card saved. The customer must agree to charges
/// without them (`consent`, the "Use this card for renewals" box), which is
/// recorded with its words and time.
#[utoipa::path(put, path = "/api/payment-method", tag = "portal", security(("session" = [])),
    request_body = SaveRequest,
    params(("Idempotency-Key" = String, Header, pattern = r"^[!-~]{1,100}$", description = "one per card saved")),
    responses(
        (status = 200, body = PaymentMethodView),
        (status = 400, body = ErrorBody, description = "`idempotency_key_required`"),
        (status = 402, body = ErrorBody, description = "the gateway declined the card (`card_declined`, `insufficient_funds`, `expired_card`, `invalid_card`, or after the customer's second decline of a day `payment_declined`); it was not saved"),
        (status = 409, body = ErrorBody, description = "`too_many_declines` (when saving a card, this week)"),
        (status = 422, body = ErrorBody, description = "`consent_required` (the box \"Use this card for renewals\" was not ticked; nothing was sent to the provider), `invalid_payment_method` (not a provider's id, `pm_…`), `card_data_refused` (card numbers are never taken here), `invalid_payment` (the provider knows no such payment method, or it was used already), `invalid_idempotency_key`"),
        (status = 429, body = ErrorBody, description = "`rate_limited` with orders and payments, `too_many_declines` (today); see Retry-After"),
        (status = 503, body = ErrorBody, description = "the payment provider is not answering"),
    ))]
async fn save_payment_method(
    State(state): State<AppState>,
    Purchaser(customer): Purchaser,
    headers: HeaderMap,
    PaymentJson(request): PaymentJson<SaveRequest>,
) -> Result<Json<PaymentMethodView>, ApiError> {
    let key = idempotency_key(&headers, "card saved")?;
    let given = method_given(&request.payment_method)?;
    if !request.consent {
        return Err(ApiError::unprocessable(
            "consent_required",
            "tick \"Use this card for renewals\" to agree to have it charged without you; nothing was saved",
        ));
    }
    let method = payment_method::save(&state.ports, &customer.id, &given, key)
        .await
        .map_err(|error| match error {
            SaveError::Invalid(message) => ApiError::unprocessable("invalid_payment", message),
            SaveError::Declined { code, message } => ApiError::new(
                StatusCode::PAYMENT_REQUIRED,
                declined_code(&code),
                format!("{message}. The card was not saved."),
            ),
            SaveError::TooManyDeclines(refused) => refused.into(),
            SaveError::Unavailable(message) => ApiError::unavailable(message).retry_after(5),
            SaveError::Table(error) => error.into(),
        })?;
    Ok(Json(method.view()))
}

/// Records the customer's consent to charges without them on the card they
/// saved before consent was recorded; a card that has it keeps the first.
#[utoipa::path(post, path = "/api/payment-method/consent", tag = "portal", security(("session" = [])),
    responses(
        (status = 200, body = PaymentMethodView),
        (status = 404, body = ErrorBody, description = "no card saved"),
    ))]
async fn confirm_payment_method(
    State(state): State<AppState>,
    CurrentCustomer(customer): CurrentCustomer,
) -> Result<Json<PaymentMethodView>, ApiError> {
    payment_method::confirm(&state.ports, &customer.id)
        .await?
        .map(|method| Json(method.view()))
        .ok_or_else(|| ApiError::not_found("no card is saved"))
}

/// Forgets the customer's saved card.
#[utoipa::path(delete, path = "/api/payment-method", tag = "portal", security(("session" = [])),
    responses(
        (status = 204, description = "forgotten"),
    ))]
async fn remove_payment_method(
    State(state): State<AppState>,
    CurrentCustomer(customer): CurrentCustomer,
) -> Result<StatusCode, ApiError> {
    payment_method::remove(state.ports.table.as_ref(), &customer.id).await?;
    Ok(StatusCode::NO_CONTENT)
}

pub(super) fn routes<T: RouteTable>() -> T {
    T::default()
        .add(crate::handlers!(
            get_payment_method,
            save_payment_method,
            remove_payment_method
        ))
        .add(crate::handlers!(confirm_payment_method))
}
