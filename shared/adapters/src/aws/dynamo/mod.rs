//! The DynamoDB `Table` engine.
//!
//! Conditions become condition expressions, each joined with a "not expired"
//! guard. DynamoDB deletes expired items late (and moto never does), so when a
//! write fails against an item that has expired, the engine deletes that item
//! (only if it is still the same expired item) and tries once more: to every
//! caller an expired item simply does not exist, as on the SQLite engine.

mod batch;
mod codec;
mod errors;
mod expr;
mod schema;

pub use codec::to_attributes;
use codec::{from_attributes, key_attributes};
use errors::{Cancelled, cancellation, classify, conflict_backoff};
use expr::Expr;

use std::collections::HashMap;
use std::sync::Arc;

use async_trait::async_trait;
use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::types::{
    AttributeValue, ConditionCheck, Delete, Put, ReturnValue, TransactWriteItem,
    Update as DynamoUpdate,
};

use hostfront_core::clock::Clock;
use hostfront_core::store::{
    Condition, Index, Item, ItemExt, Key, MAX_BATCH_GET, Page, Query, TTL, Table, TableError,
    TableResult, TxOp, validate_transaction,
};
use hostfront_core::store::{decode_cursor, encode_cursor, validate_item, visible};

/// How many times a write is tried when expired items stand in its way.
const EXPIRED_RETRIES: usize = 3;
/// Tries of a transaction that DynamoDB cancelled because another one held
/// an item it writes (a hot item: the invoice counter, a rate window).
const CONFLICT_TRIES: u32 = 8;

pub(super) type Attributes = HashMap<String, AttributeValue>;

#[derive(Clone)]
pub struct DynamoTable {
    client: super::OnFirstUse<Client>,
    table: String,
    clock: Arc<dyn Clock>,
}

impl DynamoTable {
    pub fn new(
        client: impl Into<super::OnFirstUse<Client>>,
        table: impl Into<String>,
        clock: Arc<dyn Clock>,
    ) -> Self {
        DynamoTable {
            client: client.into(),
            table: table.into(),
            clock,
        }
    }

    pub fn table_name(&self) -> &str {
        &self.table
    }

    fn now(&self) -> i64 {
        self.clock.now_secs()
    }

    async fn read(&self, key: &Key) -> TableResult<Option<Item>> {
        let output = self
            .client
            .get_item()
            .table_name(&self.table)
            .set_key(Some(key_attributes(key)))
            .consistent_read(true)
            .send()
            .await
            .map_err(classify)?;
        Ok(output.item.map(|attrs| from_attributes(&attrs)))
    }

    /// Deletes the item at `key` when it has expired; true when something stood
    /// in the way and a write should be tried again.
    async fn clear_expired(&self, key: &Key) -> TableResult<bool> {
        let Some(item) = self.read(key).await? else {
            return Ok(false);
        };
        if !item.is_expired(self.now()) {
            return Ok(false);
        }
        let mut expr = Expr::default();
        let same_item = expr.condition(&Condition::Eq(TTL.into(), item[TTL].clone()));
        let result = self
            .client
            .delete_item()
            .table_name(&self.table)
            .set_key(Some(key_attributes(key)))
            .condition_expression(same_item)
            .set_expression_attribute_names(expr.names())
            .set_expression_attribute_values(expr.values())
            .send()
            .await;
        match result.map_err(classify) {
            Ok(_) | Err(TableError::ConditionFailed) => Ok(true),
            Err(other) => Err(other),
        }
    }

