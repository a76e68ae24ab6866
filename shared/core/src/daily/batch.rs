//! One queued batch of a run: its items looked at once, what it found
//! counted into the run, and what needs people kept as the run's exceptions.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::run::{COUNT, day_of, details_partition, expires, run_key};
use super::{Check, Checking};
use crate::CustomerId;
use crate::store::{Condition, Item, Key, Table, TableError, TableResult, TxOp, Update};

/// Why a batch stopped before its end.
#[derive(Debug, thiserror::Error)]
pub enum BatchError {
    /// Worth trying again in a while: the registrar's quota, an outage.
    #[error("{0}")]
    Later(String),
    #[error(transparent)]
    Table(#[from] TableError),
}

/// What a batch did: counts by name, and what needs people.
#[derive(Debug, Default)]
pub struct Tally {
    pub counts: BTreeMap<&'static str, u64>,
    pub exceptions: Vec<Exception>,
}

impl Tally {
    pub fn count(&mut self, what: &'static str) {
        *self.counts.entry(what).or_default() += 1;
    }

    /// Something about `item` that needs people.
    pub fn exception(&mut self, item: &str, customer_id: &CustomerId, what: String) {
        self.exceptions.push(Exception {
            item: item.to_string(),
            customer_id: customer_id.clone(),
            what,
        });
    }
}

/// An item a run could not put right by itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Exception {
    /// `domain:<name>`, `service:<id>`.
    pub item: String,
    pub customer_id: CustomerId,
    /// What happened, for staff.
    pub what: String,
}

/// The marker of the batch whose first item is `first`.
fn batch_key(check: Check, run: &str, first: &Key) -> Key {
    Key::new(
        details_partition(check, run),
        format!("B#{}|{}", first.pk, first.sk),
    )
}

/// Runs one queued batch of `check`'s run `run`, unless it was done.
pub async fn run_batch(
    ports: &impl Checking,
    check: Check,
    run: &str,
    keys: &[Key],
) -> Result<(), BatchError> {
    let Some(first) = keys.first() else {
        return Ok(());
    };
    let marker = batch_key(check, run, first);
    let table = ports.table();
    if table.get(&marker).await?.is_some() {
        return Ok(());
    }
    let mut tally = Tally::default();
    check.look_at(ports, day_of(run), keys, &mut tally).await?;
    let ttl = expires(ports);
    keep_exceptions(table, &details_partition(check, run), &tally, ttl).await?;
    count_once(table, (check, run), marker, &tally, ttl).await?;
    Ok(())
}

/// Writes the batch's exceptions into the run's partition.
async fn keep_exceptions(
    table: &dyn Table,
    partition: &str,
    tally: &Tally,
    ttl: i64,
) -> TableResult<()> {
    let exceptions: Vec<Item> = tally
        .exceptions
        .iter()
        .map(|exception| {
            let mut item = Key::new(partition, format!("X#{}", exception.item)).to_item();
            item.insert("kind".into(), "task_exception".into());
            item.insert("exception".into(), serde_json::json!(exception));
            item.insert("ttl".into(), ttl.into());
            item
        })
        .collect();
    for chunk in exceptions.chunks(25) {
        table.put_many(chunk.to_vec()).await?;
    }
    Ok(())
}

/// Adds the batch's counts to the run in the transaction that creates its
/// marker, so a batch is counted once however often it is delivered.
async fn count_once(
    table: &dyn Table,
    (check, run): (Check, &str),
    marker: Key,
    tally: &Tally,
    ttl: i64,
) -> TableResult<()> {
    let mut done = marker.to_item();
    done.insert("kind".into(), "task_batch".into());
    done.insert("ttl".into(), ttl.into());
    let mut counts = Update::new().add("batches_done", 1);
    for (name, count) in &tally.counts {
        counts = counts.add(format!("{COUNT}{name}"), *count as i64);
    }
    let ops = vec![
        TxOp::Put {
            item: done,
            condition: Some(Condition::NotExists),
        },
        TxOp::Update {
            key: run_key(check, run),
            update: counts,
            condition: None,
        },
    ];
    match table.transact(ops).await {
        // Another delivery of the same batch counted it.
        Ok(()) | Err(TableError::TransactionConflict { index: 0 }) => Ok(()),
        Err(other) => Err(other),
    }
}

/// The `Key`s of a batch job, as queued.
pub fn keys_of(pairs: &[[String; 2]]) -> Vec<Key> {
    pairs
        .iter()
        .map(|[pk, sk]| Key::new(pk.clone(), sk.clone()))
        .collect()
}
