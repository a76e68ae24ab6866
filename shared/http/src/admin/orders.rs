//! Orders for staff: the queues (held for review, on hold, failed), one
//! order with its reasons and steps, and the decisions on it.

use crate::table::RouteTable;
use axum::Json;
use axum::extract::{Path, State};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use super::{AsBilling, AsSupport, Staff};
use crate::AppState;
use crate::error::{ApiError, ApiJson, ApiQuery, ErrorBody};
use hostfront_core::OrderId;
use hostfront_core::orders::{Order, OrderStatus, decisions};
use hostfront_core::staff::orders::{self as staff_orders, StaffOrder};

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct Queue {
    /// `pending_review`, `on_hold`, `failed`, `provisioning`, …
    status: OrderStatus,
}

/// The oldest 100 orders in a status, oldest first.
#[utoipa::path(get, path = "/api/admin/orders", tag = "admin", security(("staff" = ["support"])),
    params(Queue),
    responses((status = 200, body = Vec<StaffOrder>)))]
async fn list_orders(
    State(state): State<AppState>,
    _: Staff<AsSupport>,
    ApiQuery(queue): ApiQuery<Queue>,
) -> Result<Json<Vec<StaffOrder>>, ApiError> {
    let orders = staff_orders::in_status(&state.ports, queue.status, 100).await?;
    let mut views = Vec::with_capacity(orders.len());
    for order in orders {
        views.push(staff_orders::staff_view(&state.ports, order).await?);
    }
    Ok(Json(views))
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
