//! The customer portal: a logged-in customer's own services, domains and
//! invoices, and renewing a domain.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::AppState;
use super::accounts::CurrentCustomer;
use super::error::{ApiError, ApiJson, ErrorBody};
use super::orders::{Purchaser, idempotency_key};
use hostfront_core::billing::payment_method::{self, PaymentMethodView, SaveError};
use hostfront_core::billing::{Invoice, invoice};
use hostfront_core::domains::manage::{self, ManageError};
use hostfront_core::domains::owned::{self, OwnedDomain};
use hostfront_core::payments::{Card, PaymentSource};
use hostfront_core::registrar::Contact;
use hostfront_core::renewals::{self, Quote, RenewRequest, Renewal, RenewalError};
use hostfront_core::subscriptions::addons::{self, AddonError};
use hostfront_core::subscriptions::cancel::{self, CancelError, When};
use hostfront_core::subscriptions::{self, Subscription};

impl From<RenewalError> for ApiError {
    fn from(error: RenewalError) -> Self {
        match error {
            RenewalError::NotFound => ApiError::not_found("no such domain of yours"),
            RenewalError::Invalid { code, message } => ApiError::unprocessable(code, message),
            RenewalError::TooManyYears { max_years } => ApiError::bad_request(
                "too_many_years",
                format!(
                    "a domain is never registered more than ten years ahead: renew it for at most {max_years} {} now",
                    if max_years == 1 { "year" } else { "years" }
                ),
            )
            .with_max_years(max_years),
            RenewalError::NotRenewable { code, message } => ApiError::conflict(code, message),
            RenewalError::Underway => ApiError::conflict(
                "renewal_in_progress",
                "this domain is being renewed already; look at it again in a moment",
            ),
            RenewalError::Declined { code, message } => {
                ApiError::new(StatusCode::PAYMENT_REQUIRED, declined_code(&code), message)
            }
            RenewalError::Unavailable(message) => ApiError::unavailable(message).retry_after(5),
            RenewalError::Transition(invalid) => {
                ApiError::conflict("invalid_transition", invalid.to_string())
            }
            RenewalError::Table(error) => error.into(),
        }
    }
}

/// The gateway's decline codes the API passes on; anything else is `payment_declined`.
fn declined_code(code: &str) -> &'static str {
    match code {
        "card_declined" => "card_declined",
        "insufficient_funds" => "insufficient_funds",
        "expired_card" => "expired_card",
        "invalid_card" => "invalid_card",
        _ => "payment_declined",
    }
}

/// A domain of the customer's, and what renewing it for a year costs now.
#[derive(Serialize, ToSchema)]
struct DomainView {
    #[serde(flatten)]
    domain: OwnedDomain,
    /// A year's renewal, when the domain can be renewed now.
    renewal_quote: Option<Quote>,
    /// Why it cannot be renewed now, in plain words.
    not_renewable: Option<String>,
}

/// The logged-in customer's domains.
#[utoipa::path(get, path = "/api/domains", tag = "portal", security(("session" = [])),
    responses(
        (status = 200, body = Vec<OwnedDomain>),
        (status = 401, body = ErrorBody, description = "`not_logged_in`"),
    ))]
async fn list_domains(
    State(state): State<AppState>,
    CurrentCustomer(customer): CurrentCustomer,
) -> Result<Json<Vec<OwnedDomain>>, ApiError> {
    let table = state.services.table.as_ref();
    Ok(Json(owned::of_customer(table, &customer.id).await?))
}

/// One of the logged-in customer's domains, with a year's renewal price.
#[utoipa::path(get, path = "/api/domains/{name}", tag = "portal", security(("session" = [])),
    params(("name" = String, Path, description = "the domain, ASCII")),
    responses(
        (status = 200, body = DomainView),
        (status = 401, body = ErrorBody, description = "`not_logged_in`"),
        (status = 404, body = ErrorBody, description = "not a domain of yours"),
    ))]
