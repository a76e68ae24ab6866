//! The sweeper that finds renewals queued for long: a lost enqueue or a lost
//! job must not leave a customer's card authorised and the domain unrenewed.

use std::time::Duration;

use super::Renewal;
use crate::jobs::Job;
use crate::store::{Index, Query, SortKey, TableError};
use crate::{Queueing, Storage};

/// Enqueues again every renewal queued for longer than `stalled_after`, a
/// page at a time; a job for one that is running anyway finds it done or
/// renews nothing twice (the registry is told the expiry).
pub async fn resume_stalled(
    services: &(impl Storage + Queueing),
    stalled_after: Duration,
) -> Result<usize, TableError> {
    let before = services.clock().now_millis() - stalled_after.as_millis() as i64;
    let mut sent = 0;
    let mut cursor = None;
    loop {
        let page = services
            .table()
            .query(
                Query::index(Index::Gsi1, "RENEWALS#queued")
                    .sort(SortKey::Lt(format!("{before:015}")))
                    .limit(100)
                    .after(cursor),
            )
            .await?;
        for item in &page.items {
            let renewal = Renewal::of(item)?;
            let job = Job::RenewDomain {
                domain: renewal.domain,
                current_expiry: renewal.current_expiry,
            };
            services
                .queue()
                .send(&job.body(), Duration::ZERO)
                .await
                .map_err(|e| TableError::Backend(format!("enqueueing a renewal: {e}")))?;
            sent += 1;
        }
        match page.next {
            Some(next) => cursor = Some(next),
            None => return Ok(sent),
        }
    }
}
