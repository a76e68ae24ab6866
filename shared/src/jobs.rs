//! Queue workers. Delivery is at least once, so handlers must be idempotent;
//! a failed job is retried with backoff and, after the queue's maximum number
//! of deliveries, lands in the dead-letter queue for staff to inspect.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use tokio_util::sync::CancellationToken;

use crate::orders::provision;
use crate::queue::{MAX_RECEIVE_BATCH, MAX_VISIBILITY, Message, Queue};

#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct JobError(pub String);

#[async_trait]
pub trait JobHandler: Send + Sync {
    async fn handle(&self, message: &Message) -> Result<(), JobError>;
}

/// How long a job stays hidden after its `receive_count`-th failure: 2^n
/// seconds, at most 15 minutes.
pub fn retry_backoff(receive_count: u32) -> Duration {
    Duration::from_secs(1u64 << receive_count.min(20)).min(Duration::from_secs(15 * 60))
}

/// Runs one delivered message: deletes it when done, hides it for the backoff
/// when it failed. Returns whether it succeeded.
pub async fn process(queue: &dyn Queue, handler: &dyn JobHandler, message: &Message) -> bool {
    match handler.handle(message).await {
        Ok(()) => {
            if let Err(error) = queue.delete(&message.receipt).await {
                // The job is done; a redelivery finds it done, as handlers are idempotent.
                tracing::warn!(message_id = %message.id, %error, "job done but not deleted");
            }
            true
        }
        Err(error) => {
            let backoff = retry_backoff(message.receive_count).min(MAX_VISIBILITY);
            tracing::warn!(message_id = %message.id, attempt = message.receive_count, %error, ?backoff, "job failed");
            if let Err(error) = queue.change_visibility(&message.receipt, backoff).await {
                tracing::warn!(message_id = %message.id, %error, "could not delay the retry");
            }
            false
        }
    }
}

#[derive(Debug, Clone, Copy)]
pub struct WorkerSettings {
    /// How long a received job is hidden from other workers while it runs.
    pub visibility: Duration,
    pub batch: usize,
    /// How long one receive waits for work.
    pub wait: Duration,
}

impl Default for WorkerSettings {
    fn default() -> Self {
        WorkerSettings {
            visibility: Duration::from_secs(60),
            batch: MAX_RECEIVE_BATCH,
            wait: Duration::from_secs(1),
        }
    }
}

/// Receives and runs jobs until `stop` is cancelled. The job under way runs to
/// its end; received jobs not yet started go straight back to the queue.
pub async fn run_worker(
    queue: Arc<dyn Queue>,
    handler: Arc<dyn JobHandler>,
    settings: WorkerSettings,
    stop: CancellationToken,
) {
    while !stop.is_cancelled() {
        let received = tokio::select! {
            _ = stop.cancelled() => break,
            received = queue.receive(settings.batch, settings.visibility, settings.wait) => received,
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
        for (i, message) in messages.iter().enumerate() {
            if stop.is_cancelled() {
                release(queue.as_ref(), &messages[i..]).await;
                break;
            }
            process(queue.as_ref(), handler.as_ref(), message).await;
        }
    }
}

/// Makes received but unstarted jobs visible again at once.
async fn release(queue: &dyn Queue, messages: &[Message]) {
    for message in messages {
        if let Err(error) = queue
            .change_visibility(&message.receipt, Duration::ZERO)
            .await
        {
            tracing::warn!(message_id = %message.id, %error, "could not release an unstarted job");
        }
    }
}

/// The application's jobs, dispatched by their `kind`. Every provisioning
/// step that a job runs is recorded so that a redelivery repeats nothing.
pub struct AppJobs {
    pub services: crate::Services,
}

#[derive(serde::Deserialize)]
struct Envelope {
    kind: String,
    #[serde(default)]
    customer_id: String,
    #[serde(default)]
    order_id: String,
}

#[async_trait]
impl JobHandler for AppJobs {
    async fn handle(&self, message: &Message) -> Result<(), JobError> {
        let envelope: Envelope =
            serde_json::from_str(&message.body).map_err(|e| JobError(format!("not a job: {e}")))?;
        match envelope.kind.as_str() {
            provision::JOB_KIND => {
                let last_try = message.receive_count >= self.services.config.queue_max_receives;
                let outcome = provision::run(
                    &self.services,
                    &envelope.customer_id,
                    &envelope.order_id,
                    last_try,
                )
                .await
                .map_err(|e| JobError(e.to_string()))?;
                tracing::info!(order = %envelope.order_id, ?outcome, "provisioning job ran");
                Ok(())
            }
            other => Err(JobError(format!("no handler for job kind {other:?}"))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_and_is_capped() {
        assert_eq!(retry_backoff(1), Duration::from_secs(2));
        assert_eq!(retry_backoff(3), Duration::from_secs(8));
        assert_eq!(retry_backoff(30), Duration::from_secs(900));
    }
}