    fn render(&self, op: &TxOp) -> TransactWriteItem {
        let mut expr = Expr::default();
        // Updates are always guarded so that an expired item is cleared, not merged into.
        let guard = match op {
            TxOp::Update { condition, .. } => Some(expr.guarded(condition.as_ref(), self.now())),
            other => other.condition().map(|c| expr.guarded(Some(c), self.now())),
        };
        let built = match op {
            TxOp::Put { item, .. } => TransactWriteItem::builder().put(
                Put::builder()
                    .table_name(&self.table)
                    .set_item(Some(to_attributes(item)))
                    .set_condition_expression(guard)
                    .set_expression_attribute_names(expr.names())
                    .set_expression_attribute_values(expr.values())
                    .build()
                    .expect("put is complete"),
            ),
            TxOp::Update { key, update, .. } => {
                let update_expression = expr.update(update);
                TransactWriteItem::builder().update(
                    DynamoUpdate::builder()
                        .table_name(&self.table)
                        .set_key(Some(key_attributes(key)))
                        .update_expression(update_expression)
                        .set_condition_expression(guard)
                        .set_expression_attribute_names(expr.names())
                        .set_expression_attribute_values(expr.values())
                        .build()
                        .expect("update is complete"),
                )
            }
            TxOp::Delete { key, .. } => TransactWriteItem::builder().delete(
                Delete::builder()
                    .table_name(&self.table)
                    .set_key(Some(key_attributes(key)))
                    .set_condition_expression(guard)
                    .set_expression_attribute_names(expr.names())
                    .set_expression_attribute_values(expr.values())
                    .build()
                    .expect("delete is complete"),
            ),
            TxOp::Check { key, .. } => TransactWriteItem::builder().condition_check(
                ConditionCheck::builder()
                    .table_name(&self.table)
                    .set_key(Some(key_attributes(key)))
                    .condition_expression(guard.expect("a check has a condition"))
                    .set_expression_attribute_names(expr.names())
                    .set_expression_attribute_values(expr.values())
                    .build()
                    .expect("condition check is complete"),
            ),
        };
        built.build()
    }

    async fn send_one(&self, op: &TxOp) -> TableResult<Option<Item>> {
        let rendered = self.render(op);
        if let Some(put) = rendered.put {
            self.client
                .put_item()
                .table_name(put.table_name)
                .set_item(Some(put.item))
                .set_condition_expression(put.condition_expression)
                .set_expression_attribute_names(put.expression_attribute_names)
                .set_expression_attribute_values(put.expression_attribute_values)
                .send()
                .await
                .map_err(classify)?;
            Ok(None)
        } else if let Some(update) = rendered.update {
            let output = self
                .client
                .update_item()
                .table_name(update.table_name)
                .set_key(Some(update.key))
                .update_expression(update.update_expression)
                .set_condition_expression(update.condition_expression)
                .set_expression_attribute_names(update.expression_attribute_names)
                .set_expression_attribute_values(update.expression_attribute_values)
                .return_values(ReturnValue::AllNew)
                .send()
                .await
                .map_err(classify)?;
            let item = output.attributes.map(|attrs| from_attributes(&attrs));
            // What UpdateItem made must fit the limits both engines keep.
            item.iter().try_for_each(validate_item)?;
            Ok(item)
        } else if let Some(delete) = rendered.delete {
            let output = self
                .client
                .delete_item()
                .table_name(delete.table_name)
                .set_key(Some(delete.key))
                .set_condition_expression(delete.condition_expression)
                .set_expression_attribute_names(delete.expression_attribute_names)
                .set_expression_attribute_values(delete.expression_attribute_values)
                .return_values(ReturnValue::AllOld)
                .send()
                .await
                .map_err(classify)?;
            Ok(visible(
                output.attributes.map(|attrs| from_attributes(&attrs)),
                self.now(),
            ))
        } else {
            Err(TableError::Invalid(
                "a check is written only in a transaction".into(),
            ))
        }
    }
}

