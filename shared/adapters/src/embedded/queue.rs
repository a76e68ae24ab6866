//! The embedded `Queue` engine: messages are rows in the embedded database, so
//! they survive a crash exactly as the table's items do.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use rusqlite::{TransactionBehavior, params};
use tokio::sync::Notify;

use super::{EmbeddedDb, Failure};
use hostfront_core::clock::Clock;
use hostfront_core::queue::{
    DeadLetter, Message, Queue, QueueError, QueueResult, validate_receive, validate_send,
    validate_visibility,
};

/// What the engine's own functions return: SQLite's errors and the port's.
type Res<T> = Result<T, Failure<QueueError>>;

/// How often a waiting receive looks again for delayed or reappearing messages.
const POLL: Duration = Duration::from_millis(100);

#[derive(Clone)]
pub struct SqliteQueue {
    db: EmbeddedDb,
    name: String,
    max_receives: u32,
    clock: Arc<dyn Clock>,
    sent: Arc<Notify>,
}

impl SqliteQueue {
    /// A queue named `name` whose messages go to its dead letters after
    /// `max_receives` deliveries.
    pub fn new(
        db: EmbeddedDb,
        name: impl Into<String>,
        max_receives: u32,
        clock: Arc<dyn Clock>,
    ) -> Self {
        SqliteQueue {
            db,
            name: name.into(),
            max_receives: max_receives.max(1),
            clock,
            sent: Arc::new(Notify::new()),
        }
    }

    /// Runs `work` on the connection and reports its failure as the port's.
    async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce(&mut rusqlite::Connection) -> Res<T> + Send + 'static,
    ) -> QueueResult<T> {
        Ok(self.db.run(work).await?)
    }

    async fn receive_now(&self, max: usize, visibility: Duration) -> QueueResult<Vec<Message>> {
        let (queue, max_receives) = (self.name.clone(), self.max_receives);
        let now = self.clock.now_millis();
        let hidden_until = now + visibility.as_millis() as i64;
        self.run(move |conn| {
                let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
                let mut delivered = Vec::new();
                {
                    let mut ready = tx.prepare_cached(
                        "SELECT id, body, receive_count FROM queue_messages
                         WHERE queue = ?1 AND dead_at IS NULL AND visible_at <= ?2
                         ORDER BY visible_at, rowid LIMIT ?3",
                    )?;
                    let candidates = ready
                        .query_map(params![queue, now, (max * 2) as i64], |r| {
                            Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, u32>(2)?))
                        })?
                        .collect::<Result<Vec<_>, _>>()?;
                    for (id, body, count) in candidates {
                        if count >= max_receives {
                            tx.execute("UPDATE queue_messages SET dead_at = ?2, receipt = NULL WHERE id = ?1", params![id, now])?;
                            continue;
                        }
                        if delivered.len() == max {
                            break;
                        }
                        let receipt = ulid::Ulid::new().to_string();
                        tx.execute(
                            "UPDATE queue_messages SET receive_count = receive_count + 1, visible_at = ?2, receipt = ?3 WHERE id = ?1",
                            params![id, hidden_until, receipt],
                        )?;
                        delivered.push(Message { id, receipt, body, receive_count: count + 1 });
                    }
                }
                tx.commit()?;
                Ok(delivered)
            })
            .await
    }

    /// Makes dead letters (all, or only `id`) deliverable again, as new.
    async fn revive(&self, id: Option<String>) -> QueueResult<usize> {
        let queue = self.name.clone();
        let now = self.clock.now_millis();
        let moved = self
            .db
            .run(move |conn| {
                Ok::<_, Failure<QueueError>>(conn.execute(
                    "UPDATE queue_messages SET dead_at = NULL, receive_count = 0, visible_at = ?2, receipt = NULL
                     WHERE queue = ?1 AND dead_at IS NOT NULL AND (?3 IS NULL OR id = ?3)",
                    params![queue, now, id],
                )?)
            })
            .await?;
        if moved > 0 {
            self.sent.notify_waiters();
        }
        Ok(moved)
    }
}

