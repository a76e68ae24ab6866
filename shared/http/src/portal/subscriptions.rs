//! The portal's hosting services: listing them, cancelling and withdrawing,
//! their mailboxes and sites, and upgrades.

use crate::table::RouteTable;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use utoipa::ToSchema;

use super::{declined_code, payment_source};
use crate::AppState;
use crate::accounts::CurrentCustomer;
use crate::card_data::PaymentJson;
use crate::error::{ApiError, ApiJson, ErrorBody};
use crate::orders::{Purchaser, idempotency_key};
use hostfront_core::audit::Actor;
use hostfront_core::subscriptions::addons::{self, AddonError, Upgraded};
use hostfront_core::subscriptions::cancel::{self, Acting, CancelError, DomainChoice, When};
use hostfront_core::subscriptions::panel_state::ServiceShown;
use hostfront_core::subscriptions::{self, Subscription, sites, zone_records};
use hostfront_core::zone::customer::RecordInput;

#[utoipa::path(get, path = "/api/services", tag = "portal", security(("session" = [])),
    responses(
        (status = 200, body = Vec<ServiceShown>, description = "with what the panel last said of each (`panel_state`)"),
    ))]
async fn list_services(
    State(state): State<AppState>,
    CurrentCustomer(customer): CurrentCustomer,
) -> Result<Json<Vec<ServiceShown>>, ApiError> {
    let table = state.ports.table.as_ref();
    Ok(Json(
        subscriptions::panel_state::shown_of_customer(table, &customer.id).await?,
    ))
}

/// The logged-in customer's newest invoices (at most 100).
impl From<CancelError> for ApiError {
    fn from(error: CancelError) -> Self {
        match error {
            CancelError::NotFound => ApiError::not_found("no such service of yours"),
            CancelError::Conflict { code, message } => ApiError::conflict(code, message),
            CancelError::Table(error) => error.into(),
        }
    }
}

#[derive(serde::Deserialize, ToSchema)]
struct CancelRequest {
    when: When,
    /// What becomes of the service's domain: `keep` (the default) or `lapse`.
    #[serde(default)]
    domain: DomainChoice,
}

/// Cancels a service now or at the end of its paid term, never sooner than
/// its plan's notice period; a cancellation that takes effect today ends
/// the service at once.
#[utoipa::path(post, path = "/api/services/{id}/cancel", tag = "portal", security(("session" = [])),
    request_body = CancelRequest,
    params(("id" = String, Path, description = "the service")),
    responses(
        (status = 200, body = Subscription, description = "with `cancel_at`, or cancelled"),
        (status = 404, body = ErrorBody, description = "not a service of yours"),
        (status = 409, body = ErrorBody, description = "`already_cancelled`, `no_domain_expiry` (ending when a domain not registered here expires), `no_domain_to_lapse`, `no_domain_to_park` (letting such a domain lapse, or parking it)"),
    ))]
async fn cancel_service(
    State(state): State<AppState>,
    CurrentCustomer(customer): CurrentCustomer,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<CancelRequest>,
) -> Result<Json<Subscription>, ApiError> {
    Ok(Json(
        cancel::request_with(
            &state.ports,
            Acting {
                actor: Actor::Customer(customer.id.clone()),
                client: None,
                role: None,
            },
            &customer.id,
            &id,
            (body.when, body.domain),
        )
        .await?,
    ))
}

/// Withdraws a service's pending cancellation.
#[utoipa::path(delete, path = "/api/services/{id}/cancel", tag = "portal", security(("session" = [])),
    params(("id" = String, Path, description = "the service")),
    responses(
        (status = 200, body = Subscription),
        (status = 404, body = ErrorBody, description = "not a service of yours"),
        (status = 409, body = ErrorBody, description = "`nothing_to_withdraw`"),
    ))]
async fn withdraw_cancellation(
    State(state): State<AppState>,
    CurrentCustomer(customer): CurrentCustomer,
    Path(id): Path<String>,
) -> Result<Json<Subscription>, ApiError> {
    Ok(Json(
        cancel::withdraw(&state.ports, &customer.id, &id).await?,
    ))
}

impl From<AddonError> for ApiError {
    fn from(error: AddonError) -> Self {
        match error {
            AddonError::NotFound => ApiError::not_found("no such service of yours"),
            AddonError::Invalid { code, message } => ApiError::unprocessable(code, message),
            AddonError::Conflict { code, message } => ApiError::conflict(code, message),
            AddonError::Declined { code, message } => ApiError::new(
                StatusCode::PAYMENT_REQUIRED,
                declined_code(&code),
                format!("{message}. Nothing was charged and the plan is unchanged."),
            ),
            AddonError::TooManyDeclines(refused) => refused.into(),
            AddonError::Unavailable(message) => {
                tracing::warn!(%message, "the hosting panel or the gateway did not answer");
                ApiError::unavailable("please try again in a moment; nothing is done twice")
                    .retry_after(5)
            }
            AddonError::Table(error) => error.into(),
        }
    }
}

