//! The dead-letter queue as staff read it: each failed job with what it
//! was for and its last error. Neither SQS nor the embedded queue keeps a
//! message's error, so the worker records each failure beside the jobs
//! (`JOBFAILURE#<message id>`), and a job that failed without a word (its
//! worker timed out or crashed) says so.

use serde::Serialize;
use utoipa::ToSchema;

use crate::jobs::Job;
use crate::queue::{Message, QueueError};
use crate::store::{ItemExt, Key, Query, TableError};
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
pub async fn record_failure(services: &impl Storage, message: &Message, error: &str) {
    let now = services.clock().now();
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
    if let Err(failure) = services.table().put(item, None).await {
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
    pub customer_id: Option<String>,
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
pub async fn list(services: &(impl Storage + Queueing)) -> Result<Vec<FailedJob>, DeadLetterError> {
    let letters = services.queue().dead_letters(LISTED).await?;
    let mut jobs = Vec::with_capacity(letters.len());
    for letter in letters {
        let mut job = FailedJob {
            id: letter.id,
            kind: "unreadable".into(),
            subject: None,
            customer_id: None,
            failed_step: None,
            last_error: String::new(),
        };
        let mut unreadable = None;
        let ledger = match Job::parse(&letter.body) {
            Ok(Job::Provision {
                customer_id,
                order_id,
            }) => {
                job.kind = "provision".into();
                job.subject = Some(format!("order:{order_id}"));
                job.customer_id = Some(customer_id);
                Some(format!("ORDER#{order_id}"))
            }
            Ok(Job::RenewDomain { domain, .. }) => {
                job.kind = "renew_domain".into();
                job.subject = Some(format!("domain:{domain}"));
                None
            }
            Ok(Job::TearDown {
                customer_id,
                service_id,
            }) => {
                job.kind = "tear_down".into();
                job.subject = Some(format!("service:{service_id}"));
                job.customer_id = Some(customer_id);
                Some(format!("TEARDOWN#{service_id}"))
            }
            Ok(Job::SyncPanel {
                customer_id,
                service_id,
            }) => {
                job.kind = "sync_panel".into();
                job.subject = Some(format!("service:{service_id}"));
                job.customer_id = Some(customer_id);
                None
            }
            Ok(Job::DailyFanOut { check, run }) => {
                job.kind = "daily_fan_out".into();
                job.subject = Some(format!("task:{} run {run}", check.name()));
                None
            }
            Ok(Job::DailyBatch { check, run, keys }) => {
                job.kind = "daily_batch".into();
                job.subject = Some(format!(
                    "task:{} run {run}, {} items",
                    check.name(),
                    keys.len()
                ));
                None
            }
            Err(error) => {
                unreadable = Some(error.to_string());
                None
            }
        };
        if let Some(partition) = ledger {
            let records = services.table().query(Query::partition(partition)).await?;
            if let Some(failed) = records
                .items
                .iter()
                .rfind(|r| r.str_attr("kind") == Some("step") && r.str_attr("error").is_some())
            {
                job.failed_step = failed.str_attr("name").map(str::to_string);
                job.last_error = failed.str_attr("error").unwrap_or_default().to_string();
            }
        }
        if job.last_error.is_empty() {
            let recorded = services.table().get(&failure_key(&job.id)).await?;
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
