//! The registrar's quota, shared out, and the limits on what clients ask.

use std::sync::Arc;
use std::time::Duration;

use hostfront_core::clock::Clock;
use hostfront_core::config::Config;
use hostfront_core::hashing::HashGate;
use hostfront_core::ratelimit::ClientLimiter;
use hostfront_core::registrar::Registrar;
use hostfront_core::registrar::budget::{Share, SharedBudget};
use hostfront_core::registrar::capped::Capped;
use hostfront_core::store::Table;

use crate::settings::HashSettings;

/// A search never waits for the registrar's next second: a checked answer
/// should take the registry's round trip and at most 25 ms more, which the
/// search's own work takes under load; the names it cannot check now are
/// answered `unknown` at once, and the site offers to check again.
const SEARCH_WAIT: Duration = Duration::ZERO;

/// The registrar within each share of its quota.
pub(super) struct Registrars {
    pub everything: Arc<dyn Registrar>,
    pub searches: Arc<dyn Registrar>,
    pub background: Arc<dyn Registrar>,
    pub portal: Arc<dyn Registrar>,
}

impl Registrars {
    pub fn new(
        registry: Arc<dyn Registrar>,
        policy: &Config,
        table: &Arc<dyn Table>,
        clock: &Arc<dyn Clock>,
    ) -> Self {
        let budget = Arc::new(
            SharedBudget::new(
                table.clone(),
                clock.clone(),
                policy.registrar_calls_per_second,
                policy.registrar_reserved_per_second,
            )
            .with_portal_share(policy.registrar_portal_per_second),
        );
        let capped = |share, wait| -> Arc<dyn Registrar> {
            Arc::new(Capped::new(registry.clone(), budget.clone(), share, wait))
        };
        Registrars {
            // Orders and renewals may wait for the next second.
            everything: capped(Share::Everything, Duration::from_millis(1_000)),
            searches: capped(Share::Searches, SEARCH_WAIT),
            // The daily sync may wait for its turn; its batches are retried later when it cannot.
            background: capped(Share::Background, Duration::from_millis(2_000)),
            // A customer's own change may wait for the next second, as an order does.
            portal: capped(Share::Portal, Duration::from_millis(1_000)),
        }
    }
}

/// The per-client limits, each in one process and across all.
pub(super) struct Limiters {
    pub check: Arc<ClientLimiter>,
    pub auth: Arc<ClientLimiter>,
    pub purchase: Arc<ClientLimiter>,
    pub domain_change: Arc<ClientLimiter>,
}

impl Limiters {
    pub fn new(policy: &Config) -> Self {
        let limiter = |name, per_minute, burst, window| {
            Arc::new(ClientLimiter::new(name, per_minute, burst, window, 60))
        };
        let half = |per_minute: u32| (per_minute / 2).max(1);
        Limiters {
            check: limiter(
                "check",
                policy.check_per_minute,
                policy.check_burst,
                policy.check_window_limit,
            ),
            auth: limiter(
                "auth",
                policy.auth_per_minute,
                half(policy.auth_per_minute),
                policy.auth_window_limit,
            ),
            purchase: limiter(
                "purchase",
                policy.purchase_per_minute,
                half(policy.purchase_per_minute),
                policy.purchase_window_limit,
            ),
            domain_change: limiter(
                "domain_change",
                policy.domain_changes_per_minute,
                half(policy.domain_changes_per_minute),
                policy.domain_changes_per_minute.saturating_mul(2),
            ),
        }
    }
}

/// The bound on password hashes running at once.
pub(super) fn hasher(hashing: &HashSettings) -> Arc<HashGate> {
    Arc::new(HashGate::new(hashing.concurrency, hashing.wait))
}
