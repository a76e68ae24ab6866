//! How every staff list answers: one page as JSON, or (`format=csv` or
//! `Accept: text/csv`) every page as a CSV download of at most
//! `csv::MAX_ROWS` rows, which the audit log records as the staff member's
//! export. A download cut short says so in `X-Truncated: true` and gives
//! where the rest starts in `X-Next-Cursor`.

use std::future::Future;

use axum::Json;
use axum::http::{HeaderMap, Uri, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::Staff;
use crate::AppState;
use crate::error::ApiError;
use hostfront_core::listing::csv::{self, CsvRow, Export};
use hostfront_core::listing::{Asked, ListParams, Listed, Listing, ListingError};

impl From<ListingError> for ApiError {
    fn from(error: ListingError) -> Self {
        match error {
            ListingError::Invalid { code, message } => ApiError::unprocessable(code, message),
            ListingError::Table(error) => error.into(),
        }
    }
}

/// `params` checked against what `listing` allows.
pub(super) fn asked(
    listing: &Listing,
    params: ListParams,
    headers: &HeaderMap,
) -> Result<Asked, ApiError> {
    let wants_csv = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|accept| accept.split(',').any(|t| t.trim().starts_with("text/csv")));
    Ok(listing.check(params, wants_csv)?)
}

/// The query string of a list with filters of its own (`E`, whose names
/// are `own`) beside the shared ones, each part read as its type: an
/// unknown parameter is still refused.
pub(super) fn split<E: DeserializeOwned>(
    query: Option<&str>,
    own: &[&str],
) -> Result<(E, ListParams), ApiError> {
    let pairs = form_urlencoded::parse(query.unwrap_or("").as_bytes()).into_owned();
    let (mine, shared): (Vec<_>, Vec<_>) =
        pairs.partition(|(name, _)| own.contains(&name.as_str()));
    fn read<T: DeserializeOwned>(pairs: Vec<(String, String)>) -> Result<T, ApiError> {
        let query = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(pairs)
            .finish();
        let uri: Uri = format!("/?{query}").parse().map_err(|_| {
            ApiError::bad_request("invalid_query", "a query string that is not one")
        })?;
        axum::extract::Query::<T>::try_from_uri(&uri)
            .map(|q| q.0)
            .map_err(|rejection| ApiError::bad_request("invalid_query", rejection.body_text()))
    }
    Ok((read(mine)?, read(shared)?))
}

/// A page as JSON, or the list as CSV when asked; `page` reads one page.
pub(super) async fn answer<T, R, F, Fut>(
    state: &AppState,
    staff: &Staff<R>,
    (listing, asked): (&Listing, Asked),
    mut page: F,
) -> Result<Response, ApiError>
where
    T: Serialize + CsvRow,
    F: FnMut(Asked) -> Fut,
    Fut: Future<Output = Result<Listed<T>, ListingError>>,
{
    if asked.csv {
        return download(state, staff, (listing, &asked), page).await;
    }
    Ok(Json(page(asked).await?).into_response())
}

/// Every page of the list as CSV, recorded in the audit log.
pub(super) async fn download<T, R, F, Fut>(
    state: &AppState,
    staff: &Staff<R>,
    (listing, asked): (&Listing, &Asked),
    page: F,
) -> Result<Response, ApiError>
where
    T: CsvRow,
    F: FnMut(Asked) -> Fut,
    Fut: Future<Output = Result<Listed<T>, ListingError>>,
{
    let export = csv::export(asked, csv::MAX_ROWS, page).await?;
    hostfront_core::staff::record_action(
        &state.ports,
        (&staff.actor(), staff.member.role, &staff.client),
        &format!("export:{}", listing.name),
        "exported",
        what_was_exported(listing, asked, &export),
    )
    .await?;
    let day = hostfront_core::clock::rfc3339(state.ports.clock.now());
    let name = format!(
        "attachment; filename=\"{}-{}.csv\"",
        listing.name,
        &day[..10]
    );
    let mut response = (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (header::CONTENT_DISPOSITION, name),
        ],
        export.body,
    )
        .into_response();
    let headers = response.headers_mut();
    let truncated = if export.next.is_some() {
        "true"
    } else {
        "false"
    };
    headers.insert("x-truncated", header::HeaderValue::from_static(truncated));
    if let Some(next) = export
        .next
        .and_then(|n| header::HeaderValue::from_str(&n).ok())
    {
        headers.insert("x-next-cursor", next);
    }
    Ok(response)
}

/// The audit log's words for an export: how many rows of which list, as filtered.
fn what_was_exported(listing: &Listing, asked: &Asked, export: &Export) -> String {
    let mut filters = vec![format!("sort {}", asked.sort.as_str())];
    let named = [
        ("status", &asked.status),
        ("kind", &asked.kind),
        ("search", &asked.q),
    ];
    for (name, value) in named {
        if let Some(value) = value {
            filters.push(format!("{name} \"{value}\""));
        }
    }
    let day = |ms: i64| {
        let at = time::OffsetDateTime::from_unix_timestamp(ms / 1000).ok();
        at.map(|at| at.date().to_string()).unwrap_or_default()
    };
    if let Some(from) = asked.from_ms {
        filters.push(format!("from {}", day(from)));
    }
    if let Some(to) = asked.to_ms {
        filters.push(format!("to {}", day(to)));
    }
    let cut = if export.next.is_some() {
        ", cut at the limit"
    } else {
        ""
    };
    let whose = asked
        .scope
        .as_ref()
        .map(|scope| format!(" of {scope}"))
        .unwrap_or_default();
    format!(
        "{} rows of {}{whose} as CSV ({}){cut}",
        export.rows,
        listing.name,
        filters.join(", ")
    )
}
