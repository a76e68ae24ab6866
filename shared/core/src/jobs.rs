//! Queue workers. Delivery is at least once, so handlers must be idempotent.
//! A job ends in one of four ways:
//!
//! - done: the message is deleted;
//! - failed: retried after a backoff; after the queue's maximum number of
//!   deliveries it lands in the dead-letter queue for staff to inspect;
//! - later (another worker holds the work under a lease, or the job made
//!   progress before a step failed): sent again, delayed, and this delivery
//!   deleted, so neither waiting for a worker that died nor a job that keeps
//!   moving forward spends its deliveries;
//! - poison (a body that is no job): straight to the dead-letter queue.
//!
//! A worker runs the jobs it receives at once, as the Lambda worker runs an
//! SQS batch, and receives only as many as it has room for.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use tokio_util::sync::CancellationToken;
use tracing::Instrument;

use crate::orders::provision;
use crate::queue::{MAX_DELAY, MAX_RECEIVE_BATCH, MAX_VISIBILITY, Message, Queue};

/// How long a received job is hidden from other workers while it runs. Every
/// lease a job takes must be shorter, so a job whose worker died comes back
/// only once its lease has lapsed.
pub const JOB_VISIBILITY: Duration = Duration::from_secs(60);

/// How soon a daily batch that found the registrar busy runs again.
const DAILY_RETRY: Duration = Duration::from_secs(30);

/// How soon a job that moved forward before a step failed runs again.
const PROGRESS_RETRY: Duration = Duration::from_secs(2);

/// Every job the application queues.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Job {
    /// Run a paid order's provisioning saga.
    Provision {
        customer_id: String,
        order_id: String,
    },
    /// Renew a domain whose renewal is queued, extending `current_expiry`.
    RenewDomain { domain: String, current_expiry: i64 },
    /// Suspend a service whose cancellation took effect, back it up, and
    /// remove its account, mailboxes and zone.
    TearDown {
        customer_id: String,
        service_id: String,
    },
    /// Make the panel's account match the service: its plan and suspension.
    SyncPanel {
        customer_id: String,
        service_id: String,
    },
    /// Carry on queuing the pages of a daily check's run where the last
    /// invocation stopped.
    DailyFanOut {
        check: crate::daily::Check,
        run: String,
    },
    /// Run one page of a daily check over the items whose keys it names.
    DailyBatch {
        check: crate::daily::Check,
        /// The run it belongs to: its day, or the time staff started it.
        run: String,
        /// Each item's `[pk, sk]`.
        keys: Vec<[String; 2]>,
    },
}

impl Job {
    /// The message body.
    pub fn body(&self) -> String {
        serde_json::to_string(self).expect("a job serialises")
    }

    /// Queues the job now. A failure is logged, not returned: every job is
    /// also found again by a sweep of the records that asked for it.
    pub async fn send(&self, services: &impl crate::Queueing) {
        if let Err(error) = services.queue().send(&self.body(), Duration::ZERO).await {
            tracing::error!(job = %self.body(), %error, "could not enqueue a job; its sweep will");
        }
    }

