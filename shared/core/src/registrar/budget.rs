//! The registrar's quota, shared by every process and container: each call
//! takes one from the current second's count in the table (`REGBUDGET` /
//! `S#<second>`), one conditional add, so no read and no lost update. Searches
//! may use the quota less a reserve; orders, renewals and account work may use
//! all of it, so a crowd of searches never starves provisioning. Customers'
//! own changes in the portal have a small share of their own, counted apart
//! (`P#<second>`) and taken off the top: however they are spent, orders keep
//! their reserve and searches their share.
//!
//! A per-second window rather than a token bucket: registrars state their
//! quota per second, and a bucket in a table needs a read before each
//! conditional write, which callers at once would keep failing.

use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

use crate::clock::Clock;
use crate::store::{Condition, Key, Table, TableError, Update};

use super::RegistrarError;

const PARTITION: &str = "REGBUDGET";
/// The most a caller that waited for the next second waits past its start.
const MAX_SPREAD_MS: u64 = 20;

/// Which part of the quota a caller may use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Share {
    /// Domain searches: the quota less the reserve.
    Searches,
    /// Orders, renewals, transfers and domain management: all of it.
    Everything,
    /// The daily registry sync: half of what searches may use, so neither
    /// searches nor orders wait long behind it.
    Background,
    /// Customers' changes to their domains in the portal: a share of its
    /// own, which the others never see spent.
    Portal,
}

pub struct SharedBudget {
    table: std::sync::Arc<dyn Table>,
    clock: std::sync::Arc<dyn Clock>,
    /// The registrar's calls per second, for everybody together.
    quota: u32,
    /// Calls per second searches leave for the rest.
    reserved: u32,
    /// Calls per second kept for the portal, off the top of the quota.
    portal: u32,
    /// The last second this process found each share spent: a count only
    /// grows within its second, so until the next one no call need ask the
    /// table again (a flood of searches would otherwise write for each).
    spent: [AtomicI64; 4],
}

impl SharedBudget {
    pub fn new(
        table: std::sync::Arc<dyn Table>,
        clock: std::sync::Arc<dyn Clock>,
        quota: u32,
        reserved: u32,
    ) -> SharedBudget {
        SharedBudget {
            table,
            clock,
            quota,
            reserved: reserved.min(quota),
            portal: 0,
            spent: [const { AtomicI64::new(i64::MIN) }; 4],
        }
    }

    /// Keeps `portal` calls a second for the portal, off the top of the
    /// quota; at most what leaves searches one call a second.
    pub fn with_portal_share(mut self, portal: u32) -> SharedBudget {
        self.portal = portal.min((self.quota - self.reserved).saturating_sub(1));
        self
    }

    fn spent(&self, share: Share) -> &AtomicI64 {
        &self.spent[share as usize]
    }

    fn limit(&self, share: Share) -> u32 {
        let shared = self.quota - self.portal;
        match share {
            Share::Searches => shared - self.reserved,
            Share::Everything => shared,
            Share::Background => ((shared - self.reserved) / 2).max(1),
            Share::Portal => self.portal,
        }
    }

    /// Takes one call of `second`'s count for `share`; false when it is spent.
    async fn take(&self, share: Share, second: i64) -> Result<bool, TableError> {
        let limit = self.limit(share);
        if limit == 0 || self.spent(share).load(Ordering::Relaxed) == second {
            return Ok(false);
        }
        let counter = match share {
            Share::Portal => "P",
            _ => "S",
        };
        let key = Key::new(PARTITION, format!("{counter}#{second}"));
        let count = Update::new().add("used", 1).set("ttl", second + 60);
        let under = Condition::AttributeNotExists("used".into()).or(Condition::lt("used", limit));
        match self.table.update(&key, count, Some(under)).await {
            Ok(_) => Ok(true),
            Err(TableError::ConditionFailed) => {
                self.spent(share).store(second, Ordering::Relaxed);
                Ok(false)
            }
            Err(other) => Err(other),
        }
    }

    /// One call of `share`, waiting for the next second when it begins
    /// within `max_wait` (the whole wait, spread included); else `QuotaSpent`.
    pub async fn turn(&self, share: Share, max_wait: Duration) -> Result<(), RegistrarError> {
        let unavailable =
            |e: TableError| RegistrarError::Unavailable(format!("the registrar budget: {e}"));
        let now = self.clock.now_millis();
        let second = now.div_euclid(1000);
        if self.take(share, second).await.map_err(unavailable)? {
            return Ok(());
        }
        let Some(wait) = wait_for_next_second(now, max_wait) else {
            return Err(RegistrarError::QuotaSpent);
        };
        tokio::time::sleep(wait).await;
        if self.take(share, second + 1).await.map_err(unavailable)? {
            Ok(())
        } else {
            Err(RegistrarError::QuotaSpent)
        }
    }
}

/// How long a caller at `now` (ms) waits for the next second: to its start,
/// then a little more at random, so that callers who waited spread over its
/// first few ms; `None` when even its start is further than `max_wait`.
fn wait_for_next_second(now: i64, max_wait: Duration) -> Option<Duration> {
    let until_next = (1000 - now.rem_euclid(1000)) as u64;
    let room = (max_wait.as_millis() as u64).checked_sub(until_next)?;
    let spread = fastrand::u64(0..=room.min(MAX_SPREAD_MS));
    Some(Duration::from_millis(until_next + spread))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_wait_for_the_next_second_stays_within_its_bound() {
        let max_wait = Duration::from_millis(10);
        for now in [10_991, 10_995, 10_999] {
            let until_next = Duration::from_millis((11_000 - now) as u64);
            for _ in 0..1000 {
                let wait = wait_for_next_second(now, max_wait).unwrap();
                assert!(until_next <= wait && wait <= max_wait, "{now}: {wait:?}");
            }
        }
        assert_eq!(wait_for_next_second(10_989, max_wait), None);
        assert_eq!(wait_for_next_second(10_500, max_wait), None);
        // A long wait spreads over at most the next second's first 20 ms.
        for _ in 0..1000 {
            let wait = wait_for_next_second(10_500, Duration::from_secs(2)).unwrap();
            assert!(wait >= Duration::from_millis(500) && wait <= Duration::from_millis(520));
        }
    }
}
