//! The embedded `Table` engine: items as JSON rows in SQLite, with the key and
//! index attributes in their own indexed columns. Conditions are evaluated in
//! Rust against the visible item inside the same write transaction.

use std::sync::Arc;

use async_trait::async_trait;
use rusqlite::{Connection, OptionalExtension, Transaction, TransactionBehavior, params};
use serde_json::Value;

use super::{EmbeddedDb, Failure};
use hostfront_core::clock::Clock;
use hostfront_core::store::{
    Condition, Index, Item, ItemExt, Key, MAX_BATCH_GET, Page, Query, SortKey, TTL, Table,
    TableError, TableResult, TxOp, matches, validate_transaction,
};
use hostfront_core::store::{decode_cursor, encode_cursor, validate_item, visible};

/// What the engine's own functions return: SQLite's errors and the port's.
type Res<T> = Result<T, Failure<TableError>>;

#[derive(Clone)]
pub struct SqliteTable {
    db: EmbeddedDb,
    clock: Arc<dyn Clock>,
}

impl SqliteTable {
    pub fn new(db: EmbeddedDb, clock: Arc<dyn Clock>) -> Self {
        SqliteTable { db, clock }
    }
}

fn read(conn: &Connection, key: &Key, now: i64) -> Res<Option<Item>> {
    let body: Option<String> = conn
        .prepare_cached("SELECT body FROM items WHERE pk = ?1 AND sk = ?2")?
        .query_row(params![key.pk, key.sk], |r| r.get(0))
        .optional()?;
    Ok(visible(body.map(|b| parse(&b)).transpose()?, now))
}

fn parse(body: &str) -> Res<Item> {
    serde_json::from_str(body)
        .map_err(|e| Failure::Port(TableError::Backend(format!("corrupt item: {e}"))))
}

fn write(tx: &Transaction, item: &Item) -> Res<()> {
    let ttl = item
        .get(TTL)
        .and_then(Value::as_f64)
        .map(|t| t.ceil() as i64);
    let index = |i: Index| hostfront_core::store::index_key(item, i).unzip();
    let (g1pk, g1sk) = index(Index::Gsi1);
    let (g2pk, g2sk) = index(Index::Gsi2);
    tx.execute(
        "INSERT OR REPLACE INTO items (pk, sk, gsi1pk, gsi1sk, gsi2pk, gsi2sk, ttl, body)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![
            item.str_attr("pk"),
            item.str_attr("sk"),
            g1pk,
            g1sk,
            g2pk,
            g2sk,
            ttl,
            serde_json::to_string(item).expect("items serialise")
        ],
    )?;
    Ok(())
}

fn remove(tx: &Transaction, key: &Key) -> Res<()> {
    tx.execute(
        "DELETE FROM items WHERE pk = ?1 AND sk = ?2",
        params![key.pk, key.sk],
    )?;
    Ok(())
}

fn holds(condition: Option<&Condition>, current: Option<&Item>) -> bool {
    condition.is_none_or(|c| matches(c, current))
}

/// What one operation does once its condition holds. Returns the item after
/// the operation (for update) or before it (for delete).
fn apply(tx: &Transaction, op: &TxOp, current: Option<Item>) -> Res<Option<Item>> {
    match op {
        TxOp::Put { item, .. } => {
            write(tx, item)?;
            Ok(None)
        }
        TxOp::Update { key, update, .. } => {
            let next = update.apply(key, current.as_ref())?;
            validate_item(&next)?;
            write(tx, &next)?;
            Ok(Some(next))
        }
        TxOp::Delete { key, .. } => {
            remove(tx, key)?;
            Ok(current)
        }
        TxOp::Check { .. } => Ok(None),
    }
}

/// Runs `ops` in one immediate transaction; on a failed condition nothing is
/// written and the error names the operation.
fn run_ops(conn: &mut Connection, ops: &[TxOp], now: i64, single: bool) -> Res<Option<Item>> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let mut result = None;
    for (index, op) in ops.iter().enumerate() {
        let key = op.key()?;
        let current = read(&tx, &key, now)?;
        if !holds(op.condition(), current.as_ref()) {
            return Err(Failure::Port(if single {
                TableError::ConditionFailed
            } else {
                TableError::TransactionConflict { index }
            }));
        }
        result = apply(&tx, op, current)?;
    }
    tx.commit()?;
    Ok(result)
}

impl SqliteTable {
    /// Runs `work` on the connection and reports its failure as the port's.
    async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce(&mut Connection) -> Res<T> + Send + 'static,
    ) -> TableResult<T> {
        Ok(self.db.run(work).await?)
    }
}

