//! Orders for the logged-in customer: place (with an `Idempotency-Key`),
//! list, show, pay, and the DNS zone as a BIND file; username checks.

use crate::table::RouteTable;
use axum::Json;
use axum::extract::{FromRequestParts, Path, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::AppState;
use super::accounts::CurrentCustomer;
use super::client::{Admitted, Purchases, Searches, admit};
use super::error::{ApiError, ApiJson, ApiQuery, ErrorBody};
use hostfront_core::accounts::Customer;
use hostfront_core::orders::checkout::{self, PayRequest};
use hostfront_core::orders::create::{self, OrderRequest};
use hostfront_core::orders::{self, OrderError, OrderView, username};

impl From<OrderError> for ApiError {
    fn from(error: OrderError) -> Self {
        match error {
            OrderError::Invalid { code, message } => ApiError::unprocessable(code, message),
            OrderError::Conflict {
                code,
                message,
                suggestions,
            } => ApiError::conflict(code, message).with_suggestions(suggestions),
            OrderError::NotFound => ApiError::not_found("no such order"),
            OrderError::Declined { code, message } => {
                let code = match code.as_str() {
                    "card_declined" => "card_declined",
                    "insufficient_funds" => "insufficient_funds",
                    "expired_card" => "expired_card",
                    "invalid_card" => "invalid_card",
                    "authentication_required" => "authentication_required",
                    "authentication_failed" => "authentication_failed",
                    _ => "payment_declined",
                };
                ApiError::new(
                    StatusCode::PAYMENT_REQUIRED,
                    code,
                    format!("{message}. Nothing was charged; try another card."),
                )
            }
            OrderError::Unavailable(message) => ApiError::unavailable(message).retry_after(2),
            OrderError::Limited {
                code,
                message,
                retry_after,
            } => {
                ApiError::new(StatusCode::TOO_MANY_REQUESTS, code, message).retry_after(retry_after)
            }
            OrderError::Transition(invalid) => {
                ApiError::conflict("invalid_transition", invalid.to_string())
            }
            OrderError::Table(e) => e.into(),
        }
    }
}

/// The logged-in customer, counted against the purchase limits: once for
/// the client's address, once for the customer (who may come from many).
pub struct Purchaser(pub Customer);

impl FromRequestParts<AppState> for Purchaser {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        Admitted::<Purchases>::from_request_parts(parts, state).await?;
        let CurrentCustomer(customer) = CurrentCustomer::from_request_parts(parts, state).await?;
        admit::<Purchases>(&state.services, &format!("customer:{}", customer.id)).await?;
        Ok(Purchaser(customer))
    }
}

/// The request's `Idempotency-Key`, one per `what` (an order, a renewal):
/// 1 to 100 printable ASCII characters, checked before anything is done.
pub(crate) fn idempotency_key<'h>(headers: &'h HeaderMap, what: &str) -> Result<&'h str, ApiError> {
    let key = headers
        .get("idempotency-key")
        .and_then(|v| v.to_str().ok())
        .ok_or_else(|| {
            ApiError::bad_request(
                "idempotency_key_required",
                format!(
                    "send an Idempotency-Key header, one per {what}, so a retry never does it twice"
                ),
            )
        })?;
    let printable =
        (1..=100).contains(&key.len()) && key.bytes().all(|b| (b'!'..=b'~').contains(&b));
    if !printable {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_idempotency_key",
            "the Idempotency-Key is 1 to 100 printable ASCII characters",
        ));
    }
    Ok(key)
}

/// Places an order. Send a fresh `Idempotency-Key` per order; a retry with
/// the same key returns the same order (200) instead of placing another.
#[utoipa::path(post, path = "/api/orders", tag = "orders", security(("session" = [])), request_body = OrderRequest,
    params(("Idempotency-Key" = String, Header, pattern = r"^[!-~]{1,100}$", description = "one per order, 1 to 100 printable ASCII characters")),
    responses(
        (status = 201, body = OrderView, description = "placed; awaiting payment"),
        (status = 200, body = OrderView, description = "placed before under this key"),
        (status = 400, body = ErrorBody, description = "`idempotency_key_required`"),
        (status = 422, body = ErrorBody, description = "`invalid_idempotency_key`, `idempotency_key_reused`, `unknown_plan`, `invalid_cycle`, `invalid_username`, `weak_password`, `password_required`, `auth_code_required`, `not_registered`, `tld_not_sold`, `password_conflict`, `password_reused`, `company_domain`, `reserved`, `not_registrable`, `incomplete_domain`, name errors"),
        (status = 401, body = ErrorBody, description = "`not_logged_in`"),
        (status = 409, body = ErrorBody, description = "`domain_taken`, `domain_unavailable`, `username_taken` (with suggestions), `too_many_unpaid_orders`"),
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
    let placed = create::place(&state.services, &customer, key, request).await?;
    let status = if placed.created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(placed.view)).into_response())
}

