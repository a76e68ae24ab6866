//! Paying an order: by card, finishing a payment the card's bank asked
//! the customer to confirm, the simulated bank's page, and the payment
//! provider's events.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::Purchaser;
use crate::AppState;
use crate::accounts::CurrentCustomer;
use crate::card_data::PaymentJson;
use crate::client::ClientCountry;
use crate::error::{ApiError, ApiJson, ErrorBody};
use crate::table::RouteTable;
use hostfront_core::OrderId;
use hostfront_core::invoice_payments as pay;
use hostfront_core::orders::checkout::{self, PayRequest};
use hostfront_core::orders::{self, OrderView};
use hostfront_core::payments::ClientSetup;
use hostfront_core::renewals;
use hostfront_core::subscriptions::addons;

/// Pays the order's invoice with a card, given as the payment provider's id
/// of it (`payment_method`), which its card form makes (`GET
/// /api/payments/setup` says which form); the card itself never comes
/// here. The simulated provider's card page takes the test cards of the
/// README, and its gateway takes Stripe's test payment methods
/// (`pm_card_visa`, …) too. When the card's bank asks the customer to
/// confirm the payment (3-D Secure), the order comes back still awaiting
/// payment with `payment_action_url`: the bank's page, which sends the
/// customer back to the order's page to `POST …/pay/confirm`. An invoice
/// the account credit paid in full when the order was placed (`credit`,
/// `total` 0) is paid with no `payment_method`, and no card is charged.
#[utoipa::path(post, path = "/api/orders/{id}/pay", tag = "orders", security(("session" = [])), params(("id" = String, Path, description = "the order")), request_body = PayRequest,
    responses(
        (status = 200, body = OrderView, description = "paid (or paid before): provisioning or pending review; or waiting for the bank (`payment_action_url`)"),
        (status = 422, body = ErrorBody, description = "`invalid_country`, `invalid_payment_method` (not a provider's id, `pm_…`), `payment_method_required` (the account credit does not pay all of the invoice), `card_data_refused` (card numbers are never taken here; nothing was charged), `invalid_payment` (the provider knows no such payment method, or it was used already)"),
        (status = 402, body = ErrorBody, description = "`card_declined`, `insufficient_funds`, `expired_card`, `invalid_card`, or after repeated declines `payment_declined`: the order still awaits payment"),
        (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody, description = "`domain_not_verified`, `reservation_lost`, `too_many_declines` (for this order)"),
        (status = 429, body = ErrorBody, description = "`rate_limited`, `too_many_declines` (today); see Retry-After"),
        (status = 503, body = ErrorBody, description = "the payment provider is not answering; retrying never charges twice"),
    ))]
async fn pay_order(
    State(state): State<AppState>,
    Purchaser(customer): Purchaser,
    Path(id): Path<OrderId>,
    ClientCountry(client_country): ClientCountry,
    PaymentJson(mut request): PaymentJson<PayRequest>,
) -> Result<Json<OrderView>, ApiError> {
    request.client_country = client_country;
    Ok(Json(
        checkout::pay(&state.ports, &customer, &id, request).await?,
    ))
}

/// After the customer's bank asked them to confirm the payment: finishes it.
#[utoipa::path(post, path = "/api/orders/{id}/pay/confirm", tag = "orders", security(("session" = [])), params(("id" = String, Path, description = "the order")),
    responses(
        (status = 200, body = OrderView, description = "paid: provisioning or pending review; or still waiting for the bank (`payment_action_url`)"),
        (status = 402, body = ErrorBody, description = "`authentication_failed`: the bank did not confirm the payment; nothing was charged, the order still awaits payment"),
        (status = 404, body = ErrorBody, description = "no such order of yours"),
        (status = 409, body = ErrorBody, description = "`nothing_to_confirm`: the order is not waiting for a bank"),
        (status = 503, body = ErrorBody, description = "the payment provider is not answering; retrying never charges twice"),
    ))]
async fn confirm_payment(
    State(state): State<AppState>,
    // Not a purchase of its own: the one it finishes was counted.
    CurrentCustomer(customer): CurrentCustomer,
    Path(id): Path<OrderId>,
) -> Result<Json<OrderView>, ApiError> {
    Ok(Json(
        checkout::confirmed_at_bank(&state.ports, &customer, &id).await?,
    ))
}

