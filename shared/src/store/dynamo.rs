//! The DynamoDB `Table` engine.
//!
//! Conditions become condition expressions, each joined with a "not expired"
//! guard. DynamoDB deletes expired items late (and moto never does), so when a
//! write fails against an item that has expired, the engine deletes that item
//! (only if it is still the same expired item) and tries once more: to every
//! caller an expired item simply does not exist, as on the SQLite engine.

use std::collections::HashMap;
use std::sync::Arc;

use async_trait::async_trait;
use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};
use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
use aws_sdk_dynamodb::types::{
    AttributeDefinition, AttributeValue, BillingMode, ConditionCheck, Delete, GlobalSecondaryIndex,
    KeySchemaElement, KeyType, KeysAndAttributes, Projection, ProjectionType, Put, PutRequest,
    ReturnValue, ScalarAttributeType, TimeToLiveSpecification, TransactWriteItem,
    Update as DynamoUpdate, WriteRequest,
};
use serde_json::{Map, Number, Value};

use super::item::{decode_cursor, encode_cursor, validate_item, visible};
use super::{
    Condition, Index, Item, ItemExt, Key, MAX_BATCH_GET, Page, Query, SortKey, TTL, Table,
    TableError, TableResult, TxOp, Update, validate_transaction,
};
use crate::clock::Clock;

/// The most items one BatchWriteItem request carries.
const MAX_BATCH_WRITE: usize = 25;
/// How many times a write is tried when expired items stand in its way.
const EXPIRED_RETRIES: usize = 3;

type Attributes = HashMap<String, AttributeValue>;

#[derive(Clone)]
pub struct DynamoTable {
    client: Client,
    table: String,
    clock: Arc<dyn Clock>,
}

impl DynamoTable {
    pub fn new(client: Client, table: impl Into<String>, clock: Arc<dyn Clock>) -> Self {
        DynamoTable {
            client,
            table: table.into(),
            clock,
        }
    }

    pub fn table_name(&self) -> &str {
        &self.table
    }

    /// Creates the table with its two indexes and TTL when it does not exist
    /// (for local development and tests; on AWS the stack in `infra/` creates it).
    pub async fn create_if_missing(&self) -> TableResult<()> {
        if self
            .client
            .describe_table()
            .table_name(&self.table)
            .send()
            .await
            .is_ok()
        {
            return Ok(());
        }
        let string_attr = |name: &str| {
            AttributeDefinition::builder()
                .attribute_name(name)
                .attribute_type(ScalarAttributeType::S)
                .build()
                .expect("attribute definition is complete")
        };
        let key = |name: &str, kind: KeyType| {
            KeySchemaElement::builder()
                .attribute_name(name)
                .key_type(kind)
                .build()
                .expect("key is complete")
        };
        let mut request = self
            .client
            .create_table()
            .table_name(&self.table)
            .billing_mode(BillingMode::PayPerRequest)
            .key_schema(key("pk", KeyType::Hash))
            .key_schema(key("sk", KeyType::Range));
        for name in ["pk", "sk", "gsi1pk", "gsi1sk", "gsi2pk", "gsi2sk"] {
            request = request.attribute_definitions(string_attr(name));
        }
        for index in [Index::Gsi1, Index::Gsi2] {
            let (pk, sk) = index.key_attributes();
            request = request.global_secondary_indexes(
                GlobalSecondaryIndex::builder()
                    .index_name(index.dynamo_name().expect("an index has a name"))
                    .key_schema(key(pk, KeyType::Hash))
                    .key_schema(key(sk, KeyType::Range))
                    .projection(
                        Projection::builder()
                            .projection_type(ProjectionType::All)
                            .build(),
                    )
                    .build()
                    .expect("index is complete"),
            );
        }
        request.send().await.map_err(classify)?;
        self.client
            .update_time_to_live()
            .table_name(&self.table)
            .time_to_live_specification(
                TimeToLiveSpecification::builder()
                    .attribute_name(TTL)
                    .enabled(true)
                    .build()
                    .expect("ttl spec is complete"),
            )
            .send()
            .await
            .map_err(classify)?;
        Ok(())
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

    /// One write, retried when an expired item made its condition fail.
    async fn write_one(&self, op: &TxOp) -> TableResult<Option<Item>> {
        op.validate()?;
        let key = op.key()?;
        for _ in 0..EXPIRED_RETRIES {
            match self.send_one(op).await {
                Err(TableError::ConditionFailed) if self.clear_expired(&key).await? => continue,
                done => return done,
            }
        }
        Err(TableError::Busy)
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
            Ok(output.attributes.map(|attrs| from_attributes(&attrs)))
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
            unreachable!("single writes are puts, updates or deletes")
        }
    }
}

