//! A customer's changes to their domain in the portal: nameservers, the
//! transfer lock, the registrant, the auth code, and a refresh from the
//! registry. Each is limited per customer and asks the registry within the
//! portal's share of its quota, so no customer can spend what searches and
//! orders need. Unlocking, a change of registrant and the auth code need the
//! account password again, and a current code when two-step login is on;
//! each try counts against the login limits.

use std::net::IpAddr;

use axum::Json;
use axum::extract::{FromRequestParts, Path, State};
use axum::http::StatusCode;
use axum::http::request::Parts;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::AppState;
use crate::accounts::CurrentCustomer;
use crate::client::{AuthAttempts, ClientIp, DomainChanges, admit, limit_key};
use crate::error::{ApiError, ApiJson, ErrorBody};
use crate::table::RouteTable;
use hostfront_core::accounts::Customer;
use hostfront_core::accounts::two_step;
use hostfront_core::daily::refresh;
use hostfront_core::domains::manage::{self, ManageError, RegistrantChange};
use hostfront_core::domains::owned::OwnedDomain;

impl From<ManageError> for ApiError {
    fn from(error: ManageError) -> Self {
        match error {
            ManageError::NotFound => ApiError::not_found("no such domain of yours"),
            ManageError::Invalid { code, message } => ApiError::unprocessable(code, message),
            ManageError::Refused { code, message } => {
                let code = match code.as_str() {
                    "locked" => "locked",
                    "too_recent" => "too_recent",
                    "transfer_locked" => "transfer_locked",
                    _ => "registry_refused",
                };
                ApiError::conflict(code, message)
            }
            ManageError::WrongPassword => ApiError::new(
                StatusCode::FORBIDDEN,
                "wrong_password",
                "that is not your account password; nothing was changed",
            ),
            ManageError::TooSoon { retry_after_secs } => ApiError::new(
                StatusCode::TOO_MANY_REQUESTS,
                "refresh_too_soon",
                format!(
                    "this domain was asked of the registry a moment ago; ask again in {retry_after_secs} seconds"
                ),
            )
            .retry_after(retry_after_secs),
            ManageError::Unavailable(message) => {
                tracing::warn!(%message, "the registrar did not answer");
                ApiError::unavailable("the registry is not answering; please try again shortly")
                    .retry_after(5)
            }
            ManageError::Table(error) => error.into(),
        }
    }
}

/// The logged-in customer, counted against the domain-change limit.
pub struct DomainChanger(pub Customer);

impl FromRequestParts<AppState> for DomainChanger {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let CurrentCustomer(customer) = CurrentCustomer::from_request_parts(parts, state).await?;
        admit::<DomainChanges>(&state.ports, &format!("customer:{}", customer.id)).await?;
        Ok(DomainChanger(customer))
    }
}

/// Counts a password given again against the login limits, for the client's
/// address and for the customer, so that it cannot be used to guess.
async fn count_password_try(
    state: &AppState,
    client: IpAddr,
    customer: &Customer,
    password: Option<&str>,
) -> Result<(), ApiError> {
    if password.is_some_and(|p| !p.is_empty()) {
        admit::<AuthAttempts>(&state.ports, &limit_key(client)).await?;
        crate::account_settings::secret_try(state, &customer.id).await?;
    }
    Ok(())
}

/// With two-step login on, a current code as well: 403 `totp_required`
/// without one, `wrong_code` with a wrong or used one (counted with logins).
async fn step_up(
    state: &AppState,
    customer: &Customer,
    code: Option<&str>,
) -> Result<(), ApiError> {
    if code.is_some_and(|c| !c.is_empty()) {
        crate::account_settings::secret_try(state, &customer.id).await?;
    }
    Ok(two_step::require_code(&state.ports, &customer.id, code).await?)
}

#[derive(Deserialize, ToSchema)]
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
        (status = 404, body = ErrorBody, description = "not a domain of yours"),
        (status = 409, body = ErrorBody, description = "`registry_refused`"),
        (status = 422, body = ErrorBody, description = "`invalid_nameservers`"),
        (status = 429, body = ErrorBody, description = "`rate_limited`: too many domain changes; see Retry-After"),
        (status = 503, body = ErrorBody, description = "the registry is not answering, or the portal's share of its quota is spent this second"),
    ))]
