//! The sweeps of renewals left half-way: one queued for long (a lost
//! enqueue or a lost job must not leave a customer's card authorised and
//! the domain unrenewed), and one whose request was cut off while the card
//! was being authorised and never sent again (it must not hold the domain's
//! renewal, nor an authorisation, for ever).

use std::time::Duration;

use super::{Renewal, RenewalStatus};
use crate::audit::Actor;
use crate::jobs::Job;
use crate::lifecycle::{MovedOn, Status};
use crate::store::{Index, Pages, Query, SortKey, TableError, Tx, TxError, Update};
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

/// Ends every renewal authorising for longer than `stale_after`: recorded
/// abandoned first (so a late retry of its request finds it ended rather
/// than authorising again), its invoice voided, then any authorisation its
/// request obtained released. Returns how many it ended.
pub async fn abandon_stale(
    ports: &(impl Storage + Billing),
    stale_after: Duration,
) -> Result<usize, TableError> {
    let mut pages = older_than(ports, RenewalStatus::Authorizing, stale_after);
    let mut ended = 0;
    while let Some(items) = pages.next(ports.table()).await? {
        for item in &items {
            let renewal = Renewal::of(item)?;
            let mut tx = Tx::new();
            renewal
                .change(
                    RenewalStatus::Abandoned,
                    Update::new(),
                    Actor::system("renewals"),
                    "its request was cut off while the card was being authorised",
                    ports.clock().now_millis(),
                )
                .add_to(&mut tx, MovedOn, ports.clock().now())
                .map_err(|e| TableError::Backend(e.to_string()))?;
            let bill = renewal.invoice(ports.table()).await?;
            tx.extend(
                crate::billing::void::void_op(ports.table(), &bill, ports.clock().now()).await?,
            );
            match tx.commit(ports.table()).await {
                Ok(()) => ended += 1,
                Err(TxError::Refused(MovedOn)) => continue,
                Err(TxError::Table(error)) => return Err(error),
            }
            release(ports, &renewal).await;
        }
    }
    Ok(ended)
}

/// Voids what the renewal's authorisation call reserved, if it reserved
/// anything. Should the gateway not answer, the hold lapses at the card's
/// bank, as every unused authorisation does.
async fn release(ports: &impl Billing, renewal: &Renewal) {
    let key = format!("{}-authorize", renewal.id);
    let released = async {
        if let Some(held) = ports.payments().authorization_made_with(&key).await? {
            let void_key = format!("{}-void-abandoned", renewal.id);
            ports.payments().void(&held.id, &void_key).await?;
        }
        Ok::<_, crate::payments::PaymentError>(())
    }
    .await;
    if let Err(error) = released {
        tracing::warn!(domain = %renewal.domain, %error, "could not release an abandoned renewal's authorisation");
    }
}
