//! The simulated panel as its admins reach it: suspending an account,
//! changing its package, adding domains and setting its use behind
//! Hostfront's back, for the daily `panel-sync` check to find.

use axum::extract::{Path, State};
use axum::http::StatusCode;

use super::LocalCaller;
use crate::AppState;
use crate::error::{ApiError, ApiJson};
use hostfront_core::panel::PanelError;

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct PanelChange {
    suspended: Option<bool>,
    plan_id: Option<String>,
    /// The domains it serves besides its own, all of them.
    sites: Option<Vec<String>>,
    /// With `bandwidth_used_mb`: both or neither.
    disk_used_mb: Option<u64>,
    bandwidth_used_mb: Option<u64>,
}

fn failed(error: PanelError) -> ApiError {
    match error {
        PanelError::Refused { message, .. } => ApiError::unprocessable("panel_refused", message),
        other => ApiError::unavailable(other.to_string()),
    }
}

/// Changes the account `username` on the simulated panel; 404 when the
/// panel has no such account or is not simulated, nothing changed.
pub(super) async fn change_account(
    State(state): State<AppState>,
    _: LocalCaller,
    Path(username): Path<String>,
    ApiJson(change): ApiJson<PanelChange>,
) -> Result<StatusCode, ApiError> {
    let admin = state
        .ports
        .simulated_panel
        .as_ref()
        .ok_or_else(|| ApiError::not_found("the panel here is not simulated"))?;
    let usage = match (change.disk_used_mb, change.bandwidth_used_mb) {
        (Some(disk), Some(bandwidth)) => Some((disk, bandwidth)),
        (None, None) => None,
        _ => {
            return Err(ApiError::unprocessable(
                "invalid_usage",
                "give both disk_used_mb and bandwidth_used_mb, or neither",
            ));
        }
    };
    let panel = &state.ports.panel;
    if panel.state(&username).await.map_err(failed)?.is_none() {
        return Err(ApiError::not_found("the panel has no such account"));
    }
    if let Some(plan) = &change.plan_id {
        panel.set_plan(&username, plan).await.map_err(failed)?;
    }
    if let Some(suspended) = change.suspended {
        panel
            .set_suspended(&username, suspended)
            .await
            .map_err(failed)?;
    }
    if let Some(sites) = &change.sites {
        panel.set_sites(&username, sites).await.map_err(failed)?;
    }
    if let Some((disk, bandwidth)) = usage {
        admin
            .set_usage(&username, disk, bandwidth)
            .await
            .map_err(failed)?;
    }
    Ok(StatusCode::NO_CONTENT)
}
