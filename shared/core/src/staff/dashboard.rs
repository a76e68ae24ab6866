//! The staff dashboard: orders placed today, in 7 and in 30 days (and each
//! day's), the monthly recurring revenue, live services by kind, the orders
//! waiting for staff, the domains expiring within 30 days, and the failed
//! jobs, and the orders waiting for a machine. Counts come from the counters `stats` keeps; the domains expiring
//! from one range of the expiry index; the failed jobs from the queue.

use std::collections::BTreeMap;

use serde::Serialize;
use utoipa::ToSchema;

use crate::billing::disputes::{self, Dispute};
use crate::catalog::PlanKind;
use crate::orders::OrderStatus;
use crate::orders::provision::machine_wait::{self, MachineWait};
use crate::staff::names::Names;
use crate::stats;
use crate::store::{Index, Pages, Query, SortKey, TableError};
use crate::{CustomerId, Queueing, Storage};

/// Expiring domains counted at most; beyond, the dashboard says "at least".
const EXPIRING_COUNTED: usize = 1_000;
/// Failed jobs counted at most.
const FAILED_COUNTED: usize = 100;

#[derive(Debug, Serialize, ToSchema)]
pub struct DayCount {
    /// `YYYY-MM-DD`, UTC.
    pub day: String,
    pub orders: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Dashboard {
    pub orders_today: i64,
    pub orders_7_days: i64,
    pub orders_30_days: i64,
    /// The last 30 days, oldest first.
    pub orders_by_day: Vec<DayCount>,
    /// Minor units a month, by currency.
    pub monthly_recurring_revenue: BTreeMap<String, i64>,
    /// Services not cancelled, by kind of plan.
    pub live_services: BTreeMap<String, i64>,
    pub pending_review: i64,
    pub on_hold: i64,
    pub failed: i64,
    /// Domains expiring within 30 days (at most 1,000 counted).
    pub domains_expiring_30_days: usize,
    /// Jobs in the dead-letter queue (at most 100 counted).
    pub dead_letters: usize,
    /// Chargebacks still open among the newest 50 disputes, newest first:
    /// each waits for staff to answer the card provider.
    pub open_disputes: Vec<Dispute>,
    /// The names of the open disputes' customers, by customer id.
    pub dispute_customers: BTreeMap<CustomerId, String>,
    /// Paid orders waiting for a machine or an address of the pool,
    /// longest waiting first.
    pub waiting_for_machines: Vec<MachineWait>,
}

pub async fn dashboard(ports: &(impl Storage + Queueing)) -> Result<Dashboard, TableError> {
    let now = ports.clock().now();
    let today = now.date();
    let since = today - time::Duration::days(29);
    let counters = stats::read_since(ports.table(), &since.to_string()).await?;
    let count = |name: &str| counters.get(name).copied().unwrap_or(0).max(0);
    let orders_by_day = orders_by_day(&counters, since);
    let last = |days: usize| {
        orders_by_day
            .iter()
            .rev()
            .take(days)
            .map(|d| d.orders)
            .sum()
    };
    let monthly_recurring_revenue = counters
        .iter()
        .filter_map(|(name, value)| {
            Some((
                name.strip_prefix("services:mrr:")?.to_string(),
                (*value).max(0),
            ))
        })
        .collect();
    let live_services = PlanKind::ALL
        .into_iter()
        .map(|kind| {
            (
                kind.as_str().to_string(),
                count(&stats::services_of(kind.as_str())),
            )
        })
        .filter(|(_, n)| *n > 0)
        .collect();
    let dead_letters = match ports.queue().dead_letters(FAILED_COUNTED).await {
        Ok(letters) => letters.len(),
        Err(error) => return Err(TableError::Backend(format!("the queue: {error}"))),
    };
    let open_disputes = open_disputes(ports).await?;
    let mut names = Names::default();
    let mut dispute_customers = BTreeMap::new();
    for dispute in &open_disputes {
        if let Some(name) = names.customer(ports, &dispute.customer_id).await? {
            dispute_customers.insert(dispute.customer_id.clone(), name);
        }
    }
    Ok(Dashboard {
        orders_today: last(1),
        orders_7_days: last(7),
        orders_30_days: last(30),
        monthly_recurring_revenue,
        live_services,
        pending_review: count(&stats::orders_in(OrderStatus::PendingReview.as_str())),
        on_hold: count(&stats::orders_in(OrderStatus::OnHold.as_str())),
        failed: count(&stats::orders_in(OrderStatus::Failed.as_str())),
        domains_expiring_30_days: expiring(ports, now.unix_timestamp()).await?,
        dead_letters,
        orders_by_day,
        open_disputes,
        dispute_customers,
        waiting_for_machines: machine_wait::waiting(ports.table()).await?,
    })
}

/// The orders placed on each of the 30 days from `since`, from the counters.
pub fn orders_by_day(counters: &BTreeMap<String, i64>, since: time::Date) -> Vec<DayCount> {
    (0..30)
        .map(|n| {
            let day = (since + time::Duration::days(n)).to_string();
            let orders = counters.get(&stats::orders_placed(&day)).copied();
            DayCount {
                orders: orders.unwrap_or(0).max(0),
                day,
            }
        })
        .collect()
}

/// The open disputes among the newest `DISPUTES_READ`.
async fn open_disputes(ports: &impl Storage) -> Result<Vec<Dispute>, TableError> {
    let newest = disputes::newest(ports.table(), DISPUTES_READ).await?;
    Ok(newest.into_iter().filter(|dispute| dispute.open).collect())
}

const DISPUTES_READ: usize = 50;

/// Domains whose expiry falls in the next 30 days, from the expiry index.
async fn expiring(ports: &impl Storage, now: i64) -> Result<usize, TableError> {
    let until = now + 30 * 86_400;
    let query = Query::index(Index::Gsi1, "DOMAINS#EXPIRY").sort(SortKey::Between(
        format!("{now:012}"),
        format!("{until:012}~"),
    ));
    let mut pages = Pages::new(query, 200);
    let mut found = 0;
    while let Some(items) = pages.next(ports.table()).await? {
        found += items.len();
        if found >= EXPIRING_COUNTED {
            return Ok(EXPIRING_COUNTED);
        }
    }
    Ok(found)
}
