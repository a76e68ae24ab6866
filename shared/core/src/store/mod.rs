//! The `Table` port: one table of items addressed by `pk`/`sk`, with two sparse,
//! overloaded indexes, typed conditions, paginated queries and all-or-nothing
//! transactions. The semantics mirror DynamoDB so that the embedded SQLite
//! adapter and the DynamoDB adapter are interchangeable; see `docs/data-model.md`.

mod cond;
mod item;
mod limits;
mod tx;

pub use cond::{Condition, matches};
pub use item::{Item, ItemExt, Key, TTL, VERSION};
pub use limits::{MAX_ITEM_BYTES, MAX_PARTITION_KEY_BYTES, MAX_SORT_KEY_BYTES, item_size};
pub use tx::{Tx, TxError};
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

/// Which key space a query reads: the table itself or one of the sparse indexes.
/// An item appears in an index only when it has both of that index's key attributes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Index {
    Table,
    Gsi1,
    Gsi2,
}

impl Index {
    pub fn key_attributes(self) -> (&'static str, &'static str) {
        match self {
            Index::Table => ("pk", "sk"),
            Index::Gsi1 => ("gsi1pk", "gsi1sk"),
            Index::Gsi2 => ("gsi2pk", "gsi2sk"),
        }
    }

    pub fn dynamo_name(self) -> Option<&'static str> {
        match self {
            Index::Table => None,
            Index::Gsi1 => Some("gsi1"),
            Index::Gsi2 => Some("gsi2"),
        }
    }
}

/// A condition on the sort key of a query (byte-wise string order, as DynamoDB).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum SortKey {
    #[default]
    Any,
    Eq(String),
    BeginsWith(String),
    /// Inclusive at both ends.
    Between(String, String),
    Lt(String),
    Le(String),
    Gt(String),
    Ge(String),
}

impl SortKey {
    pub fn matches(&self, sk: &str) -> bool {
        match self {
            SortKey::Any => true,
            SortKey::Eq(v) => sk == v,
            SortKey::BeginsWith(p) => sk.starts_with(p.as_str()),
            SortKey::Between(a, b) => sk >= a.as_str() && sk <= b.as_str(),
            SortKey::Lt(v) => sk < v.as_str(),
            SortKey::Le(v) => sk <= v.as_str(),
            SortKey::Gt(v) => sk > v.as_str(),
            SortKey::Ge(v) => sk >= v.as_str(),
        }
    }
}

/// One partition of the table or of an index, read in sort-key order.
#[derive(Debug, Clone)]
pub struct Query {
    pub index: Index,
    pub partition: String,
    pub sort: SortKey,
    pub forward: bool,
    /// At most this many items in the page (None: every matching item).
    pub limit: Option<usize>,
    /// Where the previous page ended (`Page::next`).
    pub cursor: Option<String>,
}

impl Query {
    pub fn partition(partition: impl Into<String>) -> Self {
        Query {
            index: Index::Table,
            partition: partition.into(),
            sort: SortKey::Any,
            forward: true,
            limit: None,
            cursor: None,
        }
    }

    pub fn index(index: Index, partition: impl Into<String>) -> Self {
        Query {
            index,
            ..Query::partition(partition)
        }
    }

    pub fn sort(mut self, sort: SortKey) -> Self {
        self.sort = sort;
        self
    }

    pub fn backward(mut self) -> Self {
        self.forward = false;
        self
    }

    pub fn limit(mut self, limit: usize) -> Self {
        self.limit = Some(limit);
        self
    }

    pub fn after(mut self, cursor: Option<String>) -> Self {
        self.cursor = cursor;
        self
    }

    pub fn validate(&self) -> TableResult<()> {
        if self.partition.is_empty() {
            return Err(TableError::Invalid("a query needs a partition".into()));
        }
        if self.limit == Some(0) {
            return Err(TableError::Invalid(
                "a query limit must be at least 1".into(),
            ));
        }
        Ok(())
    }
}

/// A page of query results. `next` is set exactly when more matching items follow.
#[derive(Debug, Clone, Default)]
pub struct Page {
    pub items: Vec<Item>,
    pub next: Option<String>,
}

/// Changes to one item. An update of a missing (or expired) item creates it
/// from its key and these changes, as DynamoDB's UpdateItem does.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Update {
    pub set: Vec<(String, Value)>,
    pub remove: Vec<String>,
    /// Atomic addition to a number attribute; a missing attribute counts as 0.
    pub add: Vec<(String, i64)>,
}

impl Update {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn set(mut self, attribute: impl Into<String>, value: impl Into<Value>) -> Self {
        self.set.push((attribute.into(), value.into()));
        self
    }

    pub fn remove(mut self, attribute: impl Into<String>) -> Self {
        self.remove.push(attribute.into());
        self
    }

    pub fn add(mut self, attribute: impl Into<String>, delta: i64) -> Self {
        self.add.push((attribute.into(), delta));
        self
    }

    /// Adds one to the item's version, for optimistic locking with `Condition::VersionIs`.
    pub fn bump_version(self) -> Self {
        self.add(VERSION, 1)
    }

    fn attributes(&self) -> impl Iterator<Item = &str> {
        self.set
            .iter()
            .map(|(a, _)| a.as_str())
            .chain(self.remove.iter().map(String::as_str))
            .chain(self.add.iter().map(|(a, _)| a.as_str()))
    }

