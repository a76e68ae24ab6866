//! Signup, login, logout and the current customer. The session travels in an
//! HttpOnly cookie; signup and login are rate limited per client.

use crate::table::RouteTable;
use axum::Json;
use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::AppState;
use super::client::{Admitted, AuthAttempts};
use super::error::{ApiError, ApiJson, ErrorBody};
use hostfront_core::accounts::{
    self, AccountError, Customer, LoggedIn, Login, SESSION_DAYS, Signup, SignupAccepted,
    Verification,
};

/// The session cookie's name. `__Host-` makes the browser refuse it unless it
/// came over HTTPS for this very host and path `/`, so no subdomain or
/// plain-HTTP page can plant one. A plain-HTTP host (other than localhost)
/// cannot keep a `__Host-` cookie, so there it goes without the prefix.
pub fn session_cookie_name(secure: bool) -> &'static str {
    if secure {
        "__Host-hf_session"
    } else {
        "hf_session"
    }
}

impl From<AccountError> for ApiError {
    fn from(error: AccountError) -> Self {
        match error {
            AccountError::Invalid { code, message } => ApiError::unprocessable(code, message),
            AccountError::EmailTaken => ApiError::conflict("email_taken", error.to_string()),
            AccountError::BadToken => ApiError::unprocessable("invalid_token", error.to_string()),
            AccountError::BadCredentials => ApiError::new(
                StatusCode::UNAUTHORIZED,
                "invalid_credentials",
                error.to_string(),
            ),
            AccountError::NotLoggedIn => {
                ApiError::new(StatusCode::UNAUTHORIZED, "not_logged_in", "log in first")
            }
            AccountError::WrongPassword => {
                ApiError::new(StatusCode::FORBIDDEN, "wrong_password", error.to_string())
            }
            AccountError::LinkGone(message) => {
                ApiError::new(StatusCode::GONE, "link_gone", message)
            }
            AccountError::AddressTaken => ApiError::conflict("email_taken", error.to_string()),
            AccountError::TotpRequired => {
                ApiError::new(StatusCode::FORBIDDEN, "totp_required", error.to_string())
            }
            AccountError::WrongCode => {
                ApiError::new(StatusCode::FORBIDDEN, "wrong_code", error.to_string())
            }
            AccountError::TicketGone => {
                ApiError::new(StatusCode::UNAUTHORIZED, "login_expired", error.to_string())
            }
            AccountError::TotpEnrolmentRequired => ApiError::new(
                StatusCode::FORBIDDEN,
                "totp_enrolment_required",
                error.to_string(),
            ),
            AccountError::Overloaded(e) => ApiError::unavailable(e.to_string()).retry_after(1),
            AccountError::Table(e) => e.into(),
        }
    }
}

/// The session token the request carries, if any.
pub(crate) fn session_token(
    state: &AppState,
    headers: &HeaderMap,
) -> Result<Option<String>, ApiError> {
    cookie_value(
        headers,
        session_cookie_name(state.ports.config.cookie_secure),
    )
}

/// The value of the cookie `name`, if the request carries it. Two such
/// cookies are refused: a planted second cookie must not decide who the
/// caller is.
pub(crate) fn cookie_value(headers: &HeaderMap, name: &str) -> Result<Option<String>, ApiError> {
    let mut values = headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .filter(|(cookie, _)| *cookie == name)
        .map(|(_, value)| value.to_string());
    let value = values.next();
    if values.next().is_some() {
        return Err(ApiError::bad_request(
            "ambiguous_session",
            "the request carries two session cookies; log in again",
        ));
    }
    Ok(value)
}

/// A session cookie: HttpOnly, for the whole site, Secure when configured.
pub(crate) fn session_cookie(
    name: &str,
    value: &str,
    max_age: i64,
    secure: bool,
    same_site: &str,
) -> HeaderValue {
    let secure = if secure { "; Secure" } else { "" };
    format!("{name}={value}; HttpOnly; SameSite={same_site}; Path=/; Max-Age={max_age}{secure}")
        .parse()
        .expect("a valid header")
}

