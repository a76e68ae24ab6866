//! The figures behind the reports' charts: orders placed each day (the
//! last 30), and for each of the last months the monthly recurring revenue
//! at its end, the revenue, and the churn; and the renewals due in the next
//! 30, 60 and 90 days.
//!
//! Nothing is scanned. The days' orders, the live services and the monthly
//! recurring revenue are the dashboard's counters (`stats`); what moved in
//! each month (services started and ended, revenue gained and lost) has
//! month counters beside them, written in the same transactions, so that a
//! month's level is today's less what moved since. Months before those
//! counters were kept show the level they started from. Revenue reads the
//! invoice and credit-note indexes; renewals, one range of the index of
//! services by next due date.

mod figures;

use std::collections::BTreeMap;

use serde::Serialize;
use utoipa::ToSchema;

use crate::Storage;
use crate::billing::credit_note;
use crate::billing::invoice::Invoice;
use crate::staff::dashboard::{self, DayCount};
use crate::stats;
use crate::store::{Index, Query, SortKey, TableError, all_items};
use crate::subscriptions::Subscription;
use figures::{Moves, Renewal};

/// The months a chart may cover.
pub const MONTHS: std::ops::RangeInclusive<u32> = 1..=36;

#[derive(Debug, thiserror::Error)]
pub enum ChartsError {
    #[error("ask for 1 to 36 months")]
    Months,
    #[error(transparent)]
    Table(#[from] TableError),
}

/// Minor units by currency in one month.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct MonthAmounts {
    /// `YYYY-MM`, UTC.
    pub month: String,
    /// Minor units, by ISO 4217 currency.
    pub amounts: BTreeMap<String, i64>,
}

/// The services that ended in a month, and those live at its start.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct MonthChurn {
    /// `YYYY-MM`, UTC.
    pub month: String,
    pub live_at_start: i64,
    /// Cancelled, or ended unpaid, in the month.
    pub ended: i64,
}

/// Services due for renewal from `from_day` to `to_day` days from today.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct RenewalsDue {
    pub from_day: i64,
    pub to_day: i64,
    pub services: i64,
    /// Their prices per cycle before tax, minor units by currency.
    pub amounts: BTreeMap<String, i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Charts {
    /// The last 30 days, oldest first.
    pub orders_by_day: Vec<DayCount>,
    /// At each month's end (this month's: now), oldest first.
    pub monthly_recurring_revenue: Vec<MonthAmounts>,
    /// Each month's paid invoices, net of tax, less the credit notes issued
    /// on paid invoices, oldest first.
    pub revenue: Vec<MonthAmounts>,
    /// Within 0–30, 31–60 and 61–90 days.
    pub renewals_due: Vec<RenewalsDue>,
    /// Each month's, oldest first.
    pub churn: Vec<MonthChurn>,
}

/// The charts of the last `months` months (this one included) and days.
pub async fn charts(ports: &impl Storage, months: u32) -> Result<Charts, ChartsError> {
    if !MONTHS.contains(&months) {
        return Err(ChartsError::Months);
    }
    let table = ports.table();
    let today = ports.clock().now().date();
    let since = today - time::Duration::days(29);
    let counters = stats::read_since(table, &since.to_string()).await?;
    let shown = figures::months_to(today, months);
    let moves = Moves::read(&stats::read_months(table, &shown[0]).await?);
    let prefixed = |prefix: &str| -> BTreeMap<String, i64> {
        let named = counters
            .iter()
            .filter_map(|(name, value)| Some((name.strip_prefix(prefix)?.to_string(), *value)));
        named.collect()
    };
    let live_now = prefixed("services:live:").values().sum();
    Ok(Charts {
        orders_by_day: dashboard::orders_by_day(&counters, since),
        monthly_recurring_revenue: figures::recurring(&shown, &prefixed("services:mrr:"), &moves),
        revenue: revenue(ports, &shown).await?,
        renewals_due: renewals(ports, today).await?,
        churn: figures::churn(&shown, live_now, &moves),
    })
}

/// Revenue from the invoice and credit-note indexes.
async fn revenue(ports: &impl Storage, months: &[String]) -> Result<Vec<MonthAmounts>, TableError> {
    let items = all_items(ports.table(), Query::index(Index::Gsi2, "INVOICES")).await?;
    let invoices = items
        .iter()
        .map(Invoice::of)
        .collect::<Result<Vec<_>, _>>()?;
    let notes = credit_note::all(ports.table()).await?;
    Ok(figures::revenue(months, &invoices, &notes))
}

/// Renewals from one range of the index of services by next due date.
async fn renewals(ports: &impl Storage, today: time::Date) -> Result<Vec<RenewalsDue>, TableError> {
    let until = today + time::Duration::days(figures::DUE_WINDOWS[2].1);
    let query = Query::index(Index::Gsi1, "SERVICES#DUE")
        .sort(SortKey::Between(today.to_string(), format!("{until}#~")));
    let items = all_items(ports.table(), query).await?;
    let due = items
        .iter()
        .map(|item| Subscription::of(item).map(|s| Renewal::from(&s)))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(figures::renewals(today, &due))
}
