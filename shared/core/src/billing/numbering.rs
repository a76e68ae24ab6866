//! Numbers without gaps, one series each for invoices (`INV-000042`) and
//! credit notes (`CN-000007`).
//!
//! A number comes from its series' counter item (`COUNTER#INVOICE`,
//! `COUNTER#CREDITNOTE`), advanced with a condition on its current value in
//! the same transaction that writes the document: a number is used exactly
//! when its document exists, so no number is skipped or given twice. A lost
//! race re-reads the counter and tries again.

use super::invoice::Invoice;
use crate::store::{Condition, ItemExt, Key, Table, TableResult, TxOp, Update};

/// A series of numbers: its counter and the prefix its numbers carry.
pub struct Series {
    counter: &'static str,
    prefix: &'static str,
}

/// Invoices: `INV-000042`.
pub const INVOICES: Series = Series {
    counter: "COUNTER#INVOICE",
    prefix: "INV-",
};

/// Credit notes: `CN-000007`.
pub const CREDIT_NOTES: Series = Series {
    counter: "COUNTER#CREDITNOTE",
    prefix: "CN-",
};

impl Series {
    pub fn format(&self, sequence: i64) -> String {
        format!("{}{sequence:06}", self.prefix)
    }

    /// The sequence of `number` in this series (any case), if it is one of its.
    pub fn sequence_of(&self, number: &str) -> Option<i64> {
        number
            .to_ascii_uppercase()
            .strip_prefix(self.prefix)
            .and_then(|n| n.parse::<i64>().ok())
    }

    fn counter_key(&self) -> Key {
        Key::new(self.counter, "COUNTER")
    }

    /// The next number and the counter write that claims it, valid while
    /// nobody else claims it first (then the transaction fails on this
    /// operation).
    pub async fn next(&self, table: &dyn Table) -> TableResult<(i64, TxOp)> {
        self.next_many(table, 1).await
    }

    /// The first of the `count` next numbers, and the counter write that
    /// claims them all at once (as `next`), for documents written together.
    pub async fn next_many(&self, table: &dyn Table, count: i64) -> TableResult<(i64, TxOp)> {
        let last = table
            .get(&self.counter_key())
            .await?
            .and_then(|c| c.i64_attr("last"));
        let condition = match last {
            None => Condition::AttributeNotExists("last".into()),
            Some(last) => Condition::eq("last", last),
        };
        let next = last.unwrap_or(0) + 1;
        let claim = TxOp::Update {
            key: self.counter_key(),
            update: Update::new().set("last", next + count - 1),
            condition: Some(condition),
        };
        Ok((next, claim))
    }
}

pub fn format_number(sequence: i64) -> String {
    INVOICES.format(sequence)
}

/// The next invoice number and the counter write that claims it (see
/// [`Series::next`]).
pub async fn next_number(table: &dyn Table) -> TableResult<(i64, TxOp)> {
    INVOICES.next(table).await
}

/// Gives `bill` the next number; returns its sequence and the counter write
/// that claims it (see `next_number`).
pub async fn claim_number(table: &dyn Table, bill: &mut Invoice) -> TableResult<(i64, TxOp)> {
    let (sequence, claim) = next_number(table).await?;
    bill.number = format_number(sequence);
    Ok((sequence, claim))
}
