//! The letters of billing's mails: to whom, from whom, where to act, and
//! what an invoice says.

use super::Invoice;
use crate::mail::{Letter, Mail, MailKind};
use crate::money::Money;
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

/// `letter`, showing `invoice`: its number, lines, tax and total.
pub fn with_invoice(letter: Letter, invoice: &Invoice) -> Letter {
    let money = |amount| Money::new(amount, &invoice.currency).to_string();
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

/// The mail of `kind` with `letter` to `to`, about `subject` (`service:<id>`,
/// `domain:<name>`), sent once per `occasion` (a period or an expiry, and
/// its try).
pub fn mail(
    ports: &impl Storage,
    kind: MailKind,
    (to, letter): (&str, &Letter),
    subject: &str,
    occasion: &str,
) -> Result<Mail, TableError> {
    Ok(Mail::compose_about(ports, kind, to, letter, subject)?.for_period(occasion))
}
