//! The staff console's API, everything under `/api/admin/`. A member of
//! staff logs in with a password and a one-time code and gets a session
//! cookie of its own (`__Host-hf_staff`, SameSite=Strict, 8 hours, 30 idle
//! minutes). Each route names the least role it needs, in its OpenAPI
//! `security` (`staff` with that role) and in its `Staff<R>` extractor; a
//! test generated from the document holds the two to each other. Every call
//! that changes something must carry `X-Hostfront-Console: 1`, which no
//! cross-site form or simple request can send.

mod agency;
mod agency_pitch;
mod customers;
mod invoices;
mod listing;
mod mail_templates;
mod operations;
mod orders;
mod own_account;
mod pools;
mod prospects;
mod registrar_accounts;
mod reports;
mod simulated_provider;

use crate::table::RouteTable;
use std::marker::PhantomData;

use axum::Json;
use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::AppState;
use super::accounts::{cookie_value, session_cookie};
use super::client::{Admitted, AuthAttempts, ClientIp};
use super::error::{ApiError, ApiJson, ApiQuery, ErrorBody};
use hostfront_core::audit::Actor;
use hostfront_core::listing::{Asked, ListParams, Listed};
use hostfront_core::staff::auth::{self, Enrolment, NewStaff, SESSION_SECS, StaffLogin};
use hostfront_core::staff::{self, Role, StaffChange, StaffError, StaffMember};

/// The header every state-changing console call carries.
pub const CONSOLE_HEADER: &str = "x-hostfront-console";

/// The staff session cookie's name (see `session_cookie_name` for the prefix).
pub fn staff_cookie_name(secure: bool) -> &'static str {
    if secure {
        "__Host-hf_staff"
    } else {
        "hf_staff"
    }
}

impl From<StaffError> for ApiError {
    fn from(error: StaffError) -> Self {
        match error {
            StaffError::BadCredentials => ApiError::new(
                StatusCode::UNAUTHORIZED,
                "invalid_credentials",
                error.to_string(),
            ),
            StaffError::LockedOut { seconds } => ApiError::new(
                StatusCode::TOO_MANY_REQUESTS,
                "locked_out",
                error.to_string(),
            )
            .retry_after(seconds.max(1) as u64),
            StaffError::SlowDown { seconds } => ApiError::new(
                StatusCode::TOO_MANY_REQUESTS,
                "login_throttled",
                error.to_string(),
            )
            .retry_after(seconds.max(1) as u64),
            StaffError::NotLoggedIn => ApiError::new(
                StatusCode::UNAUTHORIZED,
                "not_logged_in",
                "log in as staff first",
            ),
            StaffError::Invalid(message) => ApiError::unprocessable("invalid_staff", message),
            StaffError::Conflict(message) => ApiError::conflict("staff_exists", message),
            StaffError::Refused { code, message } => ApiError::conflict(code, message),
            StaffError::Busy => ApiError::unavailable(error.to_string()).retry_after(1),
            StaffError::Table(error) => error.into(),
        }
    }
}

/// A role a route needs, as a type.
pub trait NeededRole {
    const ROLE: Role;
}

pub struct AsSupport;
pub struct AsBilling;
pub struct AsAdmin;

impl NeededRole for AsSupport {
    const ROLE: Role = Role::Support;
}
impl NeededRole for AsBilling {
    const ROLE: Role = Role::Billing;
}
impl NeededRole for AsAdmin {
    const ROLE: Role = Role::Admin;
}

/// The logged-in member of staff, holding at least role `R`, and the
/// address they act from. Anyone else: 401; a lesser role: 403.
pub struct Staff<R> {
    pub member: StaffMember,
    pub client: String,
    acting: Actor,
    role: PhantomData<R>,
}

impl<R> Staff<R> {
    pub fn actor(&self) -> Actor {
        self.acting.clone()
    }

    /// Who acts, as the audit log records a change: the member, their role
    /// and the address they act from.
    pub fn mover(&self) -> (&Actor, &str, &str) {
        (&self.acting, self.member.role.as_str(), &self.client)
    }
}

