//! The agency pipeline for staff: client sites from draft to live, their
//! services register, and the pipeline's figures. Support staff work the
//! pipeline; what touches what clients pay (services, and suspending,
//! reactivating or cancelling a site, which its services follow) needs the
//! billing role.

use crate::table::RouteTable;
use axum::Json;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{AsBilling, AsSupport, NeededRole, Staff, listing};
use crate::AppState;
use crate::error::{ApiError, ApiJson, ApiQuery, ErrorBody};
use hostfront_core::agency::acceptance::accept_by_staff;
use hostfront_core::agency::going_live::DomainProof;
use hostfront_core::agency::links::{self, ServiceLink};
use hostfront_core::agency::service_list::{self, CLIENT_SERVICES, ListedService};
use hostfront_core::agency::service_moves::move_service as move_client_service;
use hostfront_core::agency::services::{self, ClientService, NewService, ServiceMove};
use hostfront_core::agency::site::{self, HostedSite, NewSite, SiteMove, SiteStatus};
use hostfront_core::agency::stats::{self, PipelineStats};
use hostfront_core::agency::{AgencyError, Listed};
use hostfront_core::listing::{Asked, ListParams};

impl From<AgencyError> for ApiError {
    fn from(error: AgencyError) -> Self {
        match error {
            AgencyError::Invalid { code, message } => ApiError::unprocessable(code, message),
            AgencyError::NotFound(what) => ApiError::not_found(format!("no such {what}")),
            AgencyError::Transition(invalid) => {
                ApiError::conflict("invalid_transition", invalid.to_string())
            }
            AgencyError::Conflict { code, message } => ApiError::conflict(code, message),
            AgencyError::Unavailable(message) => ApiError::unavailable(message),
            AgencyError::Gone { code, message } => ApiError::new(StatusCode::GONE, code, message),
            AgencyError::Table(error) => error.into(),
        }
    }
}

/// The site `id`, or 404.
pub(super) async fn found(state: &AppState, id: &str) -> Result<HostedSite, ApiError> {
    Ok(site::find(&state.ports, id)
        .await?
        .ok_or(AgencyError::NotFound("site"))?)
}

/// The client sites, a page at a time (see `docs/api.md`, Lists):
/// `newest` (default) or `oldest` first by when made; `status`; `from`/`to`
/// days made. `format=csv` downloads every page.
#[utoipa::path(get, path = "/api/admin/sites", tag = "admin", security(("staff" = ["support"])),
    params(ListParams),
    responses(
        (status = 200, description = "a page, or with `format=csv` the list as CSV (`X-Truncated`, `X-Next-Cursor`)",
            content((Listed<HostedSite> = "application/json"), (String = "text/csv"))),
        (status = 400, body = ErrorBody, description = "`invalid_query`: an unknown or malformed parameter"),
        (status = 422, body = ErrorBody, description = "`invalid_limit`, `invalid_sort`, `invalid_status`, `invalid_kind`, `invalid_date`, `invalid_search`, `invalid_cursor`"),
    ))]
async fn list_sites(
    State(state): State<AppState>,
    staff: Staff<AsSupport>,
    headers: HeaderMap,
    ApiQuery(params): ApiQuery<ListParams>,
) -> Result<Response, ApiError> {
    let asked = listing::asked(&site::SITES, params, &headers)?;
    let ports = &state.ports;
    let page = |asked: Asked| async move { site::list(ports, &asked).await };
    listing::answer(&state, &staff, (&site::SITES, asked), page).await
}

/// Makes a draft client site, by hand.
#[utoipa::path(post, path = "/api/admin/sites", tag = "admin", security(("staff" = ["support"])),
    request_body = NewSite,
    responses(
        (status = 201, body = HostedSite),
        (status = 422, body = ErrorBody, description = "`invalid_field`, `invalid_email`, `invalid_phone`, `invalid_body`"),
    ))]
async fn create_site(
    State(state): State<AppState>,
    staff: Staff<AsSupport>,
    ApiJson(new): ApiJson<NewSite>,
) -> Result<(StatusCode, Json<HostedSite>), ApiError> {
    let made = site::create(&state.ports, new, &staff.actor()).await?;
    Ok((StatusCode::CREATED, Json(made)))
}

/// A client site with its services (a linked one as its record says now).
#[derive(Serialize, ToSchema)]
struct SiteView {
    site: HostedSite,
    services: Vec<ClientService>,
    /// How a domain registered elsewhere is proven the client's for going live.
    domain_proof: DomainProof,
}

/// One client site and its services.
#[utoipa::path(get, path = "/api/admin/sites/{id}", tag = "admin", security(("staff" = ["support"])),
    params(("id" = String, Path, description = "the site")),
    responses(
        (status = 200, body = SiteView),
        (status = 404, body = ErrorBody, description = "no such site"),
    ))]
