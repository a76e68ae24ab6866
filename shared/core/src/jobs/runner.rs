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
//! A worker runs the jobs it receives at once, as Lambda runs SQS batches
//! side by side, and receives only as many as it has room for: several
//! batches, since its jobs mostly wait on registries and panels.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use tokio_util::sync::CancellationToken;
use tracing::Instrument;

use super::{JOB_VISIBILITY, JobError};
use crate::queue::{MAX_DELAY, MAX_RECEIVE_BATCH, MAX_VISIBILITY, Message, Queue};

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

/// The most jobs a worker runs at once by default: a burst of paid orders
/// is provisioned side by side rather than in waves.
const AT_ONCE: usize = 50;

#[derive(Debug, Clone, Copy)]
pub struct WorkerSettings {
    /// How long a received job is hidden from other workers while it runs.
    pub visibility: Duration,
    /// The most jobs a worker runs at once. It receives only as many as it
    /// has room for, so no job waits in one worker while another is idle.
    pub at_once: usize,
    /// How long one receive waits for work.
    pub wait: Duration,
}

impl Default for WorkerSettings {
    fn default() -> Self {
        WorkerSettings {
            visibility: JOB_VISIBILITY,
            at_once: AT_ONCE,
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
    let most = settings.at_once.max(1);
    while !stop.is_cancelled() {
        while running.try_join_next().is_some() {}
        if running.len() >= most {
            tokio::select! {
                _ = stop.cancelled() => break,
                _ = running.join_next() => continue,
            }
        }
        let room = (most - running.len()).min(MAX_RECEIVE_BATCH);
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_and_is_capped() {
        assert_eq!(retry_backoff(1), Duration::from_secs(2));
        assert_eq!(retry_backoff(3), Duration::from_secs(8));
        assert_eq!(retry_backoff(5), Duration::from_secs(32));
        assert_eq!(retry_backoff(30), Duration::from_secs(60));
    }
}
