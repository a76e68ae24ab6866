//! One way for staff to ask for a page of any list: where to start, how
//! many, in which order, which items (a status, a kind, a date range, a
//! search) and whether as JSON or as CSV. Each list says what it allows
//! (`Listing`); what it does not allow is refused by name. A list reads
//! pages of one partition of the table or of an index, never the whole
//! table: the orders an index gives are the only orders there are, a date
//! range is a range of its sort key, and a search is a prefix of a key it
//! holds (or one exact lookup). A filter the index cannot answer is applied
//! to the pages read (`read`), a few pages at most for one answer.

pub mod csv;

use serde::{Deserialize, Serialize};
use time::{Date, OffsetDateTime, macros::format_description};
use utoipa::{IntoParams, ToSchema};

use crate::store::{Index, Item, Query, SortKey, Table, TableError, decode_cursor, encode_cursor};

/// Items in a page unless asked otherwise, and the most a page holds.
pub const DEFAULT_LIMIT: usize = 50;
pub const MAX_LIMIT: usize = 100;
/// Pages of an index read for one answer at most: a filter that matches
/// few items answers with fewer and a `next` to go on from.
const MAX_READS: usize = 10;

/// A page of a list, and where the next one starts.
#[derive(Debug, Serialize, ToSchema)]
pub struct Listed<T> {
    pub items: Vec<T>,
    /// Give it as `cursor` for the next page; absent on the last.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next: Option<String>,
}

/// The orders a list may come in; each list allows those its index gives.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Sort {
    /// Newest first by the index's time.
    Newest,
    /// Oldest first by the index's time.
    Oldest,
    /// A to Z by the index's name (customers: name; staff: email).
    Az,
    /// Z to A by the same.
    Za,
    /// Soonest first by the index's day due (client services: the last day paid for).
    Soonest,
    /// Latest first by the same.
    Latest,
}

impl Sort {
    pub fn as_str(self) -> &'static str {
        match self {
            Sort::Newest => "newest",
            Sort::Oldest => "oldest",
            Sort::Az => "az",
            Sort::Za => "za",
            Sort::Soonest => "soonest",
            Sort::Latest => "latest",
        }
    }

    /// Whether the index is read in its own (ascending) order.
    pub fn forward(self) -> bool {
        matches!(self, Sort::Oldest | Sort::Az | Sort::Soonest)
    }
}

/// JSON (a page) or CSV (every page, up to `csv::MAX_ROWS` rows).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Format {
    Json,
    Csv,
}

/// What a list's address may ask, as the query string says it. Unknown
/// parameters are refused; each list names the filters it has.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// Where the previous page ended (its `next`).
    #[param(max_length = 1000)]
    pub cursor: Option<String>,
    /// Items in a page, 1 to 100 (50 unless given).
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<u32>,
    /// The order: `newest` or `oldest` first by the list's time, `az` / `za`
    /// by its name, or `soonest` / `latest` by the day it is due; each list
    /// allows those its index gives (422 names them).
    #[param(inline)]
    pub sort: Option<Sort>,
    /// Only items in this status; each list names its statuses (422 names them).
    #[param(max_length = 40)]
    pub status: Option<String>,
    /// Only items of this kind, where the list has kinds.
    #[param(max_length = 40)]
    pub kind: Option<String>,
    /// From this day on (UTC, inclusive), by the list's time.
    #[param(value_type = Option<String>, format = Date)]
    pub from: Option<String>,
    /// Up to this day (UTC, inclusive), by the list's time.
    #[param(value_type = Option<String>, format = Date)]
    pub to: Option<String>,
    /// A search; what it matches is the list's own (see each list).
    #[param(max_length = 200)]
    pub q: Option<String>,
    /// `csv` for every page as a CSV download (also `Accept: text/csv`).
    #[param(inline)]
    pub format: Option<Format>,
}