#[async_trait]
impl Table for DynamoTable {
    fn engine(&self) -> &'static str {
        "dynamodb"
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
        let mut unique: Vec<&Key> = keys.iter().collect();
        unique.sort();
        unique.dedup();
        let mut found: HashMap<Key, Item> = HashMap::new();
        let mut pending = Some(
            KeysAndAttributes::builder()
                .set_keys(Some(unique.iter().map(|k| key_attributes(k)).collect()))
                .consistent_read(true)
                .build()
                .expect("keys are set"),
        );
        let mut backoff = std::time::Duration::from_millis(20);
        while let Some(request) = pending.take().filter(|r| !r.keys.is_empty()) {
            let output = self
                .client
                .batch_get_item()
                .request_items(&self.table, request)
                .send()
                .await
                .map_err(classify)?;
            for attrs in output
                .responses
                .unwrap_or_default()
                .remove(&self.table)
                .unwrap_or_default()
            {
                let item = from_attributes(&attrs);
                found.insert(Key::of(&item)?, item);
            }
            pending = output
                .unprocessed_keys
                .unwrap_or_default()
                .remove(&self.table);
            if pending.is_some() {
                tokio::time::sleep(backoff).await;
                backoff *= 2;
            }
        }
        let now = self.now();
        Ok(keys
            .iter()
            .map(|key| visible(found.get(key).cloned(), now))
            .collect())
    }

    async fn put(&self, item: Item, condition: Option<Condition>) -> TableResult<()> {
        self.write_one(&TxOp::Put { item, condition })
            .await
            .map(|_| ())
    }

    async fn put_many(&self, items: Vec<Item>) -> TableResult<()> {
        items.iter().try_for_each(validate_item)?;
        for chunk in items.chunks(MAX_BATCH_WRITE) {
            let mut pending: Vec<WriteRequest> = chunk
                .iter()
                .map(|item| {
                    let put = PutRequest::builder()
                        .set_item(Some(to_attributes(item)))
                        .build()
                        .expect("item is set");
                    WriteRequest::builder().put_request(put).build()
                })
                .collect();
            let mut backoff = std::time::Duration::from_millis(20);
            while !pending.is_empty() {
                let output = self
                    .client
                    .batch_write_item()
                    .request_items(&self.table, pending)
                    .send()
                    .await
                    .map_err(classify)?;
                pending = output
                    .unprocessed_items
                    .unwrap_or_default()
                    .remove(&self.table)
                    .unwrap_or_default();
                if !pending.is_empty() {
                    tokio::time::sleep(backoff).await;
                    backoff *= 2;
                }
            }
        }
        Ok(())
    }

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
        let item = self
            .write_one(&op)
            .await?
            .expect("UpdateItem returns ALL_NEW");
        validate_item(&item)?;
        Ok(item)
    }

    async fn delete(&self, key: &Key, condition: Option<Condition>) -> TableResult<Option<Item>> {
        self.write_one(&TxOp::Delete {
            key: key.clone(),
            condition,
        })
        .await
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
        for _ in 0..EXPIRED_RETRIES {
            let request = ops.iter().map(|op| self.render(op)).collect();
            let result = self
                .client
                .transact_write_items()
                .set_transact_items(Some(request))
                .send()
                .await;
            let index = match result {
                Ok(_) => return Ok(()),
                Err(error) => cancelled_by_condition(error)?,
            };
            let op_failed = TableError::TransactionConflict { index };
            if !self.clear_expired(&ops[index].key()?).await? {
                return Err(op_failed);
            }
        }
        Err(TableError::Busy)
    }
}

/// The index of the operation whose condition cancelled a transaction, or the
/// error to report when it was cancelled for another reason.
fn cancelled_by_condition<R>(error: SdkError<TransactWriteItemsError, R>) -> TableResult<usize>
where
    R: std::fmt::Debug,
{
    if let SdkError::ServiceError(service) = &error
        && let TransactWriteItemsError::TransactionCanceledException(cancelled) = service.err()
    {
        let codes: Vec<&str> = cancelled
            .cancellation_reasons()
            .iter()
            .map(|r| r.code().unwrap_or("None"))
            .collect();
        if let Some(index) = codes.iter().position(|c| *c == "ConditionalCheckFailed") {
            return Ok(index);
        }
        if codes
            .iter()
            .any(|c| *c == "TransactionConflict" || *c == "ThrottlingError")
        {
            return Err(TableError::Busy);
        }
        return Err(TableError::Backend(format!(
            "transaction cancelled: {codes:?}"
        )));
    }
    Err(classify(error))
}

