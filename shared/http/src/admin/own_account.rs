//! A member of staff's own account: their open sessions, their password and
//! their authenticator; and an admin's reset of a member's authenticator.

use crate::table::RouteTable;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{AsAdmin, AsSupport, Staff, staff_token};
use crate::AppState;
use crate::client::{Admitted, AuthAttempts};
use crate::error::{ApiError, ApiJson, ErrorBody};
use hostfront_core::staff::StaffError;
use hostfront_core::staff::auth::own::{self, OwnSession, Reauthentication};
use hostfront_core::staff::auth::own_secrets::{
    self, AuthenticatorConfirm, AuthenticatorReset, NewAuthenticator, OwnPasswordChange,
    RecoveryCodes,
};

/// The token of the session this request came in.
fn current(state: &AppState, headers: &HeaderMap) -> Result<String, ApiError> {
    staff_token(state, headers)?.ok_or_else(|| {
        ApiError::new(
            StatusCode::UNAUTHORIZED,
            "not_logged_in",
            "log in as staff first",
        )
    })
}

/// A wrong password or code of a member logged in: 403, not 401, which
/// would read as the session having ended.
fn asked_again(error: StaffError) -> ApiError {
    match error {
        StaffError::BadCredentials => ApiError::new(
            StatusCode::FORBIDDEN,
            "wrong_password_or_code",
            "the password or code is not correct; nothing changed",
        ),
        other => other.into(),
    }
}

/// The sessions the member has open, this one marked `current`.
#[utoipa::path(get, path = "/api/admin/me/sessions", tag = "admin", security(("staff" = ["support"])),
    responses((status = 200, body = Vec<OwnSession>)))]
async fn my_sessions(
    State(state): State<AppState>,
    staff: Staff<AsSupport>,
    headers: HeaderMap,
) -> Result<Json<Vec<OwnSession>>, ApiError> {
    let token = current(&state, &headers)?;
    Ok(Json(
        own::sessions(&state.ports, &staff.member, &token).await?,
    ))
}

/// Ends one of the member's sessions (this one too, if it is this one).
#[utoipa::path(delete, path = "/api/admin/me/sessions/{id}", tag = "admin", security(("staff" = ["support"])),
    params(("id" = String, Path, description = "the session's public id")),
    responses(
        (status = 204, description = "ended"),
        (status = 404, body = ErrorBody, description = "no such session of yours"),
    ))]
async fn end_my_session(
    State(state): State<AppState>,
    staff: Staff<AsSupport>,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    match own::end_session(&state.ports, &staff.member, &id).await? {
        true => Ok(StatusCode::NO_CONTENT),
        false => Err(ApiError::not_found("no such session of yours")),
    }
}

#[derive(Serialize, ToSchema)]
struct SessionsEnded {
    ended: usize,
}

/// Ends every session of the member but this one.
#[utoipa::path(post, path = "/api/admin/me/sessions/end-others", tag = "admin", security(("staff" = ["support"])),
    responses((status = 200, body = SessionsEnded)))]
async fn end_my_other_sessions(
    State(state): State<AppState>,
    staff: Staff<AsSupport>,
    headers: HeaderMap,
) -> Result<Json<SessionsEnded>, ApiError> {
    let token = current(&state, &headers)?;
    let ended = own::end_other_sessions(&state.ports, &staff.member, &token).await?;
    Ok(Json(SessionsEnded { ended }))
}

/// Changes the member's password, with the current one and a code; their
/// other sessions end.
#[utoipa::path(put, path = "/api/admin/me/password", tag = "admin", security(("staff" = ["support"])),
    request_body = OwnPasswordChange,
    responses(
        (status = 200, body = SessionsEnded, description = "changed; the member's other sessions ended"),
        (status = 403, body = ErrorBody, description = "`wrong_password_or_code`: nothing changed"),
        (status = 409, body = ErrorBody, description = "`moved_on`"),
        (status = 422, body = ErrorBody, description = "`invalid_staff`: a weak new password"),
        (status = 429, body = ErrorBody, description = "`locked_out`, `login_throttled`: too many wrong tries; `rate_limited`: too many tries from this client"),
    ))]
