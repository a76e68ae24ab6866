//! What a VPS can be ordered with: the operating systems the hypervisor
//! installs.

use axum::Json;
use axum::extract::State;

use crate::AppState;
use crate::error::{ApiError, ErrorBody};
use crate::table::RouteTable;
use hostfront_core::hypervisor::OsTemplate;

/// The operating systems a VPS order may name (`server.os_template`).
#[utoipa::path(get, path = "/api/os-templates", tag = "orders",
    responses(
        (status = 200, body = Vec<OsTemplate>),
        (status = 503, body = ErrorBody, description = "the hypervisor is not answering"),
    ))]
async fn os_templates(State(state): State<AppState>) -> Result<Json<Vec<OsTemplate>>, ApiError> {
    let templates = state
        .ports
        .hypervisor
        .os_templates()
        .await
        .map_err(|e| ApiError::unavailable(e.to_string()))?;
    Ok(Json(templates))
}

pub(super) fn routes<T: RouteTable>() -> T {
    T::default().add(crate::handlers!(os_templates))
}
