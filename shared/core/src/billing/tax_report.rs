//! The tax report for staff: per month, country, tax rate, currency and
//! scheme, the net, tax and gross of the invoices issued, of the credit
//! notes issued, and the difference, as CSV.
//!
//! The country, rate and scheme are the invoice's `taxation` (a credit
//! note carries its invoice's), so reverse-charged sales have rows of their
//! own (`reverse_charge`, at 0 %); an invoice issued before invoices kept
//! their taxation counts under its customer's account country, its rate,
//! as `flat`. An invoice counts in
//! the month it was issued, voided or not, its void netted out by the credit
//! note that cancelled it (`billing::void`); only an invoice voided before
//! voids issued notes is left out (nothing was owed). Its gross is its
//! subtotal and tax, before account credit paid any of it. A credit note
//! counts in the month it was issued.

use std::collections::{BTreeMap, HashMap};

use super::credit_note::{self, CreditNote};
use super::invoice::{self, Invoice, InvoiceStatus};
use super::terms::TaxTreatment;
use super::void::VOIDED_BY;
use crate::CustomerId;
use crate::accounts::{customer_key, customer_of};
use crate::money::{Currency, Money, MoneyError};
use crate::store::{Index, Query, Table, TableError, all_items};

/// At most this many months in one report.
const MAX_MONTHS: u32 = 120;

#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error("{0}")]
    Invalid(String),
    #[error(transparent)]
    Table(#[from] TableError),
    #[error(transparent)]
    Money(#[from] MoneyError),
}

/// A calendar month, `YYYY-MM`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Month {
    year: u32,
    month: u32,
}

impl Month {
    pub fn parse(text: &str) -> Option<Month> {
        let digits = |part: &str| {
            let all = part.bytes().all(|b| b.is_ascii_digit());
            all.then(|| part.parse::<u32>().ok()).flatten()
        };
        if text.len() != 7 || !text.is_ascii() || text.as_bytes()[4] != b'-' {
            return None;
        }
        let (year, month) = (digits(&text[..4])?, digits(&text[5..])?);
        let valid = (1970..=9999).contains(&year) && (1..=12).contains(&month);
        valid.then_some(Month { year, month })
    }

    /// The month of an RFC 3339 time.
    fn of(at: &str) -> Option<Month> {
        Month::parse(at.get(..7)?)
    }

    fn index(self) -> u32 {
        self.year * 12 + self.month - 1
    }
}

impl std::fmt::Display for Month {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

/// Reads `from` and `to` (`YYYY-MM`, inclusive, in order, at most ten years).
pub fn months(from: Option<&str>, to: Option<&str>) -> Result<(Month, Month), ReportError> {
    let read = |name: &str, value: Option<&str>| {
        value.and_then(Month::parse).ok_or_else(|| {
            ReportError::Invalid(format!("give `{name}` as a month, YYYY-MM (e.g. 2026-01)"))
        })
    };
    let (from, to) = (read("from", from)?, read("to", to)?);
    if from > to {
        return Err(ReportError::Invalid("`from` comes after `to`".into()));
    }
    if to.index() - from.index() >= MAX_MONTHS {
        return Err(ReportError::Invalid(format!(
            "ask for at most {MAX_MONTHS} months at once"
        )));
    }
    Ok((from, to))
}

/// Net, tax and gross of some documents in one currency.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Amounts {
    pub net: Money,
    pub tax: Money,
    pub gross: Money,
}

impl Amounts {
    fn zero(currency: &Currency) -> Amounts {
        let zero = Money::zero(currency);
        Amounts {
            net: zero.clone(),
            tax: zero.clone(),
            gross: zero,
        }
    }

    fn add(&mut self, net: i64, tax: i64, gross: i64) -> Result<(), MoneyError> {
        let currency = self.net.currency().clone();
        self.net = self.net.checked_add(&Money::new(net, &currency))?;
        self.tax = self.tax.checked_add(&Money::new(tax, &currency))?;
        self.gross = self.gross.checked_add(&Money::new(gross, &currency))?;
        Ok(())
    }

    fn minus(&self, other: &Amounts) -> Result<Amounts, MoneyError> {
        Ok(Amounts {
            net: self.net.checked_sub(&other.net)?,
            tax: self.tax.checked_sub(&other.tax)?,
            gross: self.gross.checked_sub(&other.gross)?,
        })
    }
}