async fn get_domain(
    State(state): State<AppState>,
    CurrentCustomer(customer): CurrentCustomer,
    Path(name): Path<String>,
) -> Result<Json<DomainView>, ApiError> {
    let services = &state.services;
    let domain = owned::find(services.table.as_ref(), &customer.id, &name.to_lowercase())
        .await?
        .ok_or_else(|| ApiError::not_found("no such domain of yours"))?;
    let (renewal_quote, not_renewable) = match renewals::quote(services, &domain, 1).await {
        Ok(quote) => (Some(quote), None),
        Err(RenewalError::NotRenewable { message, .. }) => (None, Some(message)),
        Err(RenewalError::Unavailable(_)) => (None, None),
        Err(other) => return Err(other.into()),
    };
    Ok(Json(DomainView {
        domain,
        renewal_quote,
        not_renewable,
    }))
}

/// Renews one of the customer's domains: invoiced, the card authorised, and
/// the renewal queued (202); the same `Idempotency-Key` returns the same
/// renewal (200). The registry is asked with the expiry the renewal extends,
/// so it is never renewed twice for one period.
#[utoipa::path(post, path = "/api/domains/{name}/renew", tag = "portal", security(("session" = [])),
    request_body = RenewRequest,
    params(("name" = String, Path, description = "the domain, ASCII"),
        ("Idempotency-Key" = String, Header, pattern = r"^[!-~]{1,100}$", description = "one per renewal, 1 to 100 printable ASCII characters")),
    responses(
        (status = 202, body = Renewal, description = "the card is authorised and the renewal queued"),
        (status = 200, body = Renewal, description = "asked before under this key"),
        (status = 400, body = ErrorBody, description = "`idempotency_key_required`, `too_many_years` (with `max_years`)"),
        (status = 401, body = ErrorBody, description = "`not_logged_in`"),
        (status = 402, body = ErrorBody, description = "the card was declined: `card_declined`, `insufficient_funds`, `expired_card`, `invalid_card`; nothing was charged or renewed"),
        (status = 404, body = ErrorBody, description = "not a domain of yours"),
        (status = 409, body = ErrorBody, description = "`renewal_in_progress`, `pending_delete`, `transfer_pending`, `released`, `renewed_to_the_limit`, `tld_not_sold`"),
        (status = 422, body = ErrorBody, description = "`invalid_years`, `invalid_payment`, `invalid_idempotency_key`, `idempotency_key_reused`"),
        (status = 429, body = ErrorBody, description = "`rate_limited` with orders and payments; see Retry-After"),
        (status = 503, body = ErrorBody, description = "the payment provider or the registry is not answering; send the same request again"),
    ))]
async fn renew_domain(
    State(state): State<AppState>,
    Purchaser(customer): Purchaser,
    Path(name): Path<String>,
    headers: HeaderMap,
    ApiJson(request): ApiJson<RenewRequest>,
) -> Result<Response, ApiError> {
    let key = idempotency_key(&headers, "renewal")?;
    let name = name.to_lowercase();
    let (renewal, created) =
        renewals::renew(&state.services, &customer, &name, key, request).await?;
    let status = if created {
        StatusCode::ACCEPTED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(renewal)).into_response())
}

/// The logged-in customer's services.
#[utoipa::path(get, path = "/api/services", tag = "portal", security(("session" = [])),
    responses(
        (status = 200, body = Vec<Subscription>),
        (status = 401, body = ErrorBody, description = "`not_logged_in`"),
    ))]
async fn list_services(
    State(state): State<AppState>,
    CurrentCustomer(customer): CurrentCustomer,
) -> Result<Json<Vec<Subscription>>, ApiError> {
    let table = state.services.table.as_ref();
    Ok(Json(subscriptions::of_customer(table, &customer.id).await?))
}

/// The logged-in customer's newest invoices (at most 100).
#[utoipa::path(get, path = "/api/invoices", tag = "portal", security(("session" = [])),
    responses(
        (status = 200, body = Vec<Invoice>),
        (status = 401, body = ErrorBody, description = "`not_logged_in`"),
    ))]
