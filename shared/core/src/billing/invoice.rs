//! Invoices: numbered without gaps, with lines, tax and total in minor units.
//! An invoice belongs to a customer and is for something: an order, a
//! domain's renewal, or one period of a service.
//!
//! Items (see `docs/data-model.md`): an order's invoice is `ORDER#<id>` /
//! `INVOICE`, beside the order's steps (one query reads both); any other is
//! `CUSTOMER#<id>` / `INVOICE#<number>`. Every invoice is indexed by its
//! customer (`gsi1`: `INVOICES#CUSTOMER#<id>` / `<number>`) and by number
//! (`gsi2`: `INVOICES` / `<sequence>`).
//!
//! Numbers come from `billing::numbering`. An issued invoice does not
//! change when money is given back: each refund issues a credit note
//! (`billing::credit_note`), and what was given back so far is their sum,
//! kept beside the invoice on its item (`refunded`) as the guard that
//! serialises refunds and the total their limits are checked against.

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use utoipa::ToSchema;

use super::line::share_tax;
pub use super::line::{InvoiceLine, ServicePeriod};
pub use super::numbering::{INVOICES, claim_number, format_number, next_number};
use super::terms::{Party, TaxTreatment, Terms};
use crate::money::Currency;
use crate::records::children_partition;
use crate::store::{
    Condition, Index, Item, ItemExt, Key, Query, SortKey, Table, TableError, TableResult, TxOp,
    Update,
};
use crate::{CustomerId, OrderId};

/// The running total of refunds (the sum of the invoice's credit notes),
/// beside the invoice on its item, for writes that must not pass a refund
/// made meanwhile.
pub const REFUNDED: &str = "refunded";

