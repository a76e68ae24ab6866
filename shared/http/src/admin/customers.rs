//! Customers and their services, for staff: search, a customer's file,
//! and suspending, lifting and cancelling a service.

use crate::table::RouteTable;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::Deserialize;
use utoipa::ToSchema;

use super::{AsBilling, AsSupport, Staff, listing};
use crate::AppState;
use crate::error::{ApiError, ApiJson, ApiQuery, ErrorBody};
use crate::orders::idempotency_key;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use hostfront_core::CustomerId;
use hostfront_core::accounts::Customer;
use hostfront_core::billing::credit::{self, Credit, CreditError};
use hostfront_core::billing::refund::{self, RefundError, RefundRequest, Refunded};
use hostfront_core::listing::{Asked, ListParams, Listed};
use hostfront_core::orders::OrderView;
use hostfront_core::orders::create::{self, OrderRequest};
use hostfront_core::staff::customers::{self, CUSTOMERS, CustomerFile};
use hostfront_core::staff::orders::{self as staff_orders, ORDERS, StaffOrder};
use hostfront_core::staff::subscriptions::{self, ServiceActionError};
use hostfront_core::subscriptions::cancel::{self, Acting, DomainChoice, When};
use hostfront_core::subscriptions::{Subscription, SubscriptionStatus};

impl From<ServiceActionError> for ApiError {
    fn from(error: ServiceActionError) -> Self {
        match error {
            ServiceActionError::NotFound => ApiError::not_found("no such service"),
            ServiceActionError::Refused(message) => {
                ApiError::conflict("invalid_transition", message)
            }
            ServiceActionError::Invalid(message) => {
                ApiError::unprocessable("invalid_reason", message)
            }
            ServiceActionError::Table(error) => error.into(),
        }
    }
}

/// Customers by name, a page at a time (see `docs/api.md`, Lists): `az`
/// (the default) or `za`; `q` an email, an invoice number (`INV-000042`),
/// a domain or a customer id finds that one customer, anything else is
/// the start of a name (case does not matter). `format=csv` downloads every page.
#[utoipa::path(get, path = "/api/admin/customers", tag = "admin", security(("staff" = ["support"])),
    params(ListParams),
    responses(
        (status = 200, description = "a page, or with `format=csv` the list as CSV (`X-Truncated`, `X-Next-Cursor`)",
            content((Listed<Customer> = "application/json"), (String = "text/csv"))),
        (status = 400, body = ErrorBody, description = "`invalid_query`: an unknown or malformed parameter"),
        (status = 422, body = ErrorBody, description = "`invalid_limit`, `invalid_sort`, `invalid_status`, `invalid_kind`, `invalid_date`, `invalid_search`, `invalid_cursor`"),
    ))]
async fn list_customers(
    State(state): State<AppState>,
    staff: Staff<AsSupport>,
    headers: HeaderMap,
    ApiQuery(params): ApiQuery<ListParams>,
) -> Result<Response, ApiError> {
    let asked = listing::asked(&CUSTOMERS, params, &headers)?;
    let ports = &state.ports;
    let page = |asked: Asked| async move { customers::list(ports, &asked).await };
    listing::answer(&state, &staff, (&CUSTOMERS, asked), page).await
}

/// One customer's orders, a page at a time (see `docs/api.md`, Lists):
/// newest or oldest first; `status`; `from`/`to` days placed; `q` the
/// start of an order id. `format=csv` downloads every page.
#[utoipa::path(get, path = "/api/admin/customers/{id}/orders", tag = "admin", security(("staff" = ["support"])),
    params(("id" = String, Path, description = "the customer"), ListParams),
    responses(
        (status = 200, description = "a page, or with `format=csv` the list as CSV (`X-Truncated`, `X-Next-Cursor`)",
            content((Listed<StaffOrder> = "application/json"), (String = "text/csv"))),
        (status = 400, body = ErrorBody, description = "`invalid_query`: an unknown or malformed parameter"),
        (status = 422, body = ErrorBody, description = "`invalid_limit`, `invalid_sort`, `invalid_status`, `invalid_kind`, `invalid_date`, `invalid_search`, `invalid_cursor`"),
    ))]
async fn customer_orders(
    State(state): State<AppState>,
    staff: Staff<AsSupport>,
    Path(id): Path<CustomerId>,
    headers: HeaderMap,
    ApiQuery(params): ApiQuery<ListParams>,
) -> Result<Response, ApiError> {
    let mut asked = listing::asked(&ORDERS, params, &headers)?;
    asked.scope = Some(format!("customer {}", id.as_str()));
    if asked.csv {
        let (ports, id) = (&state.ports, &id);
        let page = |asked: Asked| async move { staff_orders::of_customer(ports, id, &asked).await };
        return listing::download(&state, &staff, (&ORDERS, &asked), page).await;
    }
    let page = staff_orders::of_customer(&state.ports, &id, &asked).await?;
    Ok(Json(super::orders::with_staff_details(&state, page).await?).into_response())
}