async fn get_site(
    State(state): State<AppState>,
    _: Staff<AsSupport>,
    Path(id): Path<String>,
) -> Result<Json<SiteView>, ApiError> {
    let site = found(&state, &id).await?;
    let services = services::of_site(&state.ports, &site.id).await?;
    let services = links::followed(&state.ports, services).await?;
    let domain_proof = DomainProof::of(&site);
    Ok(Json(SiteView {
        site,
        services,
        domain_proof,
    }))
}

/// Whether moving a site from `from` to `to` changes its services, which
/// needs the billing role.
/// Moves that change what a customer is billed: suspending, reactivating
/// and cancelling move the site's services; recording an acceptance names
/// the customer (an existing account, by its email alone) its order and
/// services are for.
fn needs_billing(from: SiteStatus, to: SiteStatus) -> bool {
    matches!(
        to,
        SiteStatus::Suspended | SiteStatus::Cancelled | SiteStatus::Accepted
    ) || (from, to) == (SiteStatus::Suspended, SiteStatus::Live)
}

/// Moves a client site along its lifecycle. Suspending, reactivating and
/// cancelling also move its services; they and recording an acceptance
/// need the billing role.
/// Recording an acceptance (`accepted`) does what accepting online does:
/// the client's account, the proposal's order and its services; on an
/// accepted site whose order was refused, it places the order again.
#[utoipa::path(post, path = "/api/admin/sites/{id}/moves", tag = "admin", security(("staff" = ["support"])),
    params(("id" = String, Path, description = "the site")),
    request_body = SiteMove,
    responses(
        (status = 200, body = HostedSite),
        (status = 403, body = ErrorBody, description = "`forbidden`: recording an acceptance, suspending, reactivating or cancelling needs the billing role"),
        (status = 404, body = ErrorBody, description = "no such site"),
        (status = 409, body = ErrorBody, description = "`invalid_transition`; `moved_on`: changed since `v` was read; `order_refused`: accepted, but the proposal's order could not be placed"),
        (status = 422, body = ErrorBody, description = "`invalid_field`, `live_domain_required`, `invalid_domain`, `invalid_body`; going live: `customer_required`, `domain_not_proven`, `panel_account_missing`"),
        (status = 503, body = ErrorBody, description = "`unavailable`: going live, the DNS or the panel could not answer; the site stays accepted"),
    ))]
async fn move_site(
    State(state): State<AppState>,
    staff: Staff<AsSupport>,
    Path(id): Path<String>,
    ApiJson(request): ApiJson<SiteMove>,
) -> Result<Json<HostedSite>, ApiError> {
    let site = found(&state, &id).await?;
    if needs_billing(site.status, request.to) && !staff.member.role.allows(AsBilling::ROLE) {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            "recording an acceptance, suspending, reactivating or cancelling a site changes what its customer is billed: this needs the billing role",
        ));
    }
    let mover = staff.mover();
    if request.to == SiteStatus::Accepted {
        // An acceptance given otherwise does all that accepting online does.
        let accepted = accept_by_staff(&state.ports, &site, request, mover).await?;
        return Ok(Json(accepted));
    }
    Ok(Json(
        site::move_site(&state.ports, &site, request, mover).await?,
    ))
}

/// The site with `id` and its service `service`, or 404.
async fn found_service(
    state: &AppState,
    id: &str,
    service: &str,
) -> Result<(HostedSite, ClientService), ApiError> {
    let site = found(state, id).await?;
    let service = services::find(&state.ports, &site.id, service)
        .await?
        .ok_or(AgencyError::NotFound("service"))?;
    Ok((site, service))
}

/// Adds a service to a client site's register.
#[utoipa::path(post, path = "/api/admin/sites/{id}/services", tag = "admin", security(("staff" = ["billing"])),
    params(("id" = String, Path, description = "the site")),
    request_body = NewService,
    responses(
        (status = 201, body = ClientService),
        (status = 404, body = ErrorBody, description = "no such site"),
        (status = 409, body = ErrorBody, description = "`site_cancelled`, `too_many_services`, `moved_on`"),
        (status = 422, body = ErrorBody, description = "`invalid_field`, `invalid_price`, `invalid_currency`, `invalid_date`, `expiry_required`, `invalid_body`"),
    ))]
async fn add_service(
    State(state): State<AppState>,
    _: Staff<AsBilling>,
    Path(id): Path<String>,
    ApiJson(new): ApiJson<NewService>,
) -> Result<(StatusCode, Json<ClientService>), ApiError> {
    let site = found(&state, &id).await?;
    let added = services::add(&state.ports, &site, new).await?;
    Ok((StatusCode::CREATED, Json(added)))
}

/// Moves a client service along its lifecycle (renewing an expired one
/// takes its new last day).
#[utoipa::path(post, path = "/api/admin/sites/{id}/services/{service}/moves", tag = "admin", security(("staff" = ["billing"])),
    params(("id" = String, Path, description = "the site"), ("service" = String, Path, description = "the service")),
    request_body = ServiceMove,
    responses(
        (status = 200, body = ClientService),
        (status = 404, body = ErrorBody, description = "no such site or service"),
        (status = 409, body = ErrorBody, description = "`invalid_transition`, `site_cancelled`, `moved_on`"),
        (status = 422, body = ErrorBody, description = "`invalid_field`, `invalid_date`, `expiry_required`, `invalid_body`"),
    ))]
