//! What a customer changes on their account: a forgotten password (by a
//! mailed link), the password, the email (confirmed from the new address),
//! the name and country. Every route that takes a password or a mailed
//! token counts against the per-client login limit.

use std::time::Duration;

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;

use super::AppState;
use super::accounts::{CurrentCustomer, session_token, with_session};
use super::client::{Admitted, AuthAttempts, admit};
use super::error::{ApiError, ApiJson, ErrorBody};
use crate::table::RouteTable;
use hostfront_core::CustomerId;
use hostfront_core::accounts::{
    self, AccountError, Customer, DetailsChange, EmailChange, EmailConfirm, PasswordChange,
    PasswordResetConfirm, PasswordResetRequest,
};

/// A reset request is answered no sooner than this after it arrived,
/// whether or not a mail went out, so its timing does not tell either.
const RESET_ANSWER_AFTER: Duration = Duration::from_millis(400);

/// What a request that mails a link answers.
#[derive(Debug, Serialize, ToSchema)]
struct LinkMailed {
    /// `reset_requested` or `confirmation_sent`.
    status: &'static str,
    message: String,
}

/// Mails a link that sets a new password, if the address has an account.
/// The answer is the same, in the same time, whether or not it has one.
#[utoipa::path(post, path = "/api/password-reset", tag = "accounts", request_body = PasswordResetRequest,
    responses(
        (status = 202, body = LinkMailed, description = "always the same: if the address has an account, a link went to it"),
        (status = 422, body = ErrorBody, description = "`invalid_email`: not an email address"),
        (status = 429, body = ErrorBody, description = "rate limited; see Retry-After"),
    ))]
async fn request_password_reset(
    State(state): State<AppState>,
    _: Admitted<AuthAttempts>,
    ApiJson(request): ApiJson<PasswordResetRequest>,
) -> Result<Response, ApiError> {
    let answer_at = tokio::time::Instant::now() + RESET_ANSWER_AFTER;
    accounts::request_password_reset(&state.ports, request).await?;
    tokio::time::sleep_until(answer_at).await;
    let minutes = accounts::reset::LINK_MINUTES;
    let answer = LinkMailed {
        status: "reset_requested",
        message: format!(
            "If an account uses this address, we sent it a link to set a new password. It works once, for {minutes} minutes."
        ),
    };
    Ok((StatusCode::ACCEPTED, Json(answer)).into_response())
}

/// Sets a new password with the token from the mailed link. The link works
/// once; every session of the account ends (log in with the new password).
#[utoipa::path(post, path = "/api/password-reset/confirm", tag = "accounts", request_body = PasswordResetConfirm,
    responses(
        (status = 204, description = "the password is set; every session of the account ended"),
        (status = 410, body = ErrorBody, description = "`link_gone`: the link was used, expired, or a newer password was set since"),
        (status = 422, body = ErrorBody, description = "`weak_password`, `invalid_password`; the link still works. `account_changed`: send it again. `invalid_token`: not a link's token"),
        (status = 429, body = ErrorBody, description = "rate limited; see Retry-After"),
    ))]
async fn confirm_password_reset(
    State(state): State<AppState>,
    _: Admitted<AuthAttempts>,
    ApiJson(request): ApiJson<PasswordResetConfirm>,
) -> Result<StatusCode, ApiError> {
    accounts::confirm_password_reset(&state.ports, request).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Each try of a secret the customer gives again (the current password, an
/// authenticator code) counts, before it is checked, against the account's
/// own login budget, the one its domain changes count against too: guesses
/// from many addresses run out, and once they have, a right guess is
/// refused as a wrong one is.
pub(crate) async fn secret_try(state: &AppState, customer_id: &CustomerId) -> Result<(), ApiError> {
    admit::<AuthAttempts>(&state.ports, &format!("customer:{customer_id}")).await
}

/// Changes the password, proven by the current one. Every other session of
/// the account ends; this one goes on under a new cookie.
#[utoipa::path(put, path = "/api/account/password", tag = "accounts", security(("session" = [])),
    request_body = PasswordChange,
    responses(
        (status = 200, body = Customer, description = "changed; the session cookie is renewed"),
        (status = 403, body = ErrorBody, description = "`wrong_password`: the current password is not correct; nothing changed"),
        (status = 422, body = ErrorBody, description = "`weak_password`, `invalid_password`, `same_password`, `account_changed`; nothing changed"),
        (status = 429, body = ErrorBody, description = "rate limited; see Retry-After"),
    ))]
