//! The daily registry sync: every domain we hold is asked of the registrar
//! (as many names per call as it takes, within the sync's share of the
//! registrar's quota: a batch that finds it spent is tried again later), and our record is made to agree
//! with the registry's. Each correction is in the audit log as the
//! `registry-sync`'s. A domain the registry says another registrar holds
//! left us: its renewals stop, its unpaid renewal invoice is voided, its
//! owner is told and staff see it among the run's exceptions. A domain the
//! registry no longer knows was released (expected after redemption) or
//! deleted (not expected: staff see it).

mod ended;
mod reconcile;

pub use reconcile::reconcile;

use super::{BatchError, Tally};
use crate::audit::Actor;
use crate::domains::owned::{OwnedDomain, OwnedStatus};
use crate::lifecycle::MovedOn;
use crate::registrar::{DomainInfo, DomainStatus, RegistrarError};
use crate::renewals::{self, RenewalStatus};
use crate::store::{Index, Key, Query, TableError, Tx, Update};
use crate::{Mailing, Registry, Settings, Storage};

/// Every domain whose expiry we know: the expiry index.
pub(super) fn items() -> Query {
    Query::index(Index::Gsi1, "DOMAINS#EXPIRY")
}

fn actor() -> Actor {
    Actor::system("registry-sync")
}

pub(super) async fn batch(
    ports: &(impl Storage + Settings + Registry + Mailing),
    day: &str,
    keys: &[Key],
    tally: &mut Tally,
) -> Result<(), BatchError> {
    let domains = ours(ports, keys).await?;
    if domains.is_empty() {
        return Ok(());
    }
    let names: Vec<String> = domains.iter().map(|d| d.name.clone()).collect();
    let answers = match ports.sync_registrar().info_many(&names).await {
        Ok(answers) => answers,
        Err(error @ (RegistrarError::Unavailable(_) | RegistrarError::QuotaSpent)) => {
            return Err(BatchError::Later(error.to_string()));
        }
        Err(refused) => {
            for domain in &domains {
                tally.exception(
                    &subject(domain),
                    &domain.customer_id,
                    format!("the registrar refused to say: {refused}"),
                );
            }
            return Ok(());
        }
    };
    for (domain, answer) in domains.iter().zip(answers) {
        tally.count("checked");
        follow(ports, day, domain, answer, tally).await?;
    }
    Ok(())
}

/// The batch's domains that are ours to sync: active or expired.
async fn ours(ports: &impl Storage, keys: &[Key]) -> Result<Vec<OwnedDomain>, TableError> {
    let mut domains = Vec::new();
    for item in ports.table().get_many(keys).await?.iter().flatten() {
        let domain = OwnedDomain::of(item)?;
        if matches!(domain.status, OwnedStatus::Active | OwnedStatus::Expired) {
            domains.push(domain);
        }
    }
    Ok(domains)
}

/// Makes the domain's record follow the registry's answer about it.
async fn follow(
    ports: &(impl Storage + Settings + Mailing),
    day: &str,
    domain: &OwnedDomain,
    answer: Result<DomainInfo, RegistrarError>,
    tally: &mut Tally,
) -> Result<(), TableError> {
    match answer {
        Ok(info) if info.status == DomainStatus::External => {
            ended::left_us(ports, day, domain, tally).await
        }
        Ok(info) => reconcile(ports, domain, &info, tally).await,
        Err(RegistrarError::NotFound(_)) => ended::gone(ports, day, domain, tally).await,
        Err(other) => {
            tally.exception(
                &subject(domain),
                &domain.customer_id,
                format!("the registry did not answer: {other}"),
            );
            Ok(())
        }
    }
}

fn subject(domain: &OwnedDomain) -> String {
    format!("domain:{}", domain.name)
}

fn date(epoch: Option<i64>) -> String {
    epoch
        .and_then(|at| time::OffsetDateTime::from_unix_timestamp(at).ok())
        .map_or_else(|| "unknown".into(), |at| at.date().to_string())
}

/// Adds to `tx` the end of the automatic renewal invoiced for the domain's
/// current expiry, with its unpaid invoice voided, if there is one.
/// Returns whether there was.
async fn withdraw_renewal(
    ports: &impl Storage,
    domain: &OwnedDomain,
    why: &str,
    tx: &mut Tx<MovedOn>,
) -> Result<bool, TableError> {
    let Some(expiry) = domain.expires_at else {
        return Ok(false);
    };
    let Some(renewal) = renewals::find(ports.table(), &domain.name, expiry).await? else {
        return Ok(false);
    };
    if renewal.status != RenewalStatus::Scheduled {
        return Ok(false);
    }
    let bill = renewal.invoice(ports.table()).await?;
    renewal
        .change(
            RenewalStatus::Abandoned,
            Update::new(),
            actor(),
            why,
            ports.clock().now_millis(),
        )
        .add_to(tx, MovedOn, ports.clock().now())
        .map_err(|e| TableError::Backend(e.to_string()))?;
    tx.extend(crate::billing::void::void_op(ports.table(), &bill, ports.clock().now()).await?);
    Ok(true)
}
