//! A customer's client accounts at the registrar, for staff: never a password.

use axum::Json;
use axum::extract::{Path, State};

use super::{AsSupport, Staff};
use crate::AppState;
use crate::error::{ApiError, ErrorBody};
use crate::table::RouteTable;
use hostfront_core::CustomerId;
use hostfront_core::registrar_accounts::{self, RegistrarAccount};

/// One customer's registrar accounts, oldest first, with their domains.
#[utoipa::path(get, path = "/api/admin/customers/{id}/registrar-accounts", tag = "admin", security(("staff" = ["support"])),
    params(("id" = String, Path, description = "the customer")),
    responses(
        (status = 200, body = Vec<RegistrarAccount>),
        (status = 404, body = ErrorBody, description = "no such customer"),
    ))]
async fn customer_registrar_accounts(
    State(state): State<AppState>,
    _: Staff<AsSupport>,
    Path(id): Path<CustomerId>,
) -> Result<Json<Vec<RegistrarAccount>>, ApiError> {
    registrar_accounts::of_customer(&state.ports, &id)
        .await?
        .map(Json)
        .ok_or_else(|| ApiError::not_found("no such customer"))
}

pub(super) fn routes<T: RouteTable>() -> T {
    T::default().add(crate::handlers!(customer_registrar_accounts))
}
