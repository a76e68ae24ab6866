//! The order's storage: its key, its place in the status index, the markers
//! that keep its names unique, and the record that makes placing it
//! idempotent. Every item of an order is built here; use cases ask for the
//! writes they need.

use serde_json::Value;

use super::{Order, OrderError, OrderStatus};
use crate::records::order_key;
use crate::store::{
    Condition, Item, ItemExt, Key, Query, SortKey, Table, TableError, TxOp, Update, record_item,
    record_of,
};
use crate::{CustomerId, OrderId};
use crate::{Settings, Storage};

impl Order {
    pub fn of(item: &Item) -> Result<Order, TableError> {
        record_of(item, "order")
    }

    /// Creates the new order, filed under its status at `now_secs`.
    pub fn create_op(&self, now_secs: i64) -> TxOp {
        let mut item = record_item(self, &order_key(&self.customer_id, &self.id), "order");
        item.extend(status_index(self.status, now_secs, &self.id));
        item.extend(placed_index(now_secs, &self.id));
        TxOp::Put {
            item,
            condition: Some(Condition::NotExists),
        }
    }
}

/// The two names an order holds for its customer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HeldName {
    Domain,
    Username,
}

/// Writes that hold the order's markers for it: until `until` (epoch
/// seconds) while unpaid, or for good (None) once paid. They fail when
/// another order holds a marker, which it may once an unpaid hold expired.
pub fn hold_markers(
    order: &Order,
    subdomain_zone: &str,
    until: Option<i64>,
) -> Vec<(HeldName, TxOp)> {
    [HeldName::Domain, HeldName::Username]
        .into_iter()
        .zip(order.marker_keys(subdomain_zone))
        .map(|(name, key)| {
            let update = Update::new()
                .set("kind", "marker")
                .set("order_id", order.id.clone())
                .set("customer_id", order.customer_id.clone());
            let update = match until {
                Some(until) => update.set("ttl", until),
                None => update.remove("ttl"),
            };
            let op = TxOp::Update {
                key,
                update,
                condition: Some(
                    Condition::NotExists.or(Condition::eq("order_id", order.id.clone())),
                ),
            };
            (name, op)
        })
        .collect()
}

/// Deletes of the markers `order` still holds, for an order that will never
/// be live: only its own, since a lapsed hold may be another order's now.
pub async fn release_markers_ops(
    ports: &(impl Storage + Settings),
    order: &Order,
) -> Result<Vec<TxOp>, TableError> {
    let keys = order.marker_keys(&ports.config().subdomain_zone);
    let markers = ports.table().get_many(&keys).await?;
    Ok(keys
        .into_iter()
        .zip(markers)
        .filter(|(_, marker)| {
            marker
                .as_ref()
                .is_some_and(|m| m.str_attr("order_id") == Some(order.id.as_str()))
        })
        .map(|(key, _)| TxOp::Delete {
            key,
            condition: Some(Condition::eq("order_id", order.id.clone())),
        })
        .collect())
}

/// The `gsi1` attributes that file an order under its status.
pub fn status_index(
    status: OrderStatus,
    now_secs: i64,
    order_id: &OrderId,
) -> [(String, Value); 2] {
    [
        (
            "gsi1pk".into(),
            format!("ORDERS#{}", status.as_str()).into(),
        ),
        ("gsi1sk".into(), format!("{now_secs:012}#{order_id}").into()),
    ]
}

/// The partition of `gsi2` that holds every order by when it was placed
/// (orders placed before it existed are filed there by `list_index`).
pub const ALL_ORDERS: &str = "ORDERS";

/// The order's place among all orders: `gsi2` `ORDERS` / `<placed, epoch s>#<id>`.
pub fn placed_index(placed_secs: i64, order_id: &OrderId) -> [(String, Value); 2] {
    [
        ("gsi2pk".into(), ALL_ORDERS.into()),
        (
            "gsi2sk".into(),
            format!("{placed_secs:012}#{order_id}").into(),
        ),
    ]
}

/// The stored order of `customer_id`, if it is theirs.
pub async fn load(
    ports: &impl Storage,
    customer_id: &CustomerId,
    order_id: &OrderId,
) -> Result<Order, OrderError> {
    if !order_id.is_ulid() {
        return Err(OrderError::NotFound);
    }
    let item = ports
        .table()
        .get(&order_key(customer_id, order_id))
        .await?
        .ok_or(OrderError::NotFound)?;
    Ok(Order::of(&item)?)
}

/// The customer's orders placed in the last `secs` seconds. Order IDs are
/// ULIDs, so a sort-key range finds them without reading older ones.
pub async fn orders_since(
    ports: &impl Storage,
    customer_id: &CustomerId,
    secs: i64,
) -> Result<Vec<Order>, TableError> {
    let since_ms = (ports.clock().now_millis() - secs * 1000).max(0) as u64;
    let since = ulid::Ulid::from_parts(since_ms, 0).to_string();
    let page = ports
        .table()
        .query(
            Query::partition(format!("CUSTOMER#{customer_id}"))
                .sort(SortKey::Between(format!("ORDER#{since}"), "ORDER#~".into())),
        )
        .await?;
    page.items.iter().map(Order::of).collect()
}

/// The orders filed under a status before a time (epoch seconds), read a
/// page of the status index at a time, however many there are.
pub struct FiledBefore {
    status: OrderStatus,
    before: i64,
    cursor: Option<String>,
    done: bool,
}

impl FiledBefore {
    pub fn new(status: OrderStatus, before: i64) -> Self {
        FiledBefore {
            status,
            before,
            cursor: None,
            done: false,
        }
    }

    /// The next page of orders, or None once every one was read.
    pub async fn next_page(
        &mut self,
        ports: &impl Storage,
    ) -> Result<Option<Vec<Order>>, TableError> {
        if self.done {
            return Ok(None);
        }
        let page = ports
            .table()
            .query(
                Query::index(
                    crate::store::Index::Gsi1,
                    format!("ORDERS#{}", self.status.as_str()),
                )
                .sort(SortKey::Lt(format!("{:012}", self.before)))
                .limit(100)
                .after(self.cursor.take()),
            )
            .await?;
        self.done = page.next.is_none();
        self.cursor = page.next;
        page.items
            .iter()
            .map(Order::of)
            .collect::<Result<_, _>>()
            .map(Some)
    }
}

/// A marker that holds a name for an unpaid order until `until`; payment holds it for good.
pub fn marker_op(key: Key, order_id: &OrderId, customer_id: &CustomerId, until: i64) -> TxOp {
    let mut item = key.to_item();
    item.insert("kind".into(), "marker".into());
    item.insert("order_id".into(), order_id.into());
    item.insert("customer_id".into(), customer_id.into());
    item.insert("ttl".into(), until.into());
    TxOp::Put {
        item,
        condition: Some(Condition::NotExists),
    }
}

/// A customer's newest orders, at most `limit`.
pub async fn newest(
    table: &dyn Table,
    customer_id: &CustomerId,
    limit: usize,
) -> Result<Vec<Order>, TableError> {
    let page = table
        .query(
            Query::partition(format!("CUSTOMER#{customer_id}"))
                .sort(SortKey::BeginsWith("ORDER#".into()))
                .backward()
                .limit(limit),
        )
        .await?;
    page.items.iter().map(Order::of).collect()
}
