//! Per-client rate limits in two layers: a `governor` limiter in the process
//! (cheap, absorbs floods before they touch storage), then a fixed-window
//! counter in the table, shared by every process and Lambda container.

use std::num::NonZeroU32;
use std::sync::atomic::{AtomicI64, Ordering};

use governor::clock::{Clock as _, DefaultClock};
use governor::state::keyed::HashMapStateStore;
use governor::{Quota, RateLimiter};

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

/// How many clients' budgets the network around them shares: an IPv6 /48
/// holds 65,536 /64s, each a client with its own budget, so the /48 is
/// limited as well, to this many times one client's.
pub const NETWORK_SHARE: u32 = 8;

pub struct ClientLimiter {
    scope: &'static str,
    /// One client: an IPv4 address, an IPv6 /64, a customer.
    client: Budget,
    /// The network around many clients: an IPv6 /48.
    network: Budget,
    window_secs: i64,
    /// When (epoch seconds) quiet clients were last forgotten.
    last_tidy: AtomicI64,
}

/// One layer's allowance: in this process, and per window across all.
struct Budget {
    /// A map behind one lock, not governor's sharded default: that sizes
    /// its shards by reading the machine's CPU quota, a cost at every cold
    /// start, and a check holds the lock for a moment only.
    local: RateLimiter<String, HashMapStateStore<String>, DefaultClock>,
    window_limit: u32,
}

impl Budget {
    fn new(per_minute: u32, burst: u32, window_limit: u32) -> Self {
        let nonzero = |n: u32| NonZeroU32::new(n.max(1)).expect("at least one");
        let quota = Quota::per_minute(nonzero(per_minute)).allow_burst(nonzero(burst));
        Budget {
            local: RateLimiter::hashmap(quota),
            window_limit,
        }
    }
}

/// How often a limiter forgets quiet clients, so its map stays small.
const TIDY_EVERY_SECS: i64 = 60;

impl ClientLimiter {
    /// `per_minute` with bursts of `burst` in each process; `window_limit`
    /// per window of `window_secs` across all of them. A network gets
    /// `NETWORK_SHARE` times each.
    pub fn new(
        scope: &'static str,
        per_minute: u32,
        burst: u32,
        window_limit: u32,
        window_secs: i64,
    ) -> Self {
        let share = |n: u32| n.saturating_mul(NETWORK_SHARE);
        ClientLimiter {
            scope,
            client: Budget::new(per_minute, burst, window_limit),
            network: Budget::new(share(per_minute), share(burst), share(window_limit)),
            window_secs: window_secs.max(1),
            last_tidy: AtomicI64::new(0),
        }
    }

    /// Counts one request of `client` (an address's limit key, or a customer),
    /// or says when it may come back.
    pub async fn admit(
        &self,
        table: &dyn Table,
        clock: &dyn Clock,
        client: &str,
    ) -> Result<(), Refusal> {
        self.admit_in(&self.client, table, clock, client).await
    }

    /// Counts one request from `network` (the network key around a client),
    /// against the network's larger budget.
    pub async fn admit_network(
        &self,
        table: &dyn Table,
        clock: &dyn Clock,
        network: &str,
    ) -> Result<(), Refusal> {
        self.admit_in(&self.network, table, clock, network).await
    }

    async fn admit_in(
        &self,
        budget: &Budget,
        table: &dyn Table,
        clock: &dyn Clock,
        client: &str,
    ) -> Result<(), Refusal> {
        let now = clock.now_secs();
        self.tidy_if_due(now);
        if let Err(not_until) = budget.local.check_key(&client.to_string()) {
            let wait = not_until.wait_time_from(DefaultClock::default().now());
            return Err(Refusal::Limited(Limited {
                retry_after_secs: wait.as_secs() + 1,
                layer: "process",
            }));
        }
        let window = now - now.rem_euclid(self.window_secs);
        let window_end = window + self.window_secs;
        let key = Key::new(
            format!("RATE#{}#{client}", self.scope),
            format!("W#{window}"),
        );
        // The counter expires with its window (plus a margin for clock skew).
        let count = Update::new().add("count", 1).set("ttl", window_end + 60);
        let under_limit = Condition::AttributeNotExists("count".into())
            .or(Condition::lt("count", budget.window_limit));
        match table.update(&key, count, Some(under_limit)).await {
            Ok(_) => Ok(()),
            Err(TableError::ConditionFailed) => Err(Refusal::Limited(Limited {
                retry_after_secs: (window_end - now).max(1) as u64,
                layer: "shared",
            })),
            Err(other) => Err(Refusal::Storage(other)),
        }
    }

    /// Forgets clients whose allowance is full again, at most once a minute.
    /// Run on the request path, it needs no scheduler: each Lambda container
    /// tidies its own memory.
    fn tidy_if_due(&self, now: i64) {
        let last = self.last_tidy.load(Ordering::Relaxed);
        if now - last >= TIDY_EVERY_SECS
            && self
                .last_tidy
                .compare_exchange(last, now, Ordering::Relaxed, Ordering::Relaxed)
                .is_ok()
        {
            for budget in [&self.client, &self.network] {
                budget.local.retain_recent();
                budget.local.shrink_to_fit();
            }
        }
    }

    /// Clients and networks the process remembers.
    pub fn remembered(&self) -> usize {
        self.client.local.len() + self.network.local.len()
    }
}
