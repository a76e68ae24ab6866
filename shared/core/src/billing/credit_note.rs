//! Credit notes: an issued invoice never changes, so every refund issues a
//! credit note instead, numbered in its own series without gaps
//! (`CN-000007`, from `billing::numbering`), naming the invoice it corrects,
//! with the credited amount split into net and tax at the invoice's rate.
//!
//! Items (see `docs/data-model.md`): `CUSTOMER#<id>` /
//! `CREDITNOTE#<number>`, indexed by customer (`gsi1`:
//! `CREDITNOTES#CUSTOMER#<id>` / `<number>`) and by number (`gsi2`:
//! `CREDITNOTES` / `<sequence>`). A note is written in the transaction that
//! records its refund, with its number's claim and the invoice's running
//! total of refunds, so there is never a refund without its note nor a gap.

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use utoipa::ToSchema;

use super::invoice::{Invoice, InvoiceLine};
use super::numbering::CREDIT_NOTES;
use crate::CustomerId;
use crate::money::{Currency, Money};
use crate::store::{
    Condition, Index, Item, Key, Query, SortKey, Table, TableError, TableResult, TxOp, all_items,
};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct CreditNote {
    /// `CN-000007`: consecutive, without gaps.
    pub number: String,
    pub customer_id: CustomerId,
    /// The invoice it corrects, and when that was issued (RFC 3339, UTC).
    pub invoice_number: String,
    pub invoice_issued_at: String,
    /// RFC 3339, UTC.
    pub issued_at: String,
    /// ISO 4217: the invoice's.
    pub currency: Currency,
    /// What is credited, net of tax, minor units.
    pub lines: Vec<InvoiceLine>,
    /// Net, minor units: the sum of the lines.
    pub subtotal: i64,
    /// The invoice's rate, basis points.
    pub tax_rate_bps: u32,
    pub tax: i64,
    /// Given back: `subtotal + tax`.
    pub total: i64,
}

/// A refund to document: `amount` (tax included) of `invoice`, of which
/// `before` was given back already.
pub struct Crediting<'a> {
    pub invoice: &'a Invoice,
    pub before: i64,
    pub amount: i64,
}

impl Crediting<'_> {
    /// The tax in what was given back up to `given`: the invoice's tax in
    /// proportion, so all its notes together give back exactly its tax.
    fn tax_up_to(&self, given: i64) -> i64 {
        let bill = self.invoice;
        let gross = bill.subtotal + bill.tax;
        Money::new(bill.tax, &bill.currency)
            .part(given.min(gross), gross)
            .expect("a part of an invoice's tax fits")
            .minor()
    }

    /// The note, unnumbered, issued at `issued_at`.
    pub fn note(&self, issued_at: String) -> CreditNote {
        let bill = self.invoice;
        let tax = self.tax_up_to(self.before + self.amount) - self.tax_up_to(self.before);
        let net = self.amount - tax;
        let whole = self.before == 0 && self.amount == bill.subtotal + bill.tax;
        let lines = if whole {
            bill.lines.clone()
        } else {
            vec![InvoiceLine {
                tax,
                ..InvoiceLine::new(format!("Part of invoice {} given back", bill.number), net)
            }]
        };
        CreditNote {
            number: String::new(),
            customer_id: bill.customer_id.clone(),
            invoice_number: bill.number.clone(),
            invoice_issued_at: bill.issued_at.clone(),
            issued_at,
            currency: bill.currency.clone(),
            lines,
            subtotal: net,
            tax_rate_bps: bill.tax_rate_bps,
            tax,
            total: self.amount,
        }
    }

    /// The note, numbered, and the writes that issue it: its number's
    /// claim and the note (the claim fails when another took the number
    /// first: read again and retry).
    pub async fn issue(
        &self,
        table: &dyn Table,
        issued_at: String,
    ) -> TableResult<(CreditNote, [TxOp; 2])> {
        let (sequence, claim) = CREDIT_NOTES.next(table).await?;
        let mut note = self.note(issued_at);
        note.number = CREDIT_NOTES.format(sequence);
        let put = note.put_op(sequence);
        Ok((note, [claim, put]))
    }
}

fn customer_partition(customer_id: &CustomerId) -> String {
    format!("CREDITNOTES#CUSTOMER#{customer_id}")
}

impl CreditNote {
    pub fn key(&self) -> Key {
        Key::new(
            format!("CUSTOMER#{}", self.customer_id),
            format!("CREDITNOTE#{}", self.number),
        )
    }