    /// Rejects updates of key attributes, of one attribute twice, and index keys
    /// DynamoDB would refuse (see `limits`), as DynamoDB does.
    pub fn validate(&self) -> TableResult<()> {
        let mut seen = std::collections::HashSet::new();
        for attribute in self.attributes() {
            if attribute == "pk" || attribute == "sk" {
                return Err(TableError::Invalid(
                    "an update cannot change pk or sk".into(),
                ));
            }
            if attribute.is_empty() {
                return Err(TableError::Invalid("empty attribute name".into()));
            }
            if !seen.insert(attribute) {
                return Err(TableError::Invalid(format!(
                    "attribute {attribute} is changed twice"
                )));
            }
        }
        for (attribute, value) in &self.set {
            limits::check_index_attribute(attribute, value)?;
        }
        if self.set.is_empty() && self.remove.is_empty() && self.add.is_empty() {
            return Err(TableError::Invalid(
                "an update must change something".into(),
            ));
        }
        Ok(())
    }

    /// The item after this update, from the visible item (None when absent or expired).
    pub fn apply(&self, key: &Key, current: Option<&Item>) -> TableResult<Item> {
        let mut item = current.cloned().unwrap_or_else(|| key.to_item());
        for (attribute, value) in &self.set {
            item.insert(attribute.clone(), value.clone());
        }
        for attribute in &self.remove {
            item.remove(attribute);
        }
        for (attribute, delta) in &self.add {
            let now = match item.get(attribute) {
                None => 0,
                Some(Value::Number(n)) => n
                    .as_i64()
                    .ok_or_else(|| TableError::Invalid(format!("{attribute} is not an integer")))?,
                Some(_) => {
                    return Err(TableError::Invalid(format!(
                        "cannot add to non-number {attribute}"
                    )));
                }
            };
            let sum = now
                .checked_add(*delta)
                .ok_or_else(|| TableError::Invalid(format!("{attribute} would overflow")))?;
            item.insert(attribute.clone(), Value::from(sum));
        }
        Ok(item)
    }
}

/// One operation of a transaction.
#[derive(Debug, Clone)]
pub enum TxOp {
    Put {
        item: Item,
        condition: Option<Condition>,
    },
    Update {
        key: Key,
        update: Update,
        condition: Option<Condition>,
    },
    Delete {
        key: Key,
        condition: Option<Condition>,
    },
    /// Writes nothing; the transaction fails unless the condition holds.
    Check { key: Key, condition: Condition },
}

impl TxOp {
    pub fn key(&self) -> TableResult<Key> {
        match self {
            TxOp::Put { item, .. } => Key::of(item),
            TxOp::Update { key, .. } | TxOp::Delete { key, .. } | TxOp::Check { key, .. } => {
                Ok(key.clone())
            }
        }
    }

    /// Checks what both engines reject about one operation.
    pub fn validate(&self) -> TableResult<()> {
        self.key()?.validate()?;
        match self {
            TxOp::Put { item, .. } => item::validate_item(item),
            TxOp::Update { update, .. } => update.validate(),
            TxOp::Delete { .. } | TxOp::Check { .. } => Ok(()),
        }
    }

    pub fn condition(&self) -> Option<&Condition> {
        match self {
            TxOp::Put { condition, .. }
            | TxOp::Update { condition, .. }
            | TxOp::Delete { condition, .. } => condition.as_ref(),
            TxOp::Check { condition, .. } => Some(condition),
        }
    }
}

/// Checks what both engines reject: too many operations, or one item twice.
pub fn validate_transaction(ops: &[TxOp]) -> TableResult<()> {
    if ops.is_empty() || ops.len() > MAX_TRANSACTION_OPS {
        return Err(TableError::Invalid(format!(
            "a transaction holds 1 to {MAX_TRANSACTION_OPS} operations, not {}",
            ops.len()
        )));
    }
    let mut keys = std::collections::HashSet::new();
    for op in ops {
        op.validate()?;
        let key = op.key()?;
        if !keys.insert(key.clone()) {
            return Err(TableError::Invalid(format!(
                "item {key} appears twice in one transaction"
            )));
        }
    }
    Ok(())
}

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

/// The items a query finds, a page at a time, however many there are.
pub struct Pages {
    query: Query,
    cursor: Option<String>,
    done: bool,
}

impl Pages {
    /// Pages of `query`'s items, `size` at a time.
    pub fn new(query: Query, size: usize) -> Self {
        Pages {
            query: query.limit(size),
            cursor: None,
            done: false,
        }
    }

    /// The next page, or None once every item was read.
    pub async fn next(&mut self, table: &dyn Table) -> TableResult<Option<Vec<Item>>> {
        if self.done {
            return Ok(None);
        }
        let page = table
            .query(self.query.clone().after(self.cursor.take()))
            .await?;
        self.done = page.next.is_none();
        self.cursor = page.next;
        Ok(Some(page.items))
    }
}

/// Every item `query` finds, reading page after page.
pub async fn all_items(table: &dyn Table, query: Query) -> TableResult<Vec<Item>> {
    let mut items = Vec::new();
    let mut cursor = None;
    loop {
        let page = table.query(query.clone().after(cursor)).await?;
        items.extend(page.items);
        match page.next {
            Some(next) => cursor = Some(next),
            None => return Ok(items),
        }
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
