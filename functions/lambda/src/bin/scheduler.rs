//! The scheduler: an EventBridge schedule invokes it with `{"task": "<name>"}`
//! for each task of `hostfront::scheduler::Task::ALL`.

use hostfront::scheduler::run_task;
use lambda_runtime::{LambdaEvent, service_fn};
use serde::Deserialize;

#[derive(Deserialize)]
struct ScheduledEvent {
    task: String,
}

#[tokio::main]
async fn main() -> Result<(), hostfront_lambda::Error> {
    let services = hostfront_lambda::services_from_env().await?;
    lambda_runtime::run(service_fn(move |event: LambdaEvent<ScheduledEvent>| {
        let services = services.clone();
        async move {
            let outcome = run_task(&services, &event.payload.task).await?;
            tracing::info!(task = %event.payload.task, %outcome, "scheduled task ran");
            Ok::<_, hostfront_lambda::Error>(
                serde_json::json!({ "task": event.payload.task, "outcome": outcome }),
            )
        }
    }))
    .await
}
