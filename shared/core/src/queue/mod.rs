//! The `Queue` port: at-least-once delivery with delays, visibility timeouts
//! and a dead-letter queue, with SQS's semantics. A message stays in the queue
//! until a consumer deletes it, so a crash before the delete loses nothing:
//! the message becomes visible again when its visibility timeout ends.

use std::time::Duration;

use async_trait::async_trait;

/// The longest delay a message may be sent with (SQS's limit).
pub const MAX_DELAY: Duration = Duration::from_secs(15 * 60);
/// The longest a received message may stay hidden (SQS's limit).
pub const MAX_VISIBILITY: Duration = Duration::from_secs(12 * 60 * 60);
/// The most messages one receive returns (SQS's limit).
pub const MAX_RECEIVE_BATCH: usize = 10;
/// The longest a receive may wait for a message (SQS's limit).
pub const MAX_WAIT: Duration = Duration::from_secs(20);
/// The largest message body (SQS's limit).
pub const MAX_BODY_BYTES: usize = 256 * 1024;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    pub id: String,
    /// Names this delivery; only the latest delivery's receipt deletes the message.
    pub receipt: String,
    pub body: String,
    /// How many times the message has been delivered, this time included.
    pub receive_count: u32,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeadLetter {
    pub id: String,
    pub body: String,
}

#[derive(Debug, thiserror::Error, Clone, PartialEq, Eq)]
pub enum QueueError {
    #[error("invalid queue request: {0}")]
    Invalid(String),
    #[error("queue failed: {0}")]
    Backend(String),
}

impl From<String> for QueueError {
    fn from(message: String) -> Self {
        QueueError::Backend(message)
    }
}

pub type QueueResult<T> = Result<T, QueueError>;

#[async_trait]
pub trait Queue: Send + Sync {
    /// The engine's name, as `/api/health` reports it.
    fn engine(&self) -> &'static str;

    /// Sends a message that becomes visible after `delay` (at most `MAX_DELAY`).
    async fn send(&self, body: &str, delay: Duration) -> QueueResult<String>;

    /// Receives up to `max` visible messages, hiding each for `visibility`;
    /// waits up to `wait` for the first one. A message already delivered the
    /// queue's maximum number of times goes to the dead-letter queue instead.
    async fn receive(
        &self,
        max: usize,
        visibility: Duration,
        wait: Duration,
    ) -> QueueResult<Vec<Message>>;

    /// Deletes a delivered message; a stale receipt deletes nothing.
    async fn delete(&self, receipt: &str) -> QueueResult<()>;

    /// Hides a delivered message for `timeout` from now (zero: visible at once).
    async fn change_visibility(&self, receipt: &str, timeout: Duration) -> QueueResult<()>;

    /// Moves a delivered message to the dead-letter queue at once: a job that
    /// can never succeed must not spend its deliveries. A stale receipt moves
    /// nothing.
    async fn dead_letter(&self, message: &Message) -> QueueResult<()>;

    /// Up to `max` messages in the dead-letter queue.
    async fn dead_letters(&self, max: usize) -> QueueResult<Vec<DeadLetter>>;

    /// Moves every dead letter back to the queue; returns how many moved.
    async fn redrive(&self) -> QueueResult<usize>;

    /// Moves the dead letter `id` back to the queue; false when there is
    /// none by that id (another redrive moved it, or it never failed).
    async fn redrive_one(&self, id: &str) -> QueueResult<bool>;

    /// Makes the messages received but not deleted visible again at once,
    /// and says how many, or `None` when the engine leaves them to their
    /// visibility timeout. For an engine whose only consumer is this
    /// process (the embedded queue), called when the process starts: every
    /// such message was received by the process before it, which is gone.
    async fn release_received(&self) -> QueueResult<Option<usize>> {
        Ok(None)
    }
}

pub fn validate_send(body: &str, delay: Duration) -> QueueResult<()> {
    if body.is_empty() || body.len() > MAX_BODY_BYTES {
        return Err(QueueError::Invalid(format!(
            "a message body holds 1 to {MAX_BODY_BYTES} bytes"
        )));
    }
    if delay > MAX_DELAY {
        return Err(QueueError::Invalid(
            "a message may be delayed 15 minutes at most".into(),
        ));
    }
    Ok(())
}

pub fn validate_receive(max: usize, visibility: Duration, wait: Duration) -> QueueResult<()> {
    if max == 0 || max > MAX_RECEIVE_BATCH {
        return Err(QueueError::Invalid(format!(
            "receive 1 to {MAX_RECEIVE_BATCH} messages"
        )));
    }
    validate_visibility(visibility)?;
    if wait > MAX_WAIT {
        return Err(QueueError::Invalid(
            "a receive waits 20 seconds at most".into(),
        ));
    }
    Ok(())
}

pub fn validate_visibility(visibility: Duration) -> QueueResult<()> {
    if visibility > MAX_VISIBILITY {
        return Err(QueueError::Invalid(
            "a visibility timeout is 12 hours at most".into(),
        ));
    }
    Ok(())
}
