//! The prospect's public pages of the agency pipeline: the preview of the
//! website being built for them, and the proposal, which they may accept
//! online. Each opens with an unguessable link token (in the page's
//! fragment, sent here in the path; the request log never shows it).

use axum::Json;
use axum::extract::{Path, State};
use serde::Deserialize;
use utoipa::ToSchema;

use crate::AppState;
use crate::client::{Admitted, AuthAttempts, Searches};
use crate::error::{ApiError, ApiJson, ErrorBody};
use crate::table::RouteTable;
use hostfront_core::agency::acceptance::{self, AcceptAnswer};
use hostfront_core::agency::preview::{self, PreviewView};
use hostfront_core::agency::prospect::{self, ProposalView};

/// The preview a link opens: the business's name and where the preview
/// is served, while the site is `poc_ready` or `proposal_sent`.
#[utoipa::path(get, path = "/api/previews/{token}", tag = "orders",
    params(("token" = String, Path, description = "the preview link's token")),
    responses(
        (status = 200, body = PreviewView),
        (status = 404, body = ErrorBody, description = "no such link, or it expired or was ended"),
        (status = 410, body = ErrorBody, description = "`preview_ended`: the site is past its preview"),
        (status = 429, body = ErrorBody, description = "rate limited; see Retry-After"),
    ))]
async fn open_preview(
    State(state): State<AppState>,
    _: Admitted<Searches>,
    Path(token): Path<String>,
) -> Result<Json<PreviewView>, ApiError> {
    Ok(Json(preview::open_preview(&state.ports, &token).await?))
}

/// The proposal a link opens, while it is open or accepted. Opening it
/// is recorded for staff.
#[utoipa::path(get, path = "/api/proposals/{token}", tag = "orders",
    params(("token" = String, Path, description = "the proposal link's token")),
    responses(
        (status = 200, body = ProposalView),
        (status = 404, body = ErrorBody, description = "no such link, or it expired"),
        (status = 410, body = ErrorBody, description = "`proposal_closed`"),
        (status = 429, body = ErrorBody, description = "rate limited; see Retry-After"),
    ))]
async fn view_proposal(
    State(state): State<AppState>,
    _: Admitted<Searches>,
    Path(token): Path<String>,
) -> Result<Json<ProposalView>, ApiError> {
    Ok(Json(prospect::view_proposal(&state.ports, &token).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct Acceptance {
    /// The domain's transfer code, when the proposal transfers it in.
    #[serde(default)]
    #[schema(max_length = 64)]
    auth_code: Option<String>,
}

/// Accepts the proposal: the prospect's account (or the one their email
/// has), the order for its plan and domain, unpaid, and its services.
/// Accepting again answers the same and makes nothing more. The answer
/// never tells whether the email had an account.
#[utoipa::path(post, path = "/api/proposals/{token}/accept", tag = "orders",
    params(("token" = String, Path, description = "the proposal link's token")),
    request_body = Acceptance,
    responses(
        (status = 200, body = AcceptAnswer),
        (status = 404, body = ErrorBody, description = "no such link, or it expired"),
        (status = 409, body = ErrorBody, description = "`order_refused`: accepted, but its order could not be placed (staff are told); `moved_on`"),
        (status = 410, body = ErrorBody, description = "`proposal_closed`"),
        (status = 422, body = ErrorBody, description = "`invalid_body`"),
        (status = 429, body = ErrorBody, description = "rate limited; see Retry-After"),
    ))]
async fn accept_proposal(
    State(state): State<AppState>,
    _: Admitted<AuthAttempts>,
    Path(token): Path<String>,
    ApiJson(acceptance): ApiJson<Acceptance>,
) -> Result<Json<AcceptAnswer>, ApiError> {
    let answer = acceptance::accept_online(&state.ports, &token, acceptance.auth_code).await?;
    Ok(Json(answer))
}

pub(super) fn routes<T: RouteTable>() -> T {
    T::default()
        .add(crate::handlers!(open_preview))
        .add(crate::handlers!(view_proposal))
        .add(crate::handlers!(accept_proposal))
}