async fn set_nameservers(
    State(state): State<AppState>,
    DomainChanger(customer): DomainChanger,
    Path(name): Path<String>,
    ApiJson(body): ApiJson<Nameservers>,
) -> Result<Json<OwnedDomain>, ApiError> {
    let name = name.to_lowercase();
    let domain =
        manage::set_nameservers(&state.ports, &customer.id, &name, &body.nameservers).await?;
    Ok(Json(domain))
}

#[derive(Deserialize, ToSchema)]
struct Lock {
    locked: bool,
    /// The account password: needed to unlock.
    #[serde(default)]
    current_password: Option<String>,
    /// A current code from the authenticator app: needed to unlock when
    /// two-step login is on.
    #[serde(default)]
    totp_code: Option<String>,
}

/// Locks a domain against transfer, or unlocks it with the account password
/// (the owner is mailed); never while the 60-day lock after a change of
/// registrant lasts.
#[utoipa::path(put, path = "/api/domains/{name}/lock", tag = "portal", security(("session" = [])),
    request_body = Lock,
    params(("name" = String, Path, description = "the domain, ASCII")),
    responses(
        (status = 200, body = OwnedDomain),
        (status = 403, body = ErrorBody, description = "`wrong_password`; with two-step login on, `totp_required` (give `totp_code`) or `wrong_code`"),
        (status = 404, body = ErrorBody, description = "not a domain of yours"),
        (status = 409, body = ErrorBody, description = "`transfer_locked` (the message names the date it ends), `registry_refused`"),
        (status = 422, body = ErrorBody, description = "`current_password_required`"),
        (status = 429, body = ErrorBody, description = "`rate_limited`: too many domain changes, or password tries with logins; see Retry-After"),
        (status = 503, body = ErrorBody, description = "the registry is not answering, or the portal's share of its quota is spent this second"),
    ))]
async fn set_lock(
    State(state): State<AppState>,
    ClientIp(client): ClientIp,
    DomainChanger(customer): DomainChanger,
    Path(name): Path<String>,
    ApiJson(body): ApiJson<Lock>,
) -> Result<Json<OwnedDomain>, ApiError> {
    let password = body.current_password.as_deref();
    if !body.locked {
        count_password_try(&state, client, &customer, password).await?;
        step_up(&state, &customer, body.totp_code.as_deref()).await?;
    }
    let name = name.to_lowercase();
    let domain = manage::set_lock(&state.ports, &customer.id, &name, body.locked, password).await?;
    Ok(Json(domain))
}

/// Changes a domain's registrant contact, with the account password (the
/// owner and both registrants are mailed). The domain is then locked
/// against transfers to another registrar for 60 days, unless the request
/// opts out (`opt_out_transfer_lock`).
#[utoipa::path(put, path = "/api/domains/{name}/registrant", tag = "portal", security(("session" = [])),
    request_body = RegistrantChange,
    params(("name" = String, Path, description = "the domain, ASCII")),
    responses(
        (status = 200, body = OwnedDomain),
        (status = 403, body = ErrorBody, description = "`wrong_password`; with two-step login on, `totp_required` (give `totp_code`) or `wrong_code`"),
        (status = 404, body = ErrorBody, description = "not a domain of yours"),
        (status = 409, body = ErrorBody, description = "`registry_refused`"),
        (status = 422, body = ErrorBody, description = "`invalid_contact`, `current_password_required`"),
        (status = 429, body = ErrorBody, description = "`rate_limited`: too many domain changes, or password tries with logins; see Retry-After"),
        (status = 503, body = ErrorBody, description = "the registry is not answering, or the portal's share of its quota is spent this second"),
    ))]
