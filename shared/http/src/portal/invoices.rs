//! The customer's invoices: the list, one by number, and paying one.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use utoipa::ToSchema;

use super::{declined_code, payment_source};
use crate::AppState;
use crate::accounts::CurrentCustomer;
use crate::card_data::PaymentJson;
use crate::error::{ApiError, ErrorBody};
use crate::orders::Purchaser;
use crate::table::RouteTable;
use hostfront_core::billing::{Invoice, invoice};
use hostfront_core::invoice_payments::{self as pay, InvoicePayment, PayError};

/// The logged-in customer's invoices.
#[utoipa::path(get, path = "/api/invoices", tag = "portal", security(("session" = [])),
    responses(
        (status = 200, body = Vec<Invoice>),
    ))]
async fn list_invoices(
    State(state): State<AppState>,
    CurrentCustomer(customer): CurrentCustomer,
) -> Result<Json<Vec<Invoice>>, ApiError> {
    let table = state.ports.table.as_ref();
    Ok(Json(invoice::of_customer(table, &customer.id, 100).await?))
}

/// One of the logged-in customer's invoices, by number.
#[utoipa::path(get, path = "/api/invoices/{number}", tag = "portal", security(("session" = [])),
    params(("number" = String, Path, description = "`INV-000042`")),
    responses(
        (status = 200, body = Invoice),
        (status = 404, body = ErrorBody, description = "not an invoice of yours"),
    ))]
async fn get_invoice(
    State(state): State<AppState>,
    CurrentCustomer(customer): CurrentCustomer,
    Path(number): Path<String>,
) -> Result<Json<Invoice>, ApiError> {
    let table = state.ports.table.as_ref();
    invoice::find(table, &customer.id, &number)
        .await?
        .map(Json)
        .ok_or_else(|| ApiError::not_found("no such invoice of yours"))
}

/// One of the logged-in customer's invoices as a PDF, to download.
#[utoipa::path(get, path = "/api/invoices/{number}/pdf", tag = "portal", security(("session" = [])),
    params(("number" = String, Path, description = "`INV-000042`")),
    responses(
        (status = 200, content_type = "application/pdf", body = String, description = "the invoice as a PDF, saved as `INV-000042.pdf`"),
        (status = 404, body = ErrorBody, description = "not an invoice of yours"),
    ))]
async fn get_invoice_pdf(
    State(state): State<AppState>,
    CurrentCustomer(customer): CurrentCustomer,
    Path(number): Path<String>,
) -> Result<Response, ApiError> {
    let table = state.ports.table.as_ref();
    let invoice = invoice::find(table, &customer.id, &number)
        .await?
        .ok_or_else(|| ApiError::not_found("no such invoice of yours"))?;
    crate::invoice_pdf::download(&invoice)
}

