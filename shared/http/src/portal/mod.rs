//! The customer portal: a logged-in customer's own domains (renewing and
//! managing them), services, invoices and saved card, and what paying for
//! them shares: the card paid with and the answers to a declined one.

use crate::table::RouteTable;
use axum::http::StatusCode;

mod billing_address;
mod cart;
mod credit_notes;
mod domains;
mod invoices;
mod manage;
mod payment_method;
mod registrar_accounts;
mod subscriptions;
mod tax;

use super::AppState;
use super::error::ApiError;
use hostfront_core::CustomerId;
use hostfront_core::billing::declines::TooManyDeclines;
use hostfront_core::billing::payment_method as saved_card;
use hostfront_core::payments::{PaymentMethodId, PaymentSource};

/// A payment method id as given, once it has the form of one.
fn method_given(method: &str) -> Result<PaymentMethodId, ApiError> {
    PaymentMethodId::parse(method).map_err(|m| ApiError::unprocessable("invalid_payment_method", m))
}

/// What a purchase is paid with: the payment method given, or the saved card.
async fn payment_source(
    state: &AppState,
    customer_id: &CustomerId,
    method: Option<&str>,
) -> Result<PaymentSource, ApiError> {
    match method {
        Some(method) => Ok(PaymentSource::Method(method_given(method)?)),
        None => Ok(PaymentSource::Saved(
            saved_card::find(state.ports.table.as_ref(), customer_id)
                .await?
                .ok_or_else(|| {
                    ApiError::unprocessable(
                        "payment_method_required",
                        "give a card (payment_method), or save one as your payment method first",
                    )
                })?
                .token,
        )),
    }
}

/// Too many cards declined: for the day (429, until the next UTC day), or
/// for the thing paid (409). Nothing was sent to the gateway.
impl From<TooManyDeclines> for ApiError {
    fn from(refused: TooManyDeclines) -> Self {
        match refused.retry_after {
            Some(seconds) => ApiError::new(
                StatusCode::TOO_MANY_REQUESTS,
                TooManyDeclines::CODE,
                refused.message,
            )
            .retry_after(seconds),
            None => ApiError::conflict(TooManyDeclines::CODE, refused.message),
        }
    }
}

/// The gateway's decline codes the API passes on; anything else is `payment_declined`.
fn declined_code(code: &str) -> &'static str {
    match code {
        "card_declined" => "card_declined",
        "insufficient_funds" => "insufficient_funds",
        "expired_card" => "expired_card",
        "invalid_card" => "invalid_card",
        "authentication_required" => "authentication_required",
        "authentication_failed" => "authentication_failed",
        _ => "payment_declined",
    }
}

pub fn routes<T: RouteTable>() -> T {
    T::default()
        .merge(domains::routes())
        .merge(manage::routes())
        .merge(payment_method::routes())
        .merge(subscriptions::routes())
        .merge(invoices::routes())
        .merge(credit_notes::routes())
        .merge(tax::routes())
        .merge(billing_address::routes())
        .merge(cart::routes())
        .merge(registrar_accounts::routes())
}