fn classify<E, R>(error: SdkError<E, R>) -> TableError
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug,
{
    match error.code() {
        Some("ConditionalCheckFailedException") => TableError::ConditionFailed,
        Some(
            "ProvisionedThroughputExceededException"
            | "ThrottlingException"
            | "RequestLimitExceeded"
            | "TransactionConflictException"
            | "TransactionInProgressException",
        ) => TableError::Busy,
        Some("ValidationException") => TableError::Invalid(error.message().unwrap_or("").into()),
        _ => TableError::Backend(DisplayErrorContext(&error).to_string()),
    }
}

/// Builds an expression's placeholders (`#n0`, `:v0`, ...).
#[derive(Default)]
struct Expr {
    names: HashMap<String, String>,
    values: HashMap<String, AttributeValue>,
}

impl Expr {
    fn name(&mut self, attribute: &str) -> String {
        if let Some((placeholder, _)) = self.names.iter().find(|(_, a)| *a == attribute) {
            return placeholder.clone();
        }
        let placeholder = format!("#n{}", self.names.len());
        self.names
            .insert(placeholder.clone(), attribute.to_string());
        placeholder
    }

    fn value(&mut self, value: AttributeValue) -> String {
        let placeholder = format!(":v{}", self.values.len());
        self.values.insert(placeholder.clone(), value);
        placeholder
    }

    fn names(&self) -> Option<HashMap<String, String>> {
        Some(self.names.clone()).filter(|n| !n.is_empty())
    }

    fn values(&self) -> Option<Attributes> {
        Some(self.values.clone()).filter(|v| !v.is_empty())
    }

    /// True for an item that has not expired (and for a missing item).
    fn live(&mut self, now: i64) -> String {
        let ttl = self.name(TTL);
        let now = self.value(AttributeValue::N(now.to_string()));
        format!("(attribute_not_exists({ttl}) OR {ttl} > {now})")
    }

    /// The condition, true only for a missing or unexpired item, so that an
    /// expired one always fails and gets cleared (see the module comment).
    fn guarded(&mut self, condition: Option<&Condition>, now: i64) -> String {
        let rendered = condition.map(|c| self.condition(c));
        let live = self.live(now);
        // Composite conditions render in parentheses already, and DynamoDB
        // rejects redundant ones.
        match rendered {
            Some(c) => format!("{c} AND {live}"),
            None => live,
        }
    }

    fn condition(&mut self, condition: &Condition) -> String {
        let compare = |expr: &mut Self, attribute: &str, op: &str, value: &Value| {
            format!(
                "{} {op} {}",
                expr.name(attribute),
                expr.value(to_attribute(value))
            )
        };
        match condition {
            Condition::Exists => format!("attribute_exists({})", self.name("pk")),
            Condition::NotExists => format!("attribute_not_exists({})", self.name("pk")),
            Condition::VersionIs(v) => compare(self, super::VERSION, "=", &Value::from(*v)),
            Condition::AttributeExists(a) => format!("attribute_exists({})", self.name(a)),
            Condition::AttributeNotExists(a) => format!("attribute_not_exists({})", self.name(a)),
            Condition::Eq(a, v) => compare(self, a, "=", v),
            Condition::Lt(a, v) => compare(self, a, "<", v),
            Condition::Le(a, v) => compare(self, a, "<=", v),
            Condition::Gt(a, v) => compare(self, a, ">", v),
            Condition::Ge(a, v) => compare(self, a, ">=", v),
            Condition::And(all) => self.join(all, "AND", true),
            Condition::Or(any) => self.join(any, "OR", false),
            Condition::Not(inner) => format!("(NOT {})", self.condition(inner)),
        }
    }

    fn join(&mut self, parts: &[Condition], op: &str, empty: bool) -> String {
        if parts.is_empty() {
            let pk = self.name("pk");
            let always = format!("(attribute_exists({pk}) OR attribute_not_exists({pk}))");
            return if empty {
                always
            } else {
                format!("(NOT {always})")
            };
        }
        if let [single] = parts {
            return self.condition(single);
        }
        let rendered: Vec<String> = parts.iter().map(|p| self.condition(p)).collect();
        format!("({})", rendered.join(&format!(" {op} ")))
    }

    fn update(&mut self, update: &Update) -> String {
        let mut clauses = Vec::new();
        if !update.set.is_empty() {
            let set: Vec<String> = update
                .set
                .iter()
                .map(|(a, v)| format!("{} = {}", self.name(a), self.value(to_attribute(v))))
                .collect();
            clauses.push(format!("SET {}", set.join(", ")));
        }
        if !update.remove.is_empty() {
            let remove: Vec<String> = update.remove.iter().map(|a| self.name(a)).collect();
            clauses.push(format!("REMOVE {}", remove.join(", ")));
        }
        if !update.add.is_empty() {
            let add: Vec<String> = update
                .add
                .iter()
                .map(|(a, d)| {
                    format!(
                        "{} {}",
                        self.name(a),
                        self.value(AttributeValue::N(d.to_string()))
                    )
                })
                .collect();
            clauses.push(format!("ADD {}", add.join(", ")));
        }
        clauses.join(" ")
    }

