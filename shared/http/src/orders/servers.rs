//! What a server can be ordered with: the operating systems the hypervisor
//! (a VPS) or the machine pool (a dedicated or managed server) installs.

use axum::Json;
use axum::extract::State;
use serde::Deserialize;
use utoipa::IntoParams;

use crate::AppState;
use crate::error::{ApiError, ApiQuery, ErrorBody};
use crate::table::RouteTable;
use hostfront_core::catalog::PlanKind;
use hostfront_core::hypervisor::OsTemplate;
use hostfront_core::orders::create::os_templates as templates_for;

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct TemplatesQuery {
    /// The kind of plan: `vps` (the default), `dedicated` or `managed`.
    kind: Option<PlanKind>,
}

/// The operating systems an order of a server of `kind` may name (`server.os_template`).
#[utoipa::path(get, path = "/api/os-templates", tag = "orders", params(TemplatesQuery),
    responses(
        (status = 200, body = Vec<OsTemplate>),
        (status = 422, body = ErrorBody, description = "`not_a_server`: that kind of plan installs nothing"),
        (status = 503, body = ErrorBody, description = "the hypervisor or the machine pool is not answering"),
    ))]
async fn os_templates(
    State(state): State<AppState>,
    ApiQuery(query): ApiQuery<TemplatesQuery>,
) -> Result<Json<Vec<OsTemplate>>, ApiError> {
    let kind = query.kind.unwrap_or(PlanKind::Vps);
    let templates = templates_for(&state.ports, kind).await.ok_or_else(|| {
        ApiError::unprocessable(
            "not_a_server",
            format!(
                "plans of the kind {} install no operating system",
                kind.as_str()
            ),
        )
    })?;
    templates.map(Json).map_err(ApiError::unavailable)
}

pub(super) fn routes<T: RouteTable>() -> T {
    T::default().add(crate::handlers!(os_templates))
}
