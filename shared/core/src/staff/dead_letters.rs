//! The dead-letter queue as staff read it: each failed job with what it
//! was for and the last error its work recorded.

use serde::Serialize;
use utoipa::ToSchema;

use crate::jobs::Job;
use crate::queue::QueueError;
use crate::store::{ItemExt, Query, TableError};
use crate::{Queueing, Storage};

/// Failed jobs listed at most.
const LISTED: usize = 100;

/// A job that kept failing.
#[derive(Debug, Serialize, ToSchema)]
pub struct FailedJob {
    pub id: String,
    /// `provision`, `renew_domain`, `tear_down`, `sync_panel`, or `unreadable`.
    pub kind: String,
    /// What it was for: `order:<id>`, `domain:<name>`, `service:<id>`.
    pub subject: Option<String>,
    pub customer_id: Option<String>,
    /// The step that failed last, and its error, where the work keeps a ledger.
    pub failed_step: Option<String>,
    pub last_error: Option<String>,
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
            last_error: None,
        };
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
                job.last_error = Some(error.to_string());
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
                job.last_error = failed.str_attr("error").map(str::to_string);
            }
        }
        jobs.push(job);
    }
    Ok(jobs)
}
