//! The sweeps of renewals left half-way: one queued for long (a lost
//! enqueue or a lost job must not leave a customer's card authorised and
//! the domain unrenewed), and one whose request was cut off while the card
//! was being authorised and never sent again, or whose card's holder never
//! came back from their bank (it must not hold the domain's renewal, nor an
//! authorisation, for ever).

use std::time::Duration;

use super::{Renewal, RenewalError, RenewalStatus};
use crate::audit::Actor;
use crate::jobs::Job;
use crate::lifecycle::{MovedOn, Status};
use crate::store::{Index, Pages, Query, SortKey, TableError, Tx, TxError};
use crate::{Billing, Queueing, Storage};

/// The renewals in `status` since before `older_than` ago, a page at a time.
fn older_than(ports: &impl Storage, status: RenewalStatus, older_than: Duration) -> Pages {
    let before = ports.clock().now_millis() - older_than.as_millis() as i64;
    let query = Query::index(Index::Gsi1, format!("RENEWALS#{}", status.as_str()))
        .sort(SortKey::Lt(format!("{before:015}")));
    Pages::new(query, 100)
}

/// Enqueues again every renewal queued for longer than `stalled_after`; a
/// job for one that is running anyway finds it done or renews nothing twice
/// (the registry is told the expiry).
pub async fn resume_stalled(
    ports: &(impl Storage + Queueing),
    stalled_after: Duration,
) -> Result<usize, TableError> {
    let mut pages = older_than(ports, RenewalStatus::Queued, stalled_after);
    let mut sent = 0;
    while let Some(items) = pages.next(ports.table()).await? {
        for item in &items {
            let renewal = Renewal::of(item)?;
            Job::RenewDomain {
                domain: renewal.domain,
                current_expiry: renewal.current_expiry,
            }
            .send(ports)
            .await;
            sent += 1;
        }
    }
    Ok(sent)
}

/// Ends every renewal authorising for longer than `stale_after`, and every
/// one left at the bank past its time there (`bank::BANK_SECS`): recorded
/// abandoned first (so a late retry of its request, or a late return from
/// the bank, finds it ended rather than going on), its invoice voided,
/// then any authorisation it obtained released. Returns how many it ended.
pub async fn abandon_stale(
    ports: &(impl Storage + Billing),
    stale_after: Duration,
) -> Result<usize, TableError> {
    let at_bank = Duration::from_secs(super::bank::BANK_SECS.unsigned_abs());
    let left = [
        (
            RenewalStatus::Authorizing,
            stale_after,
            "its request was cut off while the card was being authorised",
        ),
        (
            RenewalStatus::AtBank,
            at_bank,
            "its card's holder did not come back from their bank in time",
        ),
    ];
    let mut ended = 0;
    for (status, after, why) in left {
        let mut pages = older_than(ports, status, after);
        while let Some(items) = pages.next(ports.table()).await? {
            for item in &items {
                ended += usize::from(abandon(ports, &Renewal::of(item)?, why).await?);
            }
        }
    }
    Ok(ended)
}

/// Ends `renewal` as abandoned because of `why`, then releases what its
/// card holds; false when it had moved on meanwhile.
async fn abandon(
    ports: &(impl Storage + Billing),
    renewal: &Renewal,
    why: &str,
) -> Result<bool, TableError> {
    let mut tx = Tx::new();
    let end = (RenewalStatus::Abandoned, Actor::system("renewals"), why);
    renewal
        .end_in(ports, &mut tx, end)
        .await
        .map_err(|error| match error {
            RenewalError::Table(error) => error,
            other => TableError::Backend(other.to_string()),
        })?;
    match tx.commit(ports.table()).await {
        Ok(()) => {}
        Err(TxError::Refused(MovedOn)) => return Ok(false),
        Err(TxError::Table(error)) => return Err(error),
    }
    release(ports, renewal).await;
    Ok(true)
}

/// Voids what the renewal's authorisation call reserved, if it reserved
/// anything. Should the gateway not answer, the hold lapses at the card's
/// bank, as every unused authorisation does.
async fn release(ports: &impl Billing, renewal: &Renewal) {
    let key = format!("{}-authorize", renewal.id);
    let released = async {
        // One left at the bank has it recorded; else the gateway is asked.
        let held = match &renewal.authorization_id {
            Some(id) => Some(id.clone()),
            None => (ports.payments().authorization_made_with(&key).await?).map(|held| held.id),
        };
        if let Some(held) = held {
            let void_key = format!("{}-void-abandoned", renewal.id);
            ports.payments().void(&held, &void_key).await?;
        }
        Ok::<_, crate::payments::PaymentError>(())
    }
    .await;
    if let Err(error) = released {
        tracing::warn!(domain = %renewal.domain, %error, "could not release an abandoned renewal's authorisation");
    }
}
