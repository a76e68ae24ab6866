//! The SQS `Queue` engine. Dead letters move by the queue's redrive policy.

use std::collections::HashMap;
use std::time::Duration;

use async_trait::async_trait;
use aws_sdk_sqs::Client;
use aws_sdk_sqs::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};
use aws_sdk_sqs::types::{
    ChangeMessageVisibilityBatchRequestEntry, MessageSystemAttributeName, QueueAttributeName,
};

use hostfront_core::queue::{
    DeadLetter, MAX_RECEIVE_BATCH, Message, Queue, QueueError, QueueResult, validate_receive,
    validate_send, validate_visibility,
};

/// How long listing or redriving hides the dead letters it reads.
const DEAD_LETTER_HOLD: Duration = Duration::from_secs(30);
/// Dead letters looked through for one to redrive.
const DEAD_LETTERS_SEARCHED: usize = 1_000;

#[derive(Clone)]
pub struct SqsQueue {
    client: super::OnFirstUse<Client>,
    url: String,
    dead_letter_url: String,
}

impl SqsQueue {
    pub fn new(
        client: impl Into<super::OnFirstUse<Client>>,
        url: impl Into<String>,
        dead_letter_url: impl Into<String>,
    ) -> Self {
        SqsQueue {
            client: client.into(),
            url: url.into(),
            dead_letter_url: dead_letter_url.into(),
        }
    }

    pub fn url(&self) -> &str {
        &self.url
    }

    pub fn dead_letter_url(&self) -> &str {
        &self.dead_letter_url
    }

    /// Creates `name` and `name-dlq`, with a redrive policy after `max_receives`
    /// deliveries (for local development and tests; on AWS `infra/` creates them).
    pub async fn create(client: Client, name: &str, max_receives: u32) -> QueueResult<Self> {
        let dead_letter_url = client
            .create_queue()
            .queue_name(format!("{name}-dlq"))
            .attributes(QueueAttributeName::MessageRetentionPeriod, "1209600")
            .send()
            .await
            .map_err(classify)?
            .queue_url
            .ok_or_else(|| QueueError::Backend("CreateQueue returned no URL".into()))?;
        let arn = client
            .get_queue_attributes()
            .queue_url(&dead_letter_url)
            .attribute_names(QueueAttributeName::QueueArn)
            .send()
            .await
            .map_err(classify)?
            .attributes
            .and_then(|mut a| a.remove(&QueueAttributeName::QueueArn))
            .ok_or_else(|| QueueError::Backend("the dead-letter queue has no ARN".into()))?;
        let policy =
            serde_json::json!({"deadLetterTargetArn": arn, "maxReceiveCount": max_receives.max(1)});
        let url = client
            .create_queue()
            .queue_name(name)
            .attributes(QueueAttributeName::RedrivePolicy, policy.to_string())
            .send()
            .await
            .map_err(classify)?
            .queue_url
            .ok_or_else(|| QueueError::Backend("CreateQueue returned no URL".into()))?;
        Ok(SqsQueue::new(client, url, dead_letter_url))
    }

    async fn receive_from(
        &self,
        url: &str,
        max: usize,
        visibility: Duration,
        wait: Duration,
    ) -> QueueResult<Vec<Message>> {
        let output = self
            .client
            .receive_message()
            .queue_url(url)
            .max_number_of_messages(max as i32)
            .visibility_timeout(whole_seconds(visibility))
            .wait_time_seconds(whole_seconds(wait))
            .message_system_attribute_names(MessageSystemAttributeName::ApproximateReceiveCount)
            .send()
            .await
            .map_err(classify)?;
        Ok(output
            .messages
            .unwrap_or_default()
            .into_iter()
            .filter_map(|m| {
                let receive_count = m
                    .attributes
                    .as_ref()
                    .and_then(|a| a.get(&MessageSystemAttributeName::ApproximateReceiveCount))
                    .and_then(|c| c.parse().ok())
                    .unwrap_or(1);
                Some(Message {
                    id: m.message_id?,
                    receipt: m.receipt_handle?,
                    body: m.body?,
                    receive_count,
                })
            })
            .collect())
    }

    /// Moves a held dead letter back to the queue. Send before delete: a
    /// crash in between duplicates a job, never loses one.
    async fn move_back(&self, message: &Message) -> QueueResult<()> {
        self.send(&message.body, Duration::ZERO).await?;
        self.client
            .delete_message()
            .queue_url(&self.dead_letter_url)
            .receipt_handle(&message.receipt)
            .send()
            .await
            .map_err(classify)?;
        Ok(())
    }

