//! Orders for staff: the queues (held for review, on hold, failed), one
//! order with its reasons and steps, and the decisions on it.

use crate::table::RouteTable;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use utoipa::ToSchema;

use super::{AsBilling, AsSupport, Staff, listing};
use crate::AppState;
use crate::error::{ApiError, ApiJson, ApiQuery, ErrorBody};
use hostfront_core::OrderId;
use hostfront_core::listing::{Asked, ListParams, Listed};
use hostfront_core::orders::{Order, decisions};
use hostfront_core::staff::orders::{self as staff_orders, ORDERS, StaffOrder};

/// Every customer's orders, a page at a time (see `docs/api.md`, Lists):
/// newest or oldest first by when placed; `status` lists those in it by
/// when they entered it (a work queue: `pending_review`, `on_hold`,
/// `failed`, sorted `oldest`); `from`/`to` days by the same time; `q` an
/// order id, exactly. `format=csv` downloads every page.
#[utoipa::path(get, path = "/api/admin/orders", tag = "admin", security(("staff" = ["support"])),
    params(ListParams),
    responses(
        (status = 200, description = "a page, or with `format=csv` the list as CSV (`X-Truncated`, `X-Next-Cursor`)",
            content((Listed<StaffOrder> = "application/json"), (String = "text/csv"))),
        (status = 400, body = ErrorBody, description = "`invalid_query`: an unknown or malformed parameter"),
        (status = 422, body = ErrorBody, description = "`invalid_limit`, `invalid_sort`, `invalid_status`, `invalid_kind`, `invalid_date`, `invalid_search`, `invalid_cursor`"),
    ))]
async fn list_orders(
    State(state): State<AppState>,
    staff: Staff<AsSupport>,
    headers: HeaderMap,
    ApiQuery(params): ApiQuery<ListParams>,
) -> Result<Response, ApiError> {
    let asked = listing::asked(&ORDERS, params, &headers)?;
    if asked.csv {
        let ports = &state.ports;
        let page = |asked: Asked| async move { staff_orders::list(ports, &asked).await };
        return listing::download(&state, &staff, (&ORDERS, &asked), page).await;
    }
    let page = staff_orders::list(&state.ports, &asked).await?;
    Ok(Json(with_staff_details(&state, page).await?).into_response())
}

/// The page's orders as staff see them.
pub(super) async fn with_staff_details(
    state: &AppState,
    page: Listed<Order>,
) -> Result<Listed<StaffOrder>, ApiError> {
    let mut items = Vec::with_capacity(page.items.len());
    for order in page.items {
        items.push(staff_orders::staff_view(&state.ports, order).await?);
    }
    Ok(Listed {
        items,
        next: page.next,
    })
}

/// One order, whoever's it is, with what staff need.
#[utoipa::path(get, path = "/api/admin/orders/{id}", tag = "admin", security(("staff" = ["support"])),
    params(("id" = String, Path, description = "the order")),
    responses(
        (status = 200, body = StaffOrder),
        (status = 404, body = ErrorBody, description = "no such order"),
    ))]
async fn get_order(
    State(state): State<AppState>,
    _: Staff<AsSupport>,
    Path(id): Path<OrderId>,
) -> Result<Json<StaffOrder>, ApiError> {
    shown(&state, decisions::locate(&state.ports, &id).await?).await
}

/// The order as staff see it.
async fn shown(state: &AppState, order: Order) -> Result<Json<StaffOrder>, ApiError> {
    Ok(Json(staff_orders::staff_view(&state.ports, order).await?))
}

#[derive(Deserialize, ToSchema)]
struct Decision {
    /// Why, in 1 to 500 characters; the audit log keeps it, and a rejection
    /// tells the customer.
    why: String,
}

/// Approves an order held for review: it is provisioned.
#[utoipa::path(post, path = "/api/admin/orders/{id}/approve", tag = "admin", security(("staff" = ["support"])),
    request_body = Decision,
    params(("id" = String, Path, description = "the order")),
    responses(
        (status = 200, body = StaffOrder),
        (status = 404, body = ErrorBody, description = "no such order"),
        (status = 409, body = ErrorBody, description = "`invalid_transition`: not held for review; `moved_on`; `invoice_refunded`: refunded in full"),
        (status = 422, body = ErrorBody, description = "`invalid_reason`"),
    ))]
async fn approve(
    State(state): State<AppState>,
    staff: Staff<AsSupport>,
    Path(id): Path<OrderId>,
    ApiJson(decision): ApiJson<Decision>,
) -> Result<Json<StaffOrder>, ApiError> {
    let actor = staff.actor();
    let by = (&actor, staff.member.role, staff.client.as_str());
    shown(
        &state,
        decisions::approve(&state.ports, by, &id, &decision.why).await?,
    )
    .await
}

/// Resumes an order on hold or failed, once its cause is fixed: provisioning
/// runs again from the step that stopped it.
#[utoipa::path(post, path = "/api/admin/orders/{id}/resume", tag = "admin", security(("staff" = ["support"])),
    request_body = Decision,
    params(("id" = String, Path, description = "the order")),
    responses(
        (status = 200, body = StaffOrder),
        (status = 404, body = ErrorBody, description = "no such order"),
        (status = 409, body = ErrorBody, description = "`invalid_transition`: not on hold or failed; `moved_on`; `invoice_refunded`: refunded in full"),
        (status = 422, body = ErrorBody, description = "`invalid_reason`"),
    ))]
async fn resume(
    State(state): State<AppState>,
    staff: Staff<AsSupport>,
    Path(id): Path<OrderId>,
    ApiJson(decision): ApiJson<Decision>,
) -> Result<Json<StaffOrder>, ApiError> {
    let actor = staff.actor();
    let by = (&actor, staff.member.role, staff.client.as_str());
    shown(
        &state,
        decisions::resume(&state.ports, by, &id, &decision.why).await?,
    )
    .await
}

/// Rejects an order held for review: the payment is refunded in full and
/// the customer is told why.
#[utoipa::path(post, path = "/api/admin/orders/{id}/reject", tag = "admin", security(("staff" = ["billing"])),
    request_body = Decision,
    params(("id" = String, Path, description = "the order")),
    responses(
        (status = 200, body = StaffOrder),
        (status = 404, body = ErrorBody, description = "no such order"),
        (status = 409, body = ErrorBody, description = "`invalid_transition`: not held for review; `moved_on`"),
        (status = 422, body = ErrorBody, description = "`invalid_reason`"),
        (status = 503, body = ErrorBody, description = "the refund did not go through; reject again to finish it"),
    ))]
async fn reject(
    State(state): State<AppState>,
    staff: Staff<AsBilling>,
    Path(id): Path<OrderId>,
    ApiJson(decision): ApiJson<Decision>,
) -> Result<Json<StaffOrder>, ApiError> {
    let actor = staff.actor();
    let by = (&actor, staff.member.role, staff.client.as_str());
    shown(
        &state,
        decisions::reject(&state.ports, by, &id, &decision.why).await?,
    )
    .await
}

pub(super) fn routes<T: RouteTable>() -> T {
    T::default()
        .add(crate::handlers!(list_orders))
        .add(crate::handlers!(get_order))
        .add(crate::handlers!(approve))
        .add(crate::handlers!(resume))
        .add(crate::handlers!(reject))
}
