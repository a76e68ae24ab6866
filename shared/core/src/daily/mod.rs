//! Daily operations: checks that look at every item of a kind once a day,
//! however many there are, and put right what drifted.
//!
//! A run fans out. The scheduler's task pages through the items and queues
//! one `Job::DailyBatch` per page, so each batch is a worker's job well
//! within a Lambda's timeout and the workers share the day's work. The
//! run's record (`TASKRUN#<task>` / `DAY#<run>`) keeps the cursor of the
//! last page queued, so an interrupted fan-out resumes where it stopped,
//! and once the last page is queued the day's run is done: the schedule
//! running the task again that day queues nothing. A run staff start by
//! hand is a run of its own (`<day>T<time>Z`), so they can look again after
//! putting something right.
//!
//! A batch is done once: its marker (`TASKRUN#<task>#<run>` / `B#<first
//! item>`) is created in the transaction that adds its counts to the run.
//! A batch delivered twice, or cut off and delivered again, looks at its
//! items again, but every change an item gets is guarded by the state it
//! was read in, and every notice is a create-only mail keyed by its item
//! and day, so nothing is changed or sent twice.
//!
//! What needs people is an exception of the run (`TASKRUN#<task>#<run>` /
//! `X#<item>`), which staff read with the run in the console.

pub mod certificates;
pub mod hosting;
pub mod overdue;
pub mod refresh;
pub mod registry_sync;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::Services;
use crate::mail::{self, Mail, MailKind};
use crate::store::{
    Condition, Index, Item, ItemExt, Key, Query, SortKey, TableError, TableResult, TxOp, Update,
};
use crate::subscriptions::Subscription;

pub use crate::jobs::Check;

impl Check {
    /// The items a run pages through.
    fn items(self) -> Query {
        match self {
            Check::RegistrySync => registry_sync::items(),
            Check::OverdueServices => overdue::items(),
            Check::CertificateAlerts | Check::HostingCheck => live_services(),
        }
    }

    /// How many items one job looks at.
    fn batch_size(self, services: &Services) -> usize {
        match self {
            Check::RegistrySync => services.sync_registrar.max_info_batch().clamp(1, BATCH),
            Check::OverdueServices | Check::CertificateAlerts | Check::HostingCheck => {
                PER_SERVICE_BATCH
            }
        }
    }

    async fn run_batch(
        self,
        services: &Services,
        day: &str,
        keys: &[Key],
        tally: &mut Tally,
    ) -> Result<(), BatchError> {
        match self {
            Check::RegistrySync => registry_sync::batch(services, day, keys, tally).await,
            Check::OverdueServices => overdue::batch(services, day, keys, tally).await,
            Check::CertificateAlerts => certificates::batch(services, keys, tally).await,
            Check::HostingCheck => hosting::batch(services, day, keys, tally).await,
        }
    }
}

/// Every service still billed: the due-date index, which a service leaves when it ends.
fn live_services() -> Query {
    Query::index(Index::Gsi1, "SERVICES#DUE")
}

/// Mails the service's owner a notice about `about` (`service:<id>`,
/// `certificate:<id>`), once per `occasion`; true when it was not sent before.
async fn tell_owner(
    services: &Services,
    service: &Subscription,
    about: (&str, &str),
    words: (String, String),
) -> TableResult<bool> {
    let notice = owner_notice(services, service, about, words).await?;
    Ok(mail::send(services, &[notice]).await? == 1)
}

/// The notice to `service`'s owner about `about` on `occasion`.
async fn owner_notice(
    services: &Services,
    service: &Subscription,
    (about, occasion): (&str, &str),
    (headline, action): (String, String),
) -> TableResult<Mail> {
    let owner =
        crate::accounts::load_customer(services.table.as_ref(), &service.customer_id).await?;
    let mut letter = crate::subscriptions::billing::letter(services, service, &owner.name);
    letter.headline = headline;
    letter.action = action;
    Ok(
        Mail::compose_about(services, MailKind::Notice, &owner.email, &letter, about)?
            .for_period(occasion),
    )
}

