//! Changing the account's email. The new address must prove it is the
//! customer's: it is mailed a link (its token stored only as a digest,
//! `EMAILCHANGE#<digest>`, working once, for a day), and the address
//! changes only when the link is followed. Then, in one transaction, the
//! marker that keeps addresses unique moves (the new one is created only if
//! no account holds it), the profile changes, and the change is audited;
//! the old address is told.

use serde::Deserialize;
use utoipa::ToSchema;

use super::repo::{digest, email_key};
use super::settings::{audit_op, changed_meanwhile, profile, profile_op, prove_password};
use super::{AccountError, Customer, invalid, normalize_email, random_token};
use crate::mail::{self, Letter, Mail, MailKind};
use crate::store::{Condition, Item, ItemExt, Key, Tx, TxError, TxOp, Update};
use crate::{CustomerId, Hashing, Mailing, Settings, Storage};

/// How long a confirmation link works.
pub const LINK_HOURS: i64 = 24;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EmailChange {
    /// The new address.
    #[schema(min_length = 3, max_length = 254)]
    pub email: String,
    pub current_password: String,
}

/// The token from an email-change link.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EmailConfirm {
    #[schema(min_length = 1, max_length = 100)]
    pub token: String,
}

fn change_key(token: &str) -> Key {
    Key::new(format!("EMAILCHANGE#{}", digest(token)), "PENDING")
}

fn letter(ports: &impl Settings, customer: &Customer, link: String) -> Letter {
    Letter {
        company: ports.config().company_name.clone(),
        name: customer.name.clone(),
        link,
        ..Letter::default()
    }
}

/// Mails a confirmation link to the new address, once the current password
/// proves the request is the customer's. An address another account holds
/// is refused without saying whose.
pub async fn request_email_change(
    ports: &(impl Storage + Settings + Mailing + Hashing),
    customer_id: &CustomerId,
    change: EmailChange,
) -> Result<String, AccountError> {
    let (item, customer) = profile(ports, customer_id).await?;
    prove_password(ports, &item, &change.current_password).await?;
    let email = normalize_email(&change.email)?;
    if email == customer.email {
        return Err(invalid("same_email", "that is the account's email already"));
    }
    if ports.table().get(&email_key(&email)).await?.is_some() {
        return Err(AccountError::AddressTaken);
    }
    let token = random_token();
    let now = ports.clock().now_secs();
    let mut pending = change_key(&token).to_item();
    pending.insert("kind".into(), "email_change".into());
    pending.insert("customer_id".into(), customer_id.clone().into());
    pending.insert("from".into(), customer.email.clone().into());
    pending.insert("to".into(), email.clone().into());
    pending.insert("issued_ms".into(), ports.clock().now_millis().into());
    pending.insert("ttl".into(), (now + LINK_HOURS * 3600).into());
    let public = ports.config().public_url.trim_end_matches('/');
    let link = format!("{public}/account.html#confirm-email={token}");
    let subject = format!("email-change-{}", &digest(&token)[..16]);
    let mail = Mail::compose_about(
        ports,
        MailKind::ConfirmEmailChange,
        &email,
        &letter(ports, &customer, link),
        &subject,
    )
    .await?
    .with_secret(&token);
    let ops = vec![
        TxOp::Put {
            item: pending,
            condition: Some(Condition::NotExists),
        },
        mail.put_op(now),
        audit_op(
            ports,
            customer_id,
            "email_change_requested",
            (Some(customer.email.clone()), Some(email.clone())),
            "the customer asked to change their email; a link went to the new address",
        ),
    ];
    ports.table().transact(ops).await?;
    mail::deliver(ports, &mail).await;
    warn_old_address(ports, &customer, &email).await?;
    Ok(email)
}

/// Tells the account's address that a change to `to` was asked for, while
/// it can still be stopped: setting a new password, or logging out on every
/// device, makes the link void.
async fn warn_old_address(
    ports: &(impl Storage + Settings + Mailing),
    customer: &Customer,
    to: &str,
) -> Result<(), AccountError> {
    let public = ports.config().public_url.trim_end_matches('/');
    let mut letter = letter(ports, customer, format!("{public}/account.html"));
    letter.headline = "A change of your account's email was asked for".into();
    letter.action = format!(
        "Someone logged in to your account asked to make {to} its email; it changes once that address follows the link we sent it. If this was not you, change your password (or log out on every device) now: the link stops working."
    );
    let subject = format!(
        "email-change-asked-{}-{}",
        customer.id,
        ports.clock().now_millis()
    );
    let notice =
        Mail::compose_about(ports, MailKind::Notice, &customer.email, &letter, &subject).await?;
    mail::send(ports, &[notice]).await?;
    Ok(())
}

/// Why following an email-change link may be refused.
#[derive(Debug, Clone, Copy)]
enum Refusal {
    LinkUsed,
    AddressTaken,
    ProfileChanged,
}

