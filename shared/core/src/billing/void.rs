//! Voiding invoices: cancelled before payment, nothing is owed. An issued
//! invoice never changes in law, so one that was issued (numbered) is
//! cancelled by a credit note for all of it not given back already (its
//! subtotal and tax, the invoice's lines), issued in the same transaction
//! as its status changes, from the credit-note series. The invoice keeps
//! the note's number (`voided_by`, beside it on its item): the tax report
//! counts such an invoice and its note, and leaves out only invoices voided
//! before voiding issued notes. Account credit the invoice took comes back
//! to the customer's credit. An invoice voided already is left as it is,
//! so a void is credited once.

use std::collections::BTreeMap;

use time::OffsetDateTime;

use super::credit_note::Crediting;
use super::invoice::{Invoice, InvoiceStatus, unrefunded_since};
use super::numbering::CREDIT_NOTES;
use crate::CustomerId;
use crate::store::{Condition, Table, TableError, TableResult, TxOp, Update};

/// The item attribute naming the credit note that cancelled a voided invoice.
pub const VOIDED_BY: &str = "voided_by";

/// The writes that void `bills` at `at`, each read again as stored now:
/// its status, and a credit note for each issued one, numbered one after
/// another under a single claim of the series. The claim fails when
/// another note took the number first, and the status change when a refund
/// was recorded or the invoice voided meanwhile: nothing is written then.
pub async fn void_ops(
    table: &dyn Table,
    bills: &[&Invoice],
    at: OffsetDateTime,
) -> TableResult<Vec<TxOp>> {
    let issued_at = crate::clock::rfc3339(at);
    let mut voided = Vec::new();
    for bill in bills {
        let item = table
            .get(&bill.key())
            .await?
            .ok_or_else(|| TableError::Backend(format!("invoice {} is gone", bill.number)))?;
        let current = Invoice::of(&item)?;
        if current.status == InvoiceStatus::Void {
            continue;
        }
        let owed = current.subtotal + current.tax - current.refunded;
        let note = (!current.number.is_empty() && owed > 0).then(|| {
            Crediting {
                invoice: &current,
                before: current.refunded,
                amount: owed,
            }
            .note(issued_at.clone())
        });
        voided.push((current.clone(), unrefunded_since(&item), note));
    }
    let notes = voided.iter().filter(|(_, _, note)| note.is_some()).count();
    let mut ops = Vec::new();
    let mut sequence = match notes {
        0 => 0,
        _ => {
            let (first, claim) = CREDIT_NOTES.next_many(table, notes as i64).await?;
            ops.push(claim);
            first
        }
    };
    // Account credit the invoices took comes back: nothing was owed. One
    // write per customer: a transaction writes an item once.
    let mut credit_back: BTreeMap<CustomerId, i64> = BTreeMap::new();
    for (bill, unrefunded, note) in voided {
        let mut changed = bill.clone();
        changed.status = InvoiceStatus::Void;
        let mut update = Update::new().set("invoice", serde_json::json!(changed));
        if let Some(mut note) = note {
            note.number = CREDIT_NOTES.format(sequence);
            update = update.set(VOIDED_BY, note.number.clone());
            ops.push(note.put_op(sequence));
            sequence += 1;
        }
        if bill.credit > 0 {
            *credit_back.entry(bill.customer_id.clone()).or_default() += bill.credit;
        }
        let not_voided = Condition::AttributeNotExists(VOIDED_BY.into());
        ops.push(TxOp::Update {
            key: bill.key(),
            update,
            condition: Some(Condition::Exists.and(unrefunded).and(not_voided)),
        });
    }
    for (customer_id, amount) in credit_back {
        ops.push(super::credit::add_op(&customer_id, amount));
    }
    Ok(ops)
}

/// The writes that void `bill` at `at` (see `void_ops`).
pub async fn void_op(
    table: &dyn Table,
    bill: &Invoice,
    at: OffsetDateTime,
) -> TableResult<Vec<TxOp>> {
    void_ops(table, &[bill], at).await
}

/// `op`, the write that marks an invoice paid, refused once the invoice
/// was voided: every invoice with something to pay gets its credit note,
/// so `voided_by`, as it is voided.
pub fn unless_voided(op: TxOp) -> TxOp {
    match op {
        TxOp::Update {
            key,
            update,
            condition,
        } => {
            let unvoided = Condition::AttributeNotExists(VOIDED_BY.into());
            TxOp::Update {
                key,
                update,
                condition: Some(condition.unwrap_or(Condition::Exists).and(unvoided)),
            }
        }
        other => other,
    }
}
