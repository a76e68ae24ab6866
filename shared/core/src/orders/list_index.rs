//! Files every order placed before staff's list of all orders existed in
//! it (`gsi2` `ORDERS` / `<placed, epoch s>#<id>`, as `repo::placed_index`
//! files new ones): each status's partition of `gsi1` is read a page at a
//! time, and an order without the index gets it, under a guard that it
//! still lacks it (a run beside another changes nothing twice). Once a
//! full pass is done a marker says so, and later runs read only that. The
//! `migrate-records` task runs it.
//!
//! Item: `MIGRATION#order_list` / `DONE`.

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::Order;
use super::repo::placed_index;
use crate::store::{Condition, Index, ItemExt, Key, Pages, Query, TableError, TableResult, Update};
use crate::{Storage, clock};

const STATUSES: &[&str] = &[
    "awaiting_payment",
    "pending_review",
    "provisioning",
    "active",
    "on_hold",
    "failed",
    "cancelled",
    "rejected",
];

fn done_marker() -> Key {
    Key::new("MIGRATION#order_list", "DONE")
}

/// How many orders were filed, or None when a pass had finished before.
pub async fn backfill(ports: &impl Storage) -> TableResult<Option<usize>> {
    let table = ports.table();
    if table.get(&done_marker()).await?.is_some() {
        return Ok(None);
    }
    let mut filed = 0;
    for status in STATUSES {
        let query = Query::index(Index::Gsi1, format!("ORDERS#{status}"));
        let mut pages = Pages::new(query, 100);
        while let Some(items) = pages.next(table).await? {
            for item in items.iter().filter(|i| i.str_attr("gsi2pk").is_none()) {
                filed += usize::from(file(ports, &Order::of(item)?).await?);
            }
        }
    }
    let mut marker = done_marker().to_item();
    marker.insert("kind".into(), "migration".into());
    marker.insert("at".into(), clock::rfc3339(ports.clock().now()).into());
    table.put(marker, None).await?;
    Ok(Some(filed))
}

/// Files `order` among all orders; false when it was filed meanwhile.
async fn file(ports: &impl Storage, order: &Order) -> TableResult<bool> {
    let placed = OffsetDateTime::parse(&order.created_at, &Rfc3339)
        .map(OffsetDateTime::unix_timestamp)
        .unwrap_or(0);
    let mut update = Update::new();
    for (attribute, value) in placed_index(placed, &order.id) {
        update = update.set(attribute, value);
    }
    let guard = Condition::Exists.and(Condition::AttributeNotExists("gsi2pk".into()));
    let key = super::order_key(&order.customer_id, &order.id);
    match ports.table().update(&key, update, Some(guard)).await {
        Ok(_) => Ok(true),
        Err(TableError::ConditionFailed) => Ok(false),
        Err(other) => Err(other),
    }
}
