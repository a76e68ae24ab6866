//! The simulated payment provider's own card page and endpoint, under a
//! path of its own (`/simulated-gateway/`), as a real provider's frame and
//! API would be on its own servers: the shop's pages frame the page, which
//! posts the card here and hands the payment method's id to the page that
//! frames it. They exist only where the simulated gateway takes payments,
//! never beside a real provider, and they are no part of the shop's API.

use axum::Json;
use axum::Router;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::{get, post};

use crate::AppState;
use crate::error::{ApiError, ApiJson};
use hostfront_core::payments::PaymentError;
use hostfront_core::payments::simulated::{CardDetails, MadeMethod};

/// Where the provider's pages and endpoint live.
pub const PREFIX: &str = "/simulated-gateway/";

const PAGE: &str = include_str!("simulated_gateway/card.html");
const SCRIPT: &str = include_str!("simulated_gateway/card.js");
const STYLE: &str = include_str!("simulated_gateway/card.css");

/// The provider's routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/simulated-gateway/card", get(page))
        .route("/simulated-gateway/card.js", get(script))
        .route("/simulated-gateway/card.css", get(style))
        .route(
            "/simulated-gateway/v1/payment_methods",
            post(payment_method),
        )
}

async fn page() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], PAGE)
}

async fn script() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/javascript; charset=utf-8")],
        SCRIPT,
    )
}

async fn style() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "text/css; charset=utf-8")], STYLE)
}

/// Makes a payment method of the card posted, as a provider's API does for
/// its card field: 200 with its id and what identifies the card; 402 when
/// the card is no good (`invalid_card`, `expired_card`).
async fn payment_method(
    State(state): State<AppState>,
    ApiJson(card): ApiJson<CardDetails>,
) -> Result<Json<MadeMethod>, ApiError> {
    let provider = state
        .ports
        .simulated_provider
        .clone()
        .ok_or_else(|| ApiError::not_found("no simulated payment provider here"))?;
    match provider.make_payment_method(&card).await {
        Ok(made) => Ok(Json(made)),
        Err(PaymentError::Declined { code, message }) => Err(ApiError::new(
            StatusCode::PAYMENT_REQUIRED,
            card_code(&code),
            message,
        )),
        Err(PaymentError::Invalid(message)) => {
            Err(ApiError::unprocessable("invalid_card", message))
        }
        Err(PaymentError::Unavailable(message)) => {
            tracing::warn!(%message, "the simulated provider's storage did not answer");
            Err(ApiError::unavailable("the payment provider is not answering").retry_after(2))
        }
    }
}

fn card_code(code: &str) -> &'static str {
    match code {
        "expired_card" => "expired_card",
        _ => "invalid_card",
    }
}
