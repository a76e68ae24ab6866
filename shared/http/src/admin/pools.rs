//! The panel's capacity for staff: servers and addresses, their use, and
//! adding or retiring them; and the machine pool's machines. Each change is in the audit log.

use crate::table::RouteTable;
use std::net::Ipv4Addr;

use axum::Json;
use axum::extract::{Path, State};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{AsAdmin, AsSupport, Staff};
use crate::AppState;
use crate::error::{ApiError, ApiJson, ErrorBody};
use hostfront_core::machines::PoolMachine;
use hostfront_core::panel::{PanelError, Pools};
use hostfront_core::staff;

fn panel_error(error: PanelError) -> ApiError {
    match error {
        PanelError::Refused { code, message } if code == "no_such_server" => {
            ApiError::not_found(message)
        }
        PanelError::Refused { code, message } if code == "subdomain_taken" => {
            ApiError::conflict("subdomain_taken", message)
        }
        PanelError::Refused { message, .. } => {
            ApiError::unprocessable("invalid_pool_change", message)
        }
        PanelError::NoCapacity(message) => ApiError::conflict("no_capacity", message),
        PanelError::Unavailable(message) => {
            tracing::warn!(%message, "the panel did not answer");
            ApiError::unavailable("the hosting panel is not answering").retry_after(5)
        }
    }
}

/// The servers and addresses, with how full each is.
#[utoipa::path(get, path = "/api/admin/pools", tag = "admin", security(("staff" = ["support"])),
    responses((status = 200, body = Pools)))]
async fn pools(
    State(state): State<AppState>,
    _: Staff<AsSupport>,
) -> Result<Json<Pools>, ApiError> {
    Ok(Json(state.ports.panel.pools().await.map_err(panel_error)?))
}

/// The machines of the pool dedicated and managed servers are taken
/// from, free or held.
#[utoipa::path(get, path = "/api/admin/pools/machines", tag = "admin", security(("staff" = ["support"])),
    responses(
        (status = 200, body = Vec<PoolMachine>),
        (status = 503, body = ErrorBody, description = "the machine pool is not answering"),
    ))]
async fn machines(
    State(state): State<AppState>,
    _: Staff<AsSupport>,
) -> Result<Json<Vec<PoolMachine>>, ApiError> {
    let pool = state.ports.machines.pool().await.map_err(|error| {
        tracing::warn!(%error, "the machine pool did not answer");
        ApiError::unavailable("the machine pool is not answering").retry_after(5)
    })?;
    Ok(Json(pool))
}

#[derive(Deserialize, ToSchema)]
struct NewServer {
    /// `shared`, `vps` or `dedicated`.
    pool: String,
    /// The host label, such as `web3`.
    name: String,
    /// Accounts it holds at most.
    #[schema(minimum = 1, maximum = 10000)]
    #[serde(deserialize_with = "hostfront_core::input::whole_number")]
    capacity: u32,
}

/// Adds a server to a pool (or changes the capacity of one it has).
#[utoipa::path(post, path = "/api/admin/pools/servers", tag = "admin", security(("staff" = ["admin"])),
    request_body = NewServer,
    responses(
        (status = 200, body = Pools),
        (status = 409, body = ErrorBody, description = "`subdomain_taken`: a customer holds the name as a free subdomain"),
        (status = 422, body = ErrorBody, description = "`invalid_pool_change`"),
    ))]
async fn add_server(
    State(state): State<AppState>,
    staff: Staff<AsAdmin>,
    ApiJson(server): ApiJson<NewServer>,
) -> Result<Json<Pools>, ApiError> {
    if !(1..=10_000).contains(&server.capacity) {
        return Err(ApiError::unprocessable(
            "invalid_pool_change",
            "a server holds 1 to 10,000 accounts",
        ));
    }
    let panel = &state.ports.panel;
    panel
        .add_server(&server.pool, &server.name, server.capacity)
        .await
        .map_err(panel_error)?;
    let why = format!(
        "{} in the {} pool, {} accounts",
        server.name, server.pool, server.capacity
    );
    let subject = format!("server:{}", server.name);
    staff::record_action(
        &state.ports,
        (&staff.actor(), staff.member.role, &staff.client),
        &subject,
        "server_added",
        why,
    )
    .await?;
    Ok(Json(panel.pools().await.map_err(panel_error)?))
}

/// Takes a server out of use for new accounts; those it has stay.
#[utoipa::path(post, path = "/api/admin/pools/servers/{name}/retire", tag = "admin", security(("staff" = ["admin"])),
    params(("name" = String, Path, description = "the server's host label")),
    responses(
        (status = 200, body = Pools),
        (status = 404, body = ErrorBody, description = "no such server"),
    ))]
async fn retire_server(
    State(state): State<AppState>,
    staff: Staff<AsAdmin>,
    Path(name): Path<String>,
) -> Result<Json<Pools>, ApiError> {
    let panel = &state.ports.panel;
    panel.retire_server(&name).await.map_err(panel_error)?;
    let subject = format!("server:{name}");
    staff::record_action(
        &state.ports,
        (&staff.actor(), staff.member.role, &staff.client),
        &subject,
        "server_retired",
        "no new accounts".into(),
    )
    .await?;
    Ok(Json(panel.pools().await.map_err(panel_error)?))
}

#[derive(Deserialize, ToSchema)]
struct NewAddresses {
    /// The first IPv4 address of the range.
    #[schema(value_type = String, format = Ipv4, example = "203.0.113.10")]
    first: Ipv4Addr,
    /// How many addresses, the first included.
    #[schema(minimum = 1, maximum = 1024)]
    #[serde(deserialize_with = "hostfront_core::input::whole_number")]
    count: u32,
}

#[derive(Serialize, ToSchema)]
struct AddressesAdded {
    /// Addresses the pool did not have before.
    added: u32,
    pools: Pools,
}

/// Adds a range of IPv4 addresses to the pool.
#[utoipa::path(post, path = "/api/admin/pools/addresses", tag = "admin", security(("staff" = ["admin"])),
    request_body = NewAddresses,
    responses(
        (status = 200, body = AddressesAdded),
        (status = 422, body = ErrorBody, description = "`invalid_pool_change`: 1 to 1,024 addresses"),
    ))]
async fn add_addresses(
    State(state): State<AppState>,
    staff: Staff<AsAdmin>,
    ApiJson(range): ApiJson<NewAddresses>,
) -> Result<Json<AddressesAdded>, ApiError> {
    let panel = &state.ports.panel;
    let added = panel
        .add_addresses(range.first, range.count)
        .await
        .map_err(panel_error)?;
    let why = format!("{} from {} ({added} new)", range.count, range.first);
    staff::record_action(
        &state.ports,
        (&staff.actor(), staff.member.role, &staff.client),
        "pool:addresses",
        "addresses_added",
        why,
    )
    .await?;
    Ok(Json(AddressesAdded {
        added,
        pools: panel.pools().await.map_err(panel_error)?,
    }))
}

pub(super) fn routes<T: RouteTable>() -> T {
    T::default()
        .add(crate::handlers!(pools))
        .add(crate::handlers!(machines))
        .add(crate::handlers!(add_server))
        .add(crate::handlers!(retire_server))
        .add(crate::handlers!(add_addresses))
}
