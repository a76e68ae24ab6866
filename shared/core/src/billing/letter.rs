//! What a mail that shows an invoice says of it.

use super::Invoice;
use crate::mail::Letter;

/// `letter`, showing `invoice`: its number, lines, tax and total.
pub fn with_invoice(letter: Letter, invoice: &Invoice) -> Letter {
    let money = |amount| crate::money::display(amount, &invoice.currency);
    let mut lines: Vec<(String, String)> = invoice
        .lines
        .iter()
        .map(|l| (l.description.clone(), money(l.amount)))
        .collect();
    lines.push((
        format!("Tax ({}%)", invoice.tax_rate_bps as f64 / 100.0),
        money(invoice.tax),
    ));
    Letter {
        lines,
        total: money(invoice.total),
        invoice_number: invoice.number.clone(),
        ..letter
    }
}