    fn key_condition(&mut self, query: &Query) -> String {
        let (pk_attr, sk_attr) = query.index.key_attributes();
        let pk = self.name(pk_attr);
        let partition = self.value(AttributeValue::S(query.partition.clone()));
        if query.sort == SortKey::Any {
            return format!("{pk} = {partition}");
        }
        let sk = self.name(sk_attr);
        let mut s = |v: &String| self.value(AttributeValue::S(v.clone()));
        let sort = match &query.sort {
            SortKey::Any => unreachable!("handled above"),
            SortKey::Eq(v) => format!("{sk} = {}", s(v)),
            SortKey::BeginsWith(p) => format!("begins_with({sk}, {})", s(p)),
            SortKey::Between(a, b) => format!("{sk} BETWEEN {} AND {}", s(a), s(b)),
            SortKey::Lt(v) => format!("{sk} < {}", s(v)),
            SortKey::Le(v) => format!("{sk} <= {}", s(v)),
            SortKey::Gt(v) => format!("{sk} > {}", s(v)),
            SortKey::Ge(v) => format!("{sk} >= {}", s(v)),
        };
        format!("{pk} = {partition} AND {sort}")
    }
}

fn key_attributes(key: &Key) -> Attributes {
    HashMap::from([
        ("pk".to_string(), AttributeValue::S(key.pk.clone())),
        ("sk".to_string(), AttributeValue::S(key.sk.clone())),
    ])
}

fn to_attributes(item: &Item) -> Attributes {
    item.iter()
        .map(|(k, v)| (k.clone(), to_attribute(v)))
        .collect()
}

pub(crate) fn to_attribute(value: &Value) -> AttributeValue {
    match value {
        Value::Null => AttributeValue::Null(true),
        Value::Bool(b) => AttributeValue::Bool(*b),
        Value::Number(n) => AttributeValue::N(n.to_string()),
        Value::String(s) => AttributeValue::S(s.clone()),
        Value::Array(list) => AttributeValue::L(list.iter().map(to_attribute).collect()),
        Value::Object(map) => AttributeValue::M(
            map.iter()
                .map(|(k, v)| (k.clone(), to_attribute(v)))
                .collect(),
        ),
    }
}

fn from_attributes(attributes: &Attributes) -> Item {
    attributes
        .iter()
        .map(|(k, v)| (k.clone(), from_attribute(v)))
        .collect()
}

fn from_attribute(value: &AttributeValue) -> Value {
    let number = |n: &str| -> Value {
        n.parse::<i64>()
            .map(Value::from)
            .ok()
            .or_else(|| {
                n.parse::<f64>()
                    .ok()
                    .and_then(Number::from_f64)
                    .map(Value::Number)
            })
            .unwrap_or_else(|| Value::String(n.to_string()))
    };
    match value {
        AttributeValue::S(s) => Value::String(s.clone()),
        AttributeValue::N(n) => number(n),
        AttributeValue::Bool(b) => Value::Bool(*b),
        AttributeValue::Null(_) => Value::Null,
        AttributeValue::L(list) => Value::Array(list.iter().map(from_attribute).collect()),
        AttributeValue::M(map) => Value::Object(
            map.iter()
                .map(|(k, v)| (k.clone(), from_attribute(v)))
                .collect::<Map<_, _>>(),
        ),
        AttributeValue::Ss(set) => Value::Array(set.iter().cloned().map(Value::String).collect()),
        AttributeValue::Ns(set) => Value::Array(set.iter().map(|n| number(n)).collect()),
        _ => Value::Null,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn values_round_trip_through_attributes() {
        let value = json!({"s": "x", "n": 42, "f": 1.5, "neg": -7, "b": true, "z": null,
                           "l": [1, "two", {"three": 3}], "m": {"nested": [false]}});
        assert_eq!(from_attribute(&to_attribute(&value)), value);
    }

    #[test]
    fn conditions_render_with_placeholders() {
        let mut expr = Expr::default();
        let rendered = expr.guarded(Some(&Condition::NotExists.or(Condition::VersionIs(3))), 100);
        assert_eq!(
            rendered,
            "(attribute_not_exists(#n0) OR #n1 = :v0) AND (attribute_not_exists(#n2) OR #n2 > :v1)"
        );
        assert_eq!(expr.names.get("#n1").map(String::as_str), Some("v"));
        assert_eq!(
            expr.values.get(":v1"),
            Some(&AttributeValue::N("100".into()))
        );
    }
}
