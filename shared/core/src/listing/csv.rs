//! Lists as CSV (RFC 4180) for staff to open in a spreadsheet: amounts in
//! major units beside their currency, times as RFC 3339, and every cell a
//! spreadsheet could take for a formula (one that begins with `=`, `+`,
//! `-`, `@`, a tab or a carriage return) led by a `'`, as OWASP's advice on
//! CSV injection says; a plain number stays a number.

use std::future::Future;

use crate::listing::{Asked, Listed, ListingError, MAX_LIMIT};

/// The most rows one download holds; a longer list is cut there, and says so.
pub const MAX_ROWS: usize = 10_000;

/// A record as a CSV row.
pub trait CsvRow {
    /// The column names, in order.
    const HEADER: &'static [&'static str];
    /// The record's cells, one per column.
    fn cells(&self) -> Vec<String>;
}

/// Minor units as major units: `1299` is `12.99`, `-50` is `-0.50`.
pub fn amount(minor: i64) -> String {
    let sign = if minor < 0 { "-" } else { "" };
    let minor = minor.unsigned_abs();
    format!("{sign}{}.{:02}", minor / 100, minor % 100)
}

fn is_number(value: &str) -> bool {
    let digits = value.strip_prefix('-').unwrap_or(value);
    let mut parts = digits.splitn(2, '.');
    let whole = parts.next().unwrap_or("");
    let all_digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    all_digits(whole) && parts.next().is_none_or(all_digits)
}

/// One cell, neutralised against formulas and quoted when it must be.
pub fn cell(value: &str) -> String {
    let formula = value.starts_with(['=', '+', '-', '@', '\t', '\r']) && !is_number(value);
    let value = if formula {
        format!("'{value}")
    } else {
        value.to_string()
    };
    if value.contains([',', '"', '\n', '\r']) || value.starts_with(' ') || value.ends_with(' ') {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value
    }
}

/// One line of cells, ended by CRLF.
pub fn line<S: AsRef<str>>(cells: &[S]) -> String {
    let cells: Vec<String> = cells.iter().map(|c| cell(c.as_ref())).collect();
    format!("{}\r\n", cells.join(","))
}

/// A list as CSV.
#[derive(Debug)]
pub struct Export {
    pub body: String,
    pub rows: usize,
    /// Set when the list was cut at `MAX_ROWS`: where the rest starts.
    pub next: Option<String>,
}

/// Every page of a list, as `asked` filters and orders it, as CSV, up to
/// `cap` rows; `page` reads one page of it.
pub async fn export<T, F, Fut>(
    asked: &Asked,
    cap: usize,
    mut page: F,
) -> Result<Export, ListingError>
where
    T: CsvRow,
    F: FnMut(Asked) -> Fut,
    Fut: Future<Output = Result<Listed<T>, ListingError>>,
{
    let mut body = line(T::HEADER);
    let mut rows = 0;
    let mut asked = asked.clone();
    loop {
        asked.limit = MAX_LIMIT.min(cap - rows);
        let listed = page(asked.clone()).await?;
        for record in &listed.items {
            body.push_str(&line(&record.cells()));
        }
        rows += listed.items.len();
        match listed.next {
            Some(next) if rows < cap => asked.cursor = Some(next),
            next => return Ok(Export { body, rows, next }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_neutralised_and_numbers_kept() {
        assert_eq!(cell("=SUM(A1:A9)"), "'=SUM(A1:A9)");
        assert_eq!(cell("+1 555"), "'+1 555");
        assert_eq!(cell("@cmd"), "'@cmd");
        assert_eq!(cell("-2+3"), "'-2+3");
        assert_eq!(cell("\tx"), "'\tx");
        assert_eq!(cell("\rx"), "\"'\rx\"");
        assert_eq!(cell("-12.50"), "-12.50");
        assert_eq!(cell("12"), "12");
        assert_eq!(cell("a-b"), "a-b");
    }

    #[test]
    fn cells_are_quoted_as_rfc_4180_says() {
        assert_eq!(cell("Smith, Jo"), "\"Smith, Jo\"");
        assert_eq!(cell("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(cell("two\nlines"), "\"two\nlines\"");
        assert_eq!(line(&["a", "b,c", ""]), "a,\"b,c\",\r\n");
    }

    struct Row(usize);

    impl CsvRow for Row {
        const HEADER: &'static [&'static str] = &["n"];
        fn cells(&self) -> Vec<String> {
            vec![self.0.to_string()]
        }
    }

    fn asked() -> Asked {
        let list = super::super::Listing {
            name: "rows",
            sorts: &[super::super::Sort::Newest],
            statuses: &[],
            kinds: &[],
            dates: false,
            search: false,
        };
        list.check(Default::default(), true).unwrap()
    }

    /// A list of `total` rows, read a page at a time from the cursor (the
    /// index of the next row); returns the export and the limits asked.
    async fn export_of(total: usize, cap: usize) -> (Export, Vec<usize>) {
        let mut limits = Vec::new();
        let export = export(&asked(), cap, |asked: Asked| {
            let start: usize = asked.cursor.map_or(0, |c| c.parse().unwrap());
            limits.push(asked.limit);
            let end = total.min(start + asked.limit);
            let items = (start..end).map(Row).collect();
            let next = (end < total).then(|| end.to_string());
            async move { Ok(Listed { items, next }) }
        })
        .await
        .unwrap();
        (export, limits)
    }

    #[tokio::test]
    async fn an_export_reads_every_page_up_to_its_cap() {
        let (whole, limits) = export_of(250, MAX_ROWS).await;
        assert_eq!(
            (whole.rows, whole.next, limits),
            (250, None, vec![100, 100, 100])
        );
        let expected: String = (0..250).map(|n| format!("{n}\r\n")).collect();
        assert_eq!(whole.body, format!("n\r\n{expected}"));

        let (cut, limits) = export_of(250, 130).await;
        assert_eq!((cut.rows, cut.next.as_deref()), (130, Some("130")));
        assert_eq!(limits, vec![100, 30], "never more than the cap is read");
        assert_eq!(cut.body.lines().count(), 131);
    }

    #[test]
    fn amounts_are_major_units() {
        assert_eq!(amount(1299), "12.99");
        assert_eq!(amount(5), "0.05");
        assert_eq!(amount(-50), "-0.50");
        assert_eq!(amount(0), "0.00");
    }
}