fn cookie(state: &AppState, value: &str, max_age: i64) -> HeaderValue {
    let secure = state.ports.config.cookie_secure;
    session_cookie(session_cookie_name(secure), value, max_age, secure, "Lax")
}

pub(crate) fn with_session(
    state: &AppState,
    status: StatusCode,
    customer: Customer,
    token: &str,
) -> Response {
    let mut response = (status, Json(customer)).into_response();
    response.headers_mut().insert(
        header::SET_COOKIE,
        cookie(state, token, SESSION_DAYS * 86_400),
    );
    response
}

/// The logged-in customer; routes that take it answer 401 to everyone else.
pub struct CurrentCustomer(pub Customer);

impl FromRequestParts<AppState> for CurrentCustomer {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let token = session_token(state, &parts.headers)?.ok_or(AccountError::NotLoggedIn)?;
        Ok(CurrentCustomer(
            accounts::session_customer(&state.ports, &token).await?,
        ))
    }
}

/// Starts a signup: mails a link that finishes it. The answer is the same
/// whether or not the email has an account (the mail tells its owner), so
/// nobody learns from it who is a customer.
#[utoipa::path(post, path = "/api/signup", tag = "accounts", request_body = Signup,
    responses(
        (status = 202, body = SignupAccepted, description = "a mail with a link went to the address"),
        (status = 422, body = ErrorBody, description = "`invalid_email`, `weak_password`, `invalid_password`, `invalid_name`, `invalid_country`, `invalid_next`"),
        (status = 429, body = ErrorBody, description = "rate limited; see Retry-After"),
        (status = 503, body = ErrorBody, description = "busy; see Retry-After"),
    ))]
async fn signup(
    State(state): State<AppState>,
    _: Admitted<AuthAttempts>,
    ApiJson(request): ApiJson<Signup>,
) -> Result<Response, ApiError> {
    let accepted = accounts::signup(&state.ports, request).await?;
    Ok((StatusCode::ACCEPTED, Json(accepted)).into_response())
}

/// Finishes a signup with the token from the mailed link: makes the account
/// and logs it in. A link works once, for a day.
#[utoipa::path(post, path = "/api/verify-email", tag = "accounts", request_body = Verification,
    responses(
        (status = 201, body = Customer, description = "the account exists; the session cookie is set"),
        (status = 422, body = ErrorBody, description = "`invalid_token`: unknown, used or older than a day"),
        (status = 409, body = ErrorBody, description = "`email_taken`: another signup of this email finished first"),
        (status = 429, body = ErrorBody, description = "rate limited; see Retry-After"),
    ))]
async fn verify_email(
    State(state): State<AppState>,
    _: Admitted<AuthAttempts>,
    ApiJson(request): ApiJson<Verification>,
) -> Result<Response, ApiError> {
    let (customer, token) = accounts::verify_email(&state.ports, request).await?;
    Ok(with_session(&state, StatusCode::CREATED, customer, &token))
}

/// A customer logged in whom staff require to turn on two-step login first.
#[derive(serde::Serialize, utoipa::ToSchema)]
struct MustEnrol {
    #[serde(flatten)]
    customer: Customer,
    /// True: the session only turns on two-step login (`POST /api/account/totp`).
    must_enrol_totp: bool,
}

/// Logs in with email and password. The session the request arrived with,
/// if any, ends: a session planted before login is never promoted. With
/// two-step login on, no session yet: a ticket for `POST /api/login/totp`.
#[utoipa::path(post, path = "/api/login", tag = "accounts", request_body = Login,
    responses(
        (status = 200, body = Customer, description = "logged in; the session cookie is set. With two-step login on, instead `{\"second_factor\": \"totp\", \"ticket\": …}` (`LoginTicket`) and no cookie; when staff require two-step login and it is off, the customer with `must_enrol_totp: true` (`MustEnrol`)"),
        (status = 401, body = ErrorBody, description = "`invalid_credentials`"),
        (status = 429, body = ErrorBody, description = "rate limited; see Retry-After"),
    ))]
