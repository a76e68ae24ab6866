//! The customer's domains: the list, one with its renewal price, renewing
//! one, and its auto-renewal.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;

use super::declined_code;
use crate::AppState;
use crate::accounts::CurrentCustomer;
use crate::card_data::PaymentJson;
use crate::error::{ApiError, ApiJson, ErrorBody};
use crate::orders::{Purchaser, idempotency_key};
use crate::table::RouteTable;
use hostfront_core::billing::credit;
use hostfront_core::domains::owned::{self, OwnedDomain};
use hostfront_core::renewals::{self, Quote, RenewRequest, Renewal, RenewalError};

impl From<RenewalError> for ApiError {
    fn from(error: RenewalError) -> Self {
        match error {
            RenewalError::NotFound => ApiError::not_found("no such domain of yours"),
            RenewalError::Invalid { code, message } => ApiError::unprocessable(code, message),
            RenewalError::TooManyYears { max_years } => ApiError::bad_request(
                "too_many_years",
                format!(
                    "a domain is never registered more than ten years ahead: renew it for at most {max_years} {} now",
                    if max_years == 1 { "year" } else { "years" }
                ),
            )
            .with_max_years(max_years),
            RenewalError::NotRenewable { code, message } => ApiError::conflict(code, message),
            RenewalError::NothingToConfirm => {
                ApiError::conflict("nothing_to_confirm", RenewalError::NothingToConfirm.to_string())
            }
            RenewalError::Underway => ApiError::conflict(
                "renewal_in_progress",
                "this domain is being renewed already; look at it again in a moment",
            ),
            RenewalError::Declined { code, message } => {
                ApiError::new(StatusCode::PAYMENT_REQUIRED, declined_code(&code), message)
            }
            RenewalError::TooManyDeclines(refused) => refused.into(),
            RenewalError::Unavailable(message) => ApiError::unavailable(message).retry_after(5),
            RenewalError::Transition(invalid) => {
                ApiError::conflict("invalid_transition", invalid.to_string())
            }
            RenewalError::Table(error) => error.into(),
        }
    }
}

/// A domain of the customer's, and what renewing it for a year costs now.
#[derive(Serialize, ToSchema)]
struct DomainView {
    #[serde(flatten)]
    domain: OwnedDomain,
    /// A year's renewal, when the domain can be renewed now.
    renewal_quote: Option<Quote>,
    /// Why it cannot be renewed now, in plain words.
    not_renewable: Option<String>,
    /// The customer's account credit, minor units, in the quote's
    /// currency: a renewal's invoice takes it off its total when issued.
    account_credit: i64,
}

/// The logged-in customer's domains.
#[utoipa::path(get, path = "/api/domains", tag = "portal", security(("session" = [])),
    responses(
        (status = 200, body = Vec<OwnedDomain>),
    ))]
async fn list_domains(
    State(state): State<AppState>,
    CurrentCustomer(customer): CurrentCustomer,
) -> Result<Json<Vec<OwnedDomain>>, ApiError> {
    let table = state.ports.table.as_ref();
    Ok(Json(owned::of_customer(table, &customer.id).await?))
}

/// One of the logged-in customer's domains, with a year's renewal price,
/// as its record stands (see `POST /api/domains/{name}/refresh`).
#[utoipa::path(get, path = "/api/domains/{name}", tag = "portal", security(("session" = [])),
    params(("name" = String, Path, description = "the domain, ASCII")),
    responses(
        (status = 200, body = DomainView),
        (status = 404, body = ErrorBody, description = "not a domain of yours"),
    ))]
async fn get_domain(
    State(state): State<AppState>,
    CurrentCustomer(customer): CurrentCustomer,
    Path(name): Path<String>,
) -> Result<Json<DomainView>, ApiError> {
    let ports = &state.ports;
    let domain = owned::find(ports.table.as_ref(), &customer.id, &name.to_lowercase())
        .await?
        .ok_or_else(|| ApiError::not_found("no such domain of yours"))?;
    // From the record: the registry is asked by the daily sync and on a refresh.
    let (renewal_quote, not_renewable) = match renewals::quote_from_record(ports, &domain, 1).await
    {
        Ok(quote) => (Some(quote), None),
        Err(RenewalError::NotRenewable { message, .. }) => (None, Some(message)),
        Err(RenewalError::Unavailable(_)) => (None, None),
        Err(other) => return Err(other.into()),
    };
    let (account_credit, _) = credit::balance(ports.table.as_ref(), &customer.id).await?;
    Ok(Json(DomainView {
        domain,
        renewal_quote,
        not_renewable,
        account_credit,
    }))
}

