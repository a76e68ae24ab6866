//! The customer's credit notes: the list, and one by number.

use axum::Json;
use axum::extract::{Path, State};

use crate::AppState;
use crate::accounts::CurrentCustomer;
use crate::error::{ApiError, ErrorBody};
use crate::table::RouteTable;
use hostfront_core::billing::{CreditNote, credit_note};

/// The logged-in customer's credit notes, newest first: each documents a
/// refund and names the invoice it corrects.
#[utoipa::path(get, path = "/api/credit-notes", tag = "portal", security(("session" = [])),
    responses(
        (status = 200, body = Vec<CreditNote>),
    ))]
async fn list_credit_notes(
    State(state): State<AppState>,
    CurrentCustomer(customer): CurrentCustomer,
) -> Result<Json<Vec<CreditNote>>, ApiError> {
    let table = state.ports.table.as_ref();
    Ok(Json(
        credit_note::of_customer(table, &customer.id, 100).await?,
    ))
}

/// One of the logged-in customer's credit notes, by number.
#[utoipa::path(get, path = "/api/credit-notes/{number}", tag = "portal", security(("session" = [])),
    params(("number" = String, Path, description = "`CN-000007`")),
    responses(
        (status = 200, body = CreditNote),
        (status = 404, body = ErrorBody, description = "not a credit note of yours"),
    ))]
async fn get_credit_note(
    State(state): State<AppState>,
    CurrentCustomer(customer): CurrentCustomer,
    Path(number): Path<String>,
) -> Result<Json<CreditNote>, ApiError> {
    let table = state.ports.table.as_ref();
    credit_note::find(table, &customer.id, &number)
        .await?
        .map(Json)
        .ok_or_else(|| ApiError::not_found("no such credit note of yours"))
}

pub(super) fn routes<T: RouteTable>() -> T {
    T::default()
        .add(crate::handlers!(list_credit_notes))
        .add(crate::handlers!(get_credit_note))
}
