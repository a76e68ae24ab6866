//! The customer's client accounts at the registrar: the list, never a password.

use axum::Json;
use axum::extract::State;

use crate::AppState;
use crate::accounts::CurrentCustomer;
use crate::error::ApiError;
use crate::table::RouteTable;
use hostfront_core::registrar_accounts::{self, RegistrarAccount};

/// The logged-in customer's registrar accounts, oldest first, each with the
/// domains held under it.
#[utoipa::path(get, path = "/api/registrar-accounts", tag = "portal", security(("session" = [])),
    responses(
        (status = 200, body = Vec<RegistrarAccount>),
    ))]
async fn list_registrar_accounts(
    State(state): State<AppState>,
    CurrentCustomer(customer): CurrentCustomer,
) -> Result<Json<Vec<RegistrarAccount>>, ApiError> {
    Ok(Json(
        registrar_accounts::list(&state.ports, &customer.id).await?,
    ))
}

pub(super) fn routes<T: RouteTable>() -> T {
    T::default().add(crate::handlers!(list_registrar_accounts))
}