/// One row: a month, country, rate, currency and scheme, invoiced and credited.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaxRow {
    pub month: Month,
    pub country: String,
    pub tax_rate_bps: u32,
    /// `domestic`, `oss`, `reverse_charge`, `outside_scope` or `flat`.
    pub scheme: String,
    pub invoiced: Amounts,
    pub credited: Amounts,
}

/// Where, at what rate and under which scheme a sale was taxed.
#[derive(Debug, Clone)]
struct Taxed {
    country: String,
    rate: u32,
    scheme: String,
}

impl Taxed {
    fn of(taxation: &TaxTreatment) -> Taxed {
        let scheme = serde_json::to_value(taxation.scheme).unwrap_or_default();
        Taxed {
            country: taxation.country.clone(),
            rate: taxation.rate_bps,
            scheme: scheme.as_str().unwrap_or_default().to_string(),
        }
    }
}

type RowKey = (Month, String, u32, String, String);

/// The rows of the months `from` to `to`, in order.
#[derive(Default)]
struct Rows(BTreeMap<RowKey, TaxRow>);

impl Rows {
    fn row(&mut self, month: Month, taxed: &Taxed, currency: &Currency) -> &mut TaxRow {
        let key = (
            month,
            taxed.country.clone(),
            taxed.rate,
            currency.to_string(),
            taxed.scheme.clone(),
        );
        self.0.entry(key).or_insert_with(|| TaxRow {
            month,
            country: taxed.country.clone(),
            tax_rate_bps: taxed.rate,
            scheme: taxed.scheme.clone(),
            invoiced: Amounts::zero(currency),
            credited: Amounts::zero(currency),
        })
    }
}

/// Account countries, each customer read once, and how invoices were
/// taxed, each invoice read once.
struct Countries<'a> {
    table: &'a dyn Table,
    known: HashMap<CustomerId, String>,
    invoices: HashMap<String, Option<Taxed>>,
}

impl Countries<'_> {
    /// How `bill` was taxed, from its taxation, or as `flat` in its
    /// customer's account country when it was issued before invoices kept it.
    async fn taxed(&mut self, bill: &Invoice) -> Result<Taxed, TableError> {
        Ok(match &bill.taxation {
            Some(taxation) => Taxed::of(taxation),
            None => Taxed {
                country: self.of(&bill.customer_id).await?,
                rate: bill.tax_rate_bps,
                scheme: "flat".into(),
            },
        })
    }

    /// How the invoice a credit note corrects was taxed, at the note's rate.
    async fn taxed_note(&mut self, note: &CreditNote) -> Result<Taxed, TableError> {
        if !self.invoices.contains_key(&note.invoice_number) {
            let taxed = match invoice::by_number(self.table, &note.invoice_number).await? {
                Some(bill) => Some(self.taxed(&bill).await?),
                None => None,
            };
            self.invoices.insert(note.invoice_number.clone(), taxed);
        }
        let taxed = match self.invoices[&note.invoice_number].clone() {
            Some(taxed) => taxed,
            None => Taxed {
                country: self.of(&note.customer_id).await?,
                rate: note.tax_rate_bps,
                scheme: "flat".into(),
            },
        };
        Ok(Taxed {
            rate: note.tax_rate_bps,
            ..taxed
        })
    }

    async fn of(&mut self, customer_id: &CustomerId) -> Result<String, TableError> {
        if let Some(country) = self.known.get(customer_id) {
            return Ok(country.clone());
        }
        let profile = self.table.get(&customer_key(customer_id)).await?;
        let country = match profile.as_ref().map(customer_of) {
            Some(Ok(customer)) => customer.country,
            _ => String::new(),
        };
        self.known.insert(customer_id.clone(), country.clone());
        Ok(country)
    }
}

/// The report of the months `from` to `to`, inclusive.
pub async fn report(
    table: &dyn Table,
    (from, to): (Month, Month),
) -> Result<Vec<TaxRow>, ReportError> {
    let within = |at: &str| Month::of(at).filter(|m| (from..=to).contains(m));
    let mut countries = Countries {
        table,
        known: HashMap::new(),
        invoices: HashMap::new(),
    };
    let mut rows = Rows::default();
    let invoices = all_items(table, Query::index(Index::Gsi2, "INVOICES")).await?;
    for item in &invoices {
        let bill = Invoice::of(item)?;
        // Voided with a credit note: counted, and the note nets it out.
        let counted = bill.status != InvoiceStatus::Void || item.contains_key(VOIDED_BY);
        let Some(month) = within(&bill.issued_at).filter(|_| counted) else {
            continue;
        };
        let taxed = countries.taxed(&bill).await?;
        let row = rows.row(month, &taxed, &bill.currency);
        row.invoiced
            .add(bill.subtotal, bill.tax, bill.subtotal + bill.tax)?;
    }
    for note in credit_note::all(table).await? {
        let Some(month) = within(&note.issued_at) else {
            continue;
        };
        let taxed = countries.taxed_note(&note).await?;
        let row = rows.row(month, &taxed, &note.currency);
        row.credited.add(note.subtotal, note.tax, note.total)?;
    }
    Ok(rows.0.into_values().collect())
}