async fn login(
    State(state): State<AppState>,
    _: Admitted<AuthAttempts>,
    headers: HeaderMap,
    ApiJson(request): ApiJson<Login>,
) -> Result<Response, ApiError> {
    let previous = session_token(&state, &headers)?;
    let logged_in = accounts::login(&state.ports, request).await?;
    if let Some(previous) = previous {
        accounts::logout(&state.ports, &previous).await?;
    }
    let (customer, token, must_enrol) = match logged_in {
        LoggedIn::SecondStep(ticket) => return Ok((StatusCode::OK, Json(ticket)).into_response()),
        LoggedIn::Session {
            customer,
            token,
            must_enrol,
        } => (*customer, token, must_enrol),
    };
    if !must_enrol {
        return Ok(with_session(&state, StatusCode::OK, customer, &token));
    }
    let mut response = Json(MustEnrol {
        customer,
        must_enrol_totp: true,
    })
    .into_response();
    response.headers_mut().insert(
        header::SET_COOKIE,
        cookie(&state, &token, SESSION_DAYS * 86_400),
    );
    Ok(response)
}

/// The body of a logout: empty JSON (`{}`). Requiring JSON, like every other
/// state change, means no cross-site form can log anyone out.
#[derive(serde::Deserialize, utoipa::ToSchema)]
pub struct Logout {
    /// End every session of the account, on every device, not only this one.
    #[serde(default)]
    pub everywhere: bool,
}

/// Ends the session (or, with `everywhere`, every session of the account) and clears its cookie.
#[utoipa::path(post, path = "/api/logout", tag = "accounts", request_body = Logout,
    responses((status = 204, description = "logged out")))]
async fn logout(
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiJson(request): ApiJson<Logout>,
) -> Result<Response, ApiError> {
    if let Some(token) = session_token(&state, &headers)? {
        if request.everywhere {
            accounts::logout_everywhere(&state.ports, &token).await?;
        } else {
            accounts::logout(&state.ports, &token).await?;
        }
    }
    let mut response = StatusCode::NO_CONTENT.into_response();
    response
        .headers_mut()
        .insert(header::SET_COOKIE, cookie(&state, "", 0));
    Ok(response)
}

/// The header that clears the session cookie.
pub(crate) fn cleared_cookie(state: &AppState) -> HeaderValue {
    cookie(state, "", 0)
}

/// The logged-in customer.
#[utoipa::path(get, path = "/api/me", tag = "accounts", security(("session" = [])),
    responses((status = 200, body = Customer)))]
async fn me(CurrentCustomer(customer): CurrentCustomer) -> Json<Customer> {
    Json(customer)
}

/// Who is logged in, if anyone.
#[derive(serde::Serialize, utoipa::ToSchema)]
struct Session {
    /// The customer; null for a visitor.
    customer: Option<Customer>,
    /// Staff require two-step login and it is off: the site sends them to
    /// turn it on, as nothing else works until then.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    must_enrol_totp: bool,
}

/// Whether a customer is logged in, and who: for a page that shows itself
/// either way (answering a visitor 401, as `/api/me` does, would be an
/// error in their browser's console).
#[utoipa::path(get, path = "/api/session", tag = "accounts",
    responses((status = 200, body = Session), (status = 503, body = ErrorBody)))]
async fn session(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Json<Session>, ApiError> {
    let visitor = Session {
        customer: None,
        must_enrol_totp: false,
    };
    let Some(token) = session_token(&state, &headers)? else {
        return Ok(Json(visitor));
    };
    match accounts::session_account(&state.ports, &token).await {
        Ok((customer, two_step)) => Ok(Json(Session {
            customer: Some(customer),
            must_enrol_totp: two_step.must_enrol(),
        })),
        Err(AccountError::NotLoggedIn) => Ok(Json(visitor)),
        Err(other) => Err(other.into()),
    }
}

pub fn routes<T: RouteTable>() -> T {
    T::default()
        .add(crate::handlers!(session))
        .add(crate::handlers!(signup))
        .add(crate::handlers!(verify_email))
        .add(crate::handlers!(login))
        .add(crate::handlers!(logout))
        .add(crate::handlers!(me))
        .merge(super::account_settings::routes())
        .merge(super::privacy::routes())
        .merge(super::two_step::routes())
}
