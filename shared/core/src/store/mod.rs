//! The `Table` port: one table of items addressed by `pk`/`sk`, with two sparse,
//! overloaded indexes, typed conditions, paginated queries and all-or-nothing
//! transactions. The semantics mirror DynamoDB so that the embedded SQLite
//! adapter and the DynamoDB adapter are interchangeable; see `docs/data-model.md`.

mod cond;
mod item;
mod limits;
mod query;
mod tx;
mod update;

pub use cond::{Condition, matches};
pub use item::{Item, ItemExt, Key, TTL, VERSION};
pub use limits::{MAX_ITEM_BYTES, MAX_PARTITION_KEY_BYTES, MAX_SORT_KEY_BYTES, item_size};
pub use query::{Index, Page, Pages, Query, SortKey, all_items};
pub use tx::{Tx, TxError, TxOp, validate_transaction};
pub use update::Update;
// For the engines (the adapters crate): visibility, validation, index keys and cursors.
pub use item::{decode_cursor, encode_cursor, index_key, validate_item, visible};

use async_trait::async_trait;
use serde_json::Value;

/// The most writes and checks one transaction may hold (DynamoDB's limit).
pub const MAX_TRANSACTION_OPS: usize = 100;
/// The most keys one `get_many` call may ask for (DynamoDB's BatchGetItem limit).
pub const MAX_BATCH_GET: usize = 100;

#[derive(Debug, thiserror::Error, Clone, PartialEq, Eq)]
pub enum TableError {
    /// The write's condition did not hold; nothing was written.
    #[error("the condition on the write did not hold")]
    ConditionFailed,
    /// A transaction was cancelled because the condition of op `index` did not hold;
    /// nothing in it was written.
    #[error("transaction cancelled: the condition of operation {index} did not hold")]
    TransactionConflict { index: usize },
    /// The request itself is malformed (bad key, too large, too many operations).
    #[error("invalid table request: {0}")]
    Invalid(String),
    /// The engine is busy with a conflicting write; the caller may retry.
    #[error("the table is busy with a conflicting write; retry")]
    Busy,
    /// The storage engine failed or could not be reached.
    #[error("table storage failed: {0}")]
    Backend(String),
}

pub type TableResult<T> = Result<T, TableError>;

#[async_trait]
pub trait Table: Send + Sync {
    /// The engine's name, as `/api/health` reports it.
    fn engine(&self) -> &'static str;

    async fn get(&self, key: &Key) -> TableResult<Option<Item>>;

    /// Reads up to `MAX_BATCH_GET` items at once; the answer is in the order of `keys`.
    async fn get_many(&self, keys: &[Key]) -> TableResult<Vec<Option<Item>>>;

    /// One put, update or delete on its own, not in a transaction (a
    /// `Check` is refused): what `put`, `update` and `delete` send, each
    /// engine in its single-item write. Returns the item an update leaves
    /// and the visible item a delete removed; nothing for a put.
    async fn write_one(&self, op: TxOp) -> TableResult<Option<Item>>;

    /// Writes the whole item (replacing any other with its key) when `condition` holds.
    async fn put(&self, item: Item, condition: Option<Condition>) -> TableResult<()> {
        self.write_one(TxOp::Put { item, condition })
            .await
            .map(|_| ())
    }

    /// Writes many whole items without conditions; not atomic (each item is
    /// written or not, as DynamoDB's BatchWriteItem), for caches and seeds.
    /// Items that share a key are written as a sequence of puts would: the
    /// last one stands.
    async fn put_many(&self, items: Vec<Item>) -> TableResult<()>;

    /// Changes one item when `condition` holds and returns it as it is afterwards.
    async fn update(
        &self,
        key: &Key,
        update: Update,
        condition: Option<Condition>,
    ) -> TableResult<Item> {
        let op = TxOp::Update {
            key: key.clone(),
            update,
            condition,
        };
        Ok(self
            .write_one(op)
            .await?
            .expect("an update returns the new item"))
    }

    /// Deletes one item when `condition` holds and returns what was deleted, if visible.
    async fn delete(&self, key: &Key, condition: Option<Condition>) -> TableResult<Option<Item>> {
        self.write_one(TxOp::Delete {
            key: key.clone(),
            condition,
        })
        .await
    }

    async fn query(&self, query: Query) -> TableResult<Page>;

    /// Applies every operation or none; see `TableError::TransactionConflict`.
    async fn transact(&self, ops: Vec<TxOp>) -> TableResult<()>;

    /// Deletes the items whose TTL has passed and says how many, or `None`
    /// when the engine deletes them by itself (DynamoDB's TTL).
    async fn sweep_expired(&self) -> TableResult<Option<usize>> {
        Ok(None)
    }
}

/// `record`'s fields as the attributes of an item under `key`, of `kind`.
pub fn record_item(record: &impl serde::Serialize, key: &Key, kind: &str) -> Item {
    let mut item = match serde_json::to_value(record) {
        Ok(Value::Object(map)) => map,
        _ => unreachable!("records serialise as objects"),
    };
    item.extend(key.to_item());
    item.insert("kind".into(), kind.into());
    item
}

/// The record whose fields are the attributes of `item`; `what` names it in the error.
pub fn record_of<T: serde::de::DeserializeOwned>(item: &Item, what: &str) -> TableResult<T> {
    serde_json::from_value(Value::Object(item.clone()))
        .map_err(|e| TableError::Backend(format!("corrupt {what}: {e}")))
}