/// How this shop's pages take a card: in the simulated provider's card page
/// (`card_page`, framed), or in Stripe's Payment Element with the
/// account's publishable key. Either gives the payment method id that
/// paying takes.
#[utoipa::path(get, path = "/api/payments/setup", tag = "orders",
    responses(
        (status = 200, body = ClientSetup),
        (status = 503, body = ErrorBody, description = "`payments_not_set_up`: no card form is set up (no publishable key)"),
    ))]
async fn payment_setup(State(state): State<AppState>) -> Result<Json<ClientSetup>, ApiError> {
    state
        .ports
        .payments
        .client_setup()
        .map(Json)
        .ok_or_else(|| {
            ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "payments_not_set_up",
                "this shop takes no cards in the browser yet",
            )
        })
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
/// the simulated gateway's test card whose bank asks its holder to confirm. Only the customer
/// whose order, invoice, domain's renewal or service's upgrade waits for the check may answer it, logged in. With a real
/// payment provider every check is at the card's own bank, and this is 404.
#[utoipa::path(post, path = "/api/payments/simulated-bank/{id}", tag = "orders", security(("session" = [])),
    params(("id" = String, Path, description = "the authorisation the bank checks")),
    request_body = BankAnswer,
    responses(
        (status = 200, body = BackToShop, description = "answered (the first answer stands)"),
        (status = 404, body = ErrorBody, description = "no check of the simulated bank under way for this id for an order, invoice or renewal of yours"),
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
        || ApiError::not_found("no check of the bank is under way for a payment of yours");
    let ports = &state.ports;
    let awaits = orders::bank::awaits_check(ports, &customer.id, &id).await?
        || pay::bank::awaits_check(ports, &customer.id, &id).await?
        || renewals::bank::awaits_check(ports, &customer.id, &id).await?
        || addons::upgrade_bank::awaits_check(ports, &customer.id, &id).await?;
    if !awaits {
        return Err(not_yours());
    }
    let payments = state.ports.payments.clone();
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
/// endpoint's secret (`Stripe-Signature`). Each event is taken once. The
/// simulated provider sends its own events here too, signed the same way
/// with a secret of its own.
#[utoipa::path(post, path = "/api/payments/events", tag = "orders",
    params(("Stripe-Signature" = String, Header, min_length = 1, description = "the provider's signature of the body")),
    request_body(content = String, content_type = "application/json", description = "the provider's event, as it sent it"),
    responses(
        (status = 200, body = EventTaken, description = "taken (again)"),
        (status = 400, body = ErrorBody, description = "`signature_required`: no Stripe-Signature header"),
        (status = 403, body = ErrorBody, description = "`invalid_signature`: not signed by the provider, or too long ago"),
        (status = 404, body = ErrorBody, description = "this shop takes no payment events"),
        (status = 503, body = ErrorBody, description = "the simulated provider's signing secret could not be read; the provider sends the event again"),
    ))]
async fn payment_event(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Result<Json<EventTaken>, ApiError> {
    use hostfront_core::payments::{EventError, events};
    use hostfront_core::provider_events;
    let ports = &state.ports;
    let signature = headers
        .get("stripe-signature")
        .and_then(|v| v.to_str().ok())
        .filter(|v| !v.is_empty())
        .ok_or_else(|| {
            ApiError::bad_request("signature_required", "send the Stripe-Signature header")
        })?;
    // The simulated provider's signing secret is in its state: read before checking.
    if let Some(simulated) = &ports.simulated_provider
        && let Err(error) = simulated.load_event_secret().await
    {
        tracing::warn!(%error, "the simulated provider's signing secret could not be read");
        return Err(ApiError::unavailable("the payment provider is not answering").retry_after(2));
    }
    let now = ports.clock.now_secs();
    // Checking a signature hashes the whole body: on a blocking thread, so
    // the request's timeout still holds and no async worker is held up.
    let (payments, signature) = (ports.payments.clone(), signature.to_owned());
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
    let new = events::take(ports.table.as_ref(), ports.clock.as_ref(), &event).await?;
    if new && let Err(error) = provider_events::apply(ports, &event).await {
        events::forget(ports.table.as_ref(), &event).await?;
        return Err(error.into());
    }
    Ok(Json(EventTaken {
        received: true,
        duplicate: !new,
    }))
}

pub(super) fn routes<T: RouteTable>() -> T {
    T::default()
        .add(crate::handlers!(pay_order))
        .add(crate::handlers!(confirm_payment))
        .add(crate::handlers!(payment_event))
        .add(crate::handlers!(simulated_bank))
        .add(crate::handlers!(payment_setup))
}
