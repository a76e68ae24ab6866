//! Following up transfers in: a domain whose transfer the registry has
//! completed becomes active with its new expiry; one whose transfer was
//! refused is marked so and its owner gets a letter with a link to start
//! again (with a new auth code). The `follow-transfers` task runs it.

use serde_json::json;

use super::owned::{OwnedDomain, OwnedStatus};
use crate::audit::Actor;
use crate::lifecycle::MovedOn;
use crate::mail::{self, Letter, Mail, MailKind};
use crate::registrar::{RegistrarError, TransferState};
use crate::store::{Index, Pages, Query, TableError, Tx, TxError, Update};
use crate::{Mailing, Registry, Settings, Storage};

/// What one follow-up did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct FollowedUp {
    pub completed: usize,
    pub failed: usize,
}

pub async fn follow_up(
    services: &(impl Storage + Settings + Registry + Mailing),
) -> Result<FollowedUp, TableError> {
    let mut done = FollowedUp::default();
    let mut pending = Pages::new(Query::index(Index::Gsi1, "DOMAINS#TRANSFERS"), 100);
    while let Some(items) = pending.next(services.table()).await? {
        for item in &items {
            let domain = OwnedDomain::of(item)?;
            match services.registrar().transfer_status(&domain.name).await {
                Ok(TransferState::Pending) => {}
                Ok(TransferState::Completed) => {
                    if complete(services, &domain).await? {
                        done.completed += 1;
                    }
                }
                Ok(TransferState::Rejected { reason }) => {
                    if refused(services, &domain, &reason).await? {
                        done.failed += 1;
                    }
                }
                // The next run asks again.
                Err(RegistrarError::Unavailable(_) | RegistrarError::QuotaSpent) => {}
                Err(error) => tracing::warn!(domain = %domain.name, %error, "transfer status"),
            }
        }
    }
    Ok(done)
}

async fn commit(services: &impl Storage, tx: Tx<MovedOn>) -> Result<bool, TableError> {
    match tx.commit(services.table()).await {
        Ok(()) => Ok(true),
        Err(TxError::Refused(MovedOn)) => Ok(false),
        Err(TxError::Table(error)) => Err(error),
    }
}

/// Makes the domain active with what the registry now says of it.
async fn complete(
    services: &(impl Storage + Registry),
    domain: &OwnedDomain,
) -> Result<bool, TableError> {
    let Ok(info) = services.registrar().info(&domain.name).await else {
        return Ok(false);
    };
    let update = Update::new()
        .set("expires_at", info.expires_at)
        .set("nameservers", json!(info.nameservers))
        .set("locked", info.locked)
        .set("gsi1pk", "DOMAINS#EXPIRY")
        .set("gsi1sk", format!("{:012}#{}", info.expires_at, domain.name));
    let mut tx = Tx::new();
    domain
        .change(
            OwnedStatus::Active,
            update,
            Actor::system("transfers"),
            "the registry completed the transfer",
        )
        .add_to(&mut tx, MovedOn, services.clock().now())
        .map_err(|e| TableError::Backend(e.to_string()))?;
    commit(services, tx).await
}

/// Marks the transfer refused and tells the customer how to start again.
async fn refused(
    services: &(impl Storage + Settings + Mailing),
    domain: &OwnedDomain,
    reason: &str,
) -> Result<bool, TableError> {
    let customer = crate::accounts::load_customer(services.table(), &domain.customer_id).await?;
    let config = services.config();
    let base = config.public_url.trim_end_matches('/');
    let letter = Letter {
        company: config.company_name.clone(),
        name: customer.name.clone(),
        domain: domain.unicode.clone(),
        action: format!(
            "The transfer of {} to us did not go through: {reason}. Ask your current registrar for a new auth code, and start the transfer again.",
            domain.unicode
        ),
        link: format!("{base}/?q={}", domain.name),
        ..Letter::default()
    };
    let notice = Mail::compose_about(
        services,
        MailKind::TransferFailed,
        &customer.email,
        &letter,
        &format!("domain:{}", domain.name),
    )?
    .for_period(&domain.since);
    let mut tx = Tx::new();
    domain
        .change(
            OwnedStatus::TransferFailed,
            Update::new().remove("gsi1pk").remove("gsi1sk"),
            Actor::system("transfers"),
            reason,
        )
        .add_to(&mut tx, MovedOn, services.clock().now())
        .map_err(|e| TableError::Backend(e.to_string()))?;
    tx.push(notice.put_op(services.clock().now_secs()));
    let changed = commit(services, tx).await?;
    if changed {
        mail::deliver(services, &notice).await;
    }
    Ok(changed)
}
