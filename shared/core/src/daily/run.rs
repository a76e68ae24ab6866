//! A run's record (`TASKRUN#<task>` / `DAY#<run>`) and what it keeps apart
//! (`TASKRUN#<task>#<run>`: batch markers and exceptions), as staff read them.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{Check, Exception};
use crate::Storage;
use crate::store::{Item, ItemExt, Key, Pages, Query, SortKey, Table, TableResult};

/// One run of a check, as staff see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Run {
    pub task: String,
    /// The day's scheduled run is the day, `YYYY-MM-DD`; one staff started
    /// by hand is the time they did, `YYYY-MM-DDThh:mm:ssZ`.
    pub run: String,
    /// `YYYY-MM-DD`, UTC.
    pub day: String,
    /// RFC 3339, UTC.
    pub started_at: String,
    /// When the last batch was queued; absent while the run is fanning out.
    pub fanned_out_at: Option<String>,
    /// Batches queued, and done.
    pub batches: u64,
    pub batches_done: u64,
    /// Items queued.
    pub items: u64,
    /// What the done batches found and did, by name (`checked`, `corrected`, …).
    pub counts: BTreeMap<String, u64>,
    /// Items that need people.
    pub exceptions: Vec<Exception>,
}

/// The prefix of the attributes that hold a run's counts.
pub(super) const COUNT: &str = "n_";
/// How long runs' batch markers and exceptions are kept.
const KEEP_DAYS: i64 = 35;

pub(super) fn run_key(check: Check, run: &str) -> Key {
    Key::new(format!("TASKRUN#{}", check.name()), format!("DAY#{run}"))
}

/// Where a run's batch markers and exceptions are kept.
pub(super) fn details_partition(check: Check, run: &str) -> String {
    format!("TASKRUN#{}#{run}", check.name())
}

/// The day a run (`YYYY-MM-DD` or `YYYY-MM-DDThh:mm:ssZ`) belongs to.
pub(super) fn day_of(run: &str) -> &str {
    run.get(..10).unwrap_or(run)
}

/// When a run's batch markers and exceptions expire.
pub(super) fn expires(ports: &impl Storage) -> i64 {
    ports.clock().now_secs() + KEEP_DAYS * 86_400
}

/// The latest run of `check`, with its exceptions, if it ever ran.
pub async fn last_run(ports: &impl Storage, check: Check) -> TableResult<Option<Run>> {
    let table = ports.table();
    let page = table
        .query(
            Query::partition(format!("TASKRUN#{}", check.name()))
                .sort(SortKey::BeginsWith("DAY#".into()))
                .backward()
                .limit(1),
        )
        .await?;
    let Some(item) = page.items.into_iter().next() else {
        return Ok(None);
    };
    let run = item
        .str_attr("run")
        .or(item.str_attr("day"))
        .unwrap_or_default()
        .to_string();
    let exceptions = exceptions(table, check, &run).await?;
    Ok(Some(run_of(check, &item, run, exceptions)))
}

/// Every exception of the run `run`.
async fn exceptions(table: &dyn Table, check: Check, run: &str) -> TableResult<Vec<Exception>> {
    let mut exceptions = Vec::new();
    let mut found = Pages::new(
        Query::partition(details_partition(check, run)).sort(SortKey::BeginsWith("X#".into())),
        100,
    );
    while let Some(items) = found.next(table).await? {
        exceptions.extend(
            items
                .iter()
                .filter_map(|i| serde_json::from_value(i.get("exception")?.clone()).ok()),
        );
    }
    Ok(exceptions)
}

/// The run its record `item` holds.
fn run_of(check: Check, item: &Item, run: String, exceptions: Vec<Exception>) -> Run {
    let number = |name: &str| item.i64_attr(name).unwrap_or(0).max(0) as u64;
    Run {
        task: check.name().into(),
        started_at: item.str_attr("started_at").unwrap_or_default().into(),
        fanned_out_at: item.str_attr("fanned_out_at").map(str::to_string),
        batches: number("batches"),
        batches_done: number("batches_done"),
        items: number("items"),
        counts: item
            .iter()
            .filter_map(|(name, value)| {
                Some((name.strip_prefix(COUNT)?.to_string(), value.as_u64()?))
            })
            .collect(),
        exceptions,
        day: day_of(&run).to_string(),
        run,
    }
}
