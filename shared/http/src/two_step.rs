//! Two-step login for customers: turning it on (a secret, confirmed by its
//! first code; recovery codes shown once) and off, the login's second step,
//! and staff requiring it. Every route that takes a password or a code
//! counts against the per-client login limit.

use axum::Json;
use axum::extract::{FromRequestParts, Path, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde::Deserialize;
use utoipa::ToSchema;

use super::AppState;
use super::account_settings::secret_try;
use super::accounts::{session_token, with_session};
use super::admin::{AsSupport, Staff};
use super::client::{Admitted, AuthAttempts};
use super::error::{ApiError, ApiJson, ErrorBody};
use crate::table::RouteTable;
use hostfront_core::CustomerId;
use hostfront_core::accounts::two_step::{
    self, SecondStep, TotpConfirm, TotpEnrol, TotpEnrolment, TotpOff, TotpOn, TwoStepStatus,
};
use hostfront_core::accounts::{self, AccountError, Customer};

/// The logged-in customer, even one whom staff require to turn on two-step
/// login first: only these routes take such a session.
pub struct EnrollingCustomer(pub Customer);

impl FromRequestParts<AppState> for EnrollingCustomer {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let token = session_token(state, &parts.headers)?.ok_or(AccountError::NotLoggedIn)?;
        let (customer, _) = accounts::session_account(&state.ports, &token).await?;
        Ok(EnrollingCustomer(customer))
    }
}

/// The logged-in customer's two-step login.
#[utoipa::path(get, path = "/api/account/totp", tag = "accounts", security(("session" = [])),
    responses((status = 200, body = TwoStepStatus)))]
async fn totp_status(
    State(state): State<AppState>,
    EnrollingCustomer(customer): EnrollingCustomer,
) -> Result<Json<TwoStepStatus>, ApiError> {
    Ok(Json(two_step::status(&state.ports, &customer.id).await?))
}

/// Makes a new secret for an authenticator app, proven by the password
/// (and a current code while two-step login is on). Nothing changes until
/// `POST /api/account/totp/confirm` proves the app has it.
#[utoipa::path(post, path = "/api/account/totp", tag = "accounts", security(("session" = [])),
    request_body = TotpEnrol,
    responses(
        (status = 200, body = TotpEnrolment, description = "the secret and its `otpauth://` address"),
        (status = 403, body = ErrorBody, description = "`wrong_password`; while two-step login is on, `totp_required` or `wrong_code`"),
        (status = 422, body = ErrorBody, description = "`account_changed`: send it again"),
        (status = 429, body = ErrorBody, description = "rate limited; see Retry-After"),
    ))]
async fn totp_enrol(
    State(state): State<AppState>,
    _: Admitted<AuthAttempts>,
    EnrollingCustomer(customer): EnrollingCustomer,
    ApiJson(request): ApiJson<TotpEnrol>,
) -> Result<Json<TotpEnrolment>, ApiError> {
    secret_try(&state, &customer.id).await?;
    Ok(Json(
        two_step::enrol(&state.ports, &customer.id, request).await?,
    ))
}

/// Turns two-step login on with the new secret's first code; answers the
/// ten recovery codes, shown this once.
#[utoipa::path(post, path = "/api/account/totp/confirm", tag = "accounts", security(("session" = [])),
    request_body = TotpConfirm,
    responses(
        (status = 200, body = TotpOn, description = "on; the recovery codes are shown this once"),
        (status = 403, body = ErrorBody, description = "`wrong_code`"),
        (status = 422, body = ErrorBody, description = "`no_enrolment`: no new secret is waiting; `account_changed`"),
        (status = 429, body = ErrorBody, description = "rate limited; see Retry-After"),
    ))]
async fn totp_confirm(
    State(state): State<AppState>,
    _: Admitted<AuthAttempts>,
    EnrollingCustomer(customer): EnrollingCustomer,
    ApiJson(request): ApiJson<TotpConfirm>,
) -> Result<Json<TotpOn>, ApiError> {
    secret_try(&state, &customer.id).await?;
    Ok(Json(
        two_step::confirm(&state.ports, &customer.id, request).await?,
    ))
}