/// Renews one of the customer's domains: invoiced (the account credit taken
/// off its total), the card authorised, and the renewal queued (202); when
/// the credit pays all of it, no card is needed nor charged
/// (`payment_method` may be left out with no card saved). The same
/// `Idempotency-Key` returns the same
/// renewal (200). The registry is asked with the expiry the renewal extends,
/// so it is never renewed twice for one period. When the card's bank asks
/// the customer to confirm the payment (3-D Secure), the renewal comes back
/// `at_bank` with `payment_action_url`: the bank's page, which sends the
/// customer back to the portal (`/portal.html?confirmed_renewal=<name>`) to
/// `POST …/renew/confirm`. After 15 minutes there, the sweep of cut-off
/// renewals ends it (within 5 minutes more) and lets the payment go.
#[utoipa::path(post, path = "/api/domains/{name}/renew", tag = "portal", security(("session" = [])),
    request_body = RenewRequest,
    params(("name" = String, Path, description = "the domain, ASCII"),
        ("Idempotency-Key" = String, Header, pattern = r"^[!-~]{1,100}$", description = "one per renewal, 1 to 100 printable ASCII characters")),
    responses(
        (status = 202, body = Renewal, description = "the card is authorised (or the account credit paid it all: `total` 0, `credit`) and the renewal queued; or waiting for the bank (`at_bank`, `payment_action_url`)"),
        (status = 200, body = Renewal, description = "asked before under this key"),
        (status = 400, body = ErrorBody, description = "`idempotency_key_required`, `too_many_years` (with `max_years`)"),
        (status = 402, body = ErrorBody, description = "the card was declined: `card_declined`, `insufficient_funds`, `expired_card`, `invalid_card`, or after the customer's second decline of a day `payment_declined`; nothing was charged or renewed"),
        (status = 404, body = ErrorBody, description = "not a domain of yours"),
        (status = 409, body = ErrorBody, description = "`renewal_in_progress`, `pending_delete`, `transfer_pending`, `released`, `renewed_to_the_limit`, `tld_not_sold`, `too_many_declines` (for this renewal)"),
        (status = 422, body = ErrorBody, description = "`invalid_years`, `invalid_payment_method`, `card_data_refused` (card numbers are never taken here; nothing was charged), `invalid_payment`, `payment_method_required` (no card given or saved, and the account credit does not pay it all), `invalid_idempotency_key`, `idempotency_key_reused`"),
        (status = 429, body = ErrorBody, description = "`rate_limited` with orders and payments, `too_many_declines` (today); see Retry-After"),
        (status = 503, body = ErrorBody, description = "the payment provider or the registry is not answering; send the same request again"),
    ))]
async fn renew_domain(
    State(state): State<AppState>,
    Purchaser(customer): Purchaser,
    Path(name): Path<String>,
    headers: HeaderMap,
    PaymentJson(request): PaymentJson<RenewRequest>,
) -> Result<Response, ApiError> {
    let key = idempotency_key(&headers, "renewal")?;
    let name = name.to_lowercase();
    let (renewal, created) = renewals::renew(&state.ports, &customer, &name, key, request).await?;
    let status = if created {
        StatusCode::ACCEPTED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(renewal)).into_response())
}

/// After the customer's bank asked them to confirm a renewal's payment:
/// queues the renewal, once however often it is asked.
#[utoipa::path(post, path = "/api/domains/{name}/renew/confirm", tag = "portal", security(("session" = [])),
    params(("name" = String, Path, description = "the domain, ASCII")),
    responses(
        (status = 200, body = Renewal, description = "queued (or confirmed before); or still waiting for the bank (`at_bank`, `payment_action_url`)"),
        (status = 402, body = ErrorBody, description = "`authentication_failed`: the bank did not confirm the payment (after the customer's second decline of a day `payment_declined`); nothing was charged, the renewal is declined and the domain can be renewed again"),
        (status = 404, body = ErrorBody, description = "no renewal of a domain of yours"),
        (status = 409, body = ErrorBody, description = "`nothing_to_confirm`: no renewal of the domain waits for a bank"),
        (status = 503, body = ErrorBody, description = "the payment provider is not answering; retrying never charges twice"),
    ))]
async fn confirm_renewal(
    State(state): State<AppState>,
    // Not a purchase of its own: the one it finishes was counted.
    CurrentCustomer(customer): CurrentCustomer,
    Path(name): Path<String>,
) -> Result<Json<Renewal>, ApiError> {
    let name = name.to_lowercase();
    Ok(Json(
        renewals::bank::confirmed_at_bank(&state.ports, &customer.id, &name).await?,
    ))
}

#[derive(serde::Deserialize, ToSchema)]
struct AutoRenew {
    enabled: bool,
}

/// Turns a domain's auto-renewal on or off.
#[utoipa::path(put, path = "/api/domains/{name}/auto-renew", tag = "portal", security(("session" = [])),
    request_body = AutoRenew,
    params(("name" = String, Path, description = "the domain, ASCII")),
    responses(
        (status = 200, body = OwnedDomain),
        (status = 404, body = ErrorBody, description = "not a domain of yours"),
    ))]
async fn set_auto_renew(
    State(state): State<AppState>,
    CurrentCustomer(customer): CurrentCustomer,
    Path(name): Path<String>,
    ApiJson(choice): ApiJson<AutoRenew>,
) -> Result<Json<OwnedDomain>, ApiError> {
    let ports = &state.ports;
    owned::set_auto_renew(ports, &customer.id, &name.to_lowercase(), choice.enabled)
        .await?
        .map(Json)
        .ok_or_else(|| ApiError::not_found("no such domain of yours"))
}

pub(super) fn routes<T: RouteTable>() -> T {
    T::default()
        .add(crate::handlers!(list_domains))
        .add(crate::handlers!(get_domain))
        .add(crate::handlers!(renew_domain))
        .add(crate::handlers!(confirm_renewal))
        .add(crate::handlers!(set_auto_renew))
}
