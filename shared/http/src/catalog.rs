//! The public catalog: plans and domain prices.

use crate::table::RouteTable;
use axum::Json;
use axum::extract::State;

use super::AppState;
use super::error::{ApiError, ErrorBody};
use hostfront_core::catalog::{self, Catalog};

/// Hosting plans with their billing cycles and setup fees, and per-TLD domain prices.
#[utoipa::path(get, path = "/api/catalog", tag = "catalog",
    responses((status = 200, body = Catalog), (status = 500, body = ErrorBody)))]
async fn get_catalog(State(state): State<AppState>) -> Result<Json<Catalog>, ApiError> {
    Ok(Json(catalog::load(state.ports.table.as_ref()).await?))
}

pub fn routes<T: RouteTable>() -> T {
    T::default().add(crate::handlers!(get_catalog))
}
