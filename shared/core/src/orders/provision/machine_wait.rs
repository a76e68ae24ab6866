//! Paid orders waiting for a machine or an address of the pool: instead of
//! failing, the order waits, its machine step tried again every few
//! minutes, and staff see it on the dashboard until one is free. One
//! record per order (`ORDERS#MACHINEWAIT` / `<order id>`), written when the
//! wait starts and deleted in the write that records the machine taken.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::orders::{Order, OrderStatus, order_key};
use crate::store::{
    Condition, ItemExt, Key, MAX_BATCH_GET, Query, Table, TableError, TableResult, TxOp,
    record_item, record_of,
};
use crate::{CustomerId, OrderId};

const PARTITION: &str = "ORDERS#MACHINEWAIT";

/// An order waiting for the pool, as staff see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct MachineWait {
    pub order_id: String,
    pub customer_id: String,
    pub plan_id: String,
    /// What the pool lacks, in its words.
    pub reason: String,
    /// When the wait started (unix seconds).
    pub since: i64,
}

fn key(order_id: &str) -> Key {
    Key::new(PARTITION, order_id)
}

/// Records that `order` waits because of `reason`, unless it waits
/// already; answers when its wait started.
pub async fn note(table: &dyn Table, order: &Order, reason: &str, now: i64) -> TableResult<i64> {
    let wait = MachineWait {
        order_id: order.id.to_string(),
        customer_id: order.customer_id.to_string(),
        plan_id: order.plan_id.clone(),
        reason: reason.into(),
        since: now,
    };
    let item = record_item(&wait, &key(&wait.order_id), "machine_wait");
    match table.put(item, Some(Condition::NotExists)).await {
        Ok(()) => {
            tracing::warn!(order = %order.id, plan = %order.plan_id, reason, "order waits for a machine");
            Ok(now)
        }
        Err(TableError::ConditionFailed) => Ok(table
            .get(&key(&wait.order_id))
            .await?
            .and_then(|item| item.get("since").and_then(|s| s.as_i64()))
            .unwrap_or(now)),
        Err(error) => Err(error),
    }
}

/// Ends the wait of `order` (nothing if it did not wait), in the write
/// that records its machine.
pub fn end_op(order: &Order) -> TxOp {
    TxOp::Delete {
        key: key(order.id.as_ref()),
        condition: None,
    }
}

/// Every paid order waiting for the pool, longest waiting first; an order
/// cancelled or refunded while it waited is left out.
pub async fn waiting(table: &dyn Table) -> TableResult<Vec<MachineWait>> {
    let page = table.query(Query::partition(PARTITION)).await?;
    let mut waits: Vec<MachineWait> = page
        .items
        .iter()
        .filter_map(|item| record_of(item, "machine wait").ok())
        .collect();
    waits.sort_by_key(|w| w.since);
    let mut still = Vec::new();
    for chunk in waits.chunks(MAX_BATCH_GET) {
        let keys: Vec<Key> = chunk
            .iter()
            .map(|w| order_key(&CustomerId::new(&w.customer_id), &OrderId::new(&w.order_id)))
            .collect();
        let orders = table.get_many(&keys).await?;
        for (wait, order) in chunk.iter().zip(orders) {
            let provisioning = order
                .and_then(|o| o.str_attr("status").map(str::to_string))
                .is_some_and(|status| status == OrderStatus::Provisioning.as_str());
            if provisioning {
                still.push(wait.clone());
            }
        }
    }
    Ok(still)
}
