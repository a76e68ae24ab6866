//! The public catalog: plans and domain prices; and the countries a
//! customer may give.

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

/// A country a customer may give.
#[derive(serde::Serialize, utoipa::ToSchema)]
struct Country {
    /// ISO 3166-1 alpha-2.
    code: &'static str,
    /// Its English short name.
    name: &'static str,
}

/// Every country of ISO 3166-1, by code: what signup and checkout take.
#[utoipa::path(get, path = "/api/countries", tag = "catalog",
    responses((status = 200, body = Vec<Country>)))]
async fn countries() -> Json<Vec<Country>> {
    Json(
        hostfront_core::countries::all()
            .map(|(code, name)| Country { code, name })
            .collect(),
    )
}

pub fn routes<T: RouteTable>() -> T {
    T::default()
        .add(crate::handlers!(get_catalog))
        .add(crate::handlers!(countries))
}
