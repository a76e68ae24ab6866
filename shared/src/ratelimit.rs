//! Per-client rate limits in two layers: a `governor` limiter in the process
//! (cheap, absorbs floods before they touch storage), then a fixed-window
//! counter in the table, shared by every process and Lambda container.

use std::net::IpAddr;
use std::num::NonZeroU32;

use governor::clock::{Clock as _, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

use crate::clock::Clock;
use crate::store::{Condition, Key, Table, TableError, Update};

/// A refusal: the client should come back after `retry_after_secs`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limited {
    pub retry_after_secs: u64,
    /// Which layer refused: `process` or `shared`.
    pub layer: &'static str,
}

#[derive(Debug)]
pub enum Refusal {
    Limited(Limited),
    Storage(TableError),
}

pub struct ClientLimiter {
    scope: &'static str,
    local: DefaultKeyedRateLimiter<IpAddr>,
    window_limit: u32,
    window_secs: i64,
}

impl ClientLimiter {
    /// `per_minute` with bursts of `burst` in each process; `window_limit`
    /// per window of `window_secs` across all of them.
    pub fn new(
        scope: &'static str,
        per_minute: u32,
        burst: u32,
        window_limit: u32,
        window_secs: i64,
    ) -> Self {
        let nonzero = |n: u32| NonZeroU32::new(n.max(1)).expect("at least one");
        let quota = Quota::per_minute(nonzero(per_minute)).allow_burst(nonzero(burst));
        ClientLimiter {
            scope,
            local: RateLimiter::keyed(quota),
            window_limit,
            window_secs: window_secs.max(1),
        }
    }

    /// Counts one request of `client`, or says when it may come back.
    pub async fn admit(
        &self,
        table: &dyn Table,
        clock: &dyn Clock,
        client: IpAddr,
    ) -> Result<(), Refusal> {
        if let Err(not_until) = self.local.check_key(&client) {
            let wait = not_until.wait_time_from(DefaultClock::default().now());
            return Err(Refusal::Limited(Limited {
                retry_after_secs: wait.as_secs() + 1,
                layer: "process",
            }));
        }
        let now = clock.now_secs();
        let window = now - now.rem_euclid(self.window_secs);
        let window_end = window + self.window_secs;
        let key = Key::new(
            format!("RATE#{}#{client}", self.scope),
            format!("W#{window}"),
        );
        // The counter expires with its window (plus a margin for clock skew).
        let count = Update::new().add("count", 1).set("ttl", window_end + 60);
        let under_limit = Condition::AttributeNotExists("count".into())
            .or(Condition::lt("count", self.window_limit));
        match table.update(&key, count, Some(under_limit)).await {
            Ok(_) => Ok(()),
            Err(TableError::ConditionFailed) => Err(Refusal::Limited(Limited {
                retry_after_secs: (window_end - now).max(1) as u64,
                layer: "shared",
            })),
            Err(other) => Err(Refusal::Storage(other)),
        }
    }

    /// Forgets clients that have been quiet, so the in-process map stays small.
    pub fn tidy(&self) {
        self.local.retain_recent();
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::clock::ManualClock;
    use crate::embedded::EmbeddedDb;
    use crate::store::sqlite::SqliteTable;

    fn table(clock: &ManualClock) -> (tempfile::TempDir, SqliteTable) {
        let dir = tempfile::TempDir::new().unwrap();
        let db = EmbeddedDb::open(dir.path()).unwrap();
        (dir, SqliteTable::new(db, Arc::new(clock.clone())))
    }

    fn limited(result: Result<(), Refusal>) -> Limited {
        match result {
            Err(Refusal::Limited(l)) => l,
            other => panic!("expected a refusal, got {other:?}"),
        }
    }

    #[tokio::test]
    async fn the_process_layer_refuses_a_burst() {
        let clock = ManualClock::starting_now();
        let (_dir, table) = table(&clock);
        let limiter = ClientLimiter::new("check", 60, 3, 1000, 60);
        let client: IpAddr = "198.51.100.7".parse().unwrap();
        for _ in 0..3 {
            limiter.admit(&table, &clock, client).await.unwrap();
        }
        let refused = limited(limiter.admit(&table, &clock, client).await);
        assert_eq!(refused.layer, "process");
        assert!((1..=2).contains(&refused.retry_after_secs), "{refused:?}");
        let other: IpAddr = "198.51.100.8".parse().unwrap();
        limiter
            .admit(&table, &clock, other)
            .await
            .expect("another client is not affected");
    }

    #[tokio::test]
    async fn the_shared_layer_counts_across_processes_per_window() {
        let clock = ManualClock::at_millis(1_800_000_000_000 + 50_000);
        let (_dir, table) = table(&clock);
        // Two processes (Lambda containers) with their own governors, one table.
        let first = ClientLimiter::new("check", 1000, 1000, 3, 60);
        let second = ClientLimiter::new("check", 1000, 1000, 3, 60);
        let client: IpAddr = "2001:db8::5".parse().unwrap();
        first.admit(&table, &clock, client).await.unwrap();
        second.admit(&table, &clock, client).await.unwrap();
        first.admit(&table, &clock, client).await.unwrap();
        let refused = limited(second.admit(&table, &clock, client).await);
        assert_eq!(
            refused,
            Limited {
                retry_after_secs: 10,
                layer: "shared"
            }
        );
        clock.advance_secs(10);
        first
            .admit(&table, &clock, client)
            .await
            .expect("a new window starts afresh");
    }
}
