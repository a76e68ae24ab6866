//! The customer portal: a logged-in customer's own services, domains and
//! invoices, and renewing a domain.

use crate::table::RouteTable;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;

mod manage;
mod services;

use super::AppState;
use super::accounts::CurrentCustomer;
use super::error::{ApiError, ApiJson, ErrorBody};
use super::orders::{Purchaser, idempotency_key};
use hostfront_core::billing::declines::TooManyDeclines;
use hostfront_core::billing::payment_method::{self, PaymentMethodView, SaveError};
use hostfront_core::billing::{Invoice, invoice};
use hostfront_core::domains::owned::{self, OwnedDomain};
use hostfront_core::payments::{Card, PaymentSource};
use hostfront_core::renewals::{self, Quote, RenewRequest, Renewal, RenewalError};
use hostfront_core::subscriptions::pay::{self, PayError};

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

/// What a purchase is paid with: the card given, or the saved one.
async fn payment_source(
    state: &AppState,
    customer_id: &str,
    card: Option<Card>,
) -> Result<PaymentSource, ApiError> {
    match card {
        Some(card) => {
            card.check_form()
                .map_err(|m| ApiError::unprocessable("invalid_payment", m))?;
            Ok(PaymentSource::Card(card))
        }
        None => Ok(PaymentSource::Saved(
            payment_method::find(state.services.table.as_ref(), customer_id)
                .await?
                .ok_or_else(|| {
                    ApiError::unprocessable(
                        "payment_method_required",
                        "give a card, or save one as your payment method first",
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
        _ => "payment_declined",
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
}

/// The logged-in customer's domains.
#[utoipa::path(get, path = "/api/domains", tag = "portal", security(("session" = [])),
    responses(
        (status = 200, body = Vec<OwnedDomain>),
        (status = 401, body = ErrorBody, description = "`not_logged_in`"),
    ))]
async fn list_domains(
    State(state): State<AppState>,
    CurrentCustomer(customer): CurrentCustomer,
) -> Result<Json<Vec<OwnedDomain>>, ApiError> {
    let table = state.services.table.as_ref();
    Ok(Json(owned::of_customer(table, &customer.id).await?))
}

/// One of the logged-in customer's domains, with a year's renewal price,
/// as its record stands (see `POST /api/domains/{name}/refresh`).
#[utoipa::path(get, path = "/api/domains/{name}", tag = "portal", security(("session" = [])),
    params(("name" = String, Path, description = "the domain, ASCII")),
    responses(
        (status = 200, body = DomainView),
        (status = 401, body = ErrorBody, description = "`not_logged_in`"),
        (status = 404, body = ErrorBody, description = "not a domain of yours"),
    ))]
async fn get_domain(
    State(state): State<AppState>,
    CurrentCustomer(customer): CurrentCustomer,
    Path(name): Path<String>,
) -> Result<Json<DomainView>, ApiError> {
    let services = &state.services;
    let domain = owned::find(services.table.as_ref(), &customer.id, &name.to_lowercase())
        .await?
        .ok_or_else(|| ApiError::not_found("no such domain of yours"))?;
    // From the record: the registry is asked by the daily sync and on a refresh.
    let (renewal_quote, not_renewable) =
        match renewals::quote_from_record(services, &domain, 1).await {
            Ok(quote) => (Some(quote), None),
            Err(RenewalError::NotRenewable { message, .. }) => (None, Some(message)),
            Err(RenewalError::Unavailable(_)) => (None, None),
            Err(other) => return Err(other.into()),
        };
    Ok(Json(DomainView {
        domain,
        renewal_quote,
        not_renewable,
    }))
}

/// Renews one of the customer's domains: invoiced, the card authorised, and
/// the renewal queued (202); the same `Idempotency-Key` returns the same
/// renewal (200). The registry is asked with the expiry the renewal extends,
/// so it is never renewed twice for one period.
#[utoipa::path(post, path = "/api/domains/{name}/renew", tag = "portal", security(("session" = [])),
    request_body = RenewRequest,
    params(("name" = String, Path, description = "the domain, ASCII"),
        ("Idempotency-Key" = String, Header, pattern = r"^[!-~]{1,100}$", description = "one per renewal, 1 to 100 printable ASCII characters")),
    responses(
        (status = 202, body = Renewal, description = "the card is authorised and the renewal queued"),
        (status = 200, body = Renewal, description = "asked before under this key"),
        (status = 400, body = ErrorBody, description = "`idempotency_key_required`, `too_many_years` (with `max_years`)"),
        (status = 401, body = ErrorBody, description = "`not_logged_in`"),
        (status = 402, body = ErrorBody, description = "the card was declined: `card_declined`, `insufficient_funds`, `expired_card`, `invalid_card`, or after the customer's second decline of a day `payment_declined`; nothing was charged or renewed"),
        (status = 404, body = ErrorBody, description = "not a domain of yours"),
        (status = 409, body = ErrorBody, description = "`renewal_in_progress`, `pending_delete`, `transfer_pending`, `released`, `renewed_to_the_limit`, `tld_not_sold`, `too_many_declines` (for this renewal)"),
        (status = 422, body = ErrorBody, description = "`invalid_years`, `invalid_payment`, `invalid_idempotency_key`, `idempotency_key_reused`"),
        (status = 429, body = ErrorBody, description = "`rate_limited` with orders and payments, `too_many_declines` (today); see Retry-After"),
        (status = 503, body = ErrorBody, description = "the payment provider or the registry is not answering; send the same request again"),
    ))]
