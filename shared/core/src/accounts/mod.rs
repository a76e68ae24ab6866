//! Customer accounts: signup, login, sessions, and the changes a customer
//! makes to their account (`settings`, `reset`, `email_change`).
//!
//! - Passwords are hashed with argon2id; a minimum length and a list of common
//!   passwords keep the weakest out.
//! - An email belongs to one account: a marker item `EMAIL#<email>` is written
//!   in the same transaction as the customer.
//! - Sessions are random tokens sent as an HttpOnly cookie; only their SHA-256
//!   is stored (`SESSION#<hash>`), with an expiry, so a leaked table holds no
//!   usable token.

use std::sync::LazyLock;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::hashing::{self, Overloaded};
use crate::{Hashing, Storage};

mod billing_identity;
mod checks;
pub mod email_change;
pub(crate) mod invited;
pub(crate) mod repo;
pub mod reset;
pub mod settings;
mod signup;
pub mod two_step;
pub mod vat;
use crate::CustomerId;
use crate::store::{Condition, ItemExt, TableError, Update};
pub use billing_identity::{BillingIdentity, PostalAddress, set_billing_identity};
pub use checks::{check_password, normalize_email, random_token};
pub use email_change::{EmailChange, EmailConfirm, confirm_email_change, request_email_change};
pub(crate) use repo::{customer_key, customer_of, email_key, load_customer, session_key};
pub use reset::{
    PasswordResetConfirm, PasswordResetRequest, confirm_password_reset, request_password_reset,
};
pub use settings::{DetailsChange, PasswordChange, change_details, change_password};
pub use signup::{SignupAccepted, Verification, signup, verify_email};
pub use two_step::LoggedIn;
pub use vat::{VatRegistration, VatStatus};

pub const MIN_PASSWORD: usize = 10;
pub const MAX_PASSWORD: usize = 128;
pub const SESSION_DAYS: i64 = 30;