async fn change_password(
    State(state): State<AppState>,
    _: Admitted<AuthAttempts>,
    headers: HeaderMap,
    CurrentCustomer(customer): CurrentCustomer,
    ApiJson(request): ApiJson<PasswordChange>,
) -> Result<Response, ApiError> {
    let session = session_token(&state, &headers)?.ok_or(AccountError::NotLoggedIn)?;
    secret_try(&state, &customer.id).await?;
    let token = accounts::change_password(&state.ports, &customer.id, &session, request).await?;
    Ok(with_session(&state, StatusCode::OK, customer, &token))
}

/// Asks to change the account's email: a link goes to the new address, and
/// the email changes once it is followed. The old address is told then.
#[utoipa::path(put, path = "/api/account/email", tag = "accounts", security(("session" = [])),
    request_body = EmailChange,
    responses(
        (status = 202, body = LinkMailed, description = "a link went to the new address; nothing changed yet"),
        (status = 403, body = ErrorBody, description = "`wrong_password`: the current password is not correct"),
        (status = 409, body = ErrorBody, description = "`email_taken`: another account uses the address"),
        (status = 422, body = ErrorBody, description = "`invalid_email`, `same_email`"),
        (status = 429, body = ErrorBody, description = "rate limited; see Retry-After"),
    ))]
async fn change_email(
    State(state): State<AppState>,
    _: Admitted<AuthAttempts>,
    CurrentCustomer(customer): CurrentCustomer,
    ApiJson(request): ApiJson<EmailChange>,
) -> Result<Response, ApiError> {
    secret_try(&state, &customer.id).await?;
    let email = accounts::request_email_change(&state.ports, &customer.id, request).await?;
    let hours = accounts::email_change::LINK_HOURS;
    let answer = LinkMailed {
        status: "confirmation_sent",
        message: format!(
            "We sent a link to {email}. Your email changes when you open it, within {hours} hours."
        ),
    };
    Ok((StatusCode::ACCEPTED, Json(answer)).into_response())
}

/// Makes the new address the account's email, with the token from the
/// link mailed to it; the login moves with it. Works once, for a day.
#[utoipa::path(post, path = "/api/account/email/confirm", tag = "accounts", request_body = EmailConfirm,
    responses(
        (status = 200, body = Customer, description = "the account as it is now"),
        (status = 409, body = ErrorBody, description = "`email_taken`: another account took the address first"),
        (status = 410, body = ErrorBody, description = "`link_gone`: the link was used, expired, or the email changed since"),
        (status = 422, body = ErrorBody, description = "`account_changed`: send it again; `invalid_token`: not a link's token"),
        (status = 429, body = ErrorBody, description = "rate limited; see Retry-After"),
    ))]
async fn confirm_email(
    State(state): State<AppState>,
    _: Admitted<AuthAttempts>,
    ApiJson(request): ApiJson<EmailConfirm>,
) -> Result<Json<Customer>, ApiError> {
    Ok(Json(
        accounts::confirm_email_change(&state.ports, request).await?,
    ))
}

/// Sets the account holder's name and country. The country decides the tax
/// of invoices issued from now on; invoices already issued keep theirs.
#[utoipa::path(put, path = "/api/account/details", tag = "accounts", security(("session" = [])),
    request_body = DetailsChange,
    responses(
        (status = 200, body = Customer, description = "the account as it is now"),
        (status = 422, body = ErrorBody, description = "`invalid_name`, `invalid_country`, `account_changed`; nothing changed"),
    ))]
async fn change_details(
    State(state): State<AppState>,
    CurrentCustomer(customer): CurrentCustomer,
    ApiJson(request): ApiJson<DetailsChange>,
) -> Result<Json<Customer>, ApiError> {
    Ok(Json(
        accounts::change_details(&state.ports, &customer.id, request).await?,
    ))
}

pub fn routes<T: RouteTable>() -> T {
    T::default()
        .add(crate::handlers!(request_password_reset))
        .add(crate::handlers!(confirm_password_reset))
        .add(crate::handlers!(change_password))
        .add(crate::handlers!(change_email))
        .add(crate::handlers!(confirm_email))
        .add(crate::handlers!(change_details))
}