#[async_trait]
impl Queue for SqliteQueue {
    fn engine(&self) -> &'static str {
        "sqlite"
    }

    async fn send(&self, body: &str, delay: Duration) -> QueueResult<String> {
        validate_send(body, delay)?;
        let id = ulid::Ulid::new().to_string();
        let now = self.clock.now_millis();
        let row = (
            id.clone(),
            self.name.clone(),
            body.to_string(),
            now + delay.as_millis() as i64,
        );
        self.run(move |conn| {
                Ok::<_, Failure<QueueError>>(conn.execute(
                    "INSERT INTO queue_messages (id, queue, body, sent_at, visible_at) VALUES (?1, ?2, ?3, ?4, ?5)",
                    params![row.0, row.1, row.2, now, row.3],
                )?)
            })
            .await?;
        self.sent.notify_waiters();
        Ok(id)
    }

    async fn receive(
        &self,
        max: usize,
        visibility: Duration,
        wait: Duration,
    ) -> QueueResult<Vec<Message>> {
        validate_receive(max, visibility, wait)?;
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            let sent = self.sent.notified();
            let messages = self.receive_now(max, visibility).await?;
            let left = deadline.saturating_duration_since(tokio::time::Instant::now());
            if !messages.is_empty() || left.is_zero() {
                return Ok(messages);
            }
            tokio::select! {
                _ = sent => {}
                _ = tokio::time::sleep(left.min(POLL)) => {}
            }
        }
    }

    async fn delete(&self, receipt: &str) -> QueueResult<()> {
        let receipt = receipt.to_string();
        self.run(move |conn| {
            Ok::<_, Failure<QueueError>>(
                conn.execute("DELETE FROM queue_messages WHERE receipt = ?1", [receipt])?,
            )
        })
        .await?;
        Ok(())
    }

    async fn change_visibility(&self, receipt: &str, timeout: Duration) -> QueueResult<()> {
        validate_visibility(timeout)?;
        let receipt = receipt.to_string();
        let visible_at = self.clock.now_millis() + timeout.as_millis() as i64;
        let changed = self
            .db
            .run(move |conn| {
                Ok::<_, Failure<QueueError>>(conn.execute(
                    "UPDATE queue_messages SET visible_at = ?2 WHERE receipt = ?1 AND dead_at IS NULL",
                    params![receipt, visible_at],
                )?)
            })
            .await?;
        if changed == 0 {
            return Err(QueueError::Invalid(
                "the receipt is stale: the message was deleted or delivered again".into(),
            ));
        }
        if timeout.is_zero() {
            self.sent.notify_waiters();
        }
        Ok(())
    }

    async fn dead_letter(&self, message: &Message) -> QueueResult<()> {
        let receipt = message.receipt.clone();
        let now = self.clock.now_millis();
        let moved = self
            .db
            .run(move |conn| {
                Ok::<_, Failure<QueueError>>(conn.execute(
                    "UPDATE queue_messages SET dead_at = ?2, receipt = NULL WHERE receipt = ?1 AND dead_at IS NULL",
                    params![receipt, now],
                )?)
            })
            .await?;
        if moved == 0 {
            return Err(QueueError::Invalid(
                "the receipt is stale: the message was deleted or delivered again".into(),
            ));
        }
        Ok(())
    }

    async fn dead_letters(&self, max: usize) -> QueueResult<Vec<DeadLetter>> {
        let queue = self.name.clone();
        self.run(move |conn| {
                let mut statement = conn.prepare_cached(
                    "SELECT id, body FROM queue_messages WHERE queue = ?1 AND dead_at IS NOT NULL ORDER BY dead_at, rowid LIMIT ?2",
                )?;
                let rows = statement.query_map(params![queue, max as i64], |r| {
                    Ok(DeadLetter { id: r.get(0)?, body: r.get(1)? })
                })?;
                Ok(rows.collect::<Result<Vec<_>, _>>()?)
            })
            .await
    }

    async fn redrive(&self) -> QueueResult<usize> {
        self.revive(None).await
    }

    async fn redrive_one(&self, id: &str) -> QueueResult<bool> {
        Ok(self.revive(Some(id.to_string())).await? == 1)
    }

    async fn release_received(&self) -> QueueResult<Option<usize>> {
        let (queue, now) = (self.name.clone(), self.clock.now_millis());
        let released = self
            .run(move |conn| {
                Ok(conn.execute(
                    "UPDATE queue_messages SET visible_at = ?2, receipt = NULL
                     WHERE queue = ?1 AND dead_at IS NULL AND receipt IS NOT NULL AND visible_at > ?2",
                    params![queue, now],
                )?)
            })
            .await?;
        if released > 0 {
            self.sent.notify_waiters();
        }
        Ok(Some(released))
    }
}
