//! A customer manages their domain: its nameservers, its transfer lock, its
//! registrant contact, and the auth code that lets another registrar take it
//! (shown only when unlocked, never within 60 days of registration or
//! transfer). The registry is asked first, within the portal's share of the
//! registrar's quota; then the domain's record, an audit entry and any mail
//! are written together.
//!
//! Unlocking, a change of registrant and the auth code could let the domain
//! leave its owner: each needs the account password again and mails the
//! owner (`confirm`). A change of registrant starts a 60-day lock against
//! transfers to another registrar (ICANN Transfer Policy II.C), unless the
//! registrant opts out before the change.

use serde::Deserialize;
use serde_json::json;
use utoipa::ToSchema;

use super::confirm;
use super::owned::{self, OwnedDomain};
use crate::CustomerId;
use crate::audit::{Actor, AuditEntry};
use crate::mail::{self, Mail};
use crate::registrar::{Contact, RegistrarError};
use crate::store::{Condition, TableError, TxOp, Update};
use crate::{Hashing, Mailing, Registry, Settings, Storage};

/// How long after registration or a transfer in a domain may not leave.
pub const TRANSFER_HOLD_DAYS: i64 = 60;
/// How long after a change of registrant a domain may not leave.
pub const REGISTRANT_LOCK_DAYS: i64 = 60;

/// What a guarded change needs besides the session.
pub trait Guarded: Storage + Settings + Registry + Hashing + Mailing {}

impl<T: Storage + Settings + Registry + Hashing + Mailing> Guarded for T {}

