//! The public catalog: plans and domain prices; and the countries a
//! customer may give.

use crate::table::RouteTable;
use axum::Json;
use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;

use super::AppState;
use super::error::{ApiError, ErrorBody};
use hostfront_core::catalog::{self, Catalog};

/// The catalog, and whether ordering a domain involves a registrar account.
#[derive(serde::Serialize, utoipa::ToSchema)]
struct CatalogAnswer {
    #[serde(flatten)]
    catalog: Catalog,
    /// The registrar keeps a client account per customer: an order that
    /// registers or transfers a domain chooses one (`registrar_account`).
    registrar_accounts: bool,
}

/// Hosting plans with their billing cycles and setup fees, and per-TLD domain prices.
#[utoipa::path(get, path = "/api/catalog", tag = "catalog",
    responses((status = 200, body = CatalogAnswer), (status = 500, body = ErrorBody)))]
async fn get_catalog(State(state): State<AppState>) -> Result<impl IntoResponse, ApiError> {
    let catalog = catalog::load(state.ports.table.as_ref()).await?;
    let registrar_accounts = state.ports.registrar.client_accounts_required();
    let answer = CatalogAnswer {
        catalog,
        registrar_accounts,
    };
    Ok(([PUBLIC_MINUTE], Json(answer)))
}

/// What anybody may keep for a minute: the same for every visitor.
const PUBLIC_MINUTE: (header::HeaderName, &str) = (header::CACHE_CONTROL, "public, max-age=60");

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
async fn countries() -> impl IntoResponse {
    let countries: Vec<Country> = hostfront_core::countries::all()
        .map(|(code, name)| Country { code, name })
        .collect();
    ([PUBLIC_MINUTE], Json(countries))
}

pub fn routes<T: RouteTable>() -> T {
    T::default()
        .add(crate::handlers!(get_catalog))
        .add(crate::handlers!(countries))
}