async fn list_invoices(
    State(state): State<AppState>,
    CurrentCustomer(customer): CurrentCustomer,
) -> Result<Json<Vec<Invoice>>, ApiError> {
    let table = state.services.table.as_ref();
    Ok(Json(invoice::of_customer(table, &customer.id, 100).await?))
}

/// One of the logged-in customer's invoices, by number.
#[utoipa::path(get, path = "/api/invoices/{number}", tag = "portal", security(("session" = [])),
    params(("number" = String, Path, description = "`INV-000042`")),
    responses(
        (status = 200, body = Invoice),
        (status = 401, body = ErrorBody, description = "`not_logged_in`"),
        (status = 404, body = ErrorBody, description = "not an invoice of yours"),
    ))]
async fn get_invoice(
    State(state): State<AppState>,
    CurrentCustomer(customer): CurrentCustomer,
    Path(number): Path<String>,
) -> Result<Json<Invoice>, ApiError> {
    let table = state.services.table.as_ref();
    invoice::find(table, &customer.id, &number)
        .await?
        .map(Json)
        .ok_or_else(|| ApiError::not_found("no such invoice of yours"))
}

/// The logged-in customer's saved card: its last four digits and expiry.
#[utoipa::path(get, path = "/api/payment-method", tag = "portal", security(("session" = [])),
    responses(
        (status = 200, body = PaymentMethodView),
        (status = 401, body = ErrorBody, description = "`not_logged_in`"),
        (status = 404, body = ErrorBody, description = "no card saved"),
    ))]
async fn get_payment_method(
    State(state): State<AppState>,
    CurrentCustomer(customer): CurrentCustomer,
) -> Result<Json<PaymentMethodView>, ApiError> {
    payment_method::find(state.services.table.as_ref(), &customer.id)
        .await?
        .map(|method| Json(method.view()))
        .ok_or_else(|| ApiError::not_found("no card is saved"))
}

/// Saves a card as the customer's payment method, in place of any before;
/// renewals and recurring invoices are charged to it. One
/// `Idempotency-Key` per card saved.
#[utoipa::path(put, path = "/api/payment-method", tag = "portal", security(("session" = [])),
    request_body = Card,
    params(("Idempotency-Key" = String, Header, pattern = r"^[!-~]{1,100}$", description = "one per card saved")),
    responses(
        (status = 200, body = PaymentMethodView),
        (status = 400, body = ErrorBody, description = "`idempotency_key_required`"),
        (status = 401, body = ErrorBody, description = "`not_logged_in`"),
        (status = 422, body = ErrorBody, description = "`invalid_payment`: not a valid, unexpired card"),
        (status = 429, body = ErrorBody, description = "`rate_limited` with orders and payments; see Retry-After"),
        (status = 503, body = ErrorBody, description = "the payment provider is not answering"),
    ))]
async fn save_payment_method(
    State(state): State<AppState>,
    Purchaser(customer): Purchaser,
    headers: HeaderMap,
    ApiJson(card): ApiJson<Card>,
) -> Result<Json<PaymentMethodView>, ApiError> {
    let key = idempotency_key(&headers, "card saved")?;
    let method = payment_method::save(&state.services, &customer.id, &card, key)
        .await
        .map_err(|error| match error {
            SaveError::Invalid(message) => ApiError::unprocessable("invalid_payment", message),
            SaveError::Unavailable(message) => ApiError::unavailable(message).retry_after(5),
            SaveError::Table(error) => error.into(),
        })?;
    Ok(Json(method.view()))
}

/// Forgets the customer's saved card.
#[utoipa::path(delete, path = "/api/payment-method", tag = "portal", security(("session" = [])),
    responses(
        (status = 204, description = "forgotten"),
        (status = 401, body = ErrorBody, description = "`not_logged_in`"),
    ))]
async fn remove_payment_method(
    State(state): State<AppState>,
    CurrentCustomer(customer): CurrentCustomer,
) -> Result<StatusCode, ApiError> {
    payment_method::remove(state.services.table.as_ref(), &customer.id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(serde::Deserialize, ToSchema)]
struct AutoRenew {
    enabled: bool,
}

/// Turns a domain's auto-renewal on or off.
#[utoipa::path(put, path = "/api/domains/{name}/auto-renew", tag = "portal", security(("session" = [])),
    request_body = AutoRenew,
    params(("name" = String, Path, description = "the domain, ASCII")),
    responses(
        (status = 200, body = OwnedDomain),
        (status = 401, body = ErrorBody, description = "`not_logged_in`"),
        (status = 404, body = ErrorBody, description = "not a domain of yours"),
    ))]
