//! The prospect register for staff: leads captured, qualified or lost, and
//! the draft site made from one. Support staff work the register.

use crate::table::RouteTable;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;

use super::{AsSupport, Staff, listing};
use crate::AppState;
use crate::error::{ApiError, ApiJson, ApiQuery, ErrorBody};
use hostfront_core::agency::from_prospect::make_site;
use hostfront_core::agency::prospect_list::{self, PROSPECTS};
use hostfront_core::agency::prospects::{self, NewProspect, Prospect, ProspectMove};
use hostfront_core::agency::site::HostedSite;
use hostfront_core::agency::{AgencyError, Listed};
use hostfront_core::listing::{Asked, ListParams};

async fn found(state: &AppState, id: &str) -> Result<Prospect, ApiError> {
    Ok(prospects::find(&state.ports, id)
        .await?
        .ok_or(AgencyError::NotFound("prospect"))?)
}

/// The prospects, a page at a time (see `docs/api.md`, Lists): `newest`
/// (default) or `oldest` first by when captured, or `az` / `za` by
/// business name; `status`; `from`/`to` days captured; `q` the start of the
/// business name, case ignored. By name, `q` is a range of its index and
/// the days are applied to the pages read; by when captured, the other
/// way round. `format=csv` downloads every page.
#[utoipa::path(get, path = "/api/admin/prospects", tag = "admin", security(("staff" = ["support"])),
    params(ListParams),
    responses(
        (status = 200, description = "a page, or with `format=csv` the list as CSV (`X-Truncated`, `X-Next-Cursor`)",
            content((Listed<Prospect> = "application/json"), (String = "text/csv"))),
        (status = 400, body = ErrorBody, description = "`invalid_query`: an unknown or malformed parameter"),
        (status = 422, body = ErrorBody, description = "`invalid_limit`, `invalid_sort`, `invalid_status`, `invalid_kind`, `invalid_date`, `invalid_search`, `invalid_cursor`"),
    ))]
async fn list_prospects(
    State(state): State<AppState>,
    staff: Staff<AsSupport>,
    headers: HeaderMap,
    ApiQuery(params): ApiQuery<ListParams>,
) -> Result<Response, ApiError> {
    let asked = listing::asked(&PROSPECTS, params, &headers)?;
    let ports = &state.ports;
    let page = |asked: Asked| async move { prospect_list::list(ports, &asked).await };
    listing::answer(&state, &staff, (&PROSPECTS, asked), page).await
}

/// Captures a prospect: a lead, `new`.
#[utoipa::path(post, path = "/api/admin/prospects", tag = "admin", security(("staff" = ["support"])),
    request_body = NewProspect,
    responses(
        (status = 201, body = Prospect),
        (status = 422, body = ErrorBody, description = "`invalid_field`, `invalid_email`, `invalid_phone`, `invalid_domain`, `invalid_body`"),
    ))]
async fn create_prospect(
    State(state): State<AppState>,
    staff: Staff<AsSupport>,
    ApiJson(new): ApiJson<NewProspect>,
) -> Result<(StatusCode, Json<Prospect>), ApiError> {
    let made = prospects::create(&state.ports, new, &staff.actor()).await?;
    Ok((StatusCode::CREATED, Json(made)))
}

/// One prospect.
#[utoipa::path(get, path = "/api/admin/prospects/{id}", tag = "admin", security(("staff" = ["support"])),
    params(("id" = String, Path, description = "the prospect")),
    responses(
        (status = 200, body = Prospect),
        (status = 404, body = ErrorBody, description = "no such prospect"),
    ))]
async fn get_prospect(
    State(state): State<AppState>,
    _: Staff<AsSupport>,
    Path(id): Path<String>,
) -> Result<Json<Prospect>, ApiError> {
    Ok(Json(found(&state, &id).await?))
}

/// Moves a prospect along its lifecycle: qualified, lost, reopened (it is
/// converted when its site's proposal is accepted).
#[utoipa::path(post, path = "/api/admin/prospects/{id}/moves", tag = "admin", security(("staff" = ["support"])),
    params(("id" = String, Path, description = "the prospect")),
    request_body = ProspectMove,
    responses(
        (status = 200, body = Prospect),
        (status = 404, body = ErrorBody, description = "no such prospect"),
        (status = 409, body = ErrorBody, description = "`invalid_transition`, `converted_by_acceptance`; `moved_on`: changed since `v` was read"),
        (status = 422, body = ErrorBody, description = "`invalid_field`, `invalid_body`"),
    ))]
async fn move_prospect(
    State(state): State<AppState>,
    staff: Staff<AsSupport>,
    Path(id): Path<String>,
    ApiJson(request): ApiJson<ProspectMove>,
) -> Result<Json<Prospect>, ApiError> {
    let prospect = found(&state, &id).await?;
    let mover = staff.mover();
    Ok(Json(
        prospects::move_prospect(&state.ports, &prospect, request, mover).await?,
    ))
}

/// Makes the draft site of a prospect, pre-filled from it and linked to it:
/// 201 with the site made; once made, 200 with that same site, however
/// often asked.
#[utoipa::path(post, path = "/api/admin/sites/from-prospect/{id}", tag = "admin", security(("staff" = ["support"])),
    params(("id" = String, Path, description = "the prospect")),
    responses(
        (status = 201, body = HostedSite, description = "made now"),
        (status = 200, body = HostedSite, description = "made before: the same site"),
        (status = 404, body = ErrorBody, description = "no such prospect"),
        (status = 409, body = ErrorBody, description = "`prospect_lost`, `moved_on`"),
    ))]
async fn site_from_prospect(
    State(state): State<AppState>,
    staff: Staff<AsSupport>,
    Path(id): Path<String>,
) -> Result<(StatusCode, Json<HostedSite>), ApiError> {
    let mover = staff.mover();
    let made = make_site(&state.ports, &id, mover).await?;
    let status = match made.made {
        true => StatusCode::CREATED,
        false => StatusCode::OK,
    };
    Ok((status, Json(made.site)))
}

pub(super) fn routes<T: RouteTable>() -> T {
    T::default()
        .add(crate::handlers!(list_prospects, create_prospect))
        .add(crate::handlers!(get_prospect))
        .add(crate::handlers!(move_prospect))
        .add(crate::handlers!(site_from_prospect))
}