/// The customer's orders, newest first.
#[utoipa::path(get, path = "/api/orders", tag = "orders", security(("session" = [])),
    responses((status = 200, body = Vec<OrderView>), (status = 401, body = ErrorBody)))]
async fn list_orders(
    State(state): State<AppState>,
    CurrentCustomer(customer): CurrentCustomer,
) -> Result<Json<Vec<OrderView>>, ApiError> {
    Ok(Json(orders::list(&state.services, &customer.id).await?))
}

/// One order of the customer's, with its invoice and provisioning steps.
#[utoipa::path(get, path = "/api/orders/{id}", tag = "orders", security(("session" = [])),
    responses((status = 200, body = OrderView), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody, description = "no such order of yours")))]
async fn get_order(
    State(state): State<AppState>,
    CurrentCustomer(customer): CurrentCustomer,
    Path(id): Path<String>,
) -> Result<Json<OrderView>, ApiError> {
    let order = orders::load(&state.services, &customer.id, &id).await?;
    Ok(Json(orders::view(&state.services, order).await?))
}

/// Pays the order's invoice by card. Test cards: 4242 4242 4242 4242 succeeds;
/// 4000 0000 0000 0002 is declined; 4000 0000 0000 9995 has insufficient
/// funds; 4000 0000 0000 0069 has expired. When the card's bank asks the
/// customer to confirm the payment (3-D Secure), the order comes back still
/// awaiting payment with `payment_action_url`: the bank's page, which sends
/// the customer back to the order's page to `POST …/pay/confirm`.
#[utoipa::path(post, path = "/api/orders/{id}/pay", tag = "orders", security(("session" = [])), request_body = PayRequest,
    responses(
        (status = 200, body = OrderView, description = "paid (or paid before): provisioning or pending review; or waiting for the bank (`payment_action_url`)"),
        (status = 422, body = ErrorBody, description = "`invalid_country`, `invalid_payment`"),
        (status = 402, body = ErrorBody, description = "`card_declined`, `insufficient_funds`, `expired_card`, `invalid_card`, or after repeated declines `payment_declined`: the order still awaits payment"),
        (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody, description = "`domain_not_verified`, `reservation_lost`, `too_many_declines` (for this order)"),
        (status = 429, body = ErrorBody, description = "`rate_limited`, `too_many_declines` (today); see Retry-After"),
        (status = 503, body = ErrorBody, description = "the payment provider is not answering; retrying never charges twice"),
    ))]
async fn pay_order(
    State(state): State<AppState>,
    Purchaser(customer): Purchaser,
    Path(id): Path<String>,
    ApiJson(request): ApiJson<PayRequest>,
) -> Result<Json<OrderView>, ApiError> {
    Ok(Json(
        checkout::pay(&state.services, &customer, &id, request).await?,
    ))
}

/// After the customer's bank asked them to confirm the payment: finishes it.
#[utoipa::path(post, path = "/api/orders/{id}/pay/confirm", tag = "orders", security(("session" = [])),
    responses(
        (status = 200, body = OrderView, description = "paid: provisioning or pending review; or still waiting for the bank (`payment_action_url`)"),
        (status = 401, body = ErrorBody, description = "`not_logged_in`"),
        (status = 402, body = ErrorBody, description = "`authentication_failed`: the bank did not confirm the payment; nothing was charged, the order still awaits payment"),
        (status = 404, body = ErrorBody, description = "no such order of yours"),
        (status = 409, body = ErrorBody, description = "`nothing_to_confirm`: the order is not waiting for a bank"),
        (status = 503, body = ErrorBody, description = "the payment provider is not answering; retrying never charges twice"),
    ))]
async fn confirm_payment(
    State(state): State<AppState>,
    // Not a purchase of its own: the one it finishes was counted.
    CurrentCustomer(customer): CurrentCustomer,
    Path(id): Path<String>,
) -> Result<Json<OrderView>, ApiError> {
    Ok(Json(
        checkout::confirmed_at_bank(&state.services, &customer, &id).await?,
    ))
}