/// The most items one batch looks at: what `get_many` reads at once.
const BATCH: usize = crate::store::MAX_BATCH_GET;
/// Checks that call the panel or end services, a few calls each: fewer per batch.
const PER_SERVICE_BATCH: usize = 25;

/// Why a batch stopped before its end.
#[derive(Debug, thiserror::Error)]
pub enum BatchError {
    /// Worth trying again in a while: the registrar's quota, an outage.
    #[error("{0}")]
    Later(String),
    #[error(transparent)]
    Table(#[from] TableError),
}

/// What a batch did: counts by name, and what needs people.
#[derive(Debug, Default)]
pub struct Tally {
    pub counts: BTreeMap<&'static str, u64>,
    pub exceptions: Vec<Exception>,
}

impl Tally {
    pub fn count(&mut self, what: &'static str) {
        *self.counts.entry(what).or_default() += 1;
    }

    /// Something about `item` that needs people.
    pub fn exception(&mut self, item: &str, customer_id: &str, what: String) {
        self.exceptions.push(Exception {
            item: item.to_string(),
            customer_id: customer_id.to_string(),
            what,
        });
    }
}

/// An item a run could not put right by itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Exception {
    /// `domain:<name>`, `service:<id>`.
    pub item: String,
    pub customer_id: String,
    /// What happened, for staff.
    pub what: String,
}

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
const COUNT: &str = "n_";
/// How long a fan-out holds its run: far longer than queuing a page takes.
const FAN_OUT_LEASE_SECS: i64 = 300;
/// How long runs' batch markers and exceptions are kept.
const KEEP_DAYS: i64 = 35;

fn run_key(check: Check, run: &str) -> Key {
    Key::new(format!("TASKRUN#{}", check.name()), format!("DAY#{run}"))
}

fn details_partition(check: Check, run: &str) -> String {
    format!("TASKRUN#{}#{run}", check.name())
}

/// The day a run (`YYYY-MM-DD` or `YYYY-MM-DDThh:mm:ssZ`) belongs to.
fn day_of(run: &str) -> &str {
    run.get(..10).unwrap_or(run)
}

fn batch_key(check: Check, run: &str, first: &Key) -> Key {
    Key::new(
        details_partition(check, run),
        format!("B#{}|{}", first.pk, first.sk),
    )
}

fn today(services: &Services) -> String {
    services.clock.now().date().to_string()
}

fn expires(services: &Services) -> i64 {
    services.clock.now_secs() + KEEP_DAYS * 86_400
}

/// How long one invocation queues pages before it hands the rest of the
/// run to a job of its own: well within the worker's and the scheduler's
/// timeouts, however many items there are.
pub const FAN_OUT_BUDGET: std::time::Duration = std::time::Duration::from_secs(30);

/// Queues today's batches of `check`, from where an interrupted run
/// stopped; says what it did.
pub async fn fan_out(services: &Services, check: Check) -> anyhow::Result<String> {
    fan_out_within(services, check, FAN_OUT_BUDGET).await
}

/// As `fan_out`, queuing pages for at most `budget` before it hands the
/// rest to a `daily_fan_out` job.
pub async fn fan_out_within(
    services: &Services,
    check: Check,
    budget: std::time::Duration,
) -> anyhow::Result<String> {
    fan_out_run(services, check, today(services), budget).await
}

/// Carries on the run `run` where the last invocation handed it over.
pub async fn continue_fan_out(
    services: &Services,
    check: Check,
    run: &str,
) -> anyhow::Result<String> {
    fan_out_run(services, check, run.to_string(), FAN_OUT_BUDGET).await
}

/// Starts a run of `check` of its own, now: what staff do to look again.
pub async fn fan_out_by_hand(services: &Services, check: Check) -> anyhow::Result<String> {
    let now = services
        .clock
        .now()
        .replace_nanosecond(0)
        .unwrap_or(services.clock.now());
    fan_out_run(services, check, crate::clock::rfc3339(now), FAN_OUT_BUDGET).await
}