#[derive(serde::Deserialize, ToSchema)]
struct Mailboxes {
    /// Names (`info`) or addresses of the service's domain (`info@bakery.com`).
    #[schema(max_items = 1000)]
    mailboxes: Vec<String>,
}

/// Sets a service's mailboxes, at most as many as its plan includes.
#[utoipa::path(put, path = "/api/services/{id}/mailboxes", tag = "portal", security(("session" = [])),
    request_body = Mailboxes,
    params(("id" = String, Path, description = "the service")),
    responses(
        (status = 200, body = Subscription),
        (status = 404, body = ErrorBody, description = "not a service of yours"),
        (status = 409, body = ErrorBody, description = "`service_not_active`, `panel_refused`"),
        (status = 422, body = ErrorBody, description = "`invalid_mailbox`, `postmaster_required`, `over_plan_limit`"),
        (status = 503, body = ErrorBody, description = "the hosting panel is not answering"),
    ))]
async fn set_mailboxes(
    State(state): State<AppState>,
    CurrentCustomer(customer): CurrentCustomer,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<Mailboxes>,
) -> Result<Json<Subscription>, ApiError> {
    Ok(Json(
        addons::set_mailboxes(&state.ports, &customer.id, &id, &body.mailboxes).await?,
    ))
}

#[derive(serde::Deserialize, ToSchema)]
struct ZoneRecords {
    /// Every record the zone is to hold, as when ordering DNS hosting.
    #[schema(max_items = 200)]
    records: Vec<RecordInput>,
}

/// Replaces the records of a DNS hosting service whose zone is primary.
#[utoipa::path(put, path = "/api/services/{id}/zone", tag = "portal", security(("session" = [])),
    request_body = ZoneRecords,
    params(("id" = String, Path, description = "the service")),
    responses(
        (status = 200, body = Subscription, description = "with its `zone`; the DNS host serves the records with a higher serial"),
        (status = 404, body = ErrorBody, description = "not a service of yours"),
        (status = 409, body = ErrorBody, description = "`service_not_active`, `not_primary_dns`"),
        (status = 422, body = ErrorBody, description = "`invalid_record_name`, `invalid_record_value`, `invalid_ttl`, `priority_required`, `priority_only_for_mx`, `unsupported_record_type`, `cname_at_apex`, `cname_not_alone`, `too_many_records`"),
        (status = 503, body = ErrorBody, description = "the DNS host is not answering"),
    ))]
async fn set_zone_records(
    State(state): State<AppState>,
    CurrentCustomer(customer): CurrentCustomer,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<ZoneRecords>,
) -> Result<Json<Subscription>, ApiError> {
    Ok(Json(
        zone_records::set_zone_records(&state.ports, &customer.id, &id, &body.records).await?,
    ))
}

#[derive(serde::Deserialize, ToSchema)]
struct Sites {
    /// Names under the service's domain (`shop.bakery.com`), or domains you
    /// hold with us; the plan's `limits.sites` counts the service's own.
    #[schema(max_items = 1000)]
    sites: Vec<String>,
}

/// Sets the sites a service serves besides its own domain, within its plan.
#[utoipa::path(put, path = "/api/services/{id}/sites", tag = "portal", security(("session" = [])),
    request_body = Sites,
    params(("id" = String, Path, description = "the service")),
    responses(
        (status = 200, body = Subscription),
        (status = 404, body = ErrorBody, description = "not a service of yours"),
        (status = 409, body = ErrorBody, description = "`service_not_active`, `panel_refused`"),
        (status = 422, body = ErrorBody, description = "`invalid_site`, `site_not_yours`, `over_plan_limit`"),
        (status = 503, body = ErrorBody, description = "the hosting panel is not answering"),
    ))]
async fn set_sites(
    State(state): State<AppState>,
    CurrentCustomer(customer): CurrentCustomer,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<Sites>,
) -> Result<Json<Subscription>, ApiError> {
    Ok(Json(
        sites::set_sites(&state.ports, &customer.id, &id, &body.sites).await?,
    ))
}

