//! The queue worker: SQS invokes it with a batch of jobs and it reports the
//! ones that failed, so that only those are delivered again.

use std::sync::Arc;

use aws_lambda_events::event::sqs::{BatchItemFailure, SqsBatchResponse, SqsEvent};
use hostfront::jobs::{AppJobs, process};
use hostfront::queue::Message;
use lambda_runtime::{LambdaEvent, service_fn};

#[tokio::main]
async fn main() -> Result<(), hostfront_lambda::Error> {
    let services = hostfront_lambda::services_from_env().await?;
    let jobs = Arc::new(AppJobs {
        services: services.clone(),
    });
    lambda_runtime::run(service_fn(move |event: LambdaEvent<SqsEvent>| {
        let (services, jobs) = (services.clone(), jobs.clone());
        async move {
            let mut failures = Vec::new();
            for record in event.payload.records {
                let receive_count = record
                    .attributes
                    .get("ApproximateReceiveCount")
                    .and_then(|c| c.parse().ok())
                    .unwrap_or(1);
                let message = Message {
                    id: record.message_id.unwrap_or_default(),
                    receipt: record.receipt_handle.unwrap_or_default(),
                    body: record.body.unwrap_or_default(),
                    receive_count,
                };
                if !process(services.queue.as_ref(), jobs.as_ref(), &message).await {
                    let mut failure = BatchItemFailure::default();
                    failure.item_identifier = message.id;
                    failures.push(failure);
                }
            }
            let mut response = SqsBatchResponse::default();
            response.batch_item_failures = failures;
            Ok::<_, hostfront_lambda::Error>(response)
        }
    }))
    .await
}
