//! The figures of the staff dashboard, kept as counters changed in the
//! same transaction as what they count, so that reading them is one query
//! and never a scan: orders placed per day, orders per status, services
//! per kind and the monthly recurring revenue, and for the reports' charts
//! what moved in each month: services started and ended, and the change of
//! the monthly recurring revenue.
//!
//! Items: `STATS` / `<counter>#<shard>`, each with a `count`. A counter
//! that many transactions touch at once is spread over `SHARDS` items (by
//! the id of what changed), so that they seldom meet on one item; reading
//! it adds its shards up.

use std::collections::BTreeMap;

use crate::store::{ItemExt, Key, Query, SortKey, Table, TableResult, TxOp, Update};

const PARTITION: &str = "STATS";
const SHARDS: u64 = 8;

fn shard(id: &str) -> u64 {
    // FNV-1a: stable across processes and releases, unlike the std hasher.
    id.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ b as u64).wrapping_mul(0x100_0000_01b3)
    }) % SHARDS
}

/// Adds `by` to `counter`, on the shard of `id`; for the transaction of the change.
pub fn add_op(counter: &str, id: &str, by: i64) -> TxOp {
    TxOp::Update {
        key: Key::new(PARTITION, format!("{counter}#{}", shard(id))),
        update: Update::new().set("kind", "stat").add("count", by),
        condition: None,
    }
}

/// The counter of orders placed on `day` (`YYYY-MM-DD`).
pub fn orders_placed(day: &str) -> String {
    format!("orders:placed:{day}")
}

/// The counter of orders in `status`.
pub fn orders_in(status: &str) -> String {
    format!("orders:status:{status}")
}

/// The counter of services of `kind` not cancelled.
pub fn services_of(kind: &str) -> String {
    format!("services:live:{kind}")
}

/// The counter of monthly recurring revenue in `currency`, minor units.
pub fn mrr(currency: &crate::money::Currency) -> String {
    format!("services:mrr:{currency}")
}

/// A counter of what moved in `month` (`YYYY-MM`). Named `months:…`, which
/// sorts before `orders:…`, so that the dashboard's read never meets them.
fn in_month(month: &str, what: &str) -> String {
    format!("months:{month}:{what}")
}

/// The counter of services started in `month`.
pub fn services_started(month: &str) -> String {
    in_month(month, "services:started")
}

/// The counter of services ended (cancelled, or lapsed unpaid) in `month`.
pub fn services_ended(month: &str) -> String {
    in_month(month, "services:ended")
}

/// The counter of how the monthly recurring revenue in `currency` moved in `month`.
pub fn mrr_moved(month: &str, currency: &crate::money::Currency) -> String {
    in_month(month, &format!("mrr:{currency}"))
}

/// `YYYY-MM` of a time, UTC.
pub fn month_of(at: time::OffsetDateTime) -> String {
    let at = at.to_offset(time::UtcOffset::UTC);
    format!("{:04}-{:02}", at.year(), at.month() as u8)
}

/// A price per `cycle` as a month's share of it.
pub fn monthly(price: i64, cycle: &str) -> i64 {
    price / i64::from(crate::catalog::cycle_months(cycle).unwrap_or(1).max(1))
}

/// Every counter from `orders:placed:<since>` on, summed over its shards.
pub async fn read_since(table: &dyn Table, since: &str) -> TableResult<BTreeMap<String, i64>> {
    read_between(table, orders_placed(since), "~".into()).await
}

/// Every month's counter from `from` (`YYYY-MM`) to the latest, summed over its shards.
pub async fn read_months(table: &dyn Table, from: &str) -> TableResult<BTreeMap<String, i64>> {
    read_between(table, format!("months:{from}"), "months:~".into()).await
}

async fn read_between(
    table: &dyn Table,
    from: String,
    to: String,
) -> TableResult<BTreeMap<String, i64>> {
    let mut counters = BTreeMap::new();
    let query = Query::partition(PARTITION).sort(SortKey::Between(from, to));
    for item in crate::store::all_items(table, query).await? {
        let Some((counter, _)) = item.str_attr("sk").and_then(|sk| sk.rsplit_once('#')) else {
            continue;
        };
        *counters.entry(counter.to_string()).or_insert(0) += item.i64_attr("count").unwrap_or(0);
    }
    Ok(counters)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_are_stable_and_spread() {
        assert_eq!(shard("01J0ORDER"), shard("01J0ORDER"));
        let used: std::collections::BTreeSet<u64> =
            (0..64).map(|i| shard(&format!("order-{i}"))).collect();
        assert_eq!(used.len(), SHARDS as usize);
        assert_eq!(monthly(12_990, "annual"), 1_082);
        assert_eq!(monthly(499, "monthly"), 499);
    }

    #[test]
    fn month_counters_sort_before_the_dashboards() {
        let usd = crate::money::Currency::parse("USD").unwrap();
        for name in [
            services_started("2028-02"),
            services_ended("2028-02"),
            mrr_moved("2028-02", &usd),
        ] {
            assert!(name.starts_with("months:2028-02:"), "{name}");
            assert!(name < orders_placed("1970-01-01"), "{name}");
        }
        let leap = time::macros::datetime!(2028-02-29 23:59:59 UTC);
        assert_eq!(month_of(leap), "2028-02");
        assert_eq!(month_of(leap + time::Duration::seconds(1)), "2028-03");
        let east = time::macros::datetime!(2028-03-01 00:30 +01:00);
        assert_eq!(month_of(east), "2028-02", "months are UTC months");
    }
}
