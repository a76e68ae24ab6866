//! Invoices: numbered without gaps, with lines, tax and total in minor units.
//!
//! The number comes from one counter item (`COUNTER#INVOICE`), advanced with a
//! condition on its current value in the same transaction that writes the
//! invoice: a number is used exactly when its invoice exists, so no number is
//! skipped or given twice. The counter is the one item every order writes;
//! a lost race re-reads it and tries again.

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use utoipa::ToSchema;

use super::children_partition;
use crate::store::{Condition, Item, ItemExt, Key, Table, TableError, TableResult, TxOp, Update};

const PREFIX: &str = "INV-";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct InvoiceLine {
    pub description: String,
    /// Minor units.
    pub amount: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum InvoiceStatus {
    Open,
    Paid,
    /// Cancelled before payment: nothing is owed.
    Void,
    /// Paid, then given back in full.
    Refunded,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Invoice {
    /// `INV-000042`: consecutive, without gaps.
    pub number: String,
    pub customer_id: String,
    pub order_id: String,
    /// RFC 3339, UTC.
    pub issued_at: String,
    /// ISO 4217.
    pub currency: String,
    pub lines: Vec<InvoiceLine>,
    pub subtotal: i64,
    /// Basis points: 2000 is 20 %.
    pub tax_rate_bps: u32,
    pub tax: i64,
    pub total: i64,
    pub status: InvoiceStatus,
    pub paid_at: Option<String>,
}

impl Invoice {
    /// An invoice of `lines` with tax at `tax_rate_bps`; numbered by `number()`.
    pub fn new(
        customer_id: &str,
        order_id: &str,
        issued_at: String,
        currency: &str,
        lines: Vec<InvoiceLine>,
        tax_rate_bps: u32,
    ) -> Invoice {
        let subtotal: i64 = lines.iter().map(|l| l.amount).sum();
        let tax = crate::money::share(subtotal, tax_rate_bps);
        Invoice {
            number: String::new(),
            customer_id: customer_id.into(),
            order_id: order_id.into(),
            issued_at,
            currency: currency.into(),
            lines,
            subtotal,
            tax_rate_bps,
            tax,
            total: subtotal + tax,
            status: InvoiceStatus::Open,
            paid_at: None,
        }
    }

    pub fn key(order_id: &str) -> Key {
        Key::new(children_partition(order_id), "INVOICE")
    }

    /// The invoice of `order_id`; every order has one from the moment it is placed.
    pub async fn read(table: &dyn Table, order_id: &str) -> Result<Invoice, TableError> {
        let item = table
            .get(&Self::key(order_id))
            .await?
            .ok_or_else(|| TableError::Backend(format!("order {order_id} has no invoice")))?;
        Self::of(&item)
    }

    pub fn of(item: &Item) -> Result<Invoice, TableError> {
        serde_json::from_value(item.get("invoice").cloned().unwrap_or(Value::Null))
            .map_err(|e| TableError::Backend(format!("corrupt invoice: {e}")))
    }

    /// The invoice numbered `sequence`, as a create-only write, indexed by number.
    pub fn put_op(&self, sequence: i64) -> TxOp {
        let mut item = Self::key(&self.order_id).to_item();
        item.insert("kind".into(), "invoice".into());
        item.insert("invoice".into(), json!(self));
        item.insert("gsi2pk".into(), "INVOICES".into());
        item.insert("gsi2sk".into(), format!("{sequence:012}").into());
        TxOp::Put {
            item,
            condition: Some(Condition::NotExists),
        }
    }

    /// Marks the invoice paid; only an open one.
    pub fn paid_op(order_id: &str, invoice: &Invoice, paid_at: &str) -> TxOp {
        let mut paid = invoice.clone();
        paid.status = InvoiceStatus::Paid;
        paid.paid_at = Some(paid_at.to_string());
        TxOp::Update {
            key: Self::key(order_id),
            update: Update::new().set("invoice", json!(paid)),
            condition: Some(Condition::Exists),
        }
    }
}

impl Invoice {
    /// Voids the invoice; only an open one.
    pub fn void_op(order_id: &str, invoice: &Invoice) -> TxOp {
        Self::status_op(order_id, invoice, InvoiceStatus::Void)
    }

    /// Marks the paid invoice refunded in full.
    pub fn refunded_op(order_id: &str, invoice: &Invoice) -> TxOp {
        Self::status_op(order_id, invoice, InvoiceStatus::Refunded)
    }

    fn status_op(order_id: &str, invoice: &Invoice, status: InvoiceStatus) -> TxOp {
        let mut changed = invoice.clone();
        changed.status = status;
        TxOp::Update {
            key: Self::key(order_id),
            update: Update::new().set("invoice", json!(changed)),
            condition: Some(Condition::Exists),
        }
    }
}

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn totals_add_tax_on_the_subtotal() {
        let lines = vec![
            InvoiceLine {
                description: "Web Starter, monthly".into(),
                amount: 499,
            },
            InvoiceLine {
                description: "bakery.com, 1 year".into(),
                amount: 1199,
            },
        ];
        let invoice = Invoice::new("c", "o", "2026-11-22T10:00:00Z".into(), "USD", lines, 2000);
        assert_eq!(
            (invoice.subtotal, invoice.tax, invoice.total),
            (1698, 340, 2038)
        );
        assert_eq!(format_number(42), "INV-000042");
    }
}
