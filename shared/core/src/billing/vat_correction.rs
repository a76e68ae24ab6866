//! Correcting the invoices issued at a consumer's rate while the buyer's VAT
//! number waited for the register, once the register confirms it and the
//! sale turns out a reverse-charged one.
//!
//! An issued invoice never changes. Each such invoice gets a credit note of
//! its VAT, numbered in the credit notes' series (so without gaps): net 0,
//! the invoice's VAT at the invoice's rate, one line saying why (the number,
//! the register's confirmation, the reverse-charge mention). Together the
//! invoice and its note charge the net, with no VAT, as a reverse-charged
//! invoice would. The VAT the customer was charged becomes account credit,
//! taken off their next invoices; it counts as given back on the invoice
//! (its running total of refunds), so a later refund cannot give it again.
//! The invoice is marked with the note's number (`vat_corrected`) in the
//! same transaction, so a recheck cut short and run again corrects each
//! invoice once.

use serde_json::Value;

use super::credit_note::CreditNote;
use super::invoice::{Invoice, InvoiceLine, InvoiceStatus, REFUNDED, unrefunded_since};
use super::numbering::CREDIT_NOTES;
use super::tax::{self, REVERSE_CHARGE};
use super::terms::TaxScheme;
use crate::accounts::Customer;
use crate::store::{
    Condition, Index, Item, Query, TableError, TableResult, TxOp, Update, all_items,
};
use crate::{Settings, Storage};

/// Set on an invoice whose VAT was credited: the credit note's number.
pub const VAT_CORRECTED: &str = "vat_corrected";

/// Corrects the customer's invoices issued while their VAT number (now
/// valid on `customer`) was pending; returns how many it corrected now.
pub async fn correct(ports: &(impl Storage + Settings), customer: &Customer) -> TableResult<usize> {
    let now = tax::treatment(ports.config(), customer);
    let Some(registration) = customer.vat.as_ref() else {
        return Ok(0);
    };
    if now.scheme != TaxScheme::ReverseCharge {
        return Ok(0);
    }
    let partition = format!("INVOICES#CUSTOMER#{}", customer.id);
    let mut corrected = 0;
    for listed in all_items(ports.table(), Query::index(Index::Gsi1, partition)).await? {
        let invoice = Invoice::of(&listed)?;
        if !charged_while_pending(&invoice, &registration.number) {
            continue;
        }
        if credit_vat(ports, &invoice, customer).await? {
            corrected += 1;
        }
    }
    Ok(corrected)
}

/// Whether `invoice` charged VAT while `number` was pending.
fn charged_while_pending(invoice: &Invoice, number: &str) -> bool {
    let pending = invoice
        .taxation
        .as_ref()
        .and_then(|t| t.pending_vat_number());
    invoice.status != InvoiceStatus::Void && invoice.tax > 0 && pending == Some(number)
}

/// Issues the credit note of `invoice`'s VAT, unless it was issued; true
/// when this call issued it.
async fn credit_vat(
    ports: &(impl Storage + Settings),
    invoice: &Invoice,
    customer: &Customer,
) -> TableResult<bool> {
    for _ in 0..5 {
        let Some(item) = ports.table().get(&invoice.key()).await? else {
            return Ok(false);
        };
        if item.get(VAT_CORRECTED).is_some_and(|v| !v.is_null()) {
            return Ok(false);
        }
        let invoice = Invoice::of(&item)?;
        let issued_at = crate::clock::rfc3339(ports.clock().now());
        let mut note = vat_note(&invoice, customer, issued_at);
        let (sequence, claim) = CREDIT_NOTES.next(ports.table()).await?;
        note.number = CREDIT_NOTES.format(sequence);
        let ops = vec![
            claim,
            note.put_op(sequence),
            marked_op(&invoice, &item, &note),
            super::credit::add_op(&invoice.customer_id, note.total),
        ];
        match ports.table().transact(ops).await {
            Ok(()) => {
                tracing::info!(invoice = %invoice.number, note = %note.number, "VAT credited: reverse charge confirmed");
                return Ok(true);
            }
            Err(TableError::TransactionConflict { .. }) => continue,
            Err(other) => return Err(other),
        }
    }
    Err(TableError::Busy)
}

/// The credit note of `invoice`'s VAT, unnumbered.
fn vat_note(invoice: &Invoice, customer: &Customer, issued_at: String) -> CreditNote {
    let vat = customer.vat.as_ref();
    let number = vat.map(|v| v.number.as_str()).unwrap_or_default();
    let confirmed = vat
        .and_then(|v| v.checked_at.as_deref())
        .unwrap_or_default();
    let consultation = vat
        .and_then(|v| v.consultation.as_deref())
        .map(|c| format!(", consultation {c}"))
        .unwrap_or_default();
    let description = format!(
        "VAT charged on invoice {} credited: VAT number {number} confirmed valid by VIES on {confirmed}{consultation}. {REVERSE_CHARGE}",
        invoice.number
    );
    CreditNote {
        number: String::new(),
        customer_id: invoice.customer_id.clone(),
        invoice_number: invoice.number.clone(),
        invoice_issued_at: invoice.issued_at.clone(),
        issued_at,
        currency: invoice.currency.clone(),
        lines: vec![InvoiceLine {
            tax: invoice.tax,
            ..InvoiceLine::new(description, 0)
        }],
        subtotal: 0,
        tax_rate_bps: invoice.tax_rate_bps,
        tax: invoice.tax,
        total: invoice.tax,
    }
}

/// Marks `invoice` (stored as `item`) corrected by `note` and counts the
/// VAT as given back; refused when it was corrected or refunded meanwhile.
fn marked_op(invoice: &Invoice, item: &Item, note: &CreditNote) -> TxOp {
    let refunded = invoice.refunded + note.total;
    TxOp::Update {
        key: invoice.key(),
        update: Update::new()
            .set(REFUNDED, refunded)
            .set(VAT_CORRECTED, Value::from(note.number.clone())),
        condition: Some(
            unrefunded_since(item).and(Condition::AttributeNotExists(VAT_CORRECTED.into())),
        ),
    }
}
