//! "Forgot your password?": a link by mail that sets a new one.
//!
//! Asking never tells whether the address has an account: the caller gets
//! the same answer either way (the HTTP route also answers in the same
//! time). An address with an account is mailed a link whose token is
//! stored only as a SHA-256 digest (`RESET#<digest>`), works once, for
//! `LINK_MINUTES`, and only until the password is next set. An address is
//! mailed at most one link per `MAIL_EVERY_SECS`, however often it is asked.

use serde::Deserialize;
use utoipa::ToSchema;

use super::repo::{digest, email_key};
use super::settings::{audit_op, changed_meanwhile, password_set, profile, profile_op};
use super::{AccountError, check_password, normalize_email, random_token};
use crate::mail::{self, Letter, Mail, MailKind};
use crate::store::{Condition, ItemExt, Key, TableError, Tx, TxError, TxOp};
use crate::{CustomerId, Hashing, Mailing, Settings, Storage};

/// How long a reset link works.
pub const LINK_MINUTES: i64 = 30;
/// An address is mailed at most one link in each window this long.
pub const MAIL_EVERY_SECS: i64 = 300;

#[derive(Debug, Deserialize, ToSchema)]
pub struct PasswordResetRequest {
    #[schema(min_length = 3, max_length = 254)]
    pub email: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordResetConfirm {
    /// The token from the mailed link.
    #[schema(min_length = 1, max_length = 100)]
    pub token: String,
    #[schema(min_length = 10, max_length = 128)]
    pub password: String,
}

pub(super) fn reset_key(token: &str) -> Key {
    Key::new(format!("RESET#{}", digest(token)), "PENDING")
}

/// Mails a reset link to `email` if it has an account; the caller learns
/// nothing either way. A malformed address is refused (422): that tells
/// nothing about anyone.
pub async fn request_password_reset(
    ports: &(impl Storage + Settings + Mailing),
    request: PasswordResetRequest,
) -> Result<(), AccountError> {
    let email = normalize_email(&request.email)?;
    let marker = ports.table().get(&email_key(&email)).await?;
    let Some(id) = marker.as_ref().and_then(|m| m.str_attr("customer_id")) else {
        return Ok(());
    };
    let customer = match profile(ports, &CustomerId::new(id)).await {
        Ok((_, customer)) => customer,
        // A marker without its account is no account: answered the same.
        Err(AccountError::NotLoggedIn) => return Ok(()),
        Err(other) => return Err(other),
    };
    let token = random_token();
    let now = ports.clock().now_secs();
    let mut item = reset_key(&token).to_item();
    item.insert("kind".into(), "password_reset".into());
    item.insert("customer_id".into(), customer.id.clone().into());
    item.insert("issued_ms".into(), ports.clock().now_millis().into());
    // The address it went to: once the account's email is another, the link
    // sent to the old one is void.
    item.insert("email".into(), customer.email.clone().into());
    item.insert("ttl".into(), (now + LINK_MINUTES * 60).into());
    let public = ports.config().public_url.trim_end_matches('/');
    let letter = Letter {
        company: ports.config().company_name.clone(),
        name: customer.name.clone(),
        link: format!("{public}/reset-password.html#token={token}"),
        ..Letter::default()
    };
    // One mail per address and window: a second ask in it finds the mail made.
    let window = now / MAIL_EVERY_SECS;
    let subject = format!("reset-{}-{window}", &digest(&email)[..16]);
    let mail = Mail::compose_about(ports, MailKind::PasswordReset, &email, &letter, &subject)
        .await?
        .with_secret(&token);
    let ops = vec![
        mail.put_op(now),
        TxOp::Put {
            item,
            condition: Some(Condition::NotExists),
        },
    ];
    match ports.table().transact(ops).await {
        Ok(()) => mail::deliver(ports, &mail).await,
        Err(TableError::TransactionConflict { index: 0 }) => {}
        Err(other) => return Err(other.into()),
    }
    Ok(())
}

/// Why setting the password from a link may be refused.
#[derive(Debug, Clone, Copy)]
enum Refusal {
    LinkUsed,
    ProfileChanged,
}

fn link_gone() -> AccountError {
    AccountError::LinkGone("this link was used already or has expired; ask for a new one")
}

/// A link whose account is gone is gone too; other failures stay what they are.
fn gone_if_no_account(error: AccountError) -> AccountError {
    match error {
        AccountError::NotLoggedIn => link_gone(),
        other => other,
    }
}

/// Sets the password from a reset link: the link is used up, and every
/// session of the account ends.
pub async fn confirm_password_reset(
    ports: &(impl Storage + Hashing),
    confirm: PasswordResetConfirm,
) -> Result<(), AccountError> {
    // Not a link's token at all (the API's description says 1 to 100
    // characters): refused as such, not as a link gone.
    if confirm.token.is_empty() || confirm.token.chars().count() > 100 {
        return Err(AccountError::BadToken);
    }
    // A password the signup's rules refuse is refused before the link is
    // looked at (with the account's email, once known, below).
    check_password(&confirm.password, "")?;
    let token = confirm.token.trim();
    if token.is_empty() {
        return Err(link_gone());
    }
    let key = reset_key(token);
    let link = ports.table().get(&key).await?.ok_or_else(link_gone)?;
    let id = CustomerId::new(link.str_attr("customer_id").unwrap_or_default());
    let (item, customer) = profile(ports, &id).await.map_err(gone_if_no_account)?;
    let issued = link.i64_attr("issued_ms").unwrap_or(0);
    let sent_to = link.str_attr("email");
    if item
        .i64_attr("password_set_ms")
        .is_some_and(|set| issued <= set)
        || sent_to != Some(customer.email.as_str())
    {
        return Err(link_gone());
    }
    check_password(&confirm.password, &customer.email)?;
    let hash = ports.hasher().hash(confirm.password).await?;
    let now_ms = ports.clock().now_millis();
    let mut tx = Tx::new();
    tx.guard(
        Refusal::LinkUsed,
        TxOp::Delete {
            key,
            condition: Some(Condition::Exists),
        },
    )
    .guard(
        Refusal::ProfileChanged,
        profile_op(&item, &customer, password_set(&hash, now_ms)),
    )
    .push(audit_op(
        ports,
        &id,
        "password_reset",
        (None, None),
        "the password was set from a reset link mailed to the account; every session ended",
    ));
    match tx.commit(ports.table()).await {
        Ok(()) => Ok(()),
        Err(TxError::Refused(Refusal::LinkUsed)) => Err(link_gone()),
        Err(TxError::Refused(Refusal::ProfileChanged)) => Err(changed_meanwhile()),
        Err(TxError::Table(other)) => Err(other.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reset_tokens_are_stored_only_as_digests() {
        let token = random_token();
        let key = reset_key(&token);
        assert!(!key.pk.contains(&token));
        assert_eq!(key, reset_key(&token));
        assert_ne!(key, reset_key(&random_token()));
    }
}