fn staff_token(state: &AppState, headers: &HeaderMap) -> Result<Option<String>, ApiError> {
    cookie_value(headers, staff_cookie_name(state.ports.config.cookie_secure))
}

/// Refuses a state-changing call without the console's header.
fn console_header(parts: &Parts) -> Result<(), ApiError> {
    let safe = [Method::GET, Method::HEAD, Method::OPTIONS].contains(&parts.method);
    if safe || parts.headers.get(CONSOLE_HEADER).is_some_and(|v| v == "1") {
        return Ok(());
    }
    Err(ApiError::new(
        StatusCode::FORBIDDEN,
        "console_header_required",
        format!("send {CONSOLE_HEADER}: 1 with every change"),
    ))
}

impl<R: NeededRole + Send> FromRequestParts<AppState> for Staff<R> {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let token = staff_token(state, &parts.headers)?.ok_or(StaffError::NotLoggedIn)?;
        let member = auth::session_member(&state.ports, &token).await?;
        console_header(parts)?;
        if !member.role.allows(R::ROLE) {
            return Err(ApiError::new(
                StatusCode::FORBIDDEN,
                "forbidden",
                format!("this needs the {} role", R::ROLE.as_str()),
            ));
        }
        let ClientIp(client) = ClientIp::from_request_parts(parts, state).await?;
        Ok(Staff {
            acting: Actor::Staff(member.id.clone()),
            member,
            client: client.to_string(),
            role: PhantomData,
        })
    }
}

fn staff_cookie(state: &AppState, value: &str, max_age: i64) -> header::HeaderValue {
    let secure = state.ports.config.cookie_secure;
    session_cookie(staff_cookie_name(secure), value, max_age, secure, "Strict")
}

/// Logs a member of staff in with their password and a one-time code (or a
/// recovery code). Five wrong tries in a row lock the client out of that
/// email for 15 minutes; after five from anywhere, other clients wait
/// longer before each try. Every email answers alike, a member's or not.
#[utoipa::path(post, path = "/api/admin/login", tag = "admin", request_body = StaffLogin,
    responses(
        (status = 200, body = StaffMember, description = "logged in; the staff cookie is set"),
        (status = 401, body = ErrorBody, description = "`invalid_credentials`"),
        (status = 429, body = ErrorBody, description = "`locked_out`: five wrong tries from this client; `login_throttled`: wrong tries on this email, wait; or rate limited; see Retry-After"),
    ))]
async fn login(
    State(state): State<AppState>,
    _: Admitted<AuthAttempts>,
    ClientIp(client): ClientIp,
    headers: HeaderMap,
    ApiJson(request): ApiJson<StaffLogin>,
) -> Result<Response, ApiError> {
    let previous = staff_token(&state, &headers)?;
    let (member, token) = auth::login(&state.ports, request, &client.to_string()).await?;
    if let Some(previous) = previous {
        auth::logout(&state.ports, &previous).await?;
    }
    let mut response = Json(member).into_response();
    response.headers_mut().insert(
        header::SET_COOKIE,
        staff_cookie(&state, &token, SESSION_SECS),
    );
    Ok(response)
}

/// Ends the staff session and clears its cookie.
#[utoipa::path(post, path = "/api/admin/logout", tag = "admin", security(("staff" = ["support"])),
    responses((status = 204, description = "logged out")))]
async fn logout(
    State(state): State<AppState>,
    _: Staff<AsSupport>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    if let Some(token) = staff_token(&state, &headers)? {
        auth::logout(&state.ports, &token).await?;
    }
    let mut response = StatusCode::NO_CONTENT.into_response();
    response
        .headers_mut()
        .insert(header::SET_COOKIE, staff_cookie(&state, "", 0));
    Ok(response)
}

/// The logged-in member of staff.
#[utoipa::path(get, path = "/api/admin/me", tag = "admin", security(("staff" = ["support"])),
    responses((status = 200, body = StaffMember)))]
async fn me(staff: Staff<AsSupport>) -> Json<StaffMember> {
    Json(staff.member)
}