async fn renew_domain(
    State(state): State<AppState>,
    Purchaser(customer): Purchaser,
    Path(name): Path<String>,
    headers: HeaderMap,
    ApiJson(request): ApiJson<RenewRequest>,
) -> Result<Response, ApiError> {
    let key = idempotency_key(&headers, "renewal")?;
    let name = name.to_lowercase();
    let (renewal, created) =
        renewals::renew(&state.services, &customer, &name, key, request).await?;
    let status = if created {
        StatusCode::ACCEPTED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(renewal)).into_response())
}

/// The logged-in customer's services.
#[utoipa::path(get, path = "/api/invoices", tag = "portal", security(("session" = [])),
    responses(
        (status = 200, body = Vec<Invoice>),
        (status = 401, body = ErrorBody, description = "`not_logged_in`"),
    ))]
async fn list_invoices(
    State(state): State<AppState>,
    CurrentCustomer(customer): CurrentCustomer,
) -> Result<Json<Vec<Invoice>>, ApiError> {
    let table = state.services.table.as_ref();
    Ok(Json(invoice::of_customer(table, &customer.id, 100).await?))
}

/// One of the logged-in customer's invoices, by number.
#[utoipa::path(get, path = "/api/invoices/{number}", tag = "portal", security(("session" = [])),
    params(("number" = String, Path, description = "`INV-000042`")),
    responses(
        (status = 200, body = Invoice),
        (status = 401, body = ErrorBody, description = "`not_logged_in`"),
        (status = 404, body = ErrorBody, description = "not an invoice of yours"),
    ))]
async fn get_invoice(
    State(state): State<AppState>,
    CurrentCustomer(customer): CurrentCustomer,
    Path(number): Path<String>,
) -> Result<Json<Invoice>, ApiError> {
    let table = state.services.table.as_ref();
    invoice::find(table, &customer.id, &number)
        .await?
        .map(Json)
        .ok_or_else(|| ApiError::not_found("no such invoice of yours"))
}

impl From<PayError> for ApiError {
    fn from(error: PayError) -> Self {
        match error {
            PayError::NotFound => ApiError::not_found("no such invoice of yours"),
            PayError::Conflict { code, message } => ApiError::conflict(code, message),
            PayError::Declined { code, message } => ApiError::new(
                StatusCode::PAYMENT_REQUIRED,
                declined_code(&code),
                format!("{message}. Nothing was charged."),
            ),
            PayError::TooManyDeclines(refused) => refused.into(),
            PayError::Invalid(message) => ApiError::unprocessable("invalid_payment", message),
            PayError::Unavailable(message) => {
                tracing::warn!(%message, "the gateway did not answer an invoice payment");
                ApiError::unavailable("the payment provider is not answering; send the same request again in a minute, you will not be charged twice").retry_after(5)
            }
            PayError::Table(error) => error.into(),
        }
    }
}

#[derive(serde::Deserialize, ToSchema)]
struct PayInvoice {
    /// The card to pay with; without one, the saved payment method.
    #[serde(default)]
    card: Option<Card>,
}

/// Pays an unpaid service invoice now; a service suspended for it alone
/// comes back. Paying a paid invoice again charges nothing.
#[utoipa::path(post, path = "/api/invoices/{number}/pay", tag = "portal", security(("session" = [])),
    request_body = PayInvoice,
    params(("number" = String, Path, description = "the invoice, `INV-000042`")),
    responses(
        (status = 200, body = Invoice, description = "paid"),
        (status = 401, body = ErrorBody, description = "`not_logged_in`"),
        (status = 402, body = ErrorBody, description = "the card was declined (`card_declined`, `insufficient_funds`, `expired_card`, `invalid_card`, or after the customer's second decline of a day `payment_declined`); nothing was charged"),
        (status = 404, body = ErrorBody, description = "not an invoice of yours"),
        (status = 409, body = ErrorBody, description = "`not_payable`, `service_ended` (voided when its service ended), `pay_elsewhere`, `charged_automatically`, `payment_in_progress`, `too_many_declines` (for this invoice)"),
        (status = 422, body = ErrorBody, description = "`invalid_payment`, `payment_method_required`"),
        (status = 429, body = ErrorBody, description = "`rate_limited` with orders and payments, `too_many_declines` (today); see Retry-After"),
        (status = 503, body = ErrorBody, description = "the payment provider is not answering"),
    ))]