/// Turns two-step login off, with the password and a current code (or a
/// recovery code); not while staff require it.
#[utoipa::path(delete, path = "/api/account/totp", tag = "accounts", security(("session" = [])),
    request_body = TotpOff,
    responses(
        (status = 200, body = TwoStepStatus, description = "off"),
        (status = 403, body = ErrorBody, description = "`wrong_password`, `wrong_code`"),
        (status = 422, body = ErrorBody, description = "`totp_off`, `totp_required_by_staff`, `account_changed`"),
        (status = 429, body = ErrorBody, description = "rate limited; see Retry-After"),
    ))]
async fn totp_disable(
    State(state): State<AppState>,
    _: Admitted<AuthAttempts>,
    EnrollingCustomer(customer): EnrollingCustomer,
    ApiJson(request): ApiJson<TotpOff>,
) -> Result<Json<TwoStepStatus>, ApiError> {
    secret_try(&state, &customer.id).await?;
    Ok(Json(
        two_step::disable(&state.ports, &customer.id, request).await?,
    ))
}

/// The second step of a login with two-step login on: the ticket from
/// `POST /api/login` and a code from the app (or a recovery code). Each
/// code is good once; a ticket lasts five minutes and five wrong codes.
#[utoipa::path(post, path = "/api/login/totp", tag = "accounts", request_body = SecondStep,
    responses(
        (status = 200, body = Customer, description = "logged in; the session cookie is set"),
        (status = 401, body = ErrorBody, description = "`wrong_code`; `login_expired`: log in again with the password"),
        (status = 429, body = ErrorBody, description = "rate limited; see Retry-After"),
    ))]
async fn login_totp(
    State(state): State<AppState>,
    _: Admitted<AuthAttempts>,
    headers: HeaderMap,
    ApiJson(request): ApiJson<SecondStep>,
) -> Result<Response, ApiError> {
    let previous = session_token(&state, &headers)?;
    let (customer, token) = match two_step::finish_login(&state.ports, request).await {
        Ok(done) => done,
        Err(AccountError::WrongCode) => {
            return Err(ApiError::new(
                StatusCode::UNAUTHORIZED,
                "wrong_code",
                AccountError::WrongCode.to_string(),
            ));
        }
        Err(other) => return Err(other.into()),
    };
    if let Some(previous) = previous {
        accounts::logout(&state.ports, &previous).await?;
    }
    Ok(with_session(&state, StatusCode::OK, customer, &token))
}

#[derive(Deserialize, ToSchema)]
struct Requirement {
    required: bool,
}

/// Requires two-step login of a customer, or stops requiring it. One who
/// has not turned it on must, at their next login, before anything else.
#[utoipa::path(put, path = "/api/admin/customers/{id}/two-step", tag = "admin", security(("staff" = ["support"])),
    request_body = Requirement,
    params(("id" = String, Path, description = "the customer")),
    responses(
        (status = 200, body = TwoStepStatus),
        (status = 404, body = ErrorBody, description = "no such customer"),
    ))]
async fn require_two_step(
    State(state): State<AppState>,
    staff: Staff<AsSupport>,
    Path(id): Path<CustomerId>,
    ApiJson(request): ApiJson<Requirement>,
) -> Result<Json<TwoStepStatus>, ApiError> {
    match two_step::set_required(&state.ports, &staff.actor(), &id, request.required).await {
        Ok(status) => Ok(Json(status)),
        Err(AccountError::NotLoggedIn) => Err(ApiError::not_found("no such customer")),
        Err(other) => Err(other.into()),
    }
}

pub fn routes<T: RouteTable>() -> T {
    T::default()
        .add(crate::handlers!(totp_status, totp_enrol, totp_disable))
        .add(crate::handlers!(totp_confirm))
        .add(crate::handlers!(login_totp))
}

/// The staff console's route, served with the other admin routes.
pub fn admin_routes<T: RouteTable>() -> T {
    T::default().add(crate::handlers!(require_two_step))
}