async fn set_auto_renew(
    State(state): State<AppState>,
    CurrentCustomer(customer): CurrentCustomer,
    Path(name): Path<String>,
    ApiJson(choice): ApiJson<AutoRenew>,
) -> Result<Json<OwnedDomain>, ApiError> {
    let services = &state.services;
    owned::set_auto_renew(services, &customer.id, &name.to_lowercase(), choice.enabled)
        .await?
        .map(Json)
        .ok_or_else(|| ApiError::not_found("no such domain of yours"))
}

impl From<ManageError> for ApiError {
    fn from(error: ManageError) -> Self {
        match error {
            ManageError::NotFound => ApiError::not_found("no such domain of yours"),
            ManageError::Invalid { code, message } => ApiError::unprocessable(code, message),
            ManageError::Refused { code, message } => {
                let code = match code.as_str() {
                    "locked" => "locked",
                    "too_recent" => "too_recent",
                    _ => "registry_refused",
                };
                ApiError::conflict(code, message)
            }
            ManageError::Unavailable(message) => {
                tracing::warn!(%message, "the registrar did not answer");
                ApiError::unavailable("the registry is not answering; please try again shortly")
                    .retry_after(5)
            }
            ManageError::Table(error) => error.into(),
        }
    }
}

#[derive(serde::Deserialize, ToSchema)]
struct Nameservers {
    /// 2 to 13 host names.
    #[schema(min_items = 2, max_items = 13)]
    nameservers: Vec<String>,
}

/// Points a domain at other nameservers.
#[utoipa::path(put, path = "/api/domains/{name}/nameservers", tag = "portal", security(("session" = [])),
    request_body = Nameservers,
    params(("name" = String, Path, description = "the domain, ASCII")),
    responses(
        (status = 200, body = OwnedDomain),
        (status = 401, body = ErrorBody, description = "`not_logged_in`"),
        (status = 404, body = ErrorBody, description = "not a domain of yours"),
        (status = 409, body = ErrorBody, description = "`registry_refused`"),
        (status = 422, body = ErrorBody, description = "`invalid_nameservers`"),
        (status = 503, body = ErrorBody, description = "the registry is not answering"),
    ))]
async fn set_nameservers(
    State(state): State<AppState>,
    CurrentCustomer(customer): CurrentCustomer,
    Path(name): Path<String>,
    ApiJson(body): ApiJson<Nameservers>,
) -> Result<Json<OwnedDomain>, ApiError> {
    let name = name.to_lowercase();
    let domain =
        manage::set_nameservers(&state.services, &customer.id, &name, &body.nameservers).await?;
    Ok(Json(domain))
}

#[derive(serde::Deserialize, ToSchema)]
struct Lock {
    locked: bool,
}

/// Locks a domain against transfer, or unlocks it.
#[utoipa::path(put, path = "/api/domains/{name}/lock", tag = "portal", security(("session" = [])),
    request_body = Lock,
    params(("name" = String, Path, description = "the domain, ASCII")),
    responses(
        (status = 200, body = OwnedDomain),
        (status = 401, body = ErrorBody, description = "`not_logged_in`"),
        (status = 404, body = ErrorBody, description = "not a domain of yours"),
        (status = 409, body = ErrorBody, description = "`registry_refused`"),
        (status = 503, body = ErrorBody, description = "the registry is not answering"),
    ))]
async fn set_lock(
    State(state): State<AppState>,
    CurrentCustomer(customer): CurrentCustomer,
    Path(name): Path<String>,
    ApiJson(body): ApiJson<Lock>,
) -> Result<Json<OwnedDomain>, ApiError> {
    let name = name.to_lowercase();
    let domain = manage::set_lock(&state.services, &customer.id, &name, body.locked).await?;
    Ok(Json(domain))
}

