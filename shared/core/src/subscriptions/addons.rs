//! Changing what a service includes, within its plan's limits: its
//! mailboxes. The panel sets them; the service's record and an audit entry
//! follow in one write.

use serde_json::json;

use super::{Subscription, SubscriptionStatus, find, key};
use crate::billing::declines::TooManyDeclines;
use crate::panel::PanelError;
use crate::store::{TableError, Update};
use crate::{Catalogs, Hosting, Storage};

pub use super::upgrade::bank::{self as upgrade_bank, Upgraded};
pub use super::upgrade::upgrade;
use crate::CustomerId;

#[cfg(test)]
mod tests {
    use super::mailbox;

    #[test]
    fn mailboxes_are_names_of_the_services_domain() {
        assert_eq!(
            mailbox(" Info ", "bakery.com").as_deref(),
            Some("info@bakery.com")
        );
        assert_eq!(
            mailbox("sales@bakery.com", "bakery.com").as_deref(),
            Some("sales@bakery.com")
        );
        assert_eq!(mailbox("sales@evil.com", "bakery.com"), None);
        assert_eq!(mailbox("a b", "bakery.com"), None);
        assert_eq!(mailbox(".x", "bakery.com"), None);
        assert_eq!(mailbox("a..b", "bakery.com"), None, "RFC 5322 dot-atom");
    }
}

