//! Invoice numbers, without gaps.
//!
//! The number comes from one counter item (`COUNTER#INVOICE`), advanced with a
//! condition on its current value in the same transaction that writes the
//! invoice: a number is used exactly when its invoice exists, so no number is
//! skipped or given twice. The counter is the one item every order writes;
//! a lost race re-reads it and tries again.

use super::invoice::Invoice;
use crate::store::{Condition, ItemExt, Key, Table, TableResult, TxOp, Update};

const PREFIX: &str = "INV-";

pub fn format_number(sequence: i64) -> String {
    format!("{PREFIX}{sequence:06}")
}

fn counter_key() -> Key {
    Key::new("COUNTER#INVOICE", "COUNTER")
}

/// The next number and the counter write that claims it, valid while nobody
/// else claims it first (then the transaction fails on this operation).
pub async fn next_number(table: &dyn Table) -> TableResult<(i64, TxOp)> {
    let last = table
        .get(&counter_key())
        .await?
        .and_then(|c| c.i64_attr("last"));
    let condition = match last {
        None => Condition::AttributeNotExists("last".into()),
        Some(last) => Condition::eq("last", last),
    };
    let next = last.unwrap_or(0) + 1;
    let claim = TxOp::Update {
        key: counter_key(),
        update: Update::new().set("last", next),
        condition: Some(condition),
    };
    Ok((next, claim))
}

/// Gives `bill` the next number; returns its sequence and the counter write
/// that claims it (see `next_number`).
pub async fn claim_number(table: &dyn Table, bill: &mut Invoice) -> TableResult<(i64, TxOp)> {
    let (sequence, claim) = next_number(table).await?;
    bill.number = format_number(sequence);
    Ok((sequence, claim))
}