const HEADER: &str = "month,country,tax_rate_percent,currency,\
invoiced_net,invoiced_tax,invoiced_gross,credited_net,credited_tax,credited_gross,\
net,tax,gross,scheme";

/// `rows` as CSV: a header row, then one line per row, amounts in major
/// units with two decimals.
pub fn to_csv(rows: &[TaxRow]) -> Result<String, MoneyError> {
    let mut csv = format!("{HEADER}\r\n");
    for row in rows {
        let difference = row.invoiced.minus(&row.credited)?;
        let mut fields = vec![
            row.month.to_string(),
            text_field(&row.country),
            format!("{}.{:02}", row.tax_rate_bps / 100, row.tax_rate_bps % 100),
            text_field(row.invoiced.net.currency().as_str()),
        ];
        for amounts in [&row.invoiced, &row.credited, &difference] {
            for amount in [&amounts.net, &amounts.tax, &amounts.gross] {
                fields.push(decimal(amount.minor()));
            }
        }
        fields.push(text_field(&row.scheme));
        csv.push_str(&fields.join(","));
        csv.push_str("\r\n");
    }
    Ok(csv)
}

/// `-12.34` for -1234 minor units.
fn decimal(minor: i64) -> String {
    let sign = if minor < 0 { "-" } else { "" };
    let abs = minor.unsigned_abs();
    format!("{sign}{}.{:02}", abs / 100, abs % 100)
}

/// A text field: quoted when it holds a comma, quote or line break, and
/// kept from being read as a formula by a spreadsheet.
fn text_field(text: &str) -> String {
    let mut text = text.to_string();
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        text.insert(0, '\'');
    }
    if text.contains([',', '"', '\r', '\n']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months_are_read_strictly() {
        assert!(Month::parse("2026-01").is_some());
        for bad in [
            "2026-1",
            "2026-13",
            "2026-00",
            "26-01",
            "2026/01",
            "2026-01-01",
            "",
            "２０２６-01",
        ] {
            assert!(Month::parse(bad).is_none(), "{bad}");
        }
        assert!(months(Some("2026-02"), Some("2026-01")).is_err());
        assert!(months(Some("2026-01"), None).is_err());
        assert!(months(Some("2000-01"), Some("2026-01")).is_err());
        assert!(months(Some("2026-01"), Some("2026-01")).is_ok());
        assert_eq!(
            Month::of("2026-11-22T10:00:00Z").unwrap().to_string(),
            "2026-11"
        );
    }

    #[test]
    fn odd_values_are_escaped_and_kept_from_formulas() {
        assert_eq!(text_field("GB"), "GB");
        assert_eq!(text_field("a,b"), "\"a,b\"");
        assert_eq!(text_field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(text_field("two\nlines"), "\"two\nlines\"");
        assert_eq!(text_field("=SUM(A1)"), "'=SUM(A1)");
        assert_eq!(text_field("-1,2"), "\"'-1,2\"");
        assert_eq!(decimal(-1234), "-12.34");
        assert_eq!(decimal(5), "0.05");
    }

    #[test]
    fn rows_show_the_difference() {
        let usd = Currency::parse("USD").unwrap();
        let mut row = TaxRow {
            month: Month::parse("2026-12").unwrap(),
            country: "a\"b".into(),
            tax_rate_bps: 2050,
            scheme: "oss".into(),
            invoiced: Amounts::zero(&usd),
            credited: Amounts::zero(&usd),
        };
        row.invoiced.add(1000, 205, 1205).unwrap();
        row.credited.add(100, 21, 121).unwrap();
        let csv = to_csv(&[row]).unwrap();
        let lines: Vec<&str> = csv.split("\r\n").collect();
        assert_eq!(lines[0], HEADER);
        assert_eq!(
            lines[1],
            "2026-12,\"a\"\"b\",20.50,USD,10.00,2.05,12.05,1.00,0.21,1.21,9.00,1.84,10.84,oss"
        );
        assert_eq!(lines[2], "");
    }
}