    /// Makes dead letters held by `hold_dead_letters` visible again at once.
    async fn show_again(&self, held: &[Message]) -> QueueResult<()> {
        for chunk in held.chunks(MAX_RECEIVE_BATCH) {
            let entries = chunk.iter().enumerate().map(|(i, m)| {
                ChangeMessageVisibilityBatchRequestEntry::builder()
                    .id(i.to_string())
                    .receipt_handle(&m.receipt)
                    .visibility_timeout(0)
                    .build()
                    .expect("entry is complete")
            });
            self.client
                .change_message_visibility_batch()
                .queue_url(&self.dead_letter_url)
                .set_entries(Some(entries.collect()))
                .send()
                .await
                .map_err(classify)?;
        }
        Ok(())
    }

    /// Every dead letter, each hidden for `DEAD_LETTER_HOLD` (at most `max`).
    async fn hold_dead_letters(&self, max: usize) -> QueueResult<Vec<Message>> {
        let mut held: HashMap<String, Message> = HashMap::new();
        while held.len() < max {
            let batch = (max - held.len()).min(MAX_RECEIVE_BATCH);
            let messages = self
                .receive_from(
                    &self.dead_letter_url,
                    batch,
                    DEAD_LETTER_HOLD,
                    Duration::ZERO,
                )
                .await?;
            if messages.is_empty() {
                break;
            }
            for message in messages {
                held.insert(message.id.clone(), message);
            }
        }
        Ok(held.into_values().collect())
    }
}

fn whole_seconds(duration: Duration) -> i32 {
    duration.as_secs().min(i32::MAX as u64) as i32
}

fn classify<E, R>(error: SdkError<E, R>) -> QueueError
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug,
{
    QueueError::Backend(DisplayErrorContext(&error).to_string())
}

#[async_trait]
impl Queue for SqsQueue {
    fn engine(&self) -> &'static str {
        "sqs"
    }

    async fn send(&self, body: &str, delay: Duration) -> QueueResult<String> {
        validate_send(body, delay)?;
        let output = self
            .client
            .send_message()
            .queue_url(&self.url)
            .message_body(body)
            .delay_seconds(whole_seconds(delay))
            .send()
            .await
            .map_err(classify)?;
        output
            .message_id
            .ok_or_else(|| QueueError::Backend("SendMessage returned no id".into()))
    }

    async fn receive(
        &self,
        max: usize,
        visibility: Duration,
        wait: Duration,
    ) -> QueueResult<Vec<Message>> {
        validate_receive(max, visibility, wait)?;
        self.receive_from(&self.url, max, visibility, wait).await
    }

    async fn delete(&self, receipt: &str) -> QueueResult<()> {
        self.client
            .delete_message()
            .queue_url(&self.url)
            .receipt_handle(receipt)
            .send()
            .await
            .map_err(classify)?;
        Ok(())
    }

    async fn change_visibility(&self, receipt: &str, timeout: Duration) -> QueueResult<()> {
        validate_visibility(timeout)?;
        self.client
            .change_message_visibility()
            .queue_url(&self.url)
            .receipt_handle(receipt)
            .visibility_timeout(whole_seconds(timeout))
            .send()
            .await
            .map_err(classify)?;
        Ok(())
    }

    async fn dead_letter(&self, message: &Message) -> QueueResult<()> {
        // Send before delete: a crash in between leaves a copy, never none.
        validate_send(&message.body, Duration::ZERO)?;
        self.client
            .send_message()
            .queue_url(&self.dead_letter_url)
            .message_body(&message.body)
            .send()
            .await
            .map_err(classify)?;
        self.delete(&message.receipt).await
    }

    async fn dead_letters(&self, max: usize) -> QueueResult<Vec<DeadLetter>> {
        let held = self.hold_dead_letters(max).await?;
        // Listing must not hide them.
        self.show_again(&held).await?;
        let mut letters: Vec<DeadLetter> = held
            .into_iter()
            .map(|m| DeadLetter {
                id: m.id,
                body: m.body,
            })
            .collect();
        letters.sort_by(|a, b| a.id.cmp(&b.id));
        Ok(letters)
    }

    async fn redrive_one(&self, id: &str) -> QueueResult<bool> {
        let held = self.hold_dead_letters(DEAD_LETTERS_SEARCHED).await?;
        let mut found = false;
        let mut others = Vec::new();
        for message in held {
            if message.id == id && !found {
                self.move_back(&message).await?;
                found = true;
            } else {
                others.push(message);
            }
        }
        self.show_again(&others).await?;
        Ok(found)
    }

    async fn redrive(&self) -> QueueResult<usize> {
        let mut moved = 0;
        loop {
            let held = self
                .receive_from(
                    &self.dead_letter_url,
                    MAX_RECEIVE_BATCH,
                    DEAD_LETTER_HOLD,
                    Duration::ZERO,
                )
                .await?;
            if held.is_empty() {
                return Ok(moved);
            }
            for message in held {
                self.move_back(&message).await?;
                moved += 1;
            }
        }
    }
}
