//! The customer's orders: placing one, the list, one with its invoice and
//! steps, proving a domain registered elsewhere, cancelling an unpaid one,
//! and its DNS zone.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::{Purchaser, idempotency_key};
use crate::AppState;
use crate::accounts::CurrentCustomer;
use crate::error::{ApiError, ApiJson, ErrorBody};
use crate::table::RouteTable;
use hostfront_core::OrderId;
use hostfront_core::orders::create::{self, OrderRequest};
use hostfront_core::orders::{self, OrderView};

/// Places an order. Send a fresh `Idempotency-Key` per order; a retry with
/// the same key returns the same order (200) instead of placing another.
#[utoipa::path(post, path = "/api/orders", tag = "orders", security(("session" = [])), request_body = OrderRequest,
    params(("Idempotency-Key" = String, Header, pattern = r"^[!-~]{1,100}$", description = "one per order, 1 to 100 printable ASCII characters")),
    responses(
        (status = 201, body = OrderView, description = "placed; awaiting payment"),
        (status = 200, body = OrderView, description = "placed before under this key"),
        (status = 400, body = ErrorBody, description = "`idempotency_key_required`"),
        (status = 422, body = ErrorBody, description = "`invalid_idempotency_key`, `idempotency_key_reused`, `unknown_plan`, `invalid_cycle`, `invalid_username`, `weak_password`, `password_required`, `auth_code_required`, `not_registered`, `tld_not_sold`, `password_conflict`, `password_reused`, `company_domain`, `reserved`, `not_registrable`, `incomplete_domain`, `no_registrar_account_needed`, `unknown_registrar_account`, `invalid_registrar_account_label`, `invalid_registrar_username`, `too_many_registrar_accounts`, name errors"),
        (status = 409, body = ErrorBody, description = "`domain_taken`, `domain_unavailable`, `username_taken` (with suggestions), `registrar_username_taken`, `too_many_unpaid_orders`"),
        (status = 429, body = ErrorBody, description = "`rate_limited`: too many orders and payments; see Retry-After"),
        (status = 503, body = ErrorBody, description = "the registry is not answering"),
    ))]
async fn place_order(
    State(state): State<AppState>,
    Purchaser(customer): Purchaser,
    headers: HeaderMap,
    ApiJson(request): ApiJson<OrderRequest>,
) -> Result<Response, ApiError> {
    let key = idempotency_key(&headers, "order")?;
    let placed = create::place(&state.ports, &customer, key, request).await?;
    let status = if placed.created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(placed.view)).into_response())
}

/// The customer's orders, newest first.
#[utoipa::path(get, path = "/api/orders", tag = "orders", security(("session" = [])),
    responses((status = 200, body = Vec<OrderView>)))]
async fn list_orders(
    State(state): State<AppState>,
    CurrentCustomer(customer): CurrentCustomer,
) -> Result<Json<Vec<OrderView>>, ApiError> {
    Ok(Json(orders::list(&state.ports, &customer.id).await?))
}

/// One order of the customer's, with its invoice and provisioning steps.
#[utoipa::path(get, path = "/api/orders/{id}", tag = "orders", security(("session" = [])), params(("id" = String, Path, description = "the order")),
    responses((status = 200, body = OrderView), (status = 404, body = ErrorBody, description = "no such order of yours")))]
async fn get_order(
    State(state): State<AppState>,
    CurrentCustomer(customer): CurrentCustomer,
    Path(id): Path<OrderId>,
) -> Result<Json<OrderView>, ApiError> {
    let order = orders::load(&state.ports, &customer.id, &id).await?;
    Ok(Json(orders::view(&state.ports, order).await?))
}

/// For a domain registered elsewhere: looks for the TXT record that proves
/// it is the customer's, and records the proof once it is there.
#[utoipa::path(post, path = "/api/orders/{id}/verify-domain", tag = "orders", security(("session" = [])), params(("id" = String, Path, description = "the order")),
    responses(
        (status = 200, body = OrderView, description = "proven (now or before); the order can be paid"),
        (status = 404, body = ErrorBody, description = "no such order of yours"),
        (status = 409, body = ErrorBody, description = "`record_not_found`: not published yet; `nothing_to_verify`: not a domain registered elsewhere"),
        (status = 503, body = ErrorBody, description = "the DNS lookup failed; try again"),
    ))]
async fn verify_domain(
    State(state): State<AppState>,
    CurrentCustomer(customer): CurrentCustomer,
    Path(id): Path<OrderId>,
) -> Result<Json<OrderView>, ApiError> {
    Ok(Json(
        orders::ownership::verify(&state.ports, &customer, &id).await?,
    ))
}

/// Cancels an order that awaits payment: its domain and username are free
/// again at once, and nothing is charged.
#[utoipa::path(post, path = "/api/orders/{id}/cancel", tag = "orders", security(("session" = [])), params(("id" = String, Path, description = "the order")),
    responses(
        (status = 200, body = OrderView, description = "cancelled"),
        (status = 404, body = ErrorBody, description = "no such order of yours"),
        (status = 409, body = ErrorBody, description = "`not_cancellable`: paid, being paid, or cancelled already"),
    ))]
async fn cancel_order(
    State(state): State<AppState>,
    CurrentCustomer(customer): CurrentCustomer,
    Path(id): Path<OrderId>,
) -> Result<Json<OrderView>, ApiError> {
    Ok(Json(
        orders::unpaid::cancel(&state.ports, &customer, &id).await?,
    ))
}

/// The order's DNS zone as a BIND zone file, once it exists.
#[utoipa::path(get, path = "/api/orders/{id}/zone", tag = "orders", security(("session" = [])), params(("id" = String, Path, description = "the order")),
    responses((status = 200, content_type = "text/plain", body = String), (status = 404, body = ErrorBody)))]
async fn order_zone(
    State(state): State<AppState>,
    CurrentCustomer(customer): CurrentCustomer,
    Path(id): Path<OrderId>,
) -> Result<Response, ApiError> {
    let order = orders::load(&state.ports, &customer.id, &id).await?;
    let zone = state
        .ports
        .dns_host
        .zone(&order.domain.name)
        .await
        .map_err(|e| {
            tracing::error!(error = %e, "reading a zone");
            ApiError::internal()
        })?
        .filter(|(_, owner)| *owner == order.id)
        .map(|(zone, _)| zone)
        .ok_or_else(|| ApiError::not_found("this order has no DNS zone yet"))?;
    Ok((
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        zone.to_bind(),
    )
        .into_response())
}

pub(super) fn routes<T: RouteTable>() -> T {
    T::default()
        .add(crate::handlers!(place_order, list_orders))
        .add(crate::handlers!(get_order))
        .add(crate::handlers!(verify_domain))
        .add(crate::handlers!(cancel_order))
        .add(crate::handlers!(order_zone))
}