async fn pay_invoice(
    State(state): State<AppState>,
    Purchaser(customer): Purchaser,
    Path(number): Path<String>,
    ApiJson(body): ApiJson<PayInvoice>,
) -> Result<Json<Invoice>, ApiError> {
    let source = payment_source(&state, &customer.id, body.card).await?;
    Ok(Json(
        pay::pay_invoice(&state.services, &customer.id, &number, source).await?,
    ))
}

/// The logged-in customer's saved card: its last four digits and expiry.
#[utoipa::path(get, path = "/api/payment-method", tag = "portal", security(("session" = [])),
    responses(
        (status = 200, body = PaymentMethodView),
        (status = 401, body = ErrorBody, description = "`not_logged_in`"),
        (status = 404, body = ErrorBody, description = "no card saved"),
    ))]
async fn get_payment_method(
    State(state): State<AppState>,
    CurrentCustomer(customer): CurrentCustomer,
) -> Result<Json<PaymentMethodView>, ApiError> {
    payment_method::find(state.services.table.as_ref(), &customer.id)
        .await?
        .map(|method| Json(method.view()))
        .ok_or_else(|| ApiError::not_found("no card is saved"))
}

/// Saves a card as the customer's payment method, in place of any before;
/// renewals and recurring invoices are charged to it. One
/// `Idempotency-Key` per card saved.
#[utoipa::path(put, path = "/api/payment-method", tag = "portal", security(("session" = [])),
    request_body = Card,
    params(("Idempotency-Key" = String, Header, pattern = r"^[!-~]{1,100}$", description = "one per card saved")),
    responses(
        (status = 200, body = PaymentMethodView),
        (status = 400, body = ErrorBody, description = "`idempotency_key_required`"),
        (status = 401, body = ErrorBody, description = "`not_logged_in`"),
        (status = 402, body = ErrorBody, description = "the gateway declined the card (`card_declined`, `insufficient_funds`, `expired_card`, `invalid_card`, or after the customer's second decline of a day `payment_declined`); it was not saved"),
        (status = 409, body = ErrorBody, description = "`too_many_declines` (when saving a card, this week)"),
        (status = 422, body = ErrorBody, description = "`invalid_payment`: not a card number, month and year; `invalid_idempotency_key`"),
        (status = 429, body = ErrorBody, description = "`rate_limited` with orders and payments, `too_many_declines` (today); see Retry-After"),
        (status = 503, body = ErrorBody, description = "the payment provider is not answering"),
    ))]
async fn save_payment_method(
    State(state): State<AppState>,
    Purchaser(customer): Purchaser,
    headers: HeaderMap,
    ApiJson(card): ApiJson<Card>,
) -> Result<Json<PaymentMethodView>, ApiError> {
    let key = idempotency_key(&headers, "card saved")?;
    let method = payment_method::save(&state.services, &customer.id, &card, key)
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

/// Forgets the customer's saved card.
#[utoipa::path(delete, path = "/api/payment-method", tag = "portal", security(("session" = [])),
    responses(
        (status = 204, description = "forgotten"),
        (status = 401, body = ErrorBody, description = "`not_logged_in`"),
    ))]
async fn remove_payment_method(
    State(state): State<AppState>,
    CurrentCustomer(customer): CurrentCustomer,
) -> Result<StatusCode, ApiError> {
    payment_method::remove(state.services.table.as_ref(), &customer.id).await?;
    Ok(StatusCode::NO_CONTENT)
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
        (status = 401, body = ErrorBody, description = "`not_logged_in`"),
        (status = 404, body = ErrorBody, description = "not a domain of yours"),
    ))]
async fn set_auto_renew(
    State(state): State<AppState>,
    CurrentCustomer(customer): CurrentCustomer,
    Path(name): Path<String>,
    ApiJson(choice): ApiJson<AutoRenew>,
) -> Result<Json<OwnedDomain>, ApiError> {
    let services = &state.services;
    owned::set_auto_renew(services, &customer.id, &name.to_lowercase(), choice.enabled)
        .await?
        .map(Json)
        .ok_or_else(|| ApiError::not_found("no such domain of yours"))
}

pub fn routes<T: RouteTable>() -> T {
    T::default()
        .add(crate::handlers!(list_domains))
        .add(crate::handlers!(get_domain))
        .add(crate::handlers!(renew_domain))
        .add(crate::handlers!(set_auto_renew))
        .merge(manage::routes())
        .add(crate::handlers!(
            get_payment_method,
            save_payment_method,
            remove_payment_method
        ))
        .merge(services::routes())
        .add(crate::handlers!(list_invoices))
        .add(crate::handlers!(get_invoice))
        .add(crate::handlers!(pay_invoice))
}