/// For a domain registered elsewhere: looks for the TXT record that proves
/// it is the customer's, and records the proof once it is there.
#[utoipa::path(post, path = "/api/orders/{id}/verify-domain", tag = "orders", security(("session" = [])),
    responses(
        (status = 200, body = OrderView, description = "proven (now or before); the order can be paid"),
        (status = 401, body = ErrorBody, description = "`not_logged_in`"),
        (status = 404, body = ErrorBody, description = "no such order of yours"),
        (status = 409, body = ErrorBody, description = "`record_not_found`: not published yet; `nothing_to_verify`: not a domain registered elsewhere"),
        (status = 503, body = ErrorBody, description = "the DNS lookup failed; try again"),
    ))]
async fn verify_domain(
    State(state): State<AppState>,
    CurrentCustomer(customer): CurrentCustomer,
    Path(id): Path<String>,
) -> Result<Json<OrderView>, ApiError> {
    Ok(Json(
        orders::ownership::verify(&state.services, &customer, &id).await?,
    ))
}

/// Cancels an order that awaits payment: its domain and username are free
/// again at once, and nothing is charged.
#[utoipa::path(post, path = "/api/orders/{id}/cancel", tag = "orders", security(("session" = [])),
    responses(
        (status = 200, body = OrderView, description = "cancelled"),
        (status = 401, body = ErrorBody, description = "`not_logged_in`"),
        (status = 404, body = ErrorBody, description = "no such order of yours"),
        (status = 409, body = ErrorBody, description = "`not_cancellable`: paid, being paid, or cancelled already"),
    ))]
async fn cancel_order(
    State(state): State<AppState>,
    CurrentCustomer(customer): CurrentCustomer,
    Path(id): Path<String>,
) -> Result<Json<OrderView>, ApiError> {
    Ok(Json(
        orders::unpaid::cancel(&state.services, &customer, &id).await?,
    ))
}

/// The order's DNS zone as a BIND zone file, once it exists.
#[utoipa::path(get, path = "/api/orders/{id}/zone", tag = "orders", security(("session" = [])),
    responses((status = 200, content_type = "text/plain", body = String), (status = 404, body = ErrorBody)))]
async fn order_zone(
    State(state): State<AppState>,
    CurrentCustomer(customer): CurrentCustomer,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let order = orders::load(&state.services, &customer.id, &id).await?;
    let zone = state
        .services
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

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct UsernameQuery {
    #[param(pattern = r"^[A-Za-z][A-Za-z0-9]{2,15}$")]
    name: String,
}

#[derive(Serialize, ToSchema)]
struct UsernameCheck {
    name: String,
    available: bool,
    /// Free alternatives when taken.
    suggestions: Vec<String>,
}

/// Whether a control-panel username is free, with suggestions when not.
#[utoipa::path(get, path = "/api/usernames/check", tag = "orders", params(UsernameQuery),
    responses(
        (status = 200, body = UsernameCheck),
        (status = 422, body = ErrorBody, description = "`invalid_username`"),
        (status = 429, body = ErrorBody, description = "rate limited with domain checks; see Retry-After"),
    ))]
async fn check_username(
    State(state): State<AppState>,
    _: Admitted<Searches>,
    ApiQuery(query): ApiQuery<UsernameQuery>,
) -> Result<Json<UsernameCheck>, ApiError> {
    let name = username::validate(&query.name)
        .map_err(|m| ApiError::unprocessable("invalid_username", m))?;
    let taken = username::check(&state.services, &name).await?;
    Ok(Json(UsernameCheck {
        available: taken.is_none(),
        name,
        suggestions: taken.unwrap_or_default(),
    }))
}

pub fn routes<T: RouteTable>() -> T {
    T::default()
        .add(crate::handlers!(place_order, list_orders))
        .add(crate::handlers!(get_order))
        .add(crate::handlers!(pay_order))
        .add(crate::handlers!(confirm_payment))
        .add(crate::handlers!(verify_domain))
        .add(crate::handlers!(cancel_order))
        .add(crate::handlers!(order_zone))
        .add(crate::handlers!(check_username))
        .add(crate::handlers!(payment_event))
        .add(crate::handlers!(simulated_bank))
}

