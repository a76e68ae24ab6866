//! Domain and free-subdomain availability, rate limited per client.

use crate::table::RouteTable;
use axum::Json;
use axum::extract::State;
use serde::Deserialize;
use utoipa::IntoParams;

use super::AppState;
use super::client::{Admitted, Searches};
use super::error::{ApiError, ApiQuery, ErrorBody};
use hostfront_core::domains::subdomains::{self, SubdomainCheck, SubdomainError};
use hostfront_core::domains::{self, CheckError, CheckResponse};

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct CheckQuery {
    /// What the user typed: a domain, a URL, or a bare word to try on every sold TLD.
    #[param(min_length = 1, max_length = 1024)]
    name: String,
}

impl From<CheckError> for ApiError {
    fn from(error: CheckError) -> Self {
        match error {
            CheckError::Name(e) => ApiError::unprocessable(e.code, e.message),
            CheckError::Registrar(e) => {
                tracing::warn!(error = %e, "registrar check failed");
                ApiError::unavailable(
                    "the domain registry is not answering right now; please try again shortly",
                )
                .retry_after(2)
            }
            CheckError::Table(e) => e.into(),
        }
    }
}

impl From<SubdomainError> for ApiError {
    fn from(error: SubdomainError) -> Self {
        match error {
            SubdomainError::Name(e) => ApiError::unprocessable(e.code, e.message),
            SubdomainError::Table(e) => e.into(),
            SubdomainError::Unavailable(message) => {
                tracing::warn!(%message, "the hosting panel did not answer a subdomain check");
                ApiError::unavailable("please try again in a moment").retry_after(2)
            }
        }
    }
}

/// Checks a domain (or a word on every sold TLD) and suggests variations.
#[utoipa::path(get, path = "/api/domains/check", tag = "domains", params(CheckQuery),
    responses(
        (status = 200, body = CheckResponse),
        (status = 422, body = ErrorBody, description = "invalid name: `empty`, `too_long`, `label_too_long`, `name_too_long`, `invalid_characters`, `hyphen_position`, `invalid_punycode`, `empty_label`, `public_suffix`, `ip_address`"),
        (status = 429, body = ErrorBody, description = "rate limited; see Retry-After"),
        (status = 503, body = ErrorBody, description = "the registry is not answering; see Retry-After"),
    ))]
async fn check_domain(
    State(state): State<AppState>,
    _: Admitted<Searches>,
    ApiQuery(query): ApiQuery<CheckQuery>,
) -> Result<Json<CheckResponse>, ApiError> {
    Ok(Json(domains::check(&state.ports, &query.name).await?))
}

/// Checks a free subdomain under the company's zone and suggests free ones when taken.
#[utoipa::path(get, path = "/api/subdomains/check", tag = "domains", params(CheckQuery),
    responses(
        (status = 200, body = SubdomainCheck),
        (status = 422, body = ErrorBody, description = "invalid name, or `too_short`"),
        (status = 429, body = ErrorBody, description = "rate limited; see Retry-After"),
    ))]
async fn check_subdomain(
    State(state): State<AppState>,
    _: Admitted<Searches>,
    ApiQuery(query): ApiQuery<CheckQuery>,
) -> Result<Json<SubdomainCheck>, ApiError> {
    Ok(Json(subdomains::check(&state.ports, &query.name).await?))
}

pub fn routes<T: RouteTable>() -> T {
    T::default()
        .add(crate::handlers!(check_domain))
        .add(crate::handlers!(check_subdomain))
}