/// Changes a domain's registrant contact.
#[utoipa::path(put, path = "/api/domains/{name}/registrant", tag = "portal", security(("session" = [])),
    request_body = Contact,
    params(("name" = String, Path, description = "the domain, ASCII")),
    responses(
        (status = 200, body = OwnedDomain),
        (status = 401, body = ErrorBody, description = "`not_logged_in`"),
        (status = 404, body = ErrorBody, description = "not a domain of yours"),
        (status = 409, body = ErrorBody, description = "`registry_refused`"),
        (status = 422, body = ErrorBody, description = "`invalid_contact`"),
        (status = 503, body = ErrorBody, description = "the registry is not answering"),
    ))]
async fn set_registrant(
    State(state): State<AppState>,
    CurrentCustomer(customer): CurrentCustomer,
    Path(name): Path<String>,
    ApiJson(contact): ApiJson<Contact>,
) -> Result<Json<OwnedDomain>, ApiError> {
    let name = name.to_lowercase();
    let domain = manage::set_registrant(&state.services, &customer.id, &name, contact).await?;
    Ok(Json(domain))
}

#[derive(Serialize, ToSchema)]
struct AuthCode {
    auth_code: String,
}

/// The domain's auth code, for moving it to another registrar: only when
/// unlocked and 60 days after registration or transfer; each request is
/// recorded.
#[utoipa::path(post, path = "/api/domains/{name}/auth-code", tag = "portal", security(("session" = [])),
    params(("name" = String, Path, description = "the domain, ASCII")),
    responses(
        (status = 200, body = AuthCode),
        (status = 401, body = ErrorBody, description = "`not_logged_in`"),
        (status = 404, body = ErrorBody, description = "not a domain of yours"),
        (status = 409, body = ErrorBody, description = "`locked`, `too_recent`, `registry_refused`"),
        (status = 503, body = ErrorBody, description = "the registry is not answering"),
    ))]
async fn get_auth_code(
    State(state): State<AppState>,
    CurrentCustomer(customer): CurrentCustomer,
    Path(name): Path<String>,
) -> Result<Json<AuthCode>, ApiError> {
    let name = name.to_lowercase();
    let auth_code = manage::auth_code(&state.services, &customer.id, &name).await?;
    Ok(Json(AuthCode { auth_code }))
}

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
}

/// Cancels a service now or at the end of its paid term, never sooner than
/// its plan's notice period; a cancellation that takes effect today ends
/// the service at once.
#[utoipa::path(post, path = "/api/services/{id}/cancel", tag = "portal", security(("session" = [])),
    request_body = CancelRequest,
    params(("id" = String, Path, description = "the service")),
    responses(
        (status = 200, body = Subscription, description = "with `cancel_at`, or cancelled"),
        (status = 401, body = ErrorBody, description = "`not_logged_in`"),
        (status = 404, body = ErrorBody, description = "not a service of yours"),
        (status = 409, body = ErrorBody, description = "`already_cancelled`"),
    ))]
async fn cancel_service(
    State(state): State<AppState>,
    CurrentCustomer(customer): CurrentCustomer,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<CancelRequest>,
) -> Result<Json<Subscription>, ApiError> {
    Ok(Json(
        cancel::request(&state.services, &customer.id, &id, body.when).await?,
    ))
}

/// Withdraws a service's pending cancellation.
#[utoipa::path(delete, path = "/api/services/{id}/cancel", tag = "portal", security(("session" = [])),
    params(("id" = String, Path, description = "the service")),
    responses(
        (status = 200, body = Subscription),
        (status = 401, body = ErrorBody, description = "`not_logged_in`"),
        (status = 404, body = ErrorBody, description = "not a service of yours"),
        (status = 409, body = ErrorBody, description = "`nothing_to_withdraw`"),
    ))]