async fn change_my_password(
    State(state): State<AppState>,
    _: Admitted<AuthAttempts>,
    staff: Staff<AsSupport>,
    headers: HeaderMap,
    ApiJson(request): ApiJson<OwnPasswordChange>,
) -> Result<Json<SessionsEnded>, ApiError> {
    let token = current(&state, &headers)?;
    let ended =
        own_secrets::change_password(&state.ports, &staff.member, &token, request, &staff.client)
            .await
            .map_err(asked_again)?;
    Ok(Json(SessionsEnded { ended }))
}

/// Starts moving the member's authenticator to a new device: the new
/// secret, shown once, takes over once a code of it is confirmed (within
/// ten minutes); the old one works until then.
#[utoipa::path(post, path = "/api/admin/me/authenticator", tag = "admin", security(("staff" = ["support"])),
    request_body = Reauthentication,
    responses(
        (status = 200, body = NewAuthenticator),
        (status = 403, body = ErrorBody, description = "`wrong_password_or_code`"),
        (status = 409, body = ErrorBody, description = "`moved_on`"),
        (status = 429, body = ErrorBody, description = "`locked_out`, `login_throttled`, `rate_limited`"),
    ))]
async fn begin_my_authenticator(
    State(state): State<AppState>,
    _: Admitted<AuthAttempts>,
    staff: Staff<AsSupport>,
    ApiJson(request): ApiJson<Reauthentication>,
) -> Result<Json<NewAuthenticator>, ApiError> {
    let ports = &state.ports;
    Ok(Json(
        own_secrets::begin_authenticator(ports, &staff.member, request, &staff.client)
            .await
            .map_err(asked_again)?,
    ))
}

/// Makes the new authenticator the member's with a code it shows; the
/// answer holds new recovery codes, once (the old ones end).
#[utoipa::path(post, path = "/api/admin/me/authenticator/confirm", tag = "admin", security(("staff" = ["support"])),
    request_body = AuthenticatorConfirm,
    responses(
        (status = 200, body = RecoveryCodes),
        (status = 403, body = ErrorBody, description = "`wrong_password_or_code`: not a code of the new authenticator"),
        (status = 409, body = ErrorBody, description = "`no_change_under_way`, `moved_on`"),
        (status = 429, body = ErrorBody, description = "`locked_out`, `login_throttled`, `rate_limited`"),
    ))]
async fn confirm_my_authenticator(
    State(state): State<AppState>,
    _: Admitted<AuthAttempts>,
    staff: Staff<AsSupport>,
    ApiJson(request): ApiJson<AuthenticatorConfirm>,
) -> Result<Json<RecoveryCodes>, ApiError> {
    let ports = &state.ports;
    Ok(Json(
        own_secrets::confirm_authenticator(ports, &staff.member, request, &staff.client)
            .await
            .map_err(asked_again)?,
    ))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct ResetWhy {
    /// 1 to 500 characters, for the audit log.
    why: String,
}

/// Gives a member who lost their authenticator a new secret and recovery
/// codes, shown once to the admin; every session of the member ends.
#[utoipa::path(post, path = "/api/admin/staff/{id}/authenticator/reset", tag = "admin", security(("staff" = ["admin"])),
    params(("id" = String, Path, description = "the member of staff")),
    request_body = ResetWhy,
    responses(
        (status = 200, body = AuthenticatorReset),
        (status = 404, body = ErrorBody, description = "no such member"),
        (status = 409, body = ErrorBody, description = "`own_account`: change your own from your account"),
        (status = 422, body = ErrorBody, description = "`invalid_staff`: no why"),
    ))]
async fn reset_authenticator(
    State(state): State<AppState>,
    staff: Staff<AsAdmin>,
    Path(id): Path<String>,
    ApiJson(request): ApiJson<ResetWhy>,
) -> Result<Json<AuthenticatorReset>, ApiError> {
    let admin = (&staff.member, staff.member.role, staff.client.as_str());
    own_secrets::reset_authenticator(&state.ports, admin, &id, &request.why)
        .await?
        .map(Json)
        .ok_or_else(|| ApiError::not_found("no such member of staff"))
}

pub(super) fn routes<T: RouteTable>() -> T {
    T::default()
        .add(crate::handlers!(my_sessions))
        .add(crate::handlers!(end_my_session))
        .add(crate::handlers!(end_my_other_sessions))
        .add(crate::handlers!(change_my_password))
        .add(crate::handlers!(begin_my_authenticator))
        .add(crate::handlers!(confirm_my_authenticator))
        .add(crate::handlers!(reset_authenticator))
}