/// Whether the holder set a new password or logged out on every device
/// since a link was issued at `issued_ms` (links from before keep no force:
/// that is how a holder takes their account back). A link without its time
/// was issued before times were kept: void too.
fn secured_since(profile: &Item, issued_ms: Option<i64>) -> bool {
    let Some(issued) = issued_ms else {
        return true;
    };
    ["password_set_ms", "sessions_after_ms"]
        .iter()
        .any(|name| profile.i64_attr(name).is_some_and(|at| issued <= at))
}

fn link_gone() -> AccountError {
    AccountError::LinkGone(
        "this link was used already, has expired, or the email changed since; ask for a new one",
    )
}

/// Follows an email-change link: the account's email becomes the new
/// address, unless another account took it first (409).
pub async fn confirm_email_change(
    ports: &(impl Storage + Settings + Mailing),
    confirm: EmailConfirm,
) -> Result<Customer, AccountError> {
    // Not a link's token at all (the API's description says 1 to 100
    // characters): refused as such, not as a link gone.
    if confirm.token.is_empty() || confirm.token.chars().count() > 100 {
        return Err(AccountError::BadToken);
    }
    let token = confirm.token.trim();
    if token.is_empty() {
        return Err(link_gone());
    }
    let key = change_key(token);
    let pending = ports.table().get(&key).await?.ok_or_else(link_gone)?;
    let text = |name: &str| pending.str_attr(name).unwrap_or_default().to_string();
    let id = CustomerId::new(text("customer_id"));
    let (item, before) = profile(ports, &id).await.map_err(|error| match error {
        AccountError::NotLoggedIn => link_gone(),
        other => other,
    })?;
    if before.email != text("from") || secured_since(&item, pending.i64_attr("issued_ms")) {
        return Err(link_gone());
    }
    let customer = moved(&before, &text("to"));
    let mut tx = Tx::new();
    tx.guard(
        Refusal::LinkUsed,
        TxOp::Delete {
            key,
            condition: Some(Condition::Exists),
        },
    )
    .guard(Refusal::AddressTaken, marker_op(&customer))
    .guard(Refusal::ProfileChanged, old_marker_op(&before))
    .guard(
        Refusal::ProfileChanged,
        profile_op(&item, &customer, Update::new()),
    )
    .push(audit_op(
        ports,
        &id,
        "email_changed",
        (Some(before.email.clone()), Some(customer.email.clone())),
        "the customer followed the link mailed to the new address",
    ));
    match tx.commit(ports.table()).await {
        Ok(()) => {}
        Err(TxError::Refused(Refusal::LinkUsed)) => return Err(link_gone()),
        Err(TxError::Refused(Refusal::AddressTaken)) => return Err(AccountError::AddressTaken),
        Err(TxError::Refused(Refusal::ProfileChanged)) => return Err(changed_meanwhile()),
        Err(TxError::Table(other)) => return Err(other.into()),
    }
    tell_old_address(ports, &before, &customer).await?;
    Ok(customer)
}

/// `before` with its email `to`; the contacts that had the old address follow.
fn moved(before: &Customer, to: &str) -> Customer {
    let mut customer = before.clone();
    for contact in [
        &mut customer.billing_contact,
        &mut customer.technical_contact,
    ] {
        if contact.email == before.email {
            contact.email = to.to_string();
        }
    }
    customer.email = to.to_string();
    customer
}

/// The marker that claims `customer`'s address; it fails if any account has it.
fn marker_op(customer: &Customer) -> TxOp {
    let mut marker: Item = email_key(&customer.email).to_item();
    marker.insert("customer_id".into(), customer.id.clone().into());
    TxOp::Put {
        item: marker,
        condition: Some(Condition::NotExists),
    }
}

/// Frees `customer`'s old address, which must still be theirs.
fn old_marker_op(customer: &Customer) -> TxOp {
    TxOp::Delete {
        key: email_key(&customer.email),
        condition: Some(Condition::eq("customer_id", customer.id.as_str())),
    }
}

/// Tells the address the account had that it has another now.
async fn tell_old_address(
    ports: &(impl Storage + Settings + Mailing),
    before: &Customer,
    after: &Customer,
) -> Result<(), AccountError> {
    let public = ports.config().public_url.trim_end_matches('/');
    let mut letter = letter(ports, before, format!("{public}/account.html"));
    letter.headline = "The email of your account changed".into();
    letter.action = format!(
        "The email of your account is now {}; this address no longer logs in. If you did not make this change, reply to this mail at once.",
        after.email
    );
    let subject = format!("email-changed-{}-{}", after.id, ports.clock().now_millis());
    let notice =
        Mail::compose_about(ports, MailKind::Notice, &before.email, &letter, &subject).await?;
    mail::send(ports, &[notice]).await?;
    Ok(())
}