#[async_trait]
impl Table for SqliteTable {
    fn engine(&self) -> &'static str {
        "sqlite"
    }

    async fn write_one(&self, op: TxOp) -> TableResult<Option<Item>> {
        op.validate()?;
        let now = self.clock.now_secs();
        self.run(move |conn| run_ops(conn, std::slice::from_ref(&op), now, true))
            .await
    }

    async fn get(&self, key: &Key) -> TableResult<Option<Item>> {
        key.validate()?;
        let key = key.clone();
        let now = self.clock.now_secs();
        self.run(move |conn| read(conn, &key, now)).await
    }

    async fn get_many(&self, keys: &[Key]) -> TableResult<Vec<Option<Item>>> {
        if keys.len() > MAX_BATCH_GET {
            return Err(TableError::Invalid(format!(
                "get_many takes at most {MAX_BATCH_GET} keys"
            )));
        }
        keys.iter().try_for_each(Key::validate)?;
        let keys = keys.to_vec();
        let now = self.clock.now_secs();
        self.run(move |conn| {
            // One read transaction: one file lock for the batch, not one per key.
            let tx = conn.transaction_with_behavior(TransactionBehavior::Deferred)?;
            let items = keys
                .iter()
                .map(|key| read(&tx, key, now))
                .collect::<Res<Vec<_>>>()?;
            tx.commit()?;
            Ok(items)
        })
        .await
    }

    async fn put_many(&self, items: Vec<Item>) -> TableResult<()> {
        items.iter().try_for_each(validate_item)?;
        self.run(move |conn| {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            items.iter().try_for_each(|item| write(&tx, item))?;
            Ok(tx.commit()?)
        })
        .await
    }

    async fn query(&self, query: Query) -> TableResult<Page> {
        query.validate()?;
        let now = self.clock.now_secs();
        let after = query
            .cursor
            .as_deref()
            .map(|c| decode_cursor(c, query.index))
            .transpose()?;
        self.run(move |conn| run_query(conn, &query, after.as_ref(), now))
            .await
    }

    async fn transact(&self, ops: Vec<TxOp>) -> TableResult<()> {
        validate_transaction(&ops)?;
        let now = self.clock.now_secs();
        self.run(move |conn| run_ops(conn, &ops, now, false))
            .await
            .map(|_| ())
    }

    async fn sweep_expired(&self) -> TableResult<Option<usize>> {
        let now = self.clock.now_secs();
        self.run(move |conn| Ok(conn.execute("DELETE FROM items WHERE ttl <= ?1", [now])?))
            .await
            .map(Some)
    }
}

fn run_query(conn: &Connection, query: &Query, after: Option<&Item>, now: i64) -> Res<Page> {
    let (pk_col, sk_col) = query.index.key_attributes();
    let (cmp, dir) = if query.forward {
        (">", "ASC")
    } else {
        ("<", "DESC")
    };
    let mut args: Vec<rusqlite::types::Value> = vec![query.partition.clone().into(), now.into()];
    let mut bind = |value: &str| {
        args.push(value.to_string().into());
        format!("?{}", args.len())
    };
    let mut sql = format!(
        "SELECT body FROM items WHERE {pk_col} = ?1 AND {sk_col} IS NOT NULL AND (ttl IS NULL OR ttl > ?2)"
    );
    let sort = match &query.sort {
        SortKey::Any => String::new(),
        SortKey::Eq(v) => format!(" AND {sk_col} = {}", bind(v)),
        SortKey::BeginsWith(p) => {
            let p = bind(p);
            format!(" AND {sk_col} >= {p} AND substr({sk_col}, 1, length({p})) = {p}")
        }
        SortKey::Between(a, b) => format!(" AND {sk_col} BETWEEN {} AND {}", bind(a), bind(b)),
        SortKey::Lt(v) => format!(" AND {sk_col} < {}", bind(v)),
        SortKey::Le(v) => format!(" AND {sk_col} <= {}", bind(v)),
        SortKey::Gt(v) => format!(" AND {sk_col} > {}", bind(v)),
        SortKey::Ge(v) => format!(" AND {sk_col} >= {}", bind(v)),
    };
    sql.push_str(&sort);
    if let Some(after) = after {
        let attr = |name: &str| after.str_attr(name).unwrap_or_default().to_string();
        if query.index == Index::Table {
            sql.push_str(&format!(" AND sk {cmp} {}", bind(&attr("sk"))));
        } else {
            // Items of an index may share an index sort key; the table key breaks ties.
            let (isk, pk, sk) = (bind(&attr(sk_col)), bind(&attr("pk")), bind(&attr("sk")));
            sql.push_str(&format!(
                " AND ({sk_col}, pk, sk) {cmp} ({isk}, {pk}, {sk})"
            ));
        }
    }
    sql.push_str(&format!(" ORDER BY {sk_col} {dir}, pk {dir}, sk {dir}"));
    if let Some(limit) = query.limit {
        // One more than asked tells whether another page follows.
        sql.push_str(&format!(" LIMIT {}", limit + 1));
    }
    let mut statement = conn.prepare_cached(&sql)?;
    let rows = statement.query_map(rusqlite::params_from_iter(args), |r| r.get::<_, String>(0))?;
    let mut items = rows.map(|body| parse(&body?)).collect::<Res<Vec<Item>>>()?;
    let next = match query.limit {
        Some(limit) if items.len() > limit => {
            items.truncate(limit);
            items.last().map(|last| encode_cursor(last, query.index))
        }
        _ => None,
    };
    Ok(Page { items, next })
}