#[derive(Deserialize, ToSchema)]
struct BankAnswer {
    /// The holder confirms the payment (`true`) or refuses it.
    confirmed: bool,
}

#[derive(Serialize, ToSchema)]
struct BackToShop {
    /// The shop's page the holder goes back to.
    return_url: String,
}

/// The holder's answer at the simulated bank (`/bank.html`), which checks
/// the simulated gateway's test card 4000 0025 0000 3155. Only the customer
/// whose order waits for the check may answer it, logged in. With a real
/// payment provider every check is at the card's own bank, and this is 404.
#[utoipa::path(post, path = "/api/payments/simulated-bank/{id}", tag = "orders", security(("session" = [])),
    params(("id" = String, Path, description = "the authorisation the bank checks")),
    request_body = BankAnswer,
    responses(
        (status = 200, body = BackToShop, description = "answered (the first answer stands)"),
        (status = 401, body = ErrorBody, description = "`not_logged_in`"),
        (status = 404, body = ErrorBody, description = "no check of the simulated bank under way for this id for an order of yours"),
        (status = 422, body = ErrorBody, description = "`invalid_json`"),
        (status = 503, body = ErrorBody, description = "the gateway's storage is not answering"),
    ))]
async fn simulated_bank(
    State(state): State<AppState>,
    CurrentCustomer(customer): CurrentCustomer,
    Path(id): Path<String>,
    ApiJson(answer): ApiJson<BankAnswer>,
) -> Result<Json<BackToShop>, ApiError> {
    use hostfront_core::payments::PaymentError;
    let not_yours =
        || ApiError::not_found("no check of the bank is under way for an order of yours");
    if !orders::bank::awaits_check(&state.services, &customer.id, &id).await? {
        return Err(not_yours());
    }
    let payments = state.services.payments.clone();
    match payments.answer_bank_check(&id, answer.confirmed).await {
        Ok(return_url) => Ok(Json(BackToShop { return_url })),
        Err(PaymentError::Unavailable(message)) => {
            tracing::warn!(%message, "the simulated bank's storage did not answer");
            Err(ApiError::unavailable("the bank is not answering; try again").retry_after(2))
        }
        Err(_) => Err(not_yours()),
    }
}

#[derive(Serialize, ToSchema)]
struct EventTaken {
    received: bool,
    /// The event was taken before (a delivery again, or a replay).
    duplicate: bool,
}

/// A payment event from the card provider (its webhook), signed with the
/// endpoint's secret (`Stripe-Signature`). Each event is taken once.
#[utoipa::path(post, path = "/api/payments/events", tag = "orders",
    params(("Stripe-Signature" = String, Header, min_length = 1, description = "the provider's signature of the body")),
    request_body(content = String, content_type = "application/json", description = "the provider's event, as it sent it"),
    responses(
        (status = 200, body = EventTaken, description = "taken (again)"),
        (status = 400, body = ErrorBody, description = "`signature_required`: no Stripe-Signature header"),
        (status = 403, body = ErrorBody, description = "`invalid_signature`: not signed by the provider, or too long ago"),
        (status = 404, body = ErrorBody, description = "this shop takes no payment events"),
    ))]
async fn payment_event(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Result<Json<EventTaken>, ApiError> {
    use hostfront_core::payments::{EventError, events};
    let services = &state.services;
    let signature = headers
        .get("stripe-signature")
        .and_then(|v| v.to_str().ok())
        .filter(|v| !v.is_empty())
        .ok_or_else(|| {
            ApiError::bad_request("signature_required", "send the Stripe-Signature header")
        })?;
    let now = services.clock.now_secs();
    // Checking a signature hashes the whole body: on a blocking thread, so
    // the request's timeout still holds and no async worker is held up.
    let (payments, signature) = (services.payments.clone(), signature.to_owned());
    let event = tokio::task::spawn_blocking(move || payments.event(&signature, &body, now))
        .await
        .unwrap_or_else(|failed| std::panic::resume_unwind(failed.into_panic()))
        .map_err(|error| match error {
            EventError::NotTaken => ApiError::not_found(error.to_string()),
            EventError::BadSignature(_) => ApiError::new(
                StatusCode::FORBIDDEN,
                "invalid_signature",
                error.to_string(),
            ),
        })?;
    let new = events::take(services.table.as_ref(), services.clock.as_ref(), &event).await?;
    Ok(Json(EventTaken {
        received: true,
        duplicate: !new,
    }))
}
