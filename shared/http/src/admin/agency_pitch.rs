//! The staff's side of a client site's pitch: its preview site on the
//! panel, the public link to it, and the proposal. Support staff work them.

use axum::Json;
use axum::extract::{Path, State};
use serde::Deserialize;
use utoipa::ToSchema;

use super::agency::found;
use super::{AsSupport, Staff};
use crate::AppState;
use crate::error::{ApiError, ApiJson, ErrorBody};
use crate::table::RouteTable;
use hostfront_core::agency::offer;
use hostfront_core::agency::preview::{self, LinkChange, MadeLink};
use hostfront_core::agency::proposal::SendProposal;
use hostfront_core::agency::site::HostedSite;

/// Makes the site's preview: a hosting account on the panel for
/// `<name>.<preview zone>`. Once only: a retry, or a second click, answers
/// the site with the account it has.
#[utoipa::path(post, path = "/api/admin/sites/{id}/preview", tag = "admin", security(("staff" = ["support"])),
    params(("id" = String, Path, description = "the site")),
    responses(
        (status = 200, body = HostedSite),
        (status = 404, body = ErrorBody, description = "no such site"),
        (status = 409, body = ErrorBody, description = "`preview_closed`: past its proposal; `panel_unavailable`, `panel_refused`"),
    ))]
async fn make_preview(
    State(state): State<AppState>,
    staff: Staff<AsSupport>,
    Path(id): Path<String>,
) -> Result<Json<HostedSite>, ApiError> {
    let site = found(&state, &id).await?;
    let mover = staff.mover();
    Ok(Json(
        preview::make_preview(&state.ports, &site, mover).await?,
    ))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct AtVersion {
    /// The site's version as read.
    v: i64,
}

/// Makes a new public link to the preview, for 30 days, ending the one
/// before; its address is in this answer only.
#[utoipa::path(post, path = "/api/admin/sites/{id}/preview-link", tag = "admin", security(("staff" = ["support"])),
    params(("id" = String, Path, description = "the site")),
    request_body = AtVersion,
    responses(
        (status = 200, body = MadeLink),
        (status = 404, body = ErrorBody, description = "no such site"),
        (status = 409, body = ErrorBody, description = "`no_preview`, `preview_closed`, `moved_on`"),
    ))]
async fn make_link(
    State(state): State<AppState>,
    staff: Staff<AsSupport>,
    Path(id): Path<String>,
    ApiJson(at): ApiJson<AtVersion>,
) -> Result<Json<MadeLink>, ApiError> {
    let site = found(&state, &id).await?;
    let mover = staff.mover();
    Ok(Json(
        preview::make_link(&state.ports, &site, at.v, mover).await?,
    ))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct LinkChangeRequest {
    change: LinkChange,
    v: i64,
}

/// Renews the preview link for 30 days from now, or ends it.
#[utoipa::path(patch, path = "/api/admin/sites/{id}/preview-link", tag = "admin", security(("staff" = ["support"])),
    params(("id" = String, Path, description = "the site")),
    request_body = LinkChangeRequest,
    responses(
        (status = 200, body = HostedSite),
        (status = 404, body = ErrorBody, description = "no such site, or it has no preview link"),
        (status = 409, body = ErrorBody, description = "`link_expired`, `moved_on`"),
    ))]
async fn change_link(
    State(state): State<AppState>,
    staff: Staff<AsSupport>,
    Path(id): Path<String>,
    ApiJson(request): ApiJson<LinkChangeRequest>,
) -> Result<Json<HostedSite>, ApiError> {
    let site = found(&state, &id).await?;
    let mover = staff.mover();
    let changed =
        preview::change_link(&state.ports, &site, (request.change, request.v), mover).await?;
    Ok(Json(changed))
}

/// Sends the proposal: its lines priced, the site moved to
/// `proposal_sent`, and a mail to the contact with links to the proposal
/// (to accept it online) and to the preview.
#[utoipa::path(post, path = "/api/admin/sites/{id}/proposal", tag = "admin", security(("staff" = ["support"])),
    params(("id" = String, Path, description = "the site")),
    request_body = SendProposal,
    responses(
        (status = 200, body = HostedSite),
        (status = 404, body = ErrorBody, description = "no such site"),
        (status = 409, body = ErrorBody, description = "`not_poc_ready`, `moved_on`, `invalid_transition`"),
        (status = 422, body = ErrorBody, description = "`invalid_lines`, `invalid_line`, `unknown_plan`, `invalid_cycle`, `invalid_domain`, `unsupported_tld`, `invalid_price`, `invalid_currency`, `mixed_currencies`, `invalid_field`, `invalid_country`, `invalid_body`"),
    ))]
async fn send_proposal(
    State(state): State<AppState>,
    staff: Staff<AsSupport>,
    Path(id): Path<String>,
    ApiJson(request): ApiJson<SendProposal>,
) -> Result<Json<HostedSite>, ApiError> {
    let site = found(&state, &id).await?;
    let mover = staff.mover();
    Ok(Json(
        offer::send(&state.ports, &site, request, mover).await?,
    ))
}

pub(super) fn routes<T: RouteTable>() -> T {
    T::default()
        .add(crate::handlers!(make_preview))
        .add(crate::handlers!(make_link, change_link))
        .add(crate::handlers!(send_proposal))
}
