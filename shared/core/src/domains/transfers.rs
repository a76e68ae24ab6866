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
    ports: &(impl Storage + Settings + Registry + Mailing),
) -> Result<FollowedUp, TableError> {
    let mut done = FollowedUp::default();
    let mut pending = Pages::new(Query::index(Index::Gsi1, "DOMAINS#TRANSFERS"), 100);
    while let Some(items) = pending.next(ports.table()).await? {
        for item in &items {
            let domain = OwnedDomain::of(item)?;
            match ports.registrar().transfer_status(&domain.name).await {
                Ok(TransferState::Pending) => {}
                Ok(TransferState::Completed) => {
                    if complete(ports, &domain).await? {
                        done.completed += 1;
                    }
                }
                Ok(TransferState::Rejected { reason }) => {
                    if refused(ports, &domain, &reason).await? {
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

async fn commit(ports: &impl Storage, tx: Tx<MovedOn>) -> Result<bool, TableError> {
    match tx.commit(ports.table()).await {
        Ok(()) => Ok(true),
        Err(TxError::Refused(MovedOn)) => Ok(false),
        Err(TxError::Table(error)) => Err(error),
    }
}

/// Makes the domain active with what the registry now says of it.
async fn complete(
    ports: &(impl Storage + Registry),
    domain: &OwnedDomain,
) -> Result<bool, TableError> {
    let Ok(info) = ports.registrar().info(&domain.name).await else {
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
        .add_to(&mut tx, MovedOn, ports.clock().now())
        .map_err(|e| TableError::Backend(e.to_string()))?;
    commit(ports, tx).await
}

/// Marks the transfer refused and tells the customer how to start again.
async fn refused(
    ports: &(impl Storage + Settings + Mailing),
    domain: &OwnedDomain,
    reason: &str,
) -> Result<bool, TableError> {
    let customer = crate::accounts::load_customer(ports.table(), &domain.customer_id).await?;
    let config = ports.config();
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
        ports,
        MailKind::TransferFailed,
        &customer.email,
        &letter,
        &format!("domain:{}", domain.name),
    )
    .await?
    .for_period(&domain.since);
    let mut tx = Tx::new();
    domain
        .change(
            OwnedStatus::TransferFailed,
            Update::new().remove("gsi1pk").remove("gsi1sk"),
            Actor::system("transfers"),
            reason,
        )
        .add_to(&mut tx, MovedOn, ports.clock().now())
        .map_err(|e| TableError::Backend(e.to_string()))?;
    tx.push(notice.put_op(ports.clock().now_secs()));
    let changed = commit(ports, tx).await?;
    if changed {
        mail::deliver(ports, &notice).await;
    }
    Ok(changed)
}
