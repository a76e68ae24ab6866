//! Orders for the logged-in customer: place (with an `Idempotency-Key`),
//! list, show, pay, and the DNS zone as a BIND file; username checks; and
//! what every purchase shares: the purchase limits and `Idempotency-Key`.

use crate::table::RouteTable;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode};

mod payment;
mod placed;
mod proposals;
mod servers;
mod usernames;

use super::AppState;
use super::accounts::CurrentCustomer;
use super::client::{Admitted, Purchases, admit};
use super::error::ApiError;
use hostfront_core::accounts::Customer;
use hostfront_core::orders::OrderError;

impl From<OrderError> for ApiError {
    fn from(error: OrderError) -> Self {
        match error {
            OrderError::Invalid { code, message } => ApiError::unprocessable(code, message),
            OrderError::Conflict {
                code,
                message,
                suggestions,
            } => ApiError::conflict(code, message).with_suggestions(suggestions),
            OrderError::NotFound => ApiError::not_found("no such order"),
            OrderError::Declined { code, message } => {
                let code = match code.as_str() {
                    "card_declined" => "card_declined",
                    "insufficient_funds" => "insufficient_funds",
                    "expired_card" => "expired_card",
                    "invalid_card" => "invalid_card",
                    "authentication_required" => "authentication_required",
                    "authentication_failed" => "authentication_failed",
                    _ => "payment_declined",
                };
                ApiError::new(
                    StatusCode::PAYMENT_REQUIRED,
                    code,
                    format!("{message}. Nothing was charged; try another card."),
                )
            }
            OrderError::Unavailable(message) => ApiError::unavailable(message).retry_after(2),
            OrderError::Limited {
                code,
                message,
                retry_after,
            } => {
                ApiError::new(StatusCode::TOO_MANY_REQUESTS, code, message).retry_after(retry_after)
            }
            OrderError::Transition(invalid) => {
                ApiError::conflict("invalid_transition", invalid.to_string())
            }
            OrderError::Table(e) => e.into(),
        }
    }
}

/// The logged-in customer, counted against the purchase limits: once for
/// the client's address, once for the customer (who may come from many).
pub struct Purchaser(pub Customer);

impl FromRequestParts<AppState> for Purchaser {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        Admitted::<Purchases>::from_request_parts(parts, state).await?;
        let CurrentCustomer(customer) = CurrentCustomer::from_request_parts(parts, state).await?;
        admit::<Purchases>(&state.ports, &format!("customer:{}", customer.id)).await?;
        Ok(Purchaser(customer))
    }
}

/// The request's `Idempotency-Key`, one per `what` (an order, a renewal):
/// 1 to 100 printable ASCII characters, checked before anything is done.
pub(crate) fn idempotency_key<'h>(headers: &'h HeaderMap, what: &str) -> Result<&'h str, ApiError> {
    let key = headers
        .get("idempotency-key")
        .and_then(|v| v.to_str().ok())
        .ok_or_else(|| {
            ApiError::bad_request(
                "idempotency_key_required",
                format!(
                    "send an Idempotency-Key header, one per {what}, so a retry never does it twice"
                ),
            )
        })?;
    let printable =
        (1..=100).contains(&key.len()) && key.bytes().all(|b| (b'!'..=b'~').contains(&b));
    if !printable {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_idempotency_key",
            "the Idempotency-Key is 1 to 100 printable ASCII characters",
        ));
    }
    Ok(key)
}

pub fn routes<T: RouteTable>() -> T {
    T::default()
        .merge(placed::routes())
        .merge(payment::routes())
        .merge(usernames::routes())
        .merge(servers::routes())
        .merge(proposals::routes())
}