/// What one list allows.
#[derive(Debug)]
pub struct Listing {
    /// Its name, in download names and the audit log (`orders`).
    pub name: &'static str,
    /// The orders its index gives; the first is the default.
    pub sorts: &'static [Sort],
    pub statuses: &'static [&'static str],
    pub kinds: &'static [&'static str],
    /// Whether `from`/`to` range its index's time.
    pub dates: bool,
    /// Whether it has a search (`q`).
    pub search: bool,
}

/// A list's request once checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Asked {
    pub cursor: Option<String>,
    pub limit: usize,
    pub sort: Sort,
    pub status: Option<String>,
    pub kind: Option<String>,
    /// Epoch milliseconds: the first of `from`, the last of `to`.
    pub from_ms: Option<i64>,
    pub to_ms: Option<i64>,
    /// Lower-cased and trimmed; never empty.
    pub q: Option<String>,
    pub csv: bool,
    /// Whose list it is, when the route names it (one customer's orders,
    /// one subject's audit entries): the audit log of an export says so.
    pub scope: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum ListingError {
    /// The request asks what the list does not allow (422).
    #[error("{message}")]
    Invalid { code: &'static str, message: String },
    #[error(transparent)]
    Table(#[from] TableError),
}

fn invalid(code: &'static str, message: impl Into<String>) -> ListingError {
    ListingError::Invalid {
        code,
        message: message.into(),
    }
}

/// The last moment of 9999-12-31 UTC, in ms: a date range's open end.
pub const END_OF_TIME_MS: i64 = 253_402_300_799_999;

fn day_start_ms(name: &str, value: &str) -> Result<i64, ListingError> {
    let date = Date::parse(value, format_description!("[year]-[month]-[day]"))
        .map_err(|_| invalid("invalid_date", format!("{name}: a day, YYYY-MM-DD")))?;
    let at = OffsetDateTime::new_utc(date, time::Time::MIDNIGHT);
    Ok((at.unix_timestamp_nanos() / 1_000_000) as i64)
}

fn one_of(
    what: &str,
    value: Option<String>,
    allowed: &[&str],
) -> Result<Option<String>, ListingError> {
    let Some(value) = value else { return Ok(None) };
    if allowed.contains(&value.as_str()) {
        return Ok(Some(value));
    }
    let code = if what == "status" {
        "invalid_status"
    } else {
        "invalid_kind"
    };
    Err(invalid(
        code,
        match allowed {
            [] => format!("this list has no {what} filter"),
            _ => format!("{what}: one of {}", allowed.join(", ")),
        },
    ))
}

impl Listing {
    /// `params` checked against what this list allows; `wants_csv` when the
    /// client asked for CSV by its `Accept` header.
    pub fn check(&self, params: ListParams, wants_csv: bool) -> Result<Asked, ListingError> {
        let limit = params.limit.unwrap_or(DEFAULT_LIMIT as u32) as usize;
        if !(1..=MAX_LIMIT).contains(&limit) {
            return Err(invalid("invalid_limit", "limit: 1 to 100"));
        }
        let sort = params.sort.unwrap_or(self.sorts[0]);
        if !self.sorts.contains(&sort) {
            let names: Vec<_> = self.sorts.iter().map(|s| s.as_str()).collect();
            return Err(invalid(
                "invalid_sort",
                format!("sort: one of {}", names.join(", ")),
            ));
        }
        if !self.dates && (params.from.is_some() || params.to.is_some()) {
            return Err(invalid("invalid_date", "this list has no date range"));
        }
        let from_ms = params
            .from
            .as_deref()
            .map(|d| day_start_ms("from", d))
            .transpose()?;
        let to_ms = match params.to.as_deref() {
            Some(d) => Some(day_start_ms("to", d)? + 86_400_000 - 1),
            None => None,
        };
        if let (Some(from), Some(to)) = (from_ms, to_ms)
            && from > to
        {
            return Err(invalid("invalid_date", "from is after to"));
        }
        if params.q.as_ref().is_some_and(|q| q.chars().count() > 200) {
            return Err(invalid("invalid_search", "q: at most 200 characters"));
        }
        if params.cursor.as_ref().is_some_and(|c| c.len() > 1000) {
            return Err(invalid(
                "invalid_cursor",
                "that cursor is not one this list gave",
            ));
        }
        let q = params
            .q
            .map(|q| q.trim().to_lowercase())
            .filter(|q| !q.is_empty());
        if q.is_some() && !self.search {
            return Err(invalid("invalid_search", "this list has no search"));
        }
        Ok(Asked {
            cursor: params.cursor,
            limit,
            sort,
            status: one_of("status", params.status, self.statuses)?,
            kind: one_of("kind", params.kind, self.kinds)?,
            from_ms,
            to_ms,
            q,
            csv: wants_csv || params.format == Some(Format::Csv),
            scope: None,
        })
    }
}

impl Asked {
    /// The sort-key condition for the date range, where `key_at(ms, last)`
    /// is the index's sort key at that moment (`last`: the greatest key of
    /// that moment); `otherwise` when no range was asked.
    pub fn date_range(&self, key_at: fn(i64, bool) -> String, otherwise: SortKey) -> SortKey {
        if self.from_ms.is_none() && self.to_ms.is_none() {
            return otherwise;
        }
        SortKey::Between(
            key_at(self.from_ms.unwrap_or(0), false),
            key_at(self.to_ms.unwrap_or(END_OF_TIME_MS), true),
        )
    }

    /// A search that names nothing: no items, and no next page.
    pub fn nothing<T>() -> Listed<T> {
        Listed {
            items: Vec::new(),
            next: None,
        }
    }
}

/// The sort key, at `ms`, of items filed by their time as RFC 3339 to the
/// millisecond (`<time>#<id>`); `last`: the greatest key of that moment.
pub fn time_key(ms: i64, last: bool) -> String {
    let at = OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .unwrap_or(OffsetDateTime::UNIX_EPOCH);
    let at = crate::clock::rfc3339_millis(at);
    if last { format!("{at}#~") } else { at }
}

/// A cursor a client sent back, refused unless it points into `partition`
/// of `index`: a cursor is only ever ours, never a way into another partition.
pub fn cursor_within(
    cursor: Option<String>,
    index: Index,
    partition: &str,
) -> Result<Option<String>, ListingError> {
    let Some(cursor) = cursor else {
        return Ok(None);
    };
    let bad = || invalid("invalid_cursor", "that cursor is not one this list gave");
    let key = decode_cursor(&cursor, index).map_err(|_| bad())?;
    match crate::store::index_key(&key, index) {
        Some((pk, _)) if pk == partition => Ok(Some(cursor)),
        _ => Err(bad()),
    }
}

/// One page of `query`'s partition as `asked` says (its cursor, limit and
/// order), keeping the items `keep` turns into a `T`. A page that `keep`
/// thins is topped up from the next ones, up to a few reads; `next` then
/// starts right after the last item looked at, so no item is lost or repeated.
pub async fn read<T>(
    table: &dyn Table,
    query: Query,
    asked: &Asked,
    mut keep: impl FnMut(&Item) -> Result<Option<T>, TableError>,
) -> Result<Listed<T>, ListingError> {
    let mut cursor = cursor_within(asked.cursor.clone(), query.index, &query.partition)?;
    let query = Query {
        forward: asked.sort.forward(),
        ..query
    };
    let mut items = Vec::new();
    for _ in 0..MAX_READS {
        let page = table
            .query(query.clone().limit(asked.limit).after(cursor.take()))
            .await?;
        let last = page.items.len();
        for (at, item) in page.items.iter().enumerate() {
            if let Some(found) = keep(item)? {
                items.push(found);
            }
            if items.len() == asked.limit {
                let more = at + 1 < last || page.next.is_some();
                let next = more.then(|| encode_cursor(item, query.index));
                return Ok(Listed { items, next });
            }
        }
        match page.next {
            Some(next) => cursor = Some(next),
            None => return Ok(Listed { items, next: None }),
        }
    }
    Ok(Listed {
        items,
        next: cursor,
    })
}

#[cfg(test)]
mod tests;
