//! Tax as it applies to the customer: the terms their account gives what
//! they buy now, and their business's VAT number, given, checked in the
//! EU's register (VIES) before it counts, and taken off.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;

use crate::AppState;
use crate::accounts::CurrentCustomer;
use crate::error::{ApiError, ApiJson, ErrorBody};
use crate::orders::Purchaser;
use crate::table::RouteTable;
use hostfront_core::accounts::VatRegistration;
use hostfront_core::accounts::vat::{self, VatError, VatNumberRequest};
use hostfront_core::billing::{TaxTreatment, Terms};

impl From<VatError> for ApiError {
    fn from(error: VatError) -> Self {
        match error {
            VatError::Malformed(message) => ApiError::unprocessable("invalid_vat_number", message),
            VatError::NotValid(message) => ApiError::unprocessable("vat_number_not_valid", message),
            VatError::Refused => ApiError::unavailable(error.to_string()),
            VatError::Busy => ApiError::conflict("busy", error.to_string()),
            VatError::Table(error) => error.into(),
        }
    }
}

/// How tax applies to what the customer buys now: the scheme, rate and
/// country their account gives, what the invoice will say, and whether the
/// catalog's prices include the tax. Pages show prices with it before the
/// customer pays.
#[utoipa::path(get, path = "/api/account/tax", tag = "portal", security(("session" = [])),
    responses(
        (status = 200, body = TaxTreatment),
    ))]
async fn tax_terms(
    State(state): State<AppState>,
    CurrentCustomer(customer): CurrentCustomer,
) -> Result<Json<TaxTreatment>, ApiError> {
    Ok(Json(Terms::for_sale(&state.ports, &customer).await?.tax))
}

/// Gives the account a VAT number, checked in VIES first. Valid: kept, with
/// VIES's answer as evidence, and invoices from now on are reverse-charged
/// when it is of another member state than the seller's. VIES cannot answer
/// now: kept as `pending`, invoices go on at the consumer's rate, and VIES
/// is asked again every hour; once it confirms the number, the invoices
/// issued meanwhile get a credit note of their VAT. Each asks VIES, so it
/// is rate limited with purchases.
#[utoipa::path(put, path = "/api/account/vat-number", tag = "portal", security(("session" = [])),
    request_body = VatNumberRequest,
    responses(
        (status = 200, body = VatRegistration, description = "kept: `valid`, or `pending` while VIES cannot answer"),
        (status = 409, body = ErrorBody, description = "`busy`: the account changed meanwhile; try again"),
        (status = 422, body = ErrorBody, description = "`invalid_vat_number` (not in a VAT number's form), `vat_number_not_valid` (VIES says it is not valid); nothing was kept"),
        (status = 429, body = ErrorBody, description = "`rate_limited` with orders and payments; see Retry-After"),
        (status = 503, body = ErrorBody, description = "VAT numbers cannot be checked right now; nothing was kept"),
    ))]
async fn give_vat_number(
    State(state): State<AppState>,
    Purchaser(customer): Purchaser,
    ApiJson(request): ApiJson<VatNumberRequest>,
) -> Result<Json<VatRegistration>, ApiError> {
    Ok(Json(
        vat::give(&state.ports, &customer, &request.vat_number).await?,
    ))
}

/// Takes the VAT number off the account: invoices from now on are a consumer's.
#[utoipa::path(delete, path = "/api/account/vat-number", tag = "portal", security(("session" = [])),
    responses(
        (status = 204, description = "taken off (or there was none)"),
        (status = 409, body = ErrorBody, description = "`busy`: the account changed meanwhile; try again"),
    ))]
async fn remove_vat_number(
    State(state): State<AppState>,
    CurrentCustomer(customer): CurrentCustomer,
) -> Result<StatusCode, ApiError> {
    vat::remove(&state.ports, &customer.id).await?;
    Ok(StatusCode::NO_CONTENT)
}

pub(super) fn routes<T: RouteTable>() -> T {
    T::default()
        .add(crate::handlers!(tax_terms))
        .add(crate::handlers!(give_vat_number, remove_vat_number))
}
