//! A customer's data: a copy of everything held about them, and erasing
//! the account.

use std::sync::LazyLock;

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;

use super::AppState;
use super::accounts::CurrentCustomer;
use super::client::{Admitted, AuthAttempts};
use super::error::{ApiError, ApiJson, ErrorBody};
use crate::table::RouteTable;
use hostfront_core::privacy::erasure::{self, ErasureError, ErasureRequest, Outcome};
use hostfront_core::privacy::export::{self, ExportError};
use hostfront_core::ratelimit::{ClientLimiter, Refusal};

/// Exports per account: three an hour, in every process together.
static EXPORTS: LazyLock<ClientLimiter> =
    LazyLock::new(|| ClientLimiter::new("export", 1, 3, 3, 3_600));

impl From<ExportError> for ApiError {
    fn from(error: ExportError) -> Self {
        match error {
            ExportError::Table(error) => error.into(),
            ExportError::UnknownKind(_) => {
                tracing::error!(%error, "an export met an item it does not know");
                ApiError::internal()
            }
        }
    }
}

impl From<ErasureError> for ApiError {
    fn from(error: ErasureError) -> Self {
        match error {
            ErasureError::Account(error) => error.into(),
            ErasureError::DomainsHeld(_) => ApiError::conflict("domains_held", error.to_string()),
            ErasureError::SitesKept(_) => ApiError::conflict("sites_kept", error.to_string()),
            ErasureError::OrdersUnderWay(_) => {
                ApiError::conflict("orders_under_way", error.to_string())
            }
            ErasureError::Table(error) => error.into(),
        }
    }
}

/// Everything held about the logged-in customer, as a JSON file to keep:
/// profile, contacts, orders, services, domains, invoices, credit notes,
/// the saved card as shown (never its token), consents, account credit,
/// disputes, declined cards and the audit entries about them. Never a
/// secret: no password hash, session, link or provider token.
#[utoipa::path(get, path = "/api/account/export", tag = "accounts", security(("session" = [])),
    responses(
        (status = 200, content_type = "application/json", body = Object, description = "the document, as an attachment `hostfront-export-<date>.json`"),
        (status = 429, body = ErrorBody, description = "rate limited (3 an hour per account); see Retry-After"),
    ))]
async fn export_data(
    State(state): State<AppState>,
    CurrentCustomer(customer): CurrentCustomer,
) -> Result<Response, ApiError> {
    let key = format!("customer:{}", customer.id);
    let ports = &state.ports;
    match EXPORTS
        .admit(ports.table.as_ref(), ports.clock.as_ref(), &key)
        .await
    {
        Ok(()) => {}
        Err(Refusal::Limited(limited)) => {
            return Err(ApiError::new(
                StatusCode::TOO_MANY_REQUESTS,
                "rate_limited",
                format!(
                    "you downloaded your data three times this hour; try again in {} seconds",
                    limited.retry_after_secs
                ),
            )
            .retry_after(limited.retry_after_secs));
        }
        Err(Refusal::Storage(error)) => return Err(error.into()),
    }
    let document = export::export(ports, &customer.id).await?;
    let day = ports.clock.now().date();
    let disposition = format!("attachment; filename=\"hostfront-export-{day}.json\"");
    let body = serde_json::to_string_pretty(&document).map_err(|_| ApiError::internal())?;
    let mut response = (
        [
            (header::CONTENT_TYPE, "application/json".to_string()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        body,
    )
        .into_response();
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(response)
}

/// What an erasure answers.
#[derive(Debug, Serialize, ToSchema)]
struct Erased {
    /// `erased`, or `erasing` when the last steps run in the background.
    status: &'static str,
    message: &'static str,
}

/// Erases the account: every session ends and nobody can log in again;
/// unpaid orders and services are cancelled through their usual
/// workflows, the saved card is forgotten, and the profile and contacts
/// are replaced by placeholders, freeing the email for a new signup.
/// Invoices and credit notes are kept, as tax law requires, naming the
/// buyer as they did when issued. Refused while a domain is held here.
#[utoipa::path(post, path = "/api/account/erasure", tag = "accounts", security(("session" = [])),
    request_body = ErasureRequest,
    responses(
        (status = 200, body = Erased, description = "erased (`erased`) or, for its last steps, under way (`erasing`); the session cookie is cleared"),
        (status = 403, body = ErrorBody, description = "`wrong_password`; nothing changed"),
        (status = 409, body = ErrorBody, description = "`domains_held`: transfer the domains named out, or let them expire, first; `sites_kept`: client sites we look after for the customer, not cancelled; `orders_under_way`; nothing changed"),
        (status = 422, body = ErrorBody, description = "`confirmation_required`: `confirm` is not `erase my account`; `account_changed`; nothing changed"),
        (status = 429, body = ErrorBody, description = "rate limited; see Retry-After"),
    ))]
async fn erase_account(
    State(state): State<AppState>,
    _: Admitted<AuthAttempts>,
    CurrentCustomer(customer): CurrentCustomer,
    ApiJson(request): ApiJson<ErasureRequest>,
) -> Result<Response, ApiError> {
    super::account_settings::secret_try(&state, &customer.id).await?;
    let outcome = erasure::erase(&state.ports, &customer.id, request).await?;
    let answer = match outcome {
        Outcome::Erased => Erased {
            status: "erased",
            message: "Your account is erased. Invoices stay with us as tax law requires.",
        },
        Outcome::Finishing => Erased {
            status: "erasing",
            message: "Your account is closed and its erasure finishes in the next minutes.",
        },
    };
    let mut response = (StatusCode::OK, Json(answer)).into_response();
    response
        .headers_mut()
        .insert(header::SET_COOKIE, super::accounts::cleared_cookie(&state));
    Ok(response)
}

pub fn routes<T: RouteTable>() -> T {
    T::default()
        .add(crate::handlers!(export_data))
        .add(crate::handlers!(erase_account))
}