    /// The note numbered `sequence`, as a create-only write, indexed by
    /// customer and by number.
    pub(crate) fn put_op(&self, sequence: i64) -> TxOp {
        let mut item = self.key().to_item();
        item.insert("kind".into(), "credit_note".into());
        item.insert("credit_note".into(), json!(self));
        item.insert(
            "gsi1pk".into(),
            customer_partition(&self.customer_id).into(),
        );
        item.insert("gsi1sk".into(), self.number.clone().into());
        item.insert("gsi2pk".into(), "CREDITNOTES".into());
        item.insert("gsi2sk".into(), format!("{sequence:012}").into());
        TxOp::Put {
            item,
            condition: Some(Condition::NotExists),
        }
    }

    pub fn of(item: &Item) -> Result<CreditNote, TableError> {
        serde_json::from_value(item.get("credit_note").cloned().unwrap_or(Value::Null))
            .map_err(|e| TableError::Backend(format!("corrupt credit note: {e}")))
    }
}

/// The credit note numbered `number` (`CN-000007`), whoever's it is.
pub async fn by_number(table: &dyn Table, number: &str) -> TableResult<Option<CreditNote>> {
    let Some(sequence) = CREDIT_NOTES.sequence_of(number) else {
        return Ok(None);
    };
    let query =
        Query::index(Index::Gsi2, "CREDITNOTES").sort(SortKey::Eq(format!("{sequence:012}")));
    let page = table.query(query).await?;
    page.items.first().map(CreditNote::of).transpose()
}

/// The customer's credit note numbered `number`, if it is theirs.
pub async fn find(
    table: &dyn Table,
    customer_id: &CustomerId,
    number: &str,
) -> TableResult<Option<CreditNote>> {
    let query = Query::index(Index::Gsi1, customer_partition(customer_id))
        .sort(SortKey::Eq(number.to_ascii_uppercase()));
    let page = table.query(query).await?;
    page.items.first().map(CreditNote::of).transpose()
}

/// A customer's newest credit notes, at most `limit`.
pub async fn of_customer(
    table: &dyn Table,
    customer_id: &CustomerId,
    limit: usize,
) -> TableResult<Vec<CreditNote>> {
    let query = Query::index(Index::Gsi1, customer_partition(customer_id))
        .backward()
        .limit(limit);
    let page = table.query(query).await?;
    page.items.iter().map(CreditNote::of).collect()
}

/// Every credit note, in the order of their numbers.
pub async fn all(table: &dyn Table) -> TableResult<Vec<CreditNote>> {
    let query = Query::index(Index::Gsi2, "CREDITNOTES");
    all_items(table, query)
        .await?
        .iter()
        .map(CreditNote::of)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::OrderId;
    use crate::billing::InvoiceFor;

    fn invoice() -> Invoice {
        let lines = vec![InvoiceLine::new("Web Starter, monthly", 1698)];
        let about = InvoiceFor::Order {
            order_id: OrderId::new("o"),
        };
        let mut bill = Invoice::new(
            &CustomerId::new("c"),
            about,
            "2026-11-22T10:00:00Z".into(),
            &Currency::parse("EUR").unwrap(),
            lines,
            &crate::billing::terms::Terms::flat_for_tests(2000),
        );
        bill.number = "INV-000042".into();
        bill
    }

    #[test]
    fn parts_add_up_to_the_invoice_and_each_note_to_its_total() {
        let bill = invoice();
        assert_eq!((bill.subtotal, bill.tax, bill.total), (1698, 340, 2038));
        let mut before = 0;
        let (mut net, mut tax) = (0, 0);
        for amount in [1, 333, 1000, 704] {
            let note = Crediting {
                invoice: &bill,
                before,
                amount,
            }
            .note("2026-12-01T00:00:00Z".into());
            assert_eq!(note.subtotal + note.tax, note.total);
            assert_eq!(
                note.lines.iter().map(|l| l.amount).sum::<i64>(),
                note.subtotal
            );
            assert_eq!(note.invoice_number, "INV-000042");
            before += amount;
            net += note.subtotal;
            tax += note.tax;
        }
        assert_eq!((net, tax), (bill.subtotal, bill.tax));
    }

    #[test]
    fn a_whole_refund_credits_the_invoices_lines() {
        let bill = invoice();
        let note = Crediting {
            invoice: &bill,
            before: 0,
            amount: bill.total,
        }
        .note("2026-12-01T00:00:00Z".into());
        assert_eq!(note.lines, bill.lines);
        assert_eq!((note.subtotal, note.tax, note.total), (1698, 340, 2038));
        assert_eq!(CREDIT_NOTES.format(7), "CN-000007");
        assert_eq!(CREDIT_NOTES.sequence_of("cn-000007"), Some(7));
    }
}