#[derive(Debug, Deserialize, ToSchema)]
pub struct Signup {
    #[schema(min_length = 3, max_length = 254)]
    pub email: String,
    #[schema(min_length = 10, max_length = 128)]
    pub password: String,
    /// The account holder's name, without control or invisible characters.
    #[schema(min_length = 1, max_length = 100)]
    pub name: String,
    /// ISO 3166 two-letter country of the account holder.
    #[schema(pattern = r"^[A-Za-z]{2}$")]
    pub country: String,
    /// Where on the site to continue once the email is verified (a path).
    #[serde(default)]
    #[schema(
        max_length = 200,
        pattern = r"^/([A-Za-z0-9._?=&%-][A-Za-z0-9/._?=&%-]*)?$"
    )]
    pub next: Option<String>,
    /// The visitor's cart, kept with the account once the email is
    /// verified, on whichever device the link is followed.
    #[serde(default)]
    pub cart: Option<crate::cart::Cart>,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct Login {
    pub email: String,
    pub password: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Contact {
    pub name: String,
    pub email: String,
}

/// What a customer sees of their account.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Customer {
    pub id: CustomerId,
    pub email: String,
    pub name: String,
    pub country: String,
    /// The billing and technical contacts; both start as the account holder.
    pub billing_contact: Contact,
    pub technical_contact: Contact,
    /// RFC 3339, UTC.
    pub created_at: String,
    /// The business's VAT number, once given (`PUT /api/account/vat-number`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vat: Option<VatRegistration>,
    /// The company's legal name, when the customer buys as one: the
    /// buyer's name on invoices instead of `name`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub company: Option<String>,
    /// The postal address on invoices; none until the customer gives one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<PostalAddress>,
    /// RFC 3339, UTC: when the account was erased at its holder's request;
    /// its personal details are placeholders since.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub erased_at: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    #[error("{message}")]
    Invalid { code: &'static str, message: String },
    #[error("an account with this email exists; log in instead")]
    EmailTaken,
    #[error("this link is not valid any more; sign up again to get a new one")]
    BadToken,
    #[error("the email or the password is not correct")]
    BadCredentials,
    #[error("not logged in")]
    NotLoggedIn,
    /// The current password given to prove a change is not the account's.
    #[error("the current password is not correct")]
    WrongPassword,
    /// A mailed link that was used, has expired or never existed.
    #[error("{0}")]
    LinkGone(&'static str),
    #[error("give a current code from your authenticator app")]
    TotpRequired,
    /// The code is not the app's current one, or was used already.
    #[error("that code is not right, or was used already; give the next one")]
    WrongCode,
    #[error("this login has expired; log in again with your password")]
    TicketGone,
    /// Staff require two-step login; nothing else until it is on.
    #[error("turn on two-step login first: this account requires it")]
    TotpEnrolmentRequired,
    /// Another account has the address; whose is never said.
    #[error("another account uses this email address")]
    AddressTaken,
    #[error(transparent)]
    Overloaded(#[from] Overloaded),
    #[error(transparent)]
    Table(#[from] TableError),
}

pub(crate) fn invalid(code: &'static str, message: impl Into<String>) -> AccountError {
    AccountError::Invalid {
        code,
        message: message.into(),
    }
}

/// A hash of a password nobody has, verified against when the email is
/// unknown, so that a login takes as long whether or not the account exists.
static DECOY_HASH: LazyLock<String> = LazyLock::new(|| hashing::hash_now(&random_token()));

pub(crate) async fn start_session(
    ports: &impl Storage,
    customer_id: &CustomerId,
) -> Result<String, AccountError> {
    let token = random_token();
    let (session, condition) = repo::create_session_op(
        &token,
        customer_id,
        ports.clock().now_millis(),
        ports.clock().now_secs() + SESSION_DAYS * 86_400,
    );
    ports.table().put(session, Some(condition)).await?;
    Ok(token)
}

/// Checks the credentials and starts a session, or, with two-step login
/// on, gives the ticket for its second step.
pub async fn login(
    ports: &(impl Storage + Hashing),
    request: Login,
) -> Result<LoggedIn, AccountError> {
    let email = normalize_email(&request.email).map_err(|_| AccountError::BadCredentials)?;
    let marker = ports.table().get(&email_key(&email)).await?;
    let profile = match marker.as_ref().and_then(|m| m.str_attr("customer_id")) {
        Some(id) => {
            ports
                .table()
                .get(&customer_key(&CustomerId::new(id)))
                .await?
        }
        None => None,
    };
    let hash = profile
        .as_ref()
        .and_then(|p| p.str_attr("password_hash"))
        .map(str::to_string);
    let verified = ports
        .hasher()
        .verify(
            request.password,
            hash.clone().unwrap_or_else(|| DECOY_HASH.clone()),
        )
        .await?;
    let (Some(profile), true, Some(_)) = (profile, verified, hash) else {
        return Err(AccountError::BadCredentials);
    };
    let customer = customer_of(&profile)?;
    if two_step::is_on(&profile) {
        let ticket = two_step::open_ticket(ports, &customer.id).await?;
        return Ok(LoggedIn::SecondStep(ticket));
    }
    let must_enrol = two_step::TwoStepStatus::of(&profile).must_enrol();
    let token = start_session(ports, &customer.id).await?;
    Ok(LoggedIn::Session {
        customer: Box::new(customer),
        token,
        must_enrol,
    })
}

/// Whether `password` is the customer's account password (a panel password
/// must not be: the panel is another system that may store it less well).
pub async fn is_account_password(
    ports: &(impl Storage + Hashing),
    customer_id: &CustomerId,
    password: &str,
) -> Result<bool, AccountError> {
    let profile = ports.table().get(&customer_key(customer_id)).await?;
    let Some(hash) = profile.as_ref().and_then(|p| p.str_attr("password_hash")) else {
        return Ok(false);
    };
    Ok(ports
        .hasher()
        .verify(password.to_string(), hash.to_string())
        .await?)
}

/// The customer a session token belongs to, while the session lasts;
/// refused while staff require two-step login and it is not on.
pub async fn session_customer(ports: &impl Storage, token: &str) -> Result<Customer, AccountError> {
    match session_account(ports, token).await? {
        (_, status) if status.must_enrol() => Err(AccountError::TotpEnrolmentRequired),
        (customer, _) => Ok(customer),
    }
}

/// The customer a session token belongs to, and their two-step login.
pub async fn session_account(
    ports: &impl Storage,
    token: &str,
) -> Result<(Customer, two_step::TwoStepStatus), AccountError> {
    let session = ports
        .table()
        .get(&session_key(token))
        .await?
        .ok_or(AccountError::NotLoggedIn)?;
    let id = session
        .str_attr("customer_id")
        .ok_or(AccountError::NotLoggedIn)?;
    let profile = ports
        .table()
        .get(&customer_key(&CustomerId::new(id)))
        .await?
        .ok_or(AccountError::NotLoggedIn)?;
    // "Log out everywhere" ends every session started before it.
    let started = session.i64_attr("started_ms").unwrap_or(0);
    if profile
        .i64_attr("sessions_after_ms")
        .is_some_and(|after| started <= after)
    {
        return Err(AccountError::NotLoggedIn);
    }
    Ok((
        customer_of(&profile)?,
        two_step::TwoStepStatus::of(&profile),
    ))
}

/// Ends every session of the account `token` belongs to, on every device.
/// One write: sessions started until now stop counting, and this one goes.
pub async fn logout_everywhere(ports: &impl Storage, token: &str) -> Result<(), AccountError> {
    let (customer, _) = session_account(ports, token).await?;
    ports
        .table()
        .update(
            &customer_key(&customer.id),
            Update::new().set("sessions_after_ms", ports.clock().now_millis()),
            Some(Condition::Exists),
        )
        .await?;
    logout(ports, token).await
}

/// Ends a session; ending one that is already gone is fine.
pub async fn logout(ports: &impl Storage, token: &str) -> Result<(), AccountError> {
    ports.table().delete(&session_key(token), None).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_normalised_and_checked() {
        assert_eq!(
            normalize_email("  Ada@Example.COM ").unwrap(),
            "ada@example.com"
        );
        for bad in [
            "",
            "ada",
            "ada@",
            "@example.com",
            "ada@example",
            "ada@@example.com",
            "a da@example.com",
            "ada@example.com.",
        ] {
            assert!(normalize_email(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn weak_passwords_are_refused() {
        let code = |p: &str| match check_password(p, "ada@example.com") {
            Ok(()) => "ok",
            Err(AccountError::Invalid { code, .. }) => code,
            Err(_) => "other",
        };
        assert_eq!(code("short"), "weak_password");
        assert_eq!(code("password123"), "weak_password");
        assert_eq!(code("Password123"), "weak_password", "case does not help");
        assert_eq!(code("aaaaaaaaaaaa"), "weak_password");
        assert_eq!(code("ada@example.com"), "weak_password");
        assert_eq!(code(&"x1".repeat(70)), "invalid_password");
        assert_eq!(code("correct horse battery"), "ok");
    }

    #[test]
    fn tokens_are_random_and_stored_only_as_hashes() {
        let (a, b) = (random_token(), random_token());
        assert_ne!(a, b);
        assert_eq!(a.len(), 43);
        assert!(!session_key(&a).pk.contains(&a));
        assert_eq!(session_key(&a), session_key(&a));
    }
}
