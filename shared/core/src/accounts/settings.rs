//! What a logged-in customer changes on their own account: their name and
//! country, and their password. Every change is one transaction with its
//! audit entry, guarded by the profile's version, so a change made
//! meanwhile is never overwritten.

use serde::Deserialize;
use serde_json::json;
use utoipa::ToSchema;

use super::repo::{self, customer_key, customer_of, name_index};
use super::signup::{check_country, check_name};
use super::{AccountError, Customer, check_password, invalid, random_token};
use crate::audit::{Actor, AuditEntry};
use crate::store::{Condition, Item, ItemExt, TableError, TxOp, Update};
use crate::{CustomerId, Hashing, Storage};

/// The account holder's name and country.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DetailsChange {
    /// The account holder's name, without control or invisible characters.
    #[schema(min_length = 1, max_length = 100)]
    pub name: String,
    /// ISO 3166 two-letter country: the tax of invoices issued from now on follows it.
    #[schema(pattern = r"^[A-Za-z]{2}$")]
    pub country: String,
}

/// A new password, proven by the current one.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordChange {
    pub current_password: String,
    #[schema(min_length = 10, max_length = 128)]
    pub new_password: String,
}

/// The profile and the customer in it, or not logged in when it is gone.
pub(crate) async fn profile(
    ports: &impl Storage,
    customer_id: &CustomerId,
) -> Result<(Item, Customer), AccountError> {
    let item = ports
        .table()
        .get(&customer_key(customer_id))
        .await?
        .ok_or(AccountError::NotLoggedIn)?;
    let customer = customer_of(&item)?;
    Ok((item, customer))
}

/// Refuses `password` unless it is the one on `profile` (403).
pub(crate) async fn prove_password(
    ports: &impl Hashing,
    profile: &Item,
    password: &str,
) -> Result<(), AccountError> {
    let hash = profile.str_attr("password_hash").unwrap_or_default();
    let proven = !hash.is_empty()
        && ports
            .hasher()
            .verify(password.to_string(), hash.to_string())
            .await?;
    if proven {
        Ok(())
    } else {
        Err(AccountError::WrongPassword)
    }
}

/// The write of `customer` (and `more`) to the profile read as `profile`;
/// it fails if the profile changed since.
pub(super) fn profile_op(profile: &Item, customer: &Customer, more: Update) -> TxOp {
    let version = profile.i64_attr("v").unwrap_or(0);
    TxOp::Update {
        key: customer_key(&customer.id),
        update: more.set("customer", json!(customer)).bump_version(),
        condition: Some(Condition::VersionIs(version)),
    }
}

/// The audit entry of a change the customer made to their account.
pub(crate) fn audit_op(
    ports: &impl Storage,
    customer_id: &CustomerId,
    action: &str,
    (from, to): (Option<String>, Option<String>),
    why: &str,
) -> TxOp {
    AuditEntry {
        at: crate::clock::rfc3339_millis(ports.clock().now()),
        actor: Actor::Customer(customer_id.clone()),
        subject: format!("customer:{customer_id}"),
        customer_id: Some(customer_id.clone()),
        action: action.into(),
        from,
        to,
        why: why.into(),
        client: None,
        role: None,
    }
    .put_op()
}

/// Writes `ops`; a profile changed meanwhile is the customer's to resend.
pub(crate) async fn commit(ports: &impl Storage, ops: Vec<TxOp>) -> Result<(), AccountError> {
    match ports.table().transact(ops).await {
        Ok(()) => Ok(()),
        Err(TableError::TransactionConflict { .. }) => Err(changed_meanwhile()),
        Err(other) => Err(other.into()),
    }
}

pub(super) fn changed_meanwhile() -> AccountError {
    invalid(
        "account_changed",
        "the account changed meanwhile; send it again",
    )
}

/// Sets the account holder's name and country. The contacts that were the
/// holder follow; invoices already issued keep what they said.
pub async fn change_details(
    ports: &impl Storage,
    customer_id: &CustomerId,
    change: DetailsChange,
) -> Result<Customer, AccountError> {
    let name = check_name(&change.name)?;
    let country = check_country(&change.country)?;
    let (item, before) = profile(ports, customer_id).await?;
    let mut customer = before.clone();
    for contact in [
        &mut customer.billing_contact,
        &mut customer.technical_contact,
    ] {
        if contact.name == before.name {
            contact.name = name.clone();
        }
    }
    customer.name = name;
    customer.country = country;
    let filed = Update::new().set("gsi2sk", name_index(&customer.name, customer.id.as_str()));
    let said = |c: &Customer| Some(format!("{}, {}", c.name, c.country));
    let ops = vec![
        profile_op(&item, &customer, filed),
        audit_op(
            ports,
            customer_id,
            "details_changed",
            (said(&before), said(&customer)),
            "the customer changed their name or country",
        ),
    ];
    commit(ports, ops).await?;
    Ok(customer)
}

/// Replaces the password when the current one is given. Every other session
/// ends; the one that asked goes on under a new token, returned.
pub async fn change_password(
    ports: &(impl Storage + Hashing),
    customer_id: &CustomerId,
    session_token: &str,
    change: PasswordChange,
) -> Result<String, AccountError> {
    let (item, customer) = profile(ports, customer_id).await?;
    prove_password(ports, &item, &change.current_password).await?;
    check_password(&change.new_password, &customer.email)?;
    if change.new_password == change.current_password {
        return Err(invalid(
            "same_password",
            "the new password is the current one; choose another",
        ));
    }
    let hash = ports.hasher().hash(change.new_password).await?;
    let now_ms = ports.clock().now_millis();
    let token = random_token();
    // Started after every session that ends now.
    let (session, fresh) = repo::create_session_op(
        &token,
        customer_id,
        now_ms + 1,
        ports.clock().now_secs() + super::SESSION_DAYS * 86_400,
    );
    let ops = vec![
        profile_op(&item, &customer, password_set(&hash, now_ms)),
        audit_op(
            ports,
            customer_id,
            "password_changed",
            (None, None),
            "the customer changed their password; their other sessions ended",
        ),
        TxOp::Delete {
            key: repo::session_key(session_token),
            condition: None,
        },
        TxOp::Put {
            item: session,
            condition: Some(fresh),
        },
    ];
    commit(ports, ops).await?;
    Ok(token)
}

/// The profile's new password hash, set at `now_ms`: every session started
/// until then ends, and so does every reset link sent before.
pub(super) fn password_set(hash: &str, now_ms: i64) -> Update {
    Update::new()
        .set("password_hash", hash)
        .set("sessions_after_ms", now_ms)
        .set("password_set_ms", now_ms)
}