    /// The job in `body`, or why it is none.
    pub fn parse(body: &str) -> Result<Job, JobError> {
        serde_json::from_str(body).map_err(|e| JobError::Poison(format!("not a job: {e}")))
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum JobError {
    /// A passing failure: retry after a backoff.
    #[error("{0}")]
    Failed(String),
    /// Come back after `retry_in`, as a fresh delivery: another worker holds
    /// the work, or the job moved forward before it stopped.
    #[error("again in {retry_in:?}: {reason}")]
    Later { retry_in: Duration, reason: String },
    /// The message can never succeed.
    #[error("poison: {0}")]
    Poison(String),
}

#[async_trait]
pub trait JobHandler: Send + Sync {
    async fn handle(&self, message: &Message) -> Result<(), JobError>;

    /// Keeps why `message` failed, so that staff read it if the job lands
    /// among the failed ones (the queues keep no error of their own).
    async fn record_failure(&self, message: &Message, error: &str) {
        let _ = (message, error);
    }
}

/// How long a job stays hidden after its `receive_count`-th failure: 2^n
/// seconds, at most a minute. A paid customer is waiting on most jobs; an
/// outage longer than the retries lands them in the dead-letter queue, where
/// staff see them and redrive them.
pub fn retry_backoff(receive_count: u32) -> Duration {
    Duration::from_secs(1u64 << receive_count.min(20)).min(MAX_BACKOFF)
}

const MAX_BACKOFF: Duration = Duration::from_secs(60);

/// Runs one delivered message and settles it with the queue (see the module
/// notes). Returns false when the queue should deliver this message again.
pub async fn process(queue: &dyn Queue, handler: &dyn JobHandler, message: &Message) -> bool {
    match handler.handle(message).await {
        Ok(()) => {
            if let Err(error) = queue.delete(&message.receipt).await {
                // The job is done; a redelivery finds it done, as handlers are idempotent.
                tracing::warn!(message_id = %message.id, %error, "job done but not deleted");
            }
            true
        }
        Err(JobError::Failed(error)) => {
            handler.record_failure(message, &error).await;
            let backoff = retry_backoff(message.receive_count).min(MAX_VISIBILITY);
            tracing::warn!(message_id = %message.id, attempt = message.receive_count, %error, ?backoff, "job failed");
            if let Err(error) = queue.change_visibility(&message.receipt, backoff).await {
                tracing::warn!(message_id = %message.id, %error, "could not delay the retry");
            }
            false
        }
        Err(JobError::Later { retry_in, reason }) => {
            tracing::info!(message_id = %message.id, ?retry_in, %reason, "job sent again for later");
            // Send before delete: a crash in between leaves two copies, which the
            // leases make harmless, and never none.
            match queue.send(&message.body, retry_in.min(MAX_DELAY)).await {
                Ok(_) => {
                    if let Err(error) = queue.delete(&message.receipt).await {
                        tracing::warn!(message_id = %message.id, %error, "job sent again but not deleted");
                    }
                    true
                }
                Err(error) => {
                    tracing::warn!(message_id = %message.id, %error, "could not send a job again; it comes back after its visibility");
                    let _ = queue
                        .change_visibility(&message.receipt, retry_in.min(MAX_VISIBILITY))
                        .await;
                    false
                }
            }
        }
        Err(JobError::Poison(error)) => {
            handler.record_failure(message, &error).await;
            tracing::error!(message_id = %message.id, %error, "poison message: to the dead-letter queue at once");
            match queue.dead_letter(message).await {
                Ok(()) => true,
                Err(error) => {
                    tracing::error!(message_id = %message.id, %error, "could not dead-letter a poison message");
                    false
                }
            }
        }
    }
}

#[derive(Debug, Clone, Copy)]
pub struct WorkerSettings {
    /// How long a received job is hidden from other workers while it runs.
    pub visibility: Duration,
    /// The most jobs a worker runs at once. It receives only as many as it
    /// has room for, so no job waits in one worker while another is idle.
    pub batch: usize,
    /// How long one receive waits for work.
    pub wait: Duration,
}

impl Default for WorkerSettings {
    fn default() -> Self {
        WorkerSettings {
            visibility: JOB_VISIBILITY,
            batch: MAX_RECEIVE_BATCH,
            wait: Duration::from_secs(1),
        }
    }
}

/// Receives and runs jobs, each as soon as it arrives and beside the others,
/// until `stop` is cancelled. Then it receives no more, and the jobs under
/// way run to their end; jobs it never received stay in the queue.
pub async fn run_worker(
    queue: Arc<dyn Queue>,
    handler: Arc<dyn JobHandler>,
    settings: WorkerSettings,
    stop: CancellationToken,
) {
    let mut running = tokio::task::JoinSet::new();
    let most = settings.batch.clamp(1, MAX_RECEIVE_BATCH);
    while !stop.is_cancelled() {
        while running.try_join_next().is_some() {}
        if running.len() >= most {
            tokio::select! {
                _ = stop.cancelled() => break,
                _ = running.join_next() => continue,
            }
        }
        let room = most - running.len();
        let received = tokio::select! {
            _ = stop.cancelled() => break,
            received = queue.receive(room, settings.visibility, settings.wait) => received,
        };
        let messages = match received {
            Ok(messages) => messages,
            Err(error) => {
                tracing::error!(%error, "worker could not receive; pausing");
                tokio::select! {
                    _ = stop.cancelled() => break,
                    _ = tokio::time::sleep(Duration::from_secs(1)) => continue,
                }
            }
        };
        for message in messages {
            let (queue, handler) = (queue.clone(), handler.clone());
            let span = tracing::info_span!("job", message_id = %message.id, attempt = message.receive_count);
            running.spawn(
                async move { process(queue.as_ref(), handler.as_ref(), &message).await }
                    .instrument(span),
            );
        }
    }
    while running.join_next().await.is_some() {}
}

/// The application's jobs, dispatched by their `kind`. Every provisioning
/// step that a job runs is recorded so that a redelivery repeats nothing.
pub struct AppJobs {
    pub services: crate::Services,
}

#[async_trait]
impl JobHandler for AppJobs {
    async fn record_failure(&self, message: &Message, error: &str) {
        crate::staff::dead_letters::record_failure(&self.services, message, error).await;
    }

    async fn handle(&self, message: &Message) -> Result<(), JobError> {
        // The mail provider's bounces and complaints share the queue.
        if let Some(event) = crate::mailer::MailEvent::parse(&message.body) {
            return crate::mailer::record_event(&self.services, &event)
                .await
                .map_err(|error| JobError::Failed(error.to_string()));
        }
        match Job::parse(&message.body)? {
            Job::Provision {
                customer_id,
                order_id,
            } => {
                let last_try = message.receive_count >= self.services.config.queue_max_receives;
                let outcome = provision::run(&self.services, &customer_id, &order_id, last_try)
                    .await
                    .map_err(|e| match e {
                        provision::SagaError::Waiting {
                            step,
                            reason,
                            retry_in,
                        } => JobError::Later {
                            retry_in,
                            reason: format!("step {step} waits: {reason}"),
                        },
                        provision::SagaError::Busy { step, retry_in } => JobError::Later {
                            retry_in,
                            reason: format!("step {step} is leased by another worker"),
                        },
                        provision::SagaError::StepFailed {
                            step,
                            error,
                            progressed: true,
                        } => JobError::Later {
                            retry_in: PROGRESS_RETRY,
                            reason: format!(
                                "step {step} failed after earlier steps finished: {error}"
                            ),
                        },
                        other => JobError::Failed(other.to_string()),
                    })?;
                tracing::info!(order = %order_id, ?outcome, "provisioning job ran");
                Ok(())
            }
            Job::RenewDomain {
                domain,
                current_expiry,
            } => {
                let last_try = message.receive_count >= self.services.config.queue_max_receives;
                crate::renewals::run(&self.services, &domain, current_expiry, last_try)
                    .await
                    .map_err(|e| JobError::Failed(e.to_string()))
            }
            Job::TearDown {
                customer_id,
                service_id,
            } => crate::subscriptions::cancel::tear_down(&self.services, &customer_id, &service_id)
                .await
                .map_err(|error| match error {
                    crate::workflow::StepsError::Leased(leased) => JobError::Later {
                        retry_in: leased.retry_in,
                        reason: "a step is leased by another worker".into(),
                    },
                    other => JobError::Failed(other.to_string()),
                }),
            Job::SyncPanel {
                customer_id,
                service_id,
            } => crate::subscriptions::panel::sync(&self.services, &customer_id, &service_id)
                .await
                .map_err(JobError::Failed),
            Job::DailyFanOut { check, run } => crate::daily::continue_fan_out(
                &self.services,
                check,
                &run,
            )
            .await
            .map(|outcome| tracing::info!(task = check.name(), %outcome, "fan-out carried on"))
            .map_err(|error| JobError::Failed(error.to_string())),
            Job::DailyBatch { check, run, keys } => {
                let keys = crate::daily::keys_of(&keys);
                crate::daily::run_batch(&self.services, check, &run, &keys)
                    .await
                    .map_err(|error| match error {
                        crate::daily::BatchError::Later(reason) => JobError::Later {
                            retry_in: DAILY_RETRY,
                            reason,
                        },
                        other => JobError::Failed(other.to_string()),
                    })
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jobs_keep_their_wire_format_and_anything_else_is_poison() {
        let job = Job::Provision {
            customer_id: "c1".into(),
            order_id: "o1".into(),
        };
        assert_eq!(
            job.body(),
            r#"{"kind":"provision","customer_id":"c1","order_id":"o1"}"#
        );
        assert_eq!(Job::parse(&job.body()), Ok(job));
        for bad in [
            "",
            "{}",
            r#"{"kind":"dance"}"#,
            r#"{"kind":"provision"}"#,
            "[1]",
        ] {
            assert!(
                matches!(Job::parse(bad), Err(JobError::Poison(_))),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn backoff_doubles_and_is_capped() {
        assert_eq!(retry_backoff(1), Duration::from_secs(2));
        assert_eq!(retry_backoff(3), Duration::from_secs(8));
        assert_eq!(retry_backoff(5), Duration::from_secs(32));
        assert_eq!(retry_backoff(30), Duration::from_secs(60));
    }
}
