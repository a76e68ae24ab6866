//! A run's fan-out: pages through the check's items and queues a batch per
//! page, keeping the cursor on the run's record so an interrupted fan-out
//! resumes where it stopped. One fan-out at a time holds the run under a
//! short lease; one that spends its budget hands the rest to a job.

use std::time::{Duration, Instant};

use super::Check;
use super::run::{day_of, expires, run_key};
use crate::jobs::Job;
use crate::store::{Condition, Item, ItemExt, Key, Page, Table, TableError, TableResult, Update};
use crate::{Queueing, Registry, Storage};

/// How long a fan-out holds its run: far longer than queuing a page takes.
const FAN_OUT_LEASE_SECS: i64 = 300;
/// How long a run's record is kept, beyond its batch markers and exceptions.
const RECORD_KEPT_DAYS: i64 = 330;

/// How long one invocation queues pages before it hands the rest of the
/// run to a job of its own: well within the worker's and the scheduler's
/// timeouts, however many items there are.
pub const FAN_OUT_BUDGET: Duration = Duration::from_secs(30);

/// Queues today's batches of `check`, from where an interrupted run
/// stopped; says what it did.
pub async fn fan_out(
    ports: &(impl Storage + Queueing + Registry),
    check: Check,
) -> anyhow::Result<String> {
    fan_out_within(ports, check, FAN_OUT_BUDGET).await
}

/// As `fan_out`, queuing pages for at most `budget` before it hands the
/// rest to a `daily_fan_out` job.
pub async fn fan_out_within(
    ports: &(impl Storage + Queueing + Registry),
    check: Check,
    budget: Duration,
) -> anyhow::Result<String> {
    let today = ports.clock().now().date().to_string();
    fan_out_run(ports, check, today, budget).await
}

/// Carries on the run `run` where the last invocation handed it over.
pub async fn continue_fan_out(
    ports: &(impl Storage + Queueing + Registry),
    check: Check,
    run: &str,
) -> anyhow::Result<String> {
    fan_out_run(ports, check, run.to_string(), FAN_OUT_BUDGET).await
}

/// Starts a run of `check` of its own, now: what staff do to look again.
pub async fn fan_out_by_hand(
    ports: &(impl Storage + Queueing + Registry),
    check: Check,
) -> anyhow::Result<String> {
    let now = ports.clock().now();
    let now = now.replace_nanosecond(0).unwrap_or(now);
    fan_out_run(ports, check, crate::clock::rfc3339(now), FAN_OUT_BUDGET).await
}

async fn fan_out_run(
    ports: &(impl Storage + Queueing + Registry),
    check: Check,
    run: String,
    budget: Duration,
) -> anyhow::Result<String> {
    let key = run_key(check, &run);
    let table = ports.table();
    start(ports, check, &run).await?;
    let record = match lease(ports, &key).await? {
        Leased::Run(record) => record,
        Leased::Elsewhere(record) => return Ok(not_leased(&run, &record)),
    };
    let cursor = record.str_attr("cursor").map(str::to_string);
    match queue_pages(ports, check, &run, cursor, budget).await {
        Ok(Queued {
            batches,
            items,
            done: true,
        }) => Ok(format!("{run}: queued {batches} batches of {items} items")),
        Ok(Queued { batches, items, .. }) => {
            release(table, &key, check).await;
            hand_over(ports, check, &run).await?;
            Ok(format!(
                "{run}: queued {batches} batches of {items} items so far; the rest is queuing from the queue"
            ))
        }
        Err(error) => {
            // The next run resumes at the page that was not queued, without
            // waiting for this one's lease.
            release(table, &key, check).await;
            Err(error)
        }
    }
}

/// Creates the run's record, unless it has one.
async fn start(ports: &impl Storage, check: Check, run: &str) -> TableResult<()> {
    let mut started = run_key(check, run).to_item();
    started.insert("kind".into(), "task_run".into());
    started.insert("task".into(), check.name().into());
    started.insert("run".into(), run.into());
    started.insert("day".into(), day_of(run).into());
    started.insert(
        "started_at".into(),
        crate::clock::rfc3339(ports.clock().now()).into(),
    );
    started.insert(
        "ttl".into(),
        (expires(ports) + RECORD_KEPT_DAYS * 86_400).into(),
    );
    match ports.table().put(started, Some(Condition::NotExists)).await {
        Ok(()) | Err(TableError::ConditionFailed) => Ok(()),
        Err(other) => Err(other),
    }
}

/// Whether this fan-out holds the run, and the run's record either way.
enum Leased {
    Run(Item),
    /// Queued already, or another fan-out holds it.
    Elsewhere(Item),
}