/// Everything about one customer.
#[utoipa::path(get, path = "/api/admin/customers/{id}", tag = "admin", security(("staff" = ["support"])),
    params(("id" = String, Path, description = "the customer")),
    responses(
        (status = 200, body = CustomerFile),
        (status = 404, body = ErrorBody, description = "no such customer"),
    ))]
async fn customer_file(
    State(state): State<AppState>,
    _: Staff<AsSupport>,
    Path(id): Path<CustomerId>,
) -> Result<Json<CustomerFile>, ApiError> {
    customers::file(&state.ports, &id)
        .await?
        .map(Json)
        .ok_or_else(|| ApiError::not_found("no such customer"))
}

/// Places an order for a customer, as they could (on the phone, say);
/// recorded on the order and in the audit log as the staff member's doing.
/// The customer pays it from their order page, or staff with a card.
#[utoipa::path(post, path = "/api/admin/customers/{id}/orders", tag = "admin", security(("staff" = ["support"])),
    request_body = OrderRequest,
    params(("id" = String, Path, description = "the customer"),
        ("Idempotency-Key" = String, Header, pattern = r"^[!-~]{1,100}$", description = "one per order")),
    responses(
        (status = 201, body = OrderView, description = "placed; awaiting payment"),
        (status = 200, body = OrderView, description = "placed before under this key"),
        (status = 404, body = ErrorBody, description = "no such customer"),
        (status = 409, body = ErrorBody, description = "`domain_taken`, `username_taken`, `registrar_username_taken`, `too_many_unpaid_orders`"),
        (status = 422, body = ErrorBody, description = "as `POST /api/orders`"),
    ))]
async fn place_order_for(
    State(state): State<AppState>,
    staff: Staff<AsSupport>,
    Path(id): Path<CustomerId>,
    headers: HeaderMap,
    ApiJson(request): ApiJson<OrderRequest>,
) -> Result<(StatusCode, Json<OrderView>), ApiError> {
    let key = idempotency_key(&headers, "order")?;
    let customer = customers::file(&state.ports, &id)
        .await?
        .ok_or_else(|| ApiError::not_found("no such customer"))?
        .customer;
    let placed = create::place_for(
        &state.ports,
        (&staff.actor(), staff.member.role, &staff.client),
        &customer,
        key,
        request,
    )
    .await?;
    let status = if placed.created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(placed.view)))
}

impl From<RefundError> for ApiError {
    fn from(error: RefundError) -> Self {
        match error {
            RefundError::NotFound => ApiError::not_found("no such invoice"),
            RefundError::Invalid { code, message } => ApiError::unprocessable(code, message),
            RefundError::Conflict { code, message } => ApiError::conflict(code, message),
            RefundError::OverLimit { .. } => ApiError::new(
                StatusCode::FORBIDDEN,
                "over_refund_limit",
                error.to_string(),
            ),
            RefundError::Unavailable(message) => {
                tracing::warn!(%message, "the gateway did not answer a refund");
                ApiError::unavailable(
                    "the payment provider is not answering; ask again, nothing is given back twice",
                )
                .retry_after(5)
            }
            RefundError::Table(error) => error.into(),
        }
    }
}

/// Gives back all or part of what paid an invoice, to the card, and issues
/// the credit note that documents it (the invoice as issued does not
/// change); the billing role up to its limit at once, admins without one.
#[utoipa::path(post, path = "/api/admin/invoices/{number}/refund", tag = "admin", security(("staff" = ["billing"])),
    request_body = RefundRequest,
    params(("number" = String, Path, description = "the invoice, `INV-000042`")),
    responses(
        (status = 200, body = Refunded, description = "the invoice, with what was given back so far, and the refund's `credit_note`"),
        (status = 403, body = ErrorBody, description = "`over_refund_limit`: the role's limit on one invoice, all its refunds together"),
        (status = 404, body = ErrorBody, description = "no such invoice"),
        (status = 409, body = ErrorBody, description = "`nothing_to_refund`, `no_capture_recorded`, `refund_in_progress`, `refund_refused`"),
        (status = 422, body = ErrorBody, description = "`invalid_amount`, `invalid_reason`"),
    ))]
async fn refund_invoice(
    State(state): State<AppState>,
    staff: Staff<AsBilling>,
    Path(number): Path<String>,
    ApiJson(request): ApiJson<RefundRequest>,
) -> Result<Json<Refunded>, ApiError> {
    Ok(Json(
        refund::refund(
            &state.ports,
            (&staff.actor(), staff.member.role, &staff.client),
            &number,
            request,
        )
        .await?,
    ))
}

#[derive(Deserialize, ToSchema)]
struct CreditGrant {
    /// Minor units.
    #[serde(deserialize_with = "hostfront_core::input::whole_number")]
    amount: i64,
    /// Why, in 1 to 500 characters, for the audit log.
    why: String,
}

