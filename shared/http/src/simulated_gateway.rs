//! The simulated payment provider's own card page and endpoint, under a
//! path of its own (`/simulated-gateway/`), as a real provider's frame and
//! API would be on its own servers: the shop's pages frame the page, which
//! posts the card here and hands the payment method's id to the page that
//! frames it. They exist only where the simulated gateway takes payments,
//! never beside a real provider, and they are no part of the shop's API.

use std::num::NonZeroU32;
use std::sync::Arc;

use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::{Extension, Json, Router};
use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};

use crate::AppState;
use crate::error::{ApiError, ApiJson};
use hostfront_core::payments::PaymentError;
use hostfront_core::payments::simulated::{CardDetails, MadeMethod};

/// Where the provider's pages and endpoint live.
pub const PREFIX: &str = "/simulated-gateway/";

const PAGE_PATH: &str = "/simulated-gateway/card";
const SCRIPT_PATH: &str = "/simulated-gateway/card.js";
const STYLE_PATH: &str = "/simulated-gateway/card.css";
const METHODS_PATH: &str = "/simulated-gateway/v1/payment_methods";

/// Every (method, path) the provider serves: no part of the API's document,
/// so named here for the template's routes.
pub const ROUTES: [(&str, &str); 4] = [
    ("GET", PAGE_PATH),
    ("GET", SCRIPT_PATH),
    ("GET", STYLE_PATH),
    ("POST", METHODS_PATH),
];

const PAGE: &str = include_str!("simulated_gateway/card.html");
const SCRIPT: &str = include_str!("simulated_gateway/card.js");
const STYLE: &str = include_str!("simulated_gateway/card.css");

/// Payment methods the provider makes a second, for everybody together,
/// as Stripe limits its test mode's requests (25 a second): more get 429
/// `rate_limit`, as Stripe answers.
const METHODS_PER_SECOND: u32 = 25;

type Limiter = Arc<DefaultDirectRateLimiter>;

/// `routes` and, where the simulated gateway takes payments, the
/// provider's own: what the local server and the orders function serve.
pub fn mount(routes: crate::GroupRoutes, ports: &hostfront_core::Ports) -> crate::GroupRoutes {
    match ports.simulated_provider {
        Some(_) => routes.merge(provider_routes()),
        None => routes,
    }
}

/// The provider's routes, each router with its own limit (one per process).
fn provider_routes() -> Router<AppState> {
    let per_second = NonZeroU32::new(METHODS_PER_SECOND).expect("not zero");
    let limiter: Limiter = Arc::new(RateLimiter::direct(Quota::per_second(per_second)));
    Router::new()
        .route(PAGE_PATH, get(page))
        .route(SCRIPT_PATH, get(script))
        .route(STYLE_PATH, get(style))
        .route(METHODS_PATH, post(payment_method).layer(Extension(limiter)))
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
    Extension(limiter): Extension<Limiter>,
    ApiJson(body): ApiJson<serde_json::Value>,
) -> Result<Json<MadeMethod>, ApiError> {
    // serde's message would quote the value it could not take: a card's
    // digits. Name the fields instead.
    let card: CardDetails = serde_json::from_value(body).map_err(|_| {
        ApiError::unprocessable(
            "invalid_card",
            "give the card as number (digits), exp_month and exp_year (whole numbers) and cvc (digits)",
        )
    })?;
    if limiter.check().is_err() {
        return Err(ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "rate_limit",
            "too many requests to the payment provider; try again in a second",
        )
        .retry_after(1));
    }
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
