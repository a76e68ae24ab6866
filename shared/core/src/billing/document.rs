//! An invoice as a document a company can file: the parties, numbers,
//! dates, lines, tax per rate and totals, as text ready to show. The mails
//! and the PDF show this; the printable page (`site/assets/invoice.js`)
//! shows the same from the invoice's JSON.
//!
//! What Council Directive 2006/112/EC art. 226 asks an invoice to state,
//! and where it is: the issue date and unique number (`issued_on`,
//! `number`); both parties' names, addresses and the seller's VAT number
//! (`seller`, `buyer`, with the buyer's tax ID when the terms name one, as
//! a reverse charge needs); the quantity and nature of what was supplied
//! and the date of supply (`lines`, `supplied_on`); the taxable amount per
//! rate, the rate and the tax (`taxes`); and the mention of an exemption
//! or reverse charge (`mention`).

use super::invoice::Invoice;
use super::terms::Party;
pub use crate::mail::document::{InvoiceDocument, ShownLine, ShownTax};
use crate::money::Money;

/// `text` with every `YYYY-MM-DD` in it written out with its time zone,
/// as mails write days (`6 January 2027 (UTC)`).
pub fn spelled_days(text: &str) -> String {
    let bytes = text.as_bytes();
    let is_day = |at: usize| {
        let window = &bytes[at..at + 10];
        let digits = |range: std::ops::Range<usize>| window[range].iter().all(u8::is_ascii_digit);
        digits(0..4) && window[4] == b'-' && digits(5..7) && window[7] == b'-' && digits(8..10)
    };
    let mut spelled = String::new();
    let mut at = 0;
    while at < bytes.len() {
        if at + 10 <= bytes.len() && is_day(at) {
            spelled.push_str(&crate::clock::mail_day_text(&text[at..at + 10]));
            at += 10;
        } else {
            let next = text[at..].chars().next().map_or(1, char::len_utf8);
            spelled.push_str(&text[at..at + next]);
            at += next;
        }
    }
    spelled
}

/// A party's lines as an invoice prints them.
pub fn party_lines(party: &Party) -> Vec<String> {
    let mut lines = vec![party.name.clone()];
    lines.extend(party.address.iter().cloned());
    lines.push(format!("Country: {}", party.country));
    lines.extend(party.tax_id.iter().map(|id| format!("Tax ID: {id}")));
    lines.extend(
        party
            .registration
            .iter()
            .map(|r| format!("Registration: {r}")),
    );
    lines
}

impl InvoiceDocument {
    /// The document as mails show it: every day written out with its time
    /// zone (`6 January 2027 (UTC)`), as every date in a mail is.
    pub fn spelled(mut self) -> InvoiceDocument {
        self.issued_on = spelled_days(&self.issued_on);
        self.supplied_on = spelled_days(&self.supplied_on);
        for line in &mut self.lines {
            line.description = spelled_days(&line.description);
            line.period = line.period.as_deref().map(spelled_days);
        }
        self
    }

    pub fn of(invoice: &Invoice) -> InvoiceDocument {
        let money = |amount| Money::new(amount, &invoice.currency).to_string();
        let day = |text: &str| text.chars().take(10).collect::<String>();
        let rate_bps = invoice
            .taxation
            .as_ref()
            .map_or(invoice.tax_rate_bps, |t| t.rate_bps);
        InvoiceDocument {
            number: invoice.number.clone(),
            issued_on: day(&invoice.issued_at),
            supplied_on: invoice
                .supplied_on
                .clone()
                .unwrap_or_else(|| day(&invoice.issued_at)),
            currency: invoice.currency.to_string(),
            seller: invoice.seller.as_ref().map(party_lines).unwrap_or_default(),
            buyer: invoice.buyer.as_ref().map(party_lines).unwrap_or_default(),
            lines: invoice
                .lines
                .iter()
                .map(|line| ShownLine {
                    description: line.description.clone(),
                    quantity: line.quantity,
                    period: line
                        .period
                        .as_ref()
                        .map(|p| format!("{} to {}", p.from, p.to)),
                    net: money(line.amount),
                    tax: money(line.tax),
                })
                .collect(),
            subtotal: money(invoice.subtotal),
            taxes: vec![ShownTax {
                label: super::tax::label(invoice.taxation.as_ref(), rate_bps),
                taxable: money(invoice.subtotal),
                tax: money(invoice.tax),
            }],
            credit: (invoice.credit != 0).then(|| money(-invoice.credit)),
            total: money(invoice.total),
            mention: invoice.taxation.as_ref().and_then(|t| t.mention.clone()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::spelled_days;

    #[test]
    fn mails_spell_out_days_with_their_time_zone() {
        assert_eq!(
            spelled_days("Web Starter, monthly, 2027-01-06 to 2027-02-05"),
            "Web Starter, monthly, 6 January 2027 (UTC) to 5 February 2027 (UTC)"
        );
        assert_eq!(
            spelled_days("Zoë, 2028-02-29"),
            "Zoë, 29 February 2028 (UTC)"
        );
        assert_eq!(spelled_days("no day 2027-13-01x"), "no day 2027-13-01x");
        assert_eq!(spelled_days("2027-01"), "2027-01");
    }
}