/// Grants a customer account credit, taken off their next service invoices;
/// the billing role up to its limit at once, admins without one.
#[utoipa::path(post, path = "/api/admin/customers/{id}/credit", tag = "admin", security(("staff" = ["billing"])),
    request_body = CreditGrant,
    params(("id" = String, Path, description = "the customer")),
    responses(
        (status = 200, body = Credit, description = "the balance after it"),
        (status = 403, body = ErrorBody, description = "`over_credit_limit`: the role's limit per customer per UTC day, all its grants together"),
        (status = 404, body = ErrorBody, description = "no such customer"),
        (status = 422, body = ErrorBody, description = "`invalid_credit`"),
    ))]
async fn grant_credit(
    State(state): State<AppState>,
    staff: Staff<AsBilling>,
    Path(id): Path<CustomerId>,
    ApiJson(grant): ApiJson<CreditGrant>,
) -> Result<Json<Credit>, ApiError> {
    let file = customers::file(&state.ports, &id)
        .await?
        .ok_or_else(|| ApiError::not_found("no such customer"))?;
    let currency = state
        .ports
        .catalog
        .get(state.ports.table.as_ref(), state.ports.clock.as_ref())
        .await?
        .currency
        .clone();
    let balance = credit::grant(
        &state.ports,
        (&staff.actor(), staff.member.role, &staff.client),
        (&file.customer.id, &currency),
        grant.amount,
        &grant.why,
    )
    .await
    .map_err(|error| match error {
        CreditError::Invalid(message) => ApiError::unprocessable("invalid_credit", message),
        CreditError::OverLimit { .. } => ApiError::new(
            StatusCode::FORBIDDEN,
            "over_credit_limit",
            error.to_string(),
        ),
        CreditError::Busy => ApiError::unavailable(error.to_string()).retry_after(1),
        CreditError::Table(error) => error.into(),
    })?;
    Ok(Json(Credit { balance }))
}

#[derive(Deserialize, ToSchema)]
struct StatusChange {
    /// `suspended` or `active`.
    status: SubscriptionStatus,
    /// Why, in 1 to 500 characters, for the audit log.
    why: String,
}

/// Suspends a service or lifts its suspension; the panel follows.
#[utoipa::path(put, path = "/api/admin/customers/{customer}/services/{id}/status", tag = "admin", security(("staff" = ["support"])),
    request_body = StatusChange,
    params(("customer" = String, Path, description = "the customer"),
        ("id" = String, Path, description = "the service")),
    responses(
        (status = 200, body = Subscription),
        (status = 404, body = ErrorBody, description = "no such service"),
        (status = 409, body = ErrorBody, description = "`invalid_transition`: the lifecycle does not allow it"),
        (status = 422, body = ErrorBody, description = "`invalid_reason`"),
    ))]
async fn set_service_status(
    State(state): State<AppState>,
    staff: Staff<AsSupport>,
    Path((customer, id)): Path<(CustomerId, String)>,
    ApiJson(change): ApiJson<StatusChange>,
) -> Result<Json<Subscription>, ApiError> {
    Ok(Json(
        subscriptions::set_status(
            &state.ports,
            (&staff.actor(), staff.member.role, &staff.client),
            (&customer, &id),
            change.status,
            &change.why,
        )
        .await?,
    ))
}

#[derive(Deserialize, ToSchema)]
struct Cancellation {
    when: When,
    /// What becomes of the service's domain: `keep` (the default) or `lapse`.
    #[serde(default)]
    domain: DomainChoice,
}

/// Cancels a customer's service now or at the end of its term, as the
/// customer could; recorded as the staff member's doing.
#[utoipa::path(post, path = "/api/admin/customers/{customer}/services/{id}/cancel", tag = "admin", security(("staff" = ["billing"])),
    request_body = Cancellation,
    params(("customer" = String, Path, description = "the customer"),
        ("id" = String, Path, description = "the service")),
    responses(
        (status = 200, body = Subscription),
        (status = 404, body = ErrorBody, description = "no such service"),
        (status = 409, body = ErrorBody, description = "`already_cancelled`"),
    ))]
async fn cancel_service(
    State(state): State<AppState>,
    staff: Staff<AsBilling>,
    Path((customer, id)): Path<(CustomerId, String)>,
    ApiJson(body): ApiJson<Cancellation>,
) -> Result<(StatusCode, Json<Subscription>), ApiError> {
    let by = Acting {
        actor: staff.actor(),
        client: Some(&staff.client),
        role: Some(staff.member.role),
    };
    let service =
        cancel::request_with(&state.ports, by, &customer, &id, (body.when, body.domain)).await?;
    Ok((StatusCode::OK, Json(service)))
}

pub(super) fn routes<T: RouteTable>() -> T {
    T::default()
        .add(crate::handlers!(list_customers))
        .add(crate::handlers!(customer_file))
        .add(crate::handlers!(customer_orders, place_order_for))
        .add(crate::handlers!(refund_invoice))
        .add(crate::handlers!(grant_credit))
        .add(crate::handlers!(set_service_status))
        .add(crate::handlers!(cancel_service))
}