impl From<PayError> for ApiError {
    fn from(error: PayError) -> Self {
        match error {
            PayError::NotFound => ApiError::not_found("no such invoice of yours"),
            PayError::Conflict { code, message } => ApiError::conflict(code, message),
            PayError::Declined { code, message } => {
                // The bank's refusal of its check says so already.
                let told = match message.contains("nothing was charged") {
                    true => message,
                    false => format!("{message}. Nothing was charged."),
                };
                ApiError::new(StatusCode::PAYMENT_REQUIRED, declined_code(&code), told)
            }
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
    /// The payment provider's id of the card to pay with, as its card form
    /// gives it; without one, the saved payment method.
    #[serde(default)]
    #[schema(pattern = r"^pm_[A-Za-z0-9_]{1,255}$")]
    payment_method: Option<String>,
}

/// Pays an open service invoice now, with the customer at hand: a hosting
/// service's period left unpaid after its dunning days (a service
/// suspended for it alone comes back), or a client site's tracked service's
/// period, invoiced by the agency's billing run (a service staff suspended
/// or expired meanwhile comes back while the period paid still runs).
/// Paying a paid invoice again charges nothing. When the card's bank asks
/// the customer to confirm the payment (3-D Secure), the invoice comes
/// back still open with `payment_action_url`: the bank's page, which sends
/// the customer back to the portal (`/portal.html?confirmed=<number>`) to
/// `POST …/pay/confirm`. The invoice is kept for that payment meanwhile;
/// paying it again starts over (or finishes it, if the bank confirmed it).
#[utoipa::path(post, path = "/api/invoices/{number}/pay", tag = "portal", security(("session" = [])),
    request_body = PayInvoice,
    params(("number" = String, Path, description = "the invoice, `INV-000042`")),
    responses(
        (status = 200, body = InvoicePayment, description = "paid; or waiting for the bank (`payment_action_url`)"),
        (status = 402, body = ErrorBody, description = "the card was declined (`card_declined`, `insufficient_funds`, `expired_card`, `invalid_card`, or after the customer's second decline of a day `payment_declined`); nothing was charged"),
        (status = 404, body = ErrorBody, description = "not an invoice of yours"),
        (status = 409, body = ErrorBody, description = "`not_payable` (voided or refunded), `service_ended` (voided when its service ended, or a client service cancelled), `pay_elsewhere` (an order's or a renewal's), `charged_automatically`, `payment_in_progress`, `too_many_declines` (for this invoice)"),
        (status = 422, body = ErrorBody, description = "`invalid_payment_method`, `card_data_refused`, `invalid_payment`, `payment_method_required`"),
        (status = 429, body = ErrorBody, description = "`rate_limited` with orders and payments, `too_many_declines` (today); see Retry-After"),
        (status = 503, body = ErrorBody, description = "the payment provider is not answering"),
    ))]
async fn pay_invoice(
    State(state): State<AppState>,
    Purchaser(customer): Purchaser,
    Path(number): Path<String>,
    PaymentJson(body): PaymentJson<PayInvoice>,
) -> Result<Json<InvoicePayment>, ApiError> {
    let source = payment_source(&state, &customer.id, body.payment_method.as_deref()).await?;
    Ok(Json(
        pay::pay_invoice(&state.ports, &customer.id, &number, source).await?,
    ))
}

/// After the customer's bank asked them to confirm an invoice's payment:
/// finishes it, once however often it is asked.
#[utoipa::path(post, path = "/api/invoices/{number}/pay/confirm", tag = "portal", security(("session" = [])),
    params(("number" = String, Path, description = "the invoice, `INV-000042`")),
    responses(
        (status = 200, body = InvoicePayment, description = "paid (or paid before); or still waiting for the bank (`payment_action_url`)"),
        (status = 402, body = ErrorBody, description = "`authentication_failed`: the bank did not confirm the payment (after the customer's second decline of a day `payment_declined`); nothing was charged, the invoice is still open"),
        (status = 404, body = ErrorBody, description = "not an invoice of yours"),
        (status = 409, body = ErrorBody, description = "`nothing_to_confirm` (no payment of it waits for a bank), `payment_in_progress`, `not_payable`, `service_ended`, `pay_elsewhere`"),
        (status = 503, body = ErrorBody, description = "the payment provider is not answering; retrying never charges twice"),
    ))]
async fn confirm_invoice_payment(
    State(state): State<AppState>,
    // Not a purchase of its own: the one it finishes was counted.
    CurrentCustomer(customer): CurrentCustomer,
    Path(number): Path<String>,
) -> Result<Json<InvoicePayment>, ApiError> {
    Ok(Json(
        pay::bank::confirmed_at_bank(&state.ports, &customer.id, &number).await?,
    ))
}

pub(super) fn routes<T: RouteTable>() -> T {
    T::default()
        .add(crate::handlers!(list_invoices))
        .add(crate::handlers!(get_invoice))
        .add(crate::handlers!(get_invoice_pdf))
        .add(crate::handlers!(pay_invoice))
        .add(crate::handlers!(confirm_invoice_payment))
}
