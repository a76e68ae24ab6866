//! The letters of billing's mails: to whom, from whom, where to act, and
//! what an invoice says.

use super::document::{InvoiceDocument, spelled_days};
use super::{CreditNote, Invoice, InvoiceLine, TaxTreatment};
use crate::mail::{Letter, Mail, MailKind};
use crate::money::{Currency, Money};
use crate::store::TableError;
use crate::{Settings, Storage};

/// A letter from the company to `name`, whose link opens `page` of the
/// site (`portal.html`, `portal.html#domains`).
pub fn addressed(ports: &impl Settings, name: &str, page: &str) -> Letter {
    let config = ports.config();
    let base = config.public_url.trim_end_matches('/');
    Letter {
        company: config.company_name.clone(),
        name: name.into(),
        link: format!("{base}/{page}"),
        ..Letter::default()
    }
}

/// `letter`, showing `invoice`: its number, parties, dates, lines, tax and total.
pub fn with_invoice(letter: Letter, invoice: &Invoice) -> Letter {
    let money = |amount| Money::new(amount, &invoice.currency).to_string();
    Letter {
        lines: shown_lines(
            &invoice.lines,
            (invoice.taxation.as_ref(), invoice.tax_rate_bps, invoice.tax),
            &invoice.currency,
        ),
        total: money(invoice.total),
        invoice_number: invoice.number.clone(),
        invoice: Some(InvoiceDocument::of(invoice).spelled()),
        ..letter
    }
}

/// `letter`, showing `note`: its number, the invoice it corrects, its
/// lines, tax and total.
pub fn with_credit_note(letter: Letter, note: &CreditNote) -> Letter {
    Letter {
        lines: shown_lines(
            &note.lines,
            (None, note.tax_rate_bps, note.tax),
            &note.currency,
        ),
        total: Money::new(note.total, &note.currency).to_string(),
        invoice_number: note.invoice_number.clone(),
        credit_note: note.number.clone(),
        ..letter
    }
}

/// (description, amount) of each line, then the tax, named by its rate and
/// rule (`billing::tax::label`); days written out with their time zone, as
/// mails write every date.
fn shown_lines(
    lines: &[InvoiceLine],
    (taxation, rate_bps, tax): (Option<&TaxTreatment>, u32, i64),
    currency: &Currency,
) -> Vec<(String, String)> {
    let money = |amount| Money::new(amount, currency).to_string();
    let mut shown: Vec<(String, String)> = lines
        .iter()
        .map(|l| (spelled_days(&l.description), money(l.amount)))
        .collect();
    shown.push((super::tax::label(taxation, rate_bps), money(tax)));
    shown
}

/// The mail of `kind` with `letter` to `to`, about `subject` (`service:<id>`,
/// `domain:<name>`), sent once per `occasion` (a period or an expiry, and
/// its try).
pub async fn mail(
    ports: &impl Storage,
    kind: MailKind,
    (to, letter): (&str, &Letter),
    subject: &str,
    occasion: &str,
) -> Result<Mail, TableError> {
    Ok(Mail::compose_about(ports, kind, to, letter, subject)
        .await?
        .for_period(occasion))
}