#[derive(Debug, thiserror::Error)]
pub enum ManageError {
    #[error("no such domain of yours")]
    NotFound,
    #[error("{message}")]
    Invalid { code: &'static str, message: String },
    #[error("{message}")]
    Refused { code: String, message: String },
    #[error("the password is not correct")]
    WrongPassword,
    #[error("asked of the registry a moment ago")]
    TooSoon { retry_after_secs: u64 },
    #[error("{0}")]
    Unavailable(String),
    #[error(transparent)]
    Table(#[from] TableError),
}

impl From<RegistrarError> for ManageError {
    fn from(error: RegistrarError) -> Self {
        match error {
            RegistrarError::Unavailable(message) => ManageError::Unavailable(message),
            RegistrarError::QuotaSpent => {
                ManageError::Unavailable(RegistrarError::QuotaSpent.to_string())
            }
            RegistrarError::Refused { code, message } => ManageError::Refused { code, message },
            RegistrarError::NotFound(_) => ManageError::NotFound,
        }
    }
}

pub async fn mine(
    ports: &impl Storage,
    customer_id: &CustomerId,
    name: &str,
) -> Result<OwnedDomain, ManageError> {
    owned::find(ports.table(), customer_id, name)
        .await?
        .ok_or(ManageError::NotFound)
}

/// Writes `update` to the domain's record with an audit entry of `action`
/// and `mails`, all or nothing; then delivers the mails.
async fn record(
    ports: &(impl Storage + Mailing),
    domain: &OwnedDomain,
    update: Update,
    (action, why): (&str, String),
    mails: Vec<Mail>,
) -> Result<OwnedDomain, ManageError> {
    let entry = AuditEntry {
        at: crate::clock::rfc3339_millis(ports.clock().now()),
        actor: Actor::Customer(domain.customer_id.clone()),
        subject: format!("domain:{}", domain.name),
        customer_id: Some(domain.customer_id.clone()),
        action: action.into(),
        from: None,
        to: None,
        why,
        client: None,
        role: None,
    };
    let now_secs = ports.clock().now_secs();
    let mut ops = vec![
        TxOp::Update {
            key: owned::key(&domain.customer_id, &domain.name),
            update: update.bump_version(),
            condition: Some(Condition::Exists),
        },
        entry.put_op(),
    ];
    ops.extend(mails.iter().map(|m| m.put_op(now_secs)));
    ports.table().transact(ops).await?;
    for sent in &mails {
        mail::deliver(ports, sent).await;
    }
    mine(ports, &domain.customer_id, &domain.name).await
}

/// A day as customers read it, UTC.
fn date(epoch: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(epoch)
        .map(|t| format!("{} (UTC)", t.date()))
        .unwrap_or_default()
}

/// Refuses while the lock after a change of registrant lasts.
fn not_transfer_locked(ports: &impl Storage, domain: &OwnedDomain) -> Result<(), ManageError> {
    match domain.transfer_lock_until {
        Some(until) if ports.clock().now_secs() < until => Err(ManageError::Refused {
            code: "transfer_locked".into(),
            message: format!(
                "{}'s registrant changed less than {REGISTRANT_LOCK_DAYS} days ago, so it may not move to another registrar until {}",
                domain.unicode,
                date(until)
            ),
        }),
        _ => Ok(()),
    }
}

/// Points the domain at `nameservers` (2 to 13 host names).
pub async fn set_nameservers(
    ports: &(impl Storage + Registry + Mailing),
    customer_id: &CustomerId,
    name: &str,
    nameservers: &[String],
) -> Result<OwnedDomain, ManageError> {
    let domain = mine(ports, customer_id, name).await?;
    let nameservers: Vec<String> = nameservers
        .iter()
        .map(|n| n.trim().trim_end_matches('.').to_ascii_lowercase())
        .collect();
    let host_name = |n: &String| {
        n.contains('.')
            && n.len() <= 253
            && n.split('.').all(|label| {
                (1..=63).contains(&label.len())
                    && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
                    && !label.starts_with('-')
                    && !label.ends_with('-')
            })
    };
    if !(2..=13).contains(&nameservers.len()) || !nameservers.iter().all(host_name) {
        return Err(ManageError::Invalid {
            code: "invalid_nameservers",
            message: "give 2 to 13 nameserver host names, like ns1.example.net".into(),
        });
    }
    ports
        .portal_registrar()
        .set_nameservers(name, &nameservers)
        .await?;
    let why = format!("nameservers {}", nameservers.join(", "));
    let update = Update::new().set("nameservers", json!(nameservers));
    record(
        ports,
        &domain,
        update,
        ("nameservers_changed", why),
        Vec::new(),
    )
    .await
}

/// Locks the domain against transfer; or unlocks it, with the account
/// password, never while the lock after a change of registrant lasts.
pub async fn set_lock(
    ports: &impl Guarded,
    customer_id: &CustomerId,
    name: &str,
    locked: bool,
    current_password: Option<&str>,
) -> Result<OwnedDomain, ManageError> {
    let domain = mine(ports, customer_id, name).await?;
    let update = Update::new().set("locked", locked);
    if locked {
        ports.portal_registrar().set_lock(name, true).await?;
        let why = ("locked", "the customer's choice".into());
        return record(ports, &domain, update, why, Vec::new()).await;
    }
    confirm::password(ports, customer_id, current_password).await?;
    not_transfer_locked(ports, &domain)?;
    ports.portal_registrar().set_lock(name, false).await?;
    let owner = crate::accounts::load_customer(ports.table(), customer_id).await?;
    let mails = confirm::mails(
        ports,
        &domain,
        &owner,
        (
            format!("{} was unlocked", domain.unicode),
            format!(
                "{} was unlocked in your account: another registrar may now take it with its auth code.",
                domain.unicode
            ),
        ),
        &[],
    )
    .await?;
    let why = (
        "unlocked",
        "the customer's choice, password confirmed".into(),
    );
    record(ports, &domain, update, why, mails).await
}

/// A change of the domain's registrant, as the customer asks for it.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct RegistrantChange {
    #[schema(min_length = 1, max_length = 100)]
    pub name: String,
    #[schema(min_length = 3, max_length = 254)]
    pub email: String,
    /// The account password, asked again for this change.
    #[serde(default)]
    pub current_password: Option<String>,
    /// A current code from the authenticator app, when two-step login is on.
    #[serde(default)]
    pub totp_code: Option<String>,
    /// The registrant's choice, before the change, not to have the domain
    /// locked against transfers for 60 days after it (ICANN Transfer
    /// Policy II.C); recorded and mailed.
    #[serde(default)]
    pub opt_out_transfer_lock: bool,
}

/// Changes the domain's registrant contact, with the account password; the
/// domain is then locked against transfers for 60 days unless the
/// registrant opted out.
pub async fn set_registrant(
    ports: &impl Guarded,
    customer_id: &CustomerId,
    name: &str,
    change: RegistrantChange,
) -> Result<OwnedDomain, ManageError> {
    let domain = mine(ports, customer_id, name).await?;
    let registrant = Contact {
        name: change.name.trim().to_string(),
        email: change.email.trim().to_lowercase(),
    };
    let valid_email = crate::accounts::normalize_email(&registrant.email).is_ok();
    if registrant.name.is_empty() || registrant.name.chars().count() > 100 || !valid_email {
        return Err(ManageError::Invalid {
            code: "invalid_contact",
            message: "give the registrant's name (1 to 100 characters) and email address".into(),
        });
    }
    confirm::password(ports, customer_id, change.current_password.as_deref()).await?;
    ports
        .portal_registrar()
        .set_registrant(name, &registrant)
        .await?;
    let mut update = Update::new().set("registrant", json!(registrant));
    let lock = if change.opt_out_transfer_lock {
        "the registrant opted out of the 60-day transfer lock".to_string()
    } else {
        // The lock also holds at the registry, in case an auth code was
        // handed out before the change.
        if !domain.locked {
            ports.portal_registrar().set_lock(name, true).await?;
        }
        let until = ports.clock().now_secs() + REGISTRANT_LOCK_DAYS * 86_400;
        update = update.set("transfer_lock_until", until).set("locked", true);
        format!("locked against transfers until {}", date(until))
    };
    let owner = crate::accounts::load_customer(ports.table(), customer_id).await?;
    let before = domain.registrant.as_ref().map(|r| r.email.as_str());
    let also: Vec<&str> = before
        .into_iter()
        .chain([registrant.email.as_str()])
        .collect();
    let mails = confirm::mails(
        ports,
        &domain,
        &owner,
        (
            format!("The registrant of {} changed", domain.unicode),
            format!(
                "The registrant of {} is now {} <{}>; {lock}.",
                domain.unicode, registrant.name, registrant.email
            ),
        ),
        &also,
    )
    .await?;
    let why = format!(
        "registrant {} <{}>, password confirmed; {lock}",
        registrant.name, registrant.email
    );
    record(ports, &domain, update, ("registrant_changed", why), mails).await
}

/// The domain's auth code, for moving it to another registrar, with the
/// account password: refused while locked, within 60 days of its
/// registration or transfer in, and while the lock after a change of
/// registrant lasts; every request is audited and mailed.
pub async fn auth_code(
    ports: &impl Guarded,
    customer_id: &CustomerId,
    name: &str,
    current_password: Option<&str>,
) -> Result<String, ManageError> {
    let domain = mine(ports, customer_id, name).await?;
    confirm::password(ports, customer_id, current_password).await?;
    not_transfer_locked(ports, &domain)?;
    let since = time::OffsetDateTime::parse(
        &domain.since,
        &time::format_description::well_known::Rfc3339,
    )
    .map(|t| t.unix_timestamp())
    .unwrap_or(0);
    let free_from = since + TRANSFER_HOLD_DAYS * 86_400;
    if ports.clock().now_secs() < free_from {
        return Err(ManageError::Refused {
            code: "too_recent".into(),
            message: format!(
                "registries let a domain move only {TRANSFER_HOLD_DAYS} days after it was registered or transferred; {} can move from {}",
                domain.unicode,
                date(free_from)
            ),
        });
    }
    let code = ports.portal_registrar().auth_code(name).await?;
    let owner = crate::accounts::load_customer(ports.table(), customer_id).await?;
    let mails = confirm::mails(
        ports,
        &domain,
        &owner,
        (
            format!("The auth code of {} was shown", domain.unicode),
            format!(
                "The auth code of {} was shown in your account: with it, another registrar may take the domain while it is unlocked.",
                domain.unicode
            ),
        ),
        &[],
    )
    .await?;
    let why = (
        "auth_code_shown",
        "asked for by the customer, password confirmed".into(),
    );
    record(ports, &domain, Update::new(), why, mails).await?;
    Ok(code)
}