#[async_trait]
impl Table for DynamoTable {
    fn engine(&self) -> &'static str {
        "dynamodb"
    }

    /// One write, retried when an expired item made its condition fail.
    async fn write_one(&self, op: TxOp) -> TableResult<Option<Item>> {
        op.validate()?;
        let key = op.key()?;
        for _ in 0..EXPIRED_RETRIES {
            match self.send_one(&op).await {
                Err(TableError::ConditionFailed) if self.clear_expired(&key).await? => continue,
                done => return done,
            }
        }
        Err(TableError::Busy)
    }

    async fn get(&self, key: &Key) -> TableResult<Option<Item>> {
        key.validate()?;
        Ok(visible(self.read(key).await?, self.now()))
    }

    async fn get_many(&self, keys: &[Key]) -> TableResult<Vec<Option<Item>>> {
        if keys.len() > MAX_BATCH_GET {
            return Err(TableError::Invalid(format!(
                "get_many takes at most {MAX_BATCH_GET} keys"
            )));
        }
        keys.iter().try_for_each(Key::validate)?;
        let found = self.batch_get(keys).await?;
        let now = self.now();
        Ok(keys
            .iter()
            .map(|key| visible(found.get(key).cloned(), now))
            .collect())
    }

    async fn put_many(&self, items: Vec<Item>) -> TableResult<()> {
        items.iter().try_for_each(validate_item)?;
        self.batch_put(items).await
    }

    async fn query(&self, query: Query) -> TableResult<Page> {
        if query.limit == Some(0) {
            return Err(TableError::Invalid(
                "a query limit must be at least 1".into(),
            ));
        }
        let mut start = match &query.cursor {
            Some(cursor) => Some(to_attributes(&decode_cursor(cursor, query.index)?)),
            None => None,
        };
        let mut expr = Expr::default();
        let key_condition = expr.key_condition(&query);
        let filter = expr.live(self.now());
        let mut items: Vec<Item> = Vec::new();
        loop {
            // Ask for one more than still needed, to know whether another page follows.
            let wanted = query.limit.map(|limit| (limit + 1 - items.len()) as i32);
            let output = self
                .client
                .query()
                .table_name(&self.table)
                .set_index_name(query.index.dynamo_name().map(str::to_string))
                .consistent_read(query.index == Index::Table)
                .key_condition_expression(&key_condition)
                .filter_expression(&filter)
                .set_expression_attribute_names(expr.names())
                .set_expression_attribute_values(expr.values())
                .scan_index_forward(query.forward)
                .set_limit(wanted)
                .set_exclusive_start_key(start.take())
                .send()
                .await
                .map_err(classify)?;
            items.extend(output.items.unwrap_or_default().iter().map(from_attributes));
            if let Some(limit) = query.limit
                && items.len() > limit
            {
                items.truncate(limit);
                let next = items.last().map(|last| encode_cursor(last, query.index));
                return Ok(Page { items, next });
            }
            match output.last_evaluated_key {
                Some(last) => start = Some(last),
                None => return Ok(Page { items, next: None }),
            }
        }
    }

    async fn transact(&self, ops: Vec<TxOp>) -> TableResult<()> {
        validate_transaction(&ops)?;
        let mut expired_cleared = 0;
        let mut conflicts = 0;
        loop {
            let request = ops.iter().map(|op| self.render(op)).collect();
            let result = self
                .client
                .transact_write_items()
                .set_transact_items(Some(request))
                .send()
                .await;
            let Err(error) = result else {
                return Ok(());
            };
            match cancellation(error) {
                Cancelled::ByCondition(index) => {
                    if !self.clear_expired(&ops[index].key()?).await? {
                        return Err(TableError::TransactionConflict { index });
                    }
                    // An expired item stood in the way and is gone: again.
                    expired_cleared += 1;
                    if expired_cleared >= EXPIRED_RETRIES {
                        return Err(TableError::Busy);
                    }
                }
                // Nothing was written: wait a little, differently from the
                // other writer, and try again.
                Cancelled::ByConflict => {
                    conflicts += 1;
                    if conflicts >= CONFLICT_TRIES {
                        return Err(TableError::Busy);
                    }
                    tokio::time::sleep(conflict_backoff(conflicts)).await;
                }
                Cancelled::Failed(error) => return Err(error),
            }
        }
    }
}