#[derive(serde::Deserialize, ToSchema)]
struct UpgradeRequest {
    plan_id: String,
    /// The payment provider's id of the card to pay with, as its card form
    /// gives it; without one, the saved payment method.
    #[serde(default)]
    #[schema(pattern = r"^pm_[A-Za-z0-9_]{1,255}$")]
    payment_method: Option<String>,
}

/// Moves a service to a larger plan of the same kind; the difference in
/// price for the rest of the period is invoiced and paid now. When the
/// card's bank asks the customer to confirm the payment (3-D Secure), the
/// service comes back on its plan with `payment_action_url`: the bank's
/// page, which sends the customer back to the portal
/// (`/portal.html?confirmed_upgrade=<id>`) to `POST …/upgrade/confirm`. The
/// service's upgrade is kept for that payment for 15 minutes.
#[utoipa::path(post, path = "/api/services/{id}/upgrade", tag = "portal", security(("session" = [])),
    request_body = UpgradeRequest,
    params(("id" = String, Path, description = "the service"),
        ("Idempotency-Key" = String, Header, pattern = r"^[!-~]{1,100}$", description = "one per upgrade")),
    responses(
        (status = 200, body = Upgraded, description = "upgraded; or waiting for the bank (`payment_action_url`)"),
        (status = 400, body = ErrorBody, description = "`idempotency_key_required`"),
        (status = 402, body = ErrorBody, description = "the card was declined (`card_declined`, `insufficient_funds`, `expired_card`, `invalid_card`, or after the customer's second decline of a day `payment_declined`); nothing was charged"),
        (status = 404, body = ErrorBody, description = "not a service of yours"),
        (status = 409, body = ErrorBody, description = "`not_an_upgrade`, `service_not_active`, `upgrade_in_progress` (another upgrade of the service is being paid; nothing was charged), `too_many_declines` (for upgrading this service)"),
        (status = 422, body = ErrorBody, description = "`unknown_plan`, `invalid_payment_method`, `card_data_refused`, `invalid_payment`, `payment_method_required`, `invalid_idempotency_key`, `idempotency_key_reused`"),
        (status = 429, body = ErrorBody, description = "`rate_limited` with orders and payments, `too_many_declines` (today); see Retry-After"),
        (status = 503, body = ErrorBody, description = "the payment provider is not answering"),
    ))]
async fn upgrade_service(
    State(state): State<AppState>,
    Purchaser(customer): Purchaser,
    Path(id): Path<String>,
    headers: HeaderMap,
    PaymentJson(body): PaymentJson<UpgradeRequest>,
) -> Result<Json<Upgraded>, ApiError> {
    let key = idempotency_key(&headers, "upgrade")?;
    let source = payment_source(&state, &customer.id, body.payment_method.as_deref()).await?;
    Ok(Json(
        addons::upgrade(&state.ports, &customer.id, &id, &body.plan_id, source, key).await?,
    ))
}

/// After the customer's bank asked them to confirm an upgrade's payment:
/// makes the upgrade, once however often it is asked.
#[utoipa::path(post, path = "/api/services/{id}/upgrade/confirm", tag = "portal", security(("session" = [])),
    params(("id" = String, Path, description = "the service")),
    responses(
        (status = 200, body = Upgraded, description = "upgraded (or upgraded before); or still waiting for the bank (`payment_action_url`)"),
        (status = 402, body = ErrorBody, description = "`authentication_failed`: the bank did not confirm the payment (after the customer's second decline of a day `payment_declined`); nothing was charged, the invoice is void and the service keeps its plan"),
        (status = 404, body = ErrorBody, description = "not a service of yours"),
        (status = 409, body = ErrorBody, description = "`nothing_to_confirm`: no upgrade of the service waits for a bank"),
        (status = 503, body = ErrorBody, description = "the payment provider is not answering; retrying never charges twice"),
    ))]
async fn confirm_upgrade(
    State(state): State<AppState>,
    // Not a purchase of its own: the one it finishes was counted.
    CurrentCustomer(customer): CurrentCustomer,
    Path(id): Path<String>,
) -> Result<Json<Upgraded>, ApiError> {
    Ok(Json(
        addons::upgrade_bank::confirmed_at_bank(&state.ports, &customer.id, &id).await?,
    ))
}

pub(super) fn routes<T: RouteTable>() -> T {
    T::default()
        .add(crate::handlers!(list_services))
        .add(crate::handlers!(cancel_service, withdraw_cancellation))
        .add(crate::handlers!(set_mailboxes))
        .add(crate::handlers!(set_sites))
        .add(crate::handlers!(set_zone_records))
        .add(crate::handlers!(upgrade_service))
        .add(crate::handlers!(confirm_upgrade))
}
