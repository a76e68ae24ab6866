//! The portal answers from the domain's record, which the daily registry
//! sync keeps in agreement with the registry. When a customer wants the
//! registry's word now, they ask for a refresh: the registry is asked within
//! the portal's share of the registrar's quota, at most once per domain per
//! cool-down, and the record corrected as the sync would.

use crate::CustomerId;
use crate::domains::manage::{ManageError, mine};
use crate::domains::owned::{self, OwnedDomain, OwnedStatus};
use crate::registrar::{DomainStatus, RegistrarError};
use crate::store::{Condition, TableError, Update};
use crate::{Registry, Storage};

/// The least time between two refreshes of one domain.
pub const COOL_DOWN_SECS: i64 = 300;

/// Asks the registry about the customer's domain `name` and corrects its
/// record; `TooSoon` within the cool-down of the last refresh.
pub async fn refresh(
    ports: &(impl Storage + Registry),
    customer_id: &CustomerId,
    name: &str,
) -> Result<OwnedDomain, ManageError> {
    let domain = mine(ports, customer_id, name).await?;
    let now = ports.clock().now_secs();
    claim(ports, &domain, now).await?;
    let answer = ports.portal_registrar().info(name).await;
    let info = match answer {
        Ok(info) => info,
        // The daily sync follows a domain the registry no longer holds for us.
        Err(RegistrarError::NotFound(_)) => return Ok(domain),
        Err(error) => {
            give_back(ports, &domain, now).await?;
            return Err(error.into());
        }
    };
    let ours = matches!(domain.status, OwnedStatus::Active | OwnedStatus::Expired);
    if ours && info.status != DomainStatus::External {
        let current = mine(ports, customer_id, name).await?;
        super::registry_sync::reconcile(ports, &current, &info, &mut Default::default()).await?;
    }
    mine(ports, customer_id, name).await
}

/// Takes this cool-down's refresh of the domain, or says when the next is.
async fn claim(ports: &impl Storage, domain: &OwnedDomain, now: i64) -> Result<(), ManageError> {
    let free = Condition::AttributeNotExists("refreshed_at".into())
        .or(Condition::lt("refreshed_at", now - COOL_DOWN_SECS + 1));
    let write = ports
        .table()
        .update(
            &owned::key(&domain.customer_id, &domain.name),
            Update::new().set("refreshed_at", now),
            Some(Condition::Exists.and(free)),
        )
        .await;
    match write {
        Ok(_) => Ok(()),
        Err(TableError::ConditionFailed) => {
            let current = mine(ports, &domain.customer_id, &domain.name).await?;
            let last = current.refreshed_at.unwrap_or(now);
            Err(ManageError::TooSoon {
                retry_after_secs: (last + COOL_DOWN_SECS - now).max(1) as u64,
            })
        }
        Err(other) => Err(other.into()),
    }
}

/// Gives the refresh back when the registry did not answer, so the customer
/// may ask again at once.
async fn give_back(ports: &impl Storage, domain: &OwnedDomain, now: i64) -> Result<(), TableError> {
    let write = ports
        .table()
        .update(
            &owned::key(&domain.customer_id, &domain.name),
            Update::new().remove("refreshed_at"),
            Some(Condition::eq("refreshed_at", now)),
        )
        .await;
    match write {
        Ok(_) | Err(TableError::ConditionFailed) => Ok(()),
        Err(other) => Err(other),
    }
}