#[derive(Debug, thiserror::Error)]
pub enum AddonError {
    #[error("no such service of yours")]
    NotFound,
    #[error("{message}")]
    Invalid { code: &'static str, message: String },
    #[error("{message}")]
    Conflict { code: &'static str, message: String },
    #[error("{message}")]
    Declined { code: String, message: String },
    #[error(transparent)]
    TooManyDeclines(#[from] TooManyDeclines),
    #[error("{0}")]
    Unavailable(String),
    #[error(transparent)]
    Table(#[from] TableError),
}

/// The most mailbox names one change may carry, as the API describes it.
const MOST_MAILBOXES: usize = 1000;

/// `name` as a mailbox of `domain`: `info` and `info@domain` are the same.
fn mailbox(name: &str, domain: &str) -> Option<String> {
    let name = name.trim().to_ascii_lowercase();
    let local = match name.split_once('@') {
        Some((local, at)) if at == domain => local.to_string(),
        Some(_) => return None,
        None => name,
    };
    let valid = (1..=64).contains(&local.len())
        && local
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
        && !local.starts_with('.')
        && !local.ends_with('.')
        && !local.contains("..");
    valid.then(|| format!("{local}@{domain}"))
}

/// The customer's service, if it is active: only an active service changes.
pub(super) async fn changeable(
    ports: &impl Storage,
    customer_id: &CustomerId,
    service_id: &str,
) -> Result<Subscription, AddonError> {
    let service = find(ports.table(), customer_id, service_id)
        .await?
        .ok_or(AddonError::NotFound)?;
    if service.status != SubscriptionStatus::Active {
        return Err(AddonError::Conflict {
            code: "service_not_active",
            message: "only an active service can be changed".into(),
        });
    }
    Ok(service)
}

/// The customer's active service on a panel, whose mailboxes and sites
/// the panel keeps.
pub(super) async fn active_service(
    ports: &impl Storage,
    customer_id: &CustomerId,
    service_id: &str,
) -> Result<Subscription, AddonError> {
    let service = changeable(ports, customer_id, service_id).await?;
    // A server has no panel account: its mail and sites are set up on it.
    if !service.on_panel() {
        return Err(AddonError::Conflict {
            code: "not_on_a_panel",
            message: "a server's mailboxes and sites are set up on the server itself".into(),
        });
    }
    Ok(service)
}

/// Refuses `count` of `what` (a key of the plan's `limits`) beyond the plan's.
pub(super) async fn within_limit(
    ports: &(impl Storage + Catalogs),
    service: &Subscription,
    what: &str,
    count: usize,
) -> Result<(), AddonError> {
    let catalog = ports.catalog().get(ports.table(), ports.clock()).await?;
    let limit = catalog
        .plan(&service.plan_id)
        .and_then(|plan| plan.limits.get(what).copied())
        .unwrap_or(0) as usize;
    if count > limit {
        return Err(AddonError::Invalid {
            code: "over_plan_limit",
            message: format!(
                "{} includes {limit} {what}; choose a larger plan for more",
                service.plan_name
            ),
        });
    }
    Ok(())
}

pub(super) fn panel_error(error: PanelError) -> AddonError {
    match error {
        PanelError::Unavailable(message) => AddonError::Unavailable(message),
        other => AddonError::Conflict {
            code: "panel_refused",
            message: other.to_string(),
        },
    }
}

/// Records what the panel now has: `update` on the service, with the
/// customer's audit entry `action`, in one write; returns the service.
pub(super) async fn record_change(
    ports: &impl Storage,
    service: &Subscription,
    update: Update,
    action: &str,
    why: String,
) -> Result<Subscription, AddonError> {
    crate::audit::customer_update(
        ports.table(),
        (key(&service.customer_id, &service.id), update),
        (&service.customer_id, format!("service:{}", service.id)),
        (
            action,
            why,
            crate::clock::rfc3339_millis(ports.clock().now()),
        ),
    )
    .await?;
    find(ports.table(), &service.customer_id, &service.id)
        .await?
        .ok_or(AddonError::NotFound)
}

/// Sets the service's mailboxes to `names`, at most as many as its plan has.
pub async fn set_mailboxes(
    ports: &(impl Storage + Hosting + Catalogs),
    customer_id: &CustomerId,
    service_id: &str,
    names: &[String],
) -> Result<Subscription, AddonError> {
    let service = active_service(ports, customer_id, service_id).await?;
    if names.len() > MOST_MAILBOXES {
        return Err(AddonError::Invalid {
            code: "invalid_mailbox",
            message: format!("a service has at most {MOST_MAILBOXES} mailboxes"),
        });
    }
    let mut mailboxes = Vec::new();
    for name in names {
        let address = mailbox(name, &service.domain).ok_or_else(|| AddonError::Invalid {
            code: "invalid_mailbox",
            message: format!("{name:?} is not a mailbox name of {}", service.domain),
        })?;
        if !mailboxes.contains(&address) {
            mailboxes.push(address);
        }
    }
    let postmaster = format!("postmaster@{}", service.domain);
    if !mailboxes.contains(&postmaster) {
        return Err(AddonError::Invalid {
            code: "postmaster_required",
            message: format!(
                "{postmaster} stays: mail for it must be accepted (RFC 5321, section 4.5.1)"
            ),
        });
    }
    within_limit(ports, &service, "mailboxes", mailboxes.len()).await?;
    // The same list asked for again is the same call, answered from the panel's record.
    let call_key = format!("{service_id}-mailboxes-{}", mailboxes.join(","));
    let username = &service.hosting.account.username;
    let mut hosting = service.hosting.clone();
    if hosting.mail_domain.is_some() {
        // Email hosting: the mail domain keeps its DKIM key and webmail.
        let setup = ports
            .panel()
            .set_up_mail_domain(username, &mailboxes, &call_key)
            .await
            .map_err(panel_error)?;
        hosting.mail_domain = Some(setup);
    } else {
        let admin = (hosting.mail.as_ref()).map_or(String::new(), |m| m.site_admin.clone());
        let setup = ports
            .panel()
            .set_up_mail_and_admin(username, &admin, &mailboxes, &call_key)
            .await
            .map_err(panel_error)?;
        hosting.mail = Some(setup);
    }
    record_change(
        ports,
        &service,
        Update::new().set("hosting", json!(hosting)),
        "mailboxes_changed",
        mailboxes.join(", "),
    )
    .await
}