/// A guard that holds while no refund was recorded on the invoice since
/// `item` was read.
pub fn unrefunded_since(item: &Item) -> Condition {
    match item.get(REFUNDED) {
        Some(total) => Condition::eq(REFUNDED, total.clone()),
        None => Condition::AttributeNotExists(REFUNDED.into()),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum InvoiceStatus {
    Open,
    Paid,
    /// Cancelled before payment: nothing is owed.
    Void,
    /// Paid, then given back in full: only invoices refunded before refunds
    /// issued credit notes; today an invoice stays as issued.
    Refunded,
}

/// What an invoice is for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum InvoiceFor {
    /// An order: its plan, setup fee and domain.
    Order { order_id: OrderId },
    /// Renewing a domain for some years.
    Renewal { domain: String, years: u32 },
    /// One period of a service, from its first day to the day before the next.
    Period {
        service_id: String,
        from: String,
        to: String,
    },
    /// Moving a service to a larger plan for the rest of its period.
    Upgrade { service_id: String, plan_id: String },
    /// One period of a client site's service tracked in the agency's
    /// register, from its first day to its last.
    ClientService {
        site_id: String,
        service_id: String,
        from: String,
        to: String,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Invoice {
    /// `INV-000042`: consecutive, without gaps.
    pub number: String,
    pub customer_id: CustomerId,
    pub about: InvoiceFor,
    /// RFC 3339, UTC.
    pub issued_at: String,
    /// The date of supply, `YYYY-MM-DD` (UTC): the first day of the earliest
    /// service period the invoice's lines pay for, otherwise the day it was
    /// issued. None on invoices issued before it was kept (their date of
    /// supply is their issue date).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub supplied_on: Option<String>,
    /// ISO 4217.
    pub currency: Currency,
    pub lines: Vec<InvoiceLine>,
    pub subtotal: i64,
    /// Basis points: 2000 is 20 %.
    pub tax_rate_bps: u32,
    pub tax: i64,
    pub total: i64,
    pub status: InvoiceStatus,
    pub paid_at: Option<String>,
    /// The gateway's capture that paid it, for refunds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub capture_id: Option<String>,
    /// Given back so far, minor units: the sum of its credit notes (read
    /// from the running total beside it, not part of what was issued).
    #[serde(default)]
    pub refunded: i64,
    /// Account credit taken off the total, minor units.
    #[serde(default)]
    pub credit: i64,
    /// Who sold; none on invoices issued before invoices named their parties.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seller: Option<Party>,
    /// Who bought, as their account named them when it was issued.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub buyer: Option<Party>,
    /// How tax applied; none on invoices issued before it was kept (their
    /// tax is `tax_rate_bps`, flat).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub taxation: Option<TaxTreatment>,
}

impl Invoice {
    /// An invoice of `lines` on `terms`, yet unnumbered (`claim_number`).
    pub fn new(
        customer_id: &CustomerId,
        about: InvoiceFor,
        issued_at: String,
        currency: &Currency,
        lines: Vec<InvoiceLine>,
        terms: &Terms,
    ) -> Invoice {
        let tax_rate_bps = terms.tax.rate_bps;
        let (mut lines, subtotal, tax) = super::tax::amounts(lines, currency, &terms.tax);
        let total = subtotal
            .checked_add(&tax)
            .expect("an invoice's total fits in an i64");
        share_tax(&mut lines, tax.minor());
        Invoice {
            number: String::new(),
            customer_id: customer_id.into(),
            about,
            supplied_on: Some(supply_date(&lines, &issued_at)),
            issued_at,
            currency: currency.clone(),
            lines,
            subtotal: subtotal.minor(),
            tax_rate_bps,
            tax: tax.minor(),
            total: total.minor(),
            status: InvoiceStatus::Open,
            paid_at: None,
            capture_id: None,
            refunded: 0,
            credit: 0,
            seller: Some(terms.seller.clone()),
            buyer: Some(terms.buyer.clone()),
            taxation: Some(terms.tax.clone()),
        }
    }

    /// Where the invoice of `order_id` is kept.
    pub fn order_key(order_id: &OrderId) -> Key {
        Key::new(children_partition(order_id), "INVOICE")
    }

    /// Where this invoice is kept.
    pub fn key(&self) -> Key {
        match &self.about {
            InvoiceFor::Order { order_id } => Self::order_key(order_id),
            _ => Key::new(
                format!("CUSTOMER#{}", self.customer_id),
                format!("INVOICE#{}", self.number),
            ),
        }
    }

    /// The invoice of `order_id`; every order has one from the moment it is placed.
    pub async fn read(table: &dyn Table, order_id: &OrderId) -> Result<Invoice, TableError> {
        let item = table
            .get(&Self::order_key(order_id))
            .await?
            .ok_or_else(|| TableError::Backend(format!("order {order_id} has no invoice")))?;
        Self::of(&item)
    }

    pub fn of(item: &Item) -> Result<Invoice, TableError> {
        let mut stored = item.get("invoice").cloned().unwrap_or(Value::Null);
        // Invoices written before they could be for anything but an order.
        if let Some(fields) = stored.as_object_mut()
            && !fields.contains_key("about")
            && let Some(order_id) = fields.remove("order_id")
        {
            fields.insert(
                "about".into(),
                json!({"kind": "order", "order_id": order_id}),
            );
        }
        let mut invoice: Invoice = serde_json::from_value(stored)
            .map_err(|e| TableError::Backend(format!("corrupt invoice: {e}")))?;
        if let Some(refunded) = item.i64_attr(REFUNDED) {
            invoice.refunded = refunded;
        }
        Ok(invoice)
    }

    /// The attributes that index the invoice by customer.
    fn customer_index(&self) -> [(String, Value); 2] {
        [
            (
                "gsi1pk".into(),
                format!("INVOICES#CUSTOMER#{}", self.customer_id).into(),
            ),
            ("gsi1sk".into(), self.number.clone().into()),
        ]
    }

    /// The invoice numbered `sequence`, as a create-only write, indexed by
    /// customer and by number.
    pub fn put_op(&self, sequence: i64) -> TxOp {
        let mut item = self.key().to_item();
        item.insert("kind".into(), "invoice".into());
        item.insert("invoice".into(), json!(self));
        item.extend(self.customer_index());
        item.insert("gsi2pk".into(), "INVOICES".into());
        item.insert("gsi2sk".into(), format!("{sequence:012}").into());
        TxOp::Put {
            item,
            condition: Some(Condition::NotExists),
        }
    }

    /// Takes up to `available` account credit off the total; returns how much.
    pub fn take_credit(&mut self, available: i64) -> i64 {
        let taken = available.clamp(0, self.total);
        self.credit += taken;
        self.total -= taken;
        taken
    }

    /// Marks the invoice paid at `paid_at`, by the gateway's `capture_id`
    /// (none when account credit paid all of it).
    pub fn paid_op(&self, paid_at: &str, capture_id: Option<&str>) -> TxOp {
        let mut paid = self.clone();
        paid.paid_at = Some(paid_at.to_string());
        paid.capture_id = capture_id.map(str::to_string);
        paid.status_op(InvoiceStatus::Paid)
    }

    /// Raises the running total of refunds on the invoice stored as `item`
    /// to `refunded`, guarded by the total read: refused when a refund was
    /// recorded since. The invoice as issued does not change.
    pub fn refunds_op(&self, item: &Item, refunded: i64) -> TxOp {
        TxOp::Update {
            key: self.key(),
            update: Update::new().set(REFUNDED, refunded),
            condition: Some(unrefunded_since(item)),
        }
    }

    /// What is left to give back of what was paid.
    pub fn refundable(&self) -> i64 {
        (self.total - self.refunded).max(0)
    }

    /// Given back in full: nothing it paid for may go live.
    pub fn refunded_in_full(&self) -> bool {
        self.status == InvoiceStatus::Refunded || (self.refunded > 0 && self.refundable() == 0)
    }

    fn status_op(&self, status: InvoiceStatus) -> TxOp {
        let mut changed = self.clone();
        changed.status = status;
        TxOp::Update {
            key: self.key(),
            update: Update::new().set("invoice", json!(changed)),
            condition: Some(Condition::Exists),
        }
    }

    /// Rewrites an invoice stored before invoices were the customer's: in
    /// today's shape, and indexed by customer.
    pub fn reindex_op(&self) -> TxOp {
        let mut update = Update::new().set("invoice", json!(self));
        for (attribute, value) in self.customer_index() {
            update = update.set(attribute, value);
        }
        TxOp::Update {
            key: self.key(),
            update,
            condition: Some(Condition::Exists),
        }
    }
}

/// The date of supply of `lines` issued at `issued_at`: the first day of
/// the earliest period they pay for, otherwise the issue date.
fn supply_date(lines: &[InvoiceLine], issued_at: &str) -> String {
    lines
        .iter()
        .filter_map(|line| line.period.as_ref().map(|p| p.from.clone()))
        .min()
        .unwrap_or_else(|| issued_at.chars().take(10).collect())
}

/// The invoice numbered `number` (`INV-000042`), whoever's it is: for staff.
pub async fn by_number(table: &dyn Table, number: &str) -> TableResult<Option<Invoice>> {
    let Some(sequence) = INVOICES.sequence_of(number) else {
        return Ok(None);
    };
    let page = table
        .query(Query::index(Index::Gsi2, "INVOICES").sort(SortKey::Eq(format!("{sequence:012}"))))
        .await?;
    page.items.first().map(Invoice::of).transpose()
}

/// The customer's invoice numbered `number`, if it is theirs.
pub async fn find(
    table: &dyn Table,
    customer_id: &CustomerId,
    number: &str,
) -> TableResult<Option<Invoice>> {
    let page = table
        .query(
            Query::index(Index::Gsi1, format!("INVOICES#CUSTOMER#{customer_id}"))
                .sort(SortKey::Eq(number.into())),
        )
        .await?;
    page.items.first().map(Invoice::of).transpose()
}

/// A customer's newest invoices, at most `limit`.
pub async fn of_customer(
    table: &dyn Table,
    customer_id: &CustomerId,
    limit: usize,
) -> TableResult<Vec<Invoice>> {
    let page = table
        .query(
            Query::index(Index::Gsi1, format!("INVOICES#CUSTOMER#{customer_id}"))
                .backward()
                .limit(limit),
        )
        .await?;
    page.items.iter().map(Invoice::of).collect()
}

#[cfg(test)]
#[path = "invoice_tests.rs"]
mod tests;
