//! A customer manages their domain: its nameservers, its transfer lock, its
//! registrant contact, and the auth code that lets another registrar take it
//! (shown only when unlocked, never within 60 days of registration or
//! transfer). The registry is asked first; then the domain's record and an
//! audit entry are written together.

use serde_json::json;

use super::owned::{self, OwnedDomain};
use crate::registrar::{Contact, RegistrarError};
use crate::store::{TableError, Update};
use crate::{Registry, Storage};

/// How long after registration or a transfer in a domain may not leave.
pub const TRANSFER_HOLD_DAYS: i64 = 60;

#[derive(Debug, thiserror::Error)]
pub enum ManageError {
    #[error("no such domain of yours")]
    NotFound,
    #[error("{message}")]
    Invalid { code: &'static str, message: String },
    #[error("{message}")]
    Refused { code: String, message: String },
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

async fn mine(
    services: &impl Storage,
    customer_id: &str,
    name: &str,
) -> Result<OwnedDomain, ManageError> {
    owned::find(services.table(), customer_id, name)
        .await?
        .ok_or(ManageError::NotFound)
}

/// Writes `update` to the domain's record with an audit entry of `action`.
async fn record(
    services: &impl Storage,
    domain: &OwnedDomain,
    update: Update,
    action: &str,
    why: String,
) -> Result<OwnedDomain, ManageError> {
    crate::audit::customer_update(
        services.table(),
        (owned::key(&domain.customer_id, &domain.name), update),
        (&domain.customer_id, format!("domain:{}", domain.name)),
        (
            action,
            why,
            crate::clock::rfc3339_millis(services.clock().now()),
        ),
    )
    .await?;
    mine(services, &domain.customer_id, &domain.name).await
}

/// Points the domain at `nameservers` (2 to 13 host names).
pub async fn set_nameservers(
    services: &(impl Storage + Registry),
    customer_id: &str,
    name: &str,
    nameservers: &[String],
) -> Result<OwnedDomain, ManageError> {
    let domain = mine(services, customer_id, name).await?;
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
    services
        .registrar()
        .set_nameservers(name, &nameservers)
        .await?;
    let why = format!("nameservers {}", nameservers.join(", "));
    let update = Update::new().set("nameservers", json!(nameservers));
    record(services, &domain, update, "nameservers_changed", why).await
}

/// Locks the domain against transfer, or unlocks it.
pub async fn set_lock(
    services: &(impl Storage + Registry),
    customer_id: &str,
    name: &str,
    locked: bool,
) -> Result<OwnedDomain, ManageError> {
    let domain = mine(services, customer_id, name).await?;
    services.registrar().set_lock(name, locked).await?;
    let action = if locked { "locked" } else { "unlocked" };
    let update = Update::new().set("locked", locked);
    record(
        services,
        &domain,
        update,
        action,
        "the customer's choice".into(),
    )
    .await
}

/// Changes the domain's registrant contact.
pub async fn set_registrant(
    services: &(impl Storage + Registry),
    customer_id: &str,
    name: &str,
    registrant: Contact,
) -> Result<OwnedDomain, ManageError> {
    let domain = mine(services, customer_id, name).await?;
    let registrant = Contact {
        name: registrant.name.trim().to_string(),
        email: registrant.email.trim().to_lowercase(),
    };
    let valid_email = crate::accounts::normalize_email(&registrant.email).is_ok();
    if registrant.name.is_empty() || registrant.name.chars().count() > 100 || !valid_email {
        return Err(ManageError::Invalid {
            code: "invalid_contact",
            message: "give the registrant's name (1 to 100 characters) and email address".into(),
        });
    }
    services
        .registrar()
        .set_registrant(name, &registrant)
        .await?;
    let why = format!("registrant {} <{}>", registrant.name, registrant.email);
    let update = Update::new().set("registrant", json!(registrant));
    record(services, &domain, update, "registrant_changed", why).await
}

/// The domain's auth code, for moving it to another registrar: refused
/// while locked and within 60 days of its registration or transfer in;
/// every request is audited.
pub async fn auth_code(
    services: &(impl Storage + Registry),
    customer_id: &str,
    name: &str,
) -> Result<String, ManageError> {
    let domain = mine(services, customer_id, name).await?;
    let since = time::OffsetDateTime::parse(
        &domain.since,
        &time::format_description::well_known::Rfc3339,
    )
    .map(|t| t.unix_timestamp())
    .unwrap_or(0);
    let free_from = since + TRANSFER_HOLD_DAYS * 86_400;
    if services.clock().now_secs() < free_from {
        return Err(ManageError::Refused {
            code: "too_recent".into(),
            message: format!(
                "registries let a domain move only {TRANSFER_HOLD_DAYS} days after it was registered or transferred; {} can move from {}",
                domain.unicode,
                time::OffsetDateTime::from_unix_timestamp(free_from)
                    .map(|t| t.date().to_string())
                    .unwrap_or_default()
            ),
        });
    }
    let code = services.registrar().auth_code(name).await?;
    record(
        services,
        &domain,
        Update::new(),
        "auth_code_shown",
        "asked for by the customer".into(),
    )
    .await?;
    Ok(code)
}