/// The members of staff, a page at a time (see `docs/api.md`, Lists): by
/// email, `az` (default) or `za`; `status` `active` or `disabled`; `kind` a
/// role; `q` the start of an email. `format=csv` downloads every page.
#[utoipa::path(get, path = "/api/admin/staff", tag = "admin", security(("staff" = ["admin"])),
    params(ListParams),
    responses(
        (status = 200, description = "a page, or with `format=csv` the list as CSV (`X-Truncated`, `X-Next-Cursor`)",
            content((Listed<StaffMember> = "application/json"), (String = "text/csv"))),
        (status = 400, body = ErrorBody, description = "`invalid_query`: an unknown or malformed parameter"),
        (status = 422, body = ErrorBody, description = "`invalid_limit`, `invalid_sort`, `invalid_status`, `invalid_kind`, `invalid_date`, `invalid_search`, `invalid_cursor`"),
    ))]
async fn list_staff(
    State(state): State<AppState>,
    admin: Staff<AsAdmin>,
    headers: HeaderMap,
    ApiQuery(params): ApiQuery<ListParams>,
) -> Result<Response, ApiError> {
    let asked = listing::asked(&staff::STAFF, params, &headers)?;
    let table = state.ports.table.as_ref();
    let page = |asked: Asked| async move { staff::list(table, &asked).await };
    listing::answer(&state, &admin, (&staff::STAFF, asked), page).await
}

/// Adds a member of staff. The answer holds their password (when none was
/// given), authenticator secret and recovery codes, once.
#[utoipa::path(post, path = "/api/admin/staff", tag = "admin", security(("staff" = ["admin"])),
    request_body = NewStaff,
    responses(
        (status = 201, body = Enrolment),
        (status = 409, body = ErrorBody, description = "`staff_exists`"),
        (status = 422, body = ErrorBody, description = "`invalid_staff`"),
    ))]
async fn add_staff(
    State(state): State<AppState>,
    staff: Staff<AsAdmin>,
    ApiJson(request): ApiJson<NewStaff>,
) -> Result<(StatusCode, Json<Enrolment>), ApiError> {
    let enrolment = auth::create(
        &state.ports,
        (&staff.actor(), Some(staff.member.role), &staff.client),
        request,
    )
    .await?;
    Ok((StatusCode::CREATED, Json(enrolment)))
}

/// Changes a member of staff's role, or disables them (their sessions end);
/// an admin does not change their own account.
#[utoipa::path(put, path = "/api/admin/staff/{id}", tag = "admin", security(("staff" = ["admin"])),
    request_body = StaffChange,
    params(("id" = String, Path, description = "the member of staff")),
    responses(
        (status = 200, body = StaffMember),
        (status = 409, body = ErrorBody, description = "`staff_exists`: your own account, or changed meanwhile"),
        (status = 422, body = ErrorBody, description = "`invalid_staff`: no such member, or no reason"),
    ))]
async fn change_staff(
    State(state): State<AppState>,
    staff: Staff<AsAdmin>,
    axum::extract::Path(id): axum::extract::Path<String>,
    ApiJson(change): ApiJson<StaffChange>,
) -> Result<Json<StaffMember>, ApiError> {
    let by = (
        &staff.actor(),
        staff.member.id.as_str(),
        staff.client.as_str(),
    );
    Ok(Json(staff::change(&state.ports, by, &id, change).await?))
}

pub fn routes<T: RouteTable>() -> T {
    T::default()
        .add(crate::handlers!(login))
        .add(crate::handlers!(logout))
        .add(crate::handlers!(me))
        .add(crate::handlers!(list_staff, add_staff))
        .add(crate::handlers!(change_staff))
        .merge(orders::routes())
        .merge(agency::routes())
        .merge(prospects::routes())
        .merge(agency_pitch::routes())
        .merge(own_account::routes())
        .merge(customers::routes())
        .merge(registrar_accounts::routes())
        .merge(operations::routes())
        .merge(pools::routes())
        .merge(reports::routes())
        .merge(invoices::routes())
        .merge(mail_templates::routes())
        .merge(simulated_provider::routes())
        .merge(crate::two_step::admin_routes())
}