/// Takes the run's lease, unless its batches are all queued or another
/// fan-out holds it.
async fn lease(ports: &impl Storage, key: &Key) -> TableResult<Leased> {
    let table = ports.table();
    let now = ports.clock().now_secs();
    let free = Condition::AttributeNotExists("fanned_out_at".into()).and(
        Condition::AttributeNotExists("lease_until".into()).or(Condition::lt("lease_until", now)),
    );
    let leased = Update::new().set("lease_until", now + FAN_OUT_LEASE_SECS);
    match table.update(key, leased, Some(free)).await {
        Ok(record) => Ok(Leased::Run(record)),
        Err(TableError::ConditionFailed) => {
            Ok(Leased::Elsewhere(table.get(key).await?.unwrap_or_default()))
        }
        Err(other) => Err(other),
    }
}

/// What a fan-out says when the run was not its to queue.
fn not_leased(run: &str, record: &Item) -> String {
    match record.str_attr("fanned_out_at") {
        Some(_) => format!(
            "{run}: already queued {} batches of {} items",
            record.i64_attr("batches").unwrap_or(0),
            record.i64_attr("items").unwrap_or(0)
        ),
        None => format!("{run}: another run is queuing the batches"),
    }
}

/// Gives the run's lease back, so the next fan-out need not wait for it.
async fn release(table: &dyn Table, key: &Key, check: Check) {
    let release = Update::new().remove("lease_until");
    if let Err(error) = table.update(key, release, Some(Condition::Exists)).await {
        tracing::warn!(task = check.name(), %error, "could not release a fan-out's lease");
    }
}

/// Hands the rest of the run to a job: the worker carries on from the cursor.
async fn hand_over(ports: &impl Queueing, check: Check, run: &str) -> anyhow::Result<()> {
    let rest = Job::DailyFanOut {
        check,
        run: run.to_string(),
    };
    ports
        .queue()
        .send(&rest.body(), Duration::ZERO)
        .await
        .map_err(|e| anyhow::anyhow!("could not queue the rest of the run: {e}"))?;
    Ok(())
}

/// What one invocation of a fan-out queued, and whether that was the last page.
struct Queued {
    batches: u64,
    items: i64,
    done: bool,
}

/// Queues a batch per page of `check`'s items from `cursor`, recording the
/// cursor after each, until the last page or until `budget` is spent.
async fn queue_pages(
    ports: &(impl Storage + Queueing + Registry),
    check: Check,
    run: &str,
    mut cursor: Option<String>,
    budget: Duration,
) -> anyhow::Result<Queued> {
    let started = Instant::now();
    let key = run_key(check, run);
    let size = check.batch_size(ports);
    let (mut batches, mut items) = (0, 0);
    loop {
        let page = ports
            .table()
            .query(check.items().limit(size).after(cursor.clone()))
            .await?;
        if !page.items.is_empty() {
            items += queue_batch(ports, check, run, &page.items).await? as i64;
            batches += 1;
        }
        record_page(ports, &key, &page).await?;
        let done = page.next.is_none();
        if done || started.elapsed() >= budget {
            return Ok(Queued {
                batches,
                items,
                done,
            });
        }
        cursor = page.next;
    }
}

/// Queues the batch of a page's `items`; how many it holds.
async fn queue_batch(
    ports: &impl Queueing,
    check: Check,
    run: &str,
    items: &[Item],
) -> anyhow::Result<usize> {
    let keys = items.iter().map(Key::of).collect::<TableResult<Vec<_>>>()?;
    let job = Job::DailyBatch {
        check,
        run: run.to_string(),
        keys: keys.iter().map(|k| [k.pk.clone(), k.sk.clone()]).collect(),
    };
    // Unlike other jobs, a batch that was not queued has no record
    // that a sweep would find: the run stops here and resumes at this page.
    ports
        .queue()
        .send(&job.body(), Duration::ZERO)
        .await
        .map_err(|e| anyhow::anyhow!("could not queue a batch: {e}"))?;
    Ok(keys.len())
}

/// Counts the queued page into the run and moves its cursor on, keeping the
/// lease; after the last page, marks the run queued and lets the lease go.
async fn record_page(ports: &impl Storage, key: &Key, page: &Page) -> TableResult<()> {
    let update = Update::new()
        .add("batches", i64::from(!page.items.is_empty()))
        .add("items", page.items.len() as i64);
    let update = match &page.next {
        Some(next) => update
            .set("cursor", next.clone())
            .set("lease_until", ports.clock().now_secs() + FAN_OUT_LEASE_SECS),
        None => update
            .remove("cursor")
            .remove("lease_until")
            .set("fanned_out_at", crate::clock::rfc3339(ports.clock().now())),
    };
    ports
        .table()
        .update(key, update, Some(Condition::Exists))
        .await?;
    Ok(())
}
