//! The dead-letter queue as staff read it: each failed job with what it
//! was for and its last error. Neither SQS nor the embedded queue keeps a
//! message's error, so the worker records each failure beside the jobs
//! (`JOBFAILURE#<message id>`), and a job that failed without a word (its
//! worker timed out or crashed) says so.

use serde::Serialize;
use utoipa::ToSchema;

use crate::CustomerId;
use crate::jobs::Job;
use crate::queue::{Message, QueueError};
use crate::staff::names::Names;
use crate::store::{ItemExt, Key, Query, Table, TableError, TableResult};
use crate::{Queueing, Storage};

/// Failed jobs listed at most.
const LISTED: usize = 100;
/// How long a job's last failure is kept: longer than the dead-letter
/// queue keeps a message (14 days on SQS).
const FAILURE_KEPT_DAYS: i64 = 30;
/// The longest error kept.
const ERROR_CHARS: usize = 2_000;

fn failure_key(message_id: &str) -> Key {
    Key::new(format!("JOBFAILURE#{message_id}"), "LAST")
}

/// Records why the delivery `message` failed, over the last delivery's
/// record. A failure to record is logged: the job's own retry goes on.
pub async fn record_failure(ports: &impl Storage, message: &Message, error: &str) {
    let now = ports.clock().now();
    let mut item = failure_key(&message.id).to_item();
    item.insert("kind".into(), "job_failure".into());
    item.insert(
        "error".into(),
        error.chars().take(ERROR_CHARS).collect::<String>().into(),
    );
    item.insert("attempt".into(), message.receive_count.into());
    item.insert("at".into(), crate::clock::rfc3339(now).into());
    item.insert(
        "ttl".into(),
        (now.unix_timestamp() + FAILURE_KEPT_DAYS * 86_400).into(),
    );
    if let Err(failure) = ports.table().put(item, None).await {
        tracing::warn!(message_id = %message.id, %failure, "could not record a job's failure");
    }
}

/// What staff read of a failed job that recorded no error.
fn unrecorded(message_id: &str) -> String {
    format!(
        "no error was recorded: the worker stopped before the job ended (a timeout or a crash); see the worker's log for message {message_id}"
    )
}

/// A job that kept failing.
#[derive(Debug, Serialize, ToSchema)]
pub struct FailedJob {
    pub id: String,
    /// `provision`, `renew_domain`, `tear_down`, `sync_panel`, or `unreadable`.
    pub kind: String,
    /// What it was for: `order:<id>`, `domain:<name>`, `service:<id>`.
    pub subject: Option<String>,
    pub customer_id: Option<CustomerId>,
    /// The customer's name, while the account is there.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub customer_name: Option<String>,
    /// The service or order in words: `Web Starter · example.com`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subject_name: Option<String>,
    /// The step that failed last, where the work keeps a ledger.
    pub failed_step: Option<String>,
    /// The failed step's error, or the job's last; never empty.
    pub last_error: String,
}

#[derive(Debug, thiserror::Error)]
pub enum DeadLetterError {
    #[error(transparent)]
    Queue(#[from] QueueError),
    #[error(transparent)]
    Table(#[from] TableError),
}

/// The failed jobs, with what each was for.
pub async fn list(ports: &(impl Storage + Queueing)) -> Result<Vec<FailedJob>, DeadLetterError> {
    let letters = ports.queue().dead_letters(LISTED).await?;
    let mut jobs = Vec::with_capacity(letters.len());
    let mut names = Names::default();
    for letter in letters {
        let (about, unreadable) = match Job::parse(&letter.body) {
            Ok(job) => (about(job), None),
            Err(error) => (About::unreadable(), Some(error.to_string())),
        };
        let (customer_name, subject_name) = named(ports, &mut names, &about).await?;
        let mut job = FailedJob {
            id: letter.id,
            kind: about.kind.into(),
            subject: about.subject,
            customer_name,
            subject_name,
            customer_id: about.customer_id,
            failed_step: None,
            last_error: String::new(),
        };
        if let Some(partition) = about.ledger {
            failed_step(ports.table(), partition, &mut job).await?;
        }
        if job.last_error.is_empty() {
            let recorded = ports.table().get(&failure_key(&job.id)).await?;
            job.last_error = recorded
                .as_ref()
                .and_then(|r| r.str_attr("error"))
                .map(str::to_string)
                .or(unreadable)
                .unwrap_or_else(|| unrecorded(&job.id));
        }
        jobs.push(job);
    }
    Ok(jobs)
}

/// The names of the customer and the subject of a job: who and what it was for.
async fn named(
    ports: &impl Storage,
    names: &mut Names,
    about: &About,
) -> Result<(Option<String>, Option<String>), TableError> {
    let Some(customer) = &about.customer_id else {
        return Ok((None, None));
    };
    let subject = match &about.subject {
        Some(subject) => names.subject(ports, subject, Some(customer)).await?,
        None => None,
    };
    Ok((names.customer(ports, customer).await?, subject))
}

/// What a failed job was for, and where its work keeps a ledger of steps.
struct About {
    kind: &'static str,
    subject: Option<String>,
    customer_id: Option<CustomerId>,
    /// The partition of the work's steps, where it keeps them.
    ledger: Option<String>,
}

impl About {
    fn unreadable() -> Self {
        About {
            kind: "unreadable",
            subject: None,
            customer_id: None,
            ledger: None,
        }
    }
}

fn about(job: Job) -> About {
    let (kind, subject, customer_id, ledger) = match job {
        Job::Provision {
            customer_id,
            order_id,
        } => (
            "provision",
            format!("order:{order_id}"),
            Some(customer_id),
            Some(format!("ORDER#{order_id}")),
        ),
        Job::RenewDomain { domain, .. } => ("renew_domain", format!("domain:{domain}"), None, None),
        Job::TearDown {
            customer_id,
            service_id,
        } => (
            "tear_down",
            format!("service:{service_id}"),
            Some(customer_id),
            Some(format!("TEARDOWN#{service_id}")),
        ),
        Job::SyncPanel {
            customer_id,
            service_id,
        } => (
            "sync_panel",
            format!("service:{service_id}"),
            Some(customer_id),
            None,
        ),
        Job::EraseAccount { customer_id } => (
            "erase_account",
            format!("customer:{customer_id}"),
            Some(customer_id),
            None,
        ),
        Job::DailyFanOut { check, run } => (
            "daily_fan_out",
            format!("task:{} run {run}", check.name()),
            None,
            None,
        ),
        Job::DailyBatch { check, run, keys } => (
            "daily_batch",
            format!("task:{} run {run}, {} items", check.name(), keys.len()),
            None,
            None,
        ),
    };
    About {
        kind,
        subject: Some(subject),
        customer_id,
        ledger,
    }
}

/// The step that failed last in the work's ledger, with its error.
async fn failed_step(table: &dyn Table, partition: String, job: &mut FailedJob) -> TableResult<()> {
    let records = table.query(Query::partition(partition)).await?;
    if let Some(failed) = records
        .items
        .iter()
        .rfind(|r| r.str_attr("kind") == Some("step") && r.str_attr("error").is_some())
    {
        job.failed_step = failed.str_attr("name").map(str::to_string);
        job.last_error = failed.str_attr("error").unwrap_or_default().to_string();
    }
    Ok(())
}