async fn withdraw_cancellation(
    State(state): State<AppState>,
    CurrentCustomer(customer): CurrentCustomer,
    Path(id): Path<String>,
) -> Result<Json<Subscription>, ApiError> {
    Ok(Json(
        cancel::withdraw(&state.services, &customer.id, &id).await?,
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
        (status = 401, body = ErrorBody, description = "`not_logged_in`"),
        (status = 404, body = ErrorBody, description = "not a service of yours"),
        (status = 409, body = ErrorBody, description = "`service_not_active`, `panel_refused`"),
        (status = 422, body = ErrorBody, description = "`invalid_mailbox`, `over_plan_limit`"),
        (status = 503, body = ErrorBody, description = "the hosting panel is not answering"),
    ))]
async fn set_mailboxes(
    State(state): State<AppState>,
    CurrentCustomer(customer): CurrentCustomer,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<Mailboxes>,
) -> Result<Json<Subscription>, ApiError> {
    Ok(Json(
        addons::set_mailboxes(&state.services, &customer.id, &id, &body.mailboxes).await?,
    ))
}

#[derive(serde::Deserialize, ToSchema)]
struct UpgradeRequest {
    plan_id: String,
    /// The card to pay with; without one, the saved payment method.
    #[serde(default)]
    card: Option<Card>,
}

/// Moves a service to a larger plan of the same kind; the difference in
/// price for the rest of the period is invoiced and paid now.
#[utoipa::path(post, path = "/api/services/{id}/upgrade", tag = "portal", security(("session" = [])),
    request_body = UpgradeRequest,
    params(("id" = String, Path, description = "the service"),
        ("Idempotency-Key" = String, Header, pattern = r"^[!-~]{1,100}$", description = "one per upgrade")),
    responses(
        (status = 200, body = Subscription),
        (status = 400, body = ErrorBody, description = "`idempotency_key_required`"),
        (status = 401, body = ErrorBody, description = "`not_logged_in`"),
        (status = 402, body = ErrorBody, description = "the card was declined; nothing was charged"),
        (status = 404, body = ErrorBody, description = "not a service of yours"),
        (status = 409, body = ErrorBody, description = "`not_an_upgrade`, `service_not_active`, `upgrade_in_progress`"),
        (status = 422, body = ErrorBody, description = "`unknown_plan`, `invalid_payment`, `payment_method_required`, `idempotency_key_reused`"),
        (status = 429, body = ErrorBody, description = "`rate_limited` with orders and payments; see Retry-After"),
        (status = 503, body = ErrorBody, description = "the payment provider is not answering"),
    ))]
async fn upgrade_service(
    State(state): State<AppState>,
    Purchaser(customer): Purchaser,
    Path(id): Path<String>,
    headers: HeaderMap,
    ApiJson(body): ApiJson<UpgradeRequest>,
) -> Result<Json<Subscription>, ApiError> {
    let key = idempotency_key(&headers, "upgrade")?;
    let source = match body.card {
        Some(card) => {
            card.check_form()
                .map_err(|m| ApiError::unprocessable("invalid_payment", m))?;
            PaymentSource::Card(card)
        }
        None => PaymentSource::Saved(
            payment_method::find(state.services.table.as_ref(), &customer.id)
                .await?
                .ok_or_else(|| {
                    ApiError::unprocessable(
                        "payment_method_required",
                        "give a card, or save one as your payment method first",
                    )
                })?
                .token,
        ),
    };
    Ok(Json(
        addons::upgrade(
            &state.services,
            &customer.id,
            &id,
            &body.plan_id,
            source,
            key,
        )
        .await?,
    ))
}

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_domains))
        .routes(routes!(get_domain))
        .routes(routes!(renew_domain))
        .routes(routes!(set_auto_renew))
        .routes(routes!(set_nameservers))
        .routes(routes!(set_lock))
        .routes(routes!(set_registrant))
        .routes(routes!(get_auth_code))
        .routes(routes!(
            get_payment_method,
            save_payment_method,
            remove_payment_method
        ))
        .routes(routes!(list_services))
        .routes(routes!(cancel_service, withdraw_cancellation))
        .routes(routes!(set_mailboxes))
        .routes(routes!(upgrade_service))
        .routes(routes!(list_invoices))
        .routes(routes!(get_invoice))
}
