//! Health and the API description.

use crate::table::RouteTable;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Serialize;
use utoipa::ToSchema;

use super::AppState;
use hostfront_core::store::Key;

#[derive(Serialize, ToSchema)]
pub struct Health {
    /// `ok`, or `degraded` when a check failed.
    pub status: &'static str,
    pub version: &'static str,
    pub engines: Engines,
    /// Each check's outcome: `ok` or what failed.
    pub checks: Checks,
}

#[derive(Serialize, ToSchema)]
pub struct Engines {
    /// `sqlite` or `dynamodb`.
    pub table: &'static str,
    /// `sqlite` or `sqs`.
    pub queue: &'static str,
}

#[derive(Serialize, ToSchema)]
pub struct Checks {
    pub table: String,
}

/// Reports the engines in use and whether the table answers.
#[utoipa::path(get, path = "/api/health", tag = "system",
    responses((status = 200, body = Health), (status = 503, body = Health, description = "a check failed")))]
async fn health(State(state): State<AppState>) -> (StatusCode, Json<Health>) {
    let ports = &state.ports;
    let table = match ports.table.get(&Key::new("HEALTH", "PROBE")).await {
        Ok(_) => "ok".to_string(),
        Err(error) => {
            tracing::error!(%error, "health check: table");
            "unreachable".to_string()
        }
    };
    let healthy = table == "ok";
    let health = Health {
        status: if healthy { "ok" } else { "degraded" },
        version: env!("CARGO_PKG_VERSION"),
        engines: Engines {
            table: ports.table.engine(),
            queue: ports.queue.engine(),
        },
        checks: Checks { table },
    };
    let status = if healthy {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (status, Json(health))
}

/// The OpenAPI 3 document of every route, generated from the code.
#[utoipa::path(get, path = "/api/openapi.json", tag = "system",
    responses((status = 200, description = "OpenAPI 3.1 document", content_type = "application/json")))]
async fn openapi(State(state): State<AppState>) -> Json<serde_json::Value> {
    let cookie_secure = state.ports.config.cookie_secure;
    Json(
        state
            .openapi
            .get_or_init(|| (state.describe)(cookie_secure))
            .clone(),
    )
}

pub fn routes<T: RouteTable>() -> T {
    T::default()
        .add(crate::handlers!(health))
        .add(crate::handlers!(openapi))
}