async fn move_service(
    State(state): State<AppState>,
    staff: Staff<AsBilling>,
    Path((id, service)): Path<(String, String)>,
    ApiJson(request): ApiJson<ServiceMove>,
) -> Result<Json<ClientService>, ApiError> {
    let (site, service) = found_service(&state, &id, &service).await?;
    let mover = staff.mover();
    let moved = move_client_service(&state.ports, &site, &service, request, mover).await?;
    Ok(Json(moved))
}

/// The client services' own filter, beside the lists' parameters.
#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
struct Expiring {
    /// Only those whose last day is within this many days from today, days
    /// gone by too: 0 to 3660 (422 `invalid_date` otherwise).
    #[param(minimum = 0, maximum = 3660)]
    expiring_within_days: Option<u32>,
}

/// Every site's services, a page at a time (see `docs/api.md`, Lists),
/// each with its site's business name (`site_name`): `soonest` (default)
/// or `latest` last day first; `status`; `kind` the service's type;
/// `from`/`to` days of the last day, and `expiring_within_days` (a
/// service without a last day is in no range); `q` any part of the
/// service's name, case ignored. `format=csv` downloads every page.
#[utoipa::path(get, path = "/api/admin/client-services", tag = "admin", security(("staff" = ["support"])),
    params(Expiring, ListParams),
    responses(
        (status = 200, description = "a page, or with `format=csv` the list as CSV (`X-Truncated`, `X-Next-Cursor`)",
            content((Listed<ListedService> = "application/json"), (String = "text/csv"))),
        (status = 400, body = ErrorBody, description = "`invalid_query`: an unknown or malformed parameter"),
        (status = 422, body = ErrorBody, description = "`invalid_limit`, `invalid_sort`, `invalid_status`, `invalid_kind`, `invalid_date`, `invalid_search`, `invalid_cursor`"),
    ))]
async fn list_services(
    State(state): State<AppState>,
    staff: Staff<AsSupport>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Result<Response, ApiError> {
    let (own, params): (Expiring, _) = listing::split(query.as_deref(), &["expiring_within_days"])?;
    let asked = listing::asked(&CLIENT_SERVICES, params, &headers)?;
    let ports = &state.ports;
    let asked = service_list::expiring_within(ports, asked, own.expiring_within_days)?;
    let page = |asked: Asked| async move { service_list::list(ports, &asked).await };
    listing::answer(&state, &staff, (&CLIENT_SERVICES, asked), page).await
}

/// Links a client service to the subscription or domain of the site's
/// customer that provides it: from then on it shows that record's status
/// and last day, and only the record's own billing bills it.
#[utoipa::path(post, path = "/api/admin/sites/{id}/services/{service}/link", tag = "admin", security(("staff" = ["billing"])),
    params(("id" = String, Path, description = "the site"), ("service" = String, Path, description = "the service")),
    request_body = ServiceLink,
    responses(
        (status = 200, body = ClientService),
        (status = 404, body = ErrorBody, description = "no such site or service"),
        (status = 409, body = ErrorBody, description = "`already_linked`, `site_cancelled`, `moved_on`"),
        (status = 422, body = ErrorBody, description = "`invalid_record`, `customer_required`, `not_the_customers`, `invalid_body`"),
    ))]
async fn link_service(
    State(state): State<AppState>,
    staff: Staff<AsBilling>,
    Path((id, service)): Path<(String, String)>,
    ApiJson(request): ApiJson<ServiceLink>,
) -> Result<Json<ClientService>, ApiError> {
    let (site, service) = found_service(&state, &id, &service).await?;
    let mover = staff.mover();
    Ok(Json(
        links::link(&state.ports, &site, &service, request, mover).await?,
    ))
}

/// The pipeline's figures.
#[utoipa::path(get, path = "/api/admin/agency/stats", tag = "admin", security(("staff" = ["support"])),
    responses((status = 200, body = PipelineStats)))]
async fn pipeline_stats(
    State(state): State<AppState>,
    _: Staff<AsSupport>,
) -> Result<Json<PipelineStats>, ApiError> {
    Ok(Json(stats::pipeline(&state.ports).await?))
}

pub(super) fn routes<T: RouteTable>() -> T {
    T::default()
        .add(crate::handlers!(list_sites, create_site))
        .add(crate::handlers!(get_site))
        .add(crate::handlers!(move_site))
        .add(crate::handlers!(add_service))
        .add(crate::handlers!(move_service))
        .add(crate::handlers!(list_services))
        .add(crate::handlers!(link_service))
        .add(crate::handlers!(pipeline_stats))
}
