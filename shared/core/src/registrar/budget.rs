//! The registrar's quota, shared by every process and container: each call
//! takes one from the current second's count in the table (`REGBUDGET` /
//! `S#<second>`), one conditional add, so no read and no lost update. Searches
//! may use the quota less a reserve; orders, renewals and account work may use
//! all of it, so a crowd of searches never starves provisioning.
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
}

pub struct SharedBudget {
    table: std::sync::Arc<dyn Table>,
    clock: std::sync::Arc<dyn Clock>,
    /// The registrar's calls per second, for everybody together.
    quota: u32,
    /// Calls per second searches leave for the rest.
    reserved: u32,
    /// The last second this process found each share spent: a count only
    /// grows within its second, so until the next one no call need ask the
    /// table again (a flood of searches would otherwise write for each).
    spent: [AtomicI64; 3],
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
            spent: [const { AtomicI64::new(i64::MIN) }; 3],
        }
    }

    fn spent(&self, share: Share) -> &AtomicI64 {
        &self.spent[share as usize]
    }

    fn limit(&self, share: Share) -> u32 {
        match share {
            Share::Searches => self.quota - self.reserved,
            Share::Everything => self.quota,
            Share::Background => ((self.quota - self.reserved) / 2).max(1),
        }
    }

    /// Takes one call of `second`'s count for `share`; false when it is spent.
    async fn take(&self, share: Share, second: i64) -> Result<bool, TableError> {
        let limit = self.limit(share);
        if limit == 0 || self.spent(share).load(Ordering::Relaxed) == second {
            return Ok(false);
        }
        let key = Key::new(PARTITION, format!("S#{second}"));
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
    /// within `max_wait`; else `QuotaSpent`.
    pub async fn turn(&self, share: Share, max_wait: Duration) -> Result<(), RegistrarError> {
        let unavailable =
            |e: TableError| RegistrarError::Unavailable(format!("the registrar budget: {e}"));
        let now = self.clock.now_millis();
        let second = now.div_euclid(1000);
        if self.take(share, second).await.map_err(unavailable)? {
            return Ok(());
        }
        let next = (second + 1) * 1000;
        if next - now > max_wait.as_millis() as i64 {
            return Err(RegistrarError::QuotaSpent);
        }
        // Callers that waited spread over the new second's first few ms.
        let spread = fastrand::u64(0..20);
        tokio::time::sleep(Duration::from_millis((next - now) as u64 + spread)).await;
        if self.take(share, second + 1).await.map_err(unavailable)? {
            Ok(())
        } else {
            Err(RegistrarError::QuotaSpent)
        }
    }
}