async fn fan_out_run(
    services: &Services,
    check: Check,
    run: String,
    budget: std::time::Duration,
) -> anyhow::Result<String> {
    let day = run;
    let key = run_key(check, &day);
    let table = services.table.as_ref();
    let mut started = key.to_item();
    started.insert("kind".into(), "task_run".into());
    started.insert("task".into(), check.name().into());
    started.insert("run".into(), day.clone().into());
    started.insert("day".into(), day_of(&day).into());
    started.insert(
        "started_at".into(),
        crate::clock::rfc3339(services.clock.now()).into(),
    );
    started.insert("ttl".into(), (expires(services) + 330 * 86_400).into());
    match table.put(started, Some(Condition::NotExists)).await {
        Ok(()) | Err(TableError::ConditionFailed) => {}
        Err(other) => return Err(other.into()),
    }
    // One fan-out at a time: it holds the run under a short lease.
    let now = services.clock.now_secs();
    let free = Condition::AttributeNotExists("fanned_out_at".into()).and(
        Condition::AttributeNotExists("lease_until".into()).or(Condition::lt("lease_until", now)),
    );
    let leased = Update::new().set("lease_until", now + FAN_OUT_LEASE_SECS);
    let run = match table.update(&key, leased, Some(free)).await {
        Ok(run) => run,
        Err(TableError::ConditionFailed) => {
            let run = table.get(&key).await?.unwrap_or_default();
            return Ok(match run.str_attr("fanned_out_at") {
                Some(_) => format!(
                    "{day}: already queued {} batches of {} items",
                    run.i64_attr("batches").unwrap_or(0),
                    run.i64_attr("items").unwrap_or(0)
                ),
                None => format!("{day}: another run is queuing the batches"),
            });
        }
        Err(other) => return Err(other.into()),
    };
    let cursor = run.str_attr("cursor").map(str::to_string);
    let release = || async {
        let release = Update::new().remove("lease_until");
        if let Err(error) = table.update(&key, release, Some(Condition::Exists)).await {
            tracing::warn!(task = check.name(), %error, "could not release a fan-out's lease");
        }
    };
    match queue_pages(services, check, &day, cursor, budget).await {
        Ok(Queued {
            batches,
            items,
            done: true,
        }) => Ok(format!("{day}: queued {batches} batches of {items} items")),
        Ok(Queued { batches, items, .. }) => {
            // The rest is a job's: the worker carries on from the cursor.
            release().await;
            let rest = crate::jobs::Job::DailyFanOut {
                check,
                run: day.clone(),
            };
            services
                .queue
                .send(&rest.body(), std::time::Duration::ZERO)
                .await
                .map_err(|e| anyhow::anyhow!("could not queue the rest of the run: {e}"))?;
            Ok(format!(
                "{day}: queued {batches} batches of {items} items so far; the rest is queuing from the queue"
            ))
        }
        Err(error) => {
            // The next run resumes at the page that was not queued, without
            // waiting for this one's lease.
            release().await;
            Err(error)
        }
    }
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
    services: &Services,
    check: Check,
    day: &str,
    mut cursor: Option<String>,
    budget: std::time::Duration,
) -> anyhow::Result<Queued> {
    let started = std::time::Instant::now();
    let table = services.table.as_ref();
    let key = run_key(check, day);
    let size = check.batch_size(services);
    let (mut batches, mut items) = (0, 0);
    loop {
        let page = table
            .query(check.items().limit(size).after(cursor.clone()))
            .await?;
        if !page.items.is_empty() {
            let keys = page
                .items
                .iter()
                .map(Key::of)
                .collect::<TableResult<Vec<_>>>()?;
            let job = crate::jobs::Job::DailyBatch {
                check,
                run: day.to_string(),
                keys: keys.iter().map(|k| [k.pk.clone(), k.sk.clone()]).collect(),
            };
            // Unlike other jobs, a batch that was not queued has no record
            // that a sweep would find: the run stops here and resumes at this page.
            services
                .queue
                .send(&job.body(), std::time::Duration::ZERO)
                .await
                .map_err(|e| anyhow::anyhow!("could not queue a batch: {e}"))?;
            batches += 1;
            items += keys.len() as i64;
        }
        let mut update = Update::new()
            .add("batches", i64::from(!page.items.is_empty()))
            .add("items", page.items.len() as i64);
        update = match &page.next {
            Some(next) => update.set("cursor", next.clone()).set(
                "lease_until",
                services.clock.now_secs() + FAN_OUT_LEASE_SECS,
            ),
            None => update
                .remove("cursor")
                .remove("lease_until")
                .set("fanned_out_at", crate::clock::rfc3339(services.clock.now())),
        };
        table.update(&key, update, Some(Condition::Exists)).await?;
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

/// Runs one queued batch of `check`'s run `run`, unless it was done.
pub async fn run_batch(
    services: &Services,
    check: Check,
    run: &str,
    keys: &[Key],
) -> Result<(), BatchError> {
    let day = run;
    let Some(first) = keys.first() else {
        return Ok(());
    };
    let marker = batch_key(check, day, first);
    let table = services.table.as_ref();
    if table.get(&marker).await?.is_some() {
        return Ok(());
    }
    let mut tally = Tally::default();
    check
        .run_batch(services, day_of(run), keys, &mut tally)
        .await?;
    let ttl = expires(services);
    let partition = details_partition(check, day);
    let exceptions: Vec<Item> = tally
        .exceptions
        .iter()
        .map(|exception| {
            let mut item = Key::new(partition.clone(), format!("X#{}", exception.item)).to_item();
            item.insert("kind".into(), "task_exception".into());
            item.insert("exception".into(), serde_json::json!(exception));
            item.insert("ttl".into(), ttl.into());
            item
        })
        .collect();
    for chunk in exceptions.chunks(25) {
        table.put_many(chunk.to_vec()).await?;
    }
    let mut done = marker.to_item();
    done.insert("kind".into(), "task_batch".into());
    done.insert("ttl".into(), ttl.into());
    let mut counts = Update::new().add("batches_done", 1);
    for (name, count) in &tally.counts {
        counts = counts.add(format!("{COUNT}{name}"), *count as i64);
    }
    let ops = vec![
        TxOp::Put {
            item: done,
            condition: Some(Condition::NotExists),
        },
        TxOp::Update {
            key: run_key(check, day),
            update: counts,
            condition: None,
        },
    ];
    match table.transact(ops).await {
        // Another delivery of the same batch counted it.
        Ok(()) | Err(TableError::TransactionConflict { index: 0 }) => Ok(()),
        Err(other) => Err(other.into()),
    }
}

/// The latest run of `check`, with its exceptions, if it ever ran.
pub async fn last_run(services: &Services, check: Check) -> TableResult<Option<Run>> {
    let table = services.table.as_ref();
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
    let mut exceptions = Vec::new();
    let mut found = crate::store::Pages::new(
        Query::partition(details_partition(check, &run)).sort(SortKey::BeginsWith("X#".into())),
        100,
    );
    while let Some(items) = found.next(table).await? {
        exceptions.extend(
            items
                .iter()
                .filter_map(|i| serde_json::from_value(i.get("exception")?.clone()).ok()),
        );
    }
    let number = |name: &str| item.i64_attr(name).unwrap_or(0).max(0) as u64;
    Ok(Some(Run {
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
    }))
}

/// The `Key`s of a batch job, as queued.
pub fn keys_of(pairs: &[[String; 2]]) -> Vec<Key> {
    pairs
        .iter()
        .map(|[pk, sk]| Key::new(pk.clone(), sk.clone()))
        .collect()
}