async fn set_registrant(
    State(state): State<AppState>,
    ClientIp(client): ClientIp,
    DomainChanger(customer): DomainChanger,
    Path(name): Path<String>,
    ApiJson(change): ApiJson<RegistrantChange>,
) -> Result<Json<OwnedDomain>, ApiError> {
    count_password_try(
        &state,
        client,
        &customer,
        change.current_password.as_deref(),
    )
    .await?;
    step_up(&state, &customer, change.totp_code.as_deref()).await?;
    let name = name.to_lowercase();
    let domain = manage::set_registrant(&state.ports, &customer.id, &name, change).await?;
    Ok(Json(domain))
}

#[derive(Deserialize, ToSchema)]
struct Confirmation {
    /// The account password.
    #[serde(default)]
    current_password: Option<String>,
    /// A current code from the authenticator app, when two-step login is on.
    #[serde(default)]
    totp_code: Option<String>,
}

#[derive(Serialize, ToSchema)]
struct AuthCode {
    auth_code: String,
}

/// The domain's auth code, for moving it to another registrar, with the
/// account password: only when unlocked, 60 days after registration or
/// transfer, and outside the 60-day lock after a change of registrant; each
/// request is recorded and mailed to the owner.
#[utoipa::path(post, path = "/api/domains/{name}/auth-code", tag = "portal", security(("session" = [])),
    request_body = Confirmation,
    params(("name" = String, Path, description = "the domain, ASCII")),
    responses(
        (status = 200, body = AuthCode),
        (status = 403, body = ErrorBody, description = "`wrong_password`; with two-step login on, `totp_required` (give `totp_code`) or `wrong_code`"),
        (status = 404, body = ErrorBody, description = "not a domain of yours"),
        (status = 409, body = ErrorBody, description = "`locked`, `too_recent`, `transfer_locked` (the messages name the date), `registry_refused`"),
        (status = 422, body = ErrorBody, description = "`current_password_required`"),
        (status = 429, body = ErrorBody, description = "`rate_limited`: too many domain changes, or password tries with logins; see Retry-After"),
        (status = 503, body = ErrorBody, description = "the registry is not answering, or the portal's share of its quota is spent this second"),
    ))]
async fn get_auth_code(
    State(state): State<AppState>,
    ClientIp(client): ClientIp,
    DomainChanger(customer): DomainChanger,
    Path(name): Path<String>,
    ApiJson(body): ApiJson<Confirmation>,
) -> Result<Json<AuthCode>, ApiError> {
    let password = body.current_password.as_deref();
    count_password_try(&state, client, &customer, password).await?;
    step_up(&state, &customer, body.totp_code.as_deref()).await?;
    let name = name.to_lowercase();
    let auth_code = manage::auth_code(&state.ports, &customer.id, &name, password).await?;
    Ok(Json(AuthCode { auth_code }))
}

/// Asks the registry about a domain now and corrects its record (the
/// portal otherwise answers from the record, which the daily sync keeps in
/// agreement): at most once per domain every five minutes.
#[utoipa::path(post, path = "/api/domains/{name}/refresh", tag = "portal", security(("session" = [])),
    params(("name" = String, Path, description = "the domain, ASCII")),
    responses(
        (status = 200, body = OwnedDomain),
        (status = 404, body = ErrorBody, description = "not a domain of yours"),
        (status = 429, body = ErrorBody, description = "`refresh_too_soon`: refreshed less than five minutes ago; `rate_limited`: too many domain changes; see Retry-After"),
        (status = 503, body = ErrorBody, description = "the registry is not answering, or the portal's share of its quota is spent this second"),
    ))]
async fn refresh_domain(
    State(state): State<AppState>,
    DomainChanger(customer): DomainChanger,
    Path(name): Path<String>,
) -> Result<Json<OwnedDomain>, ApiError> {
    let name = name.to_lowercase();
    Ok(Json(
        refresh::refresh(&state.ports, &customer.id, &name).await?,
    ))
}

pub(super) fn routes<T: RouteTable>() -> T {
    T::default()
        .add(crate::handlers!(set_nameservers))
        .add(crate::handlers!(set_lock))
        .add(crate::handlers!(set_registrant))
        .add(crate::handlers!(get_auth_code))
        .add(crate::handlers!(refresh_domain))
}
