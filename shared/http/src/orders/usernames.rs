//! Whether a control-panel username is free, before an order takes it.

use axum::Json;
use axum::extract::State;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::AppState;
use crate::client::{Admitted, Searches};
use crate::error::{ApiError, ApiQuery, ErrorBody};
use crate::table::RouteTable;
use hostfront_core::orders::username;

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct UsernameQuery {
    #[param(pattern = r"^[A-Za-z][A-Za-z0-9]{2,15}$")]
    name: String,
}

#[derive(Serialize, ToSchema)]
struct UsernameCheck {
    name: String,
    available: bool,
    /// Free alternatives when taken.
    suggestions: Vec<String>,
}

/// Whether a control-panel username is free, with suggestions when not.
#[utoipa::path(get, path = "/api/usernames/check", tag = "orders", params(UsernameQuery),
    responses(
        (status = 200, body = UsernameCheck),
        (status = 422, body = ErrorBody, description = "`invalid_username`"),
        (status = 429, body = ErrorBody, description = "rate limited with domain checks; see Retry-After"),
    ))]
async fn check_username(
    State(state): State<AppState>,
    _: Admitted<Searches>,
    ApiQuery(query): ApiQuery<UsernameQuery>,
) -> Result<Json<UsernameCheck>, ApiError> {
    let name = username::validate(&query.name)
        .map_err(|m| ApiError::unprocessable("invalid_username", m))?;
    let taken = username::check(&state.ports, &name).await?;
    Ok(Json(UsernameCheck {
        available: taken.is_none(),
        name,
        suggestions: taken.unwrap_or_default(),
    }))
}

pub(super) fn routes<T: RouteTable>() -> T {
    T::default().add(crate::handlers!(check_username))
}
