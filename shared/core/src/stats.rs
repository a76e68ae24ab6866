//! The figures of the staff dashboard, kept as counters changed in the
//! same transaction as what they count, so that reading them is one query
//! and never a scan: orders placed per day, orders per status, services
//! per kind and the monthly recurring revenue.
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

/// A price per `cycle` as a month's share of it.
pub fn monthly(price: i64, cycle: &str) -> i64 {
    price / i64::from(crate::catalog::cycle_months(cycle).unwrap_or(1).max(1))
}

/// Every counter from `orders:placed:<since>` on, summed over its shards.
pub async fn read_since(table: &dyn Table, since: &str) -> TableResult<BTreeMap<String, i64>> {
    let mut counters = BTreeMap::new();
    let query =
        Query::partition(PARTITION).sort(SortKey::Between(orders_placed(since), "~".into()));
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
}
