//! The queue worker: SQS invokes it with a batch of jobs and it reports the
//! ones that failed, so that only those are delivered again.

use std::sync::Arc;

use aws_lambda_events::event::sqs::SqsEvent;
use hostfront::dispatch::AppJobs;
use lambda_runtime::{LambdaEvent, service_fn};

#[tokio::main]
async fn main() -> Result<(), hostfront_lambda::Error> {
    let ports = hostfront_lambda::ports_from_env(hostfront_lambda::AwsAdapters::ALL).await?;
    let jobs = Arc::new(AppJobs {
        ports: ports.clone(),
    });
    lambda_runtime::run(service_fn(move |event: LambdaEvent<SqsEvent>| {
        let (ports, jobs) = (ports.clone(), jobs.clone());
        async move {
            Ok::<_, hostfront_lambda::Error>(
                hostfront_lambda::run_batch(ports.queue.as_ref(), jobs.as_ref(), event.payload)
                    .await,
            )
        }
    }))
    .await
}
