//! The scheduler: an EventBridge schedule invokes it with `{"task": "<name>"}`
//! for each task of `hostfront::scheduler::Task::ALL`. Invoked once by hand
//! with `{"create_admin": {"email": "…", "name": "…"}}`, it makes the first
//! member of staff and answers with their enrolment, once (see the README).
//! With `{"seed_catalog": true}` (sent by the template when the stack is
//! created or updated) it writes the demo catalog unless one was written.

use hostfront::scheduler::run_task;
use hostfront::staff::auth::{create_first_admin, enrolment_text};
use lambda_runtime::{LambdaEvent, service_fn};
use serde::Deserialize;

#[derive(Deserialize)]
struct FirstAdmin {
    email: String,
    name: String,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum Invocation {
    Task { task: String },
    CreateAdmin { create_admin: FirstAdmin },
    SeedCatalog { seed_catalog: bool },
}

#[tokio::main]
async fn main() -> Result<(), hostfront_lambda::Error> {
    let ports = hostfront_lambda::ports_from_env(
        hostfront_lambda::AwsAdapters::NONE
            .with_mail()
            .with_registrar()
            .with_payments()
            .with_panel()
            .with_tax_ids(),
    )
    .await?;
    lambda_runtime::run(service_fn(move |event: LambdaEvent<Invocation>| {
        let ports = ports.clone();
        async move {
            match event.payload {
                Invocation::Task { task } => {
                    let outcome = run_task(&ports, &task).await?;
                    tracing::info!(%task, %outcome, "scheduled task ran");
                    Ok::<_, hostfront_lambda::Error>(
                        serde_json::json!({ "task": task, "outcome": outcome }),
                    )
                }
                Invocation::CreateAdmin { create_admin } => {
                    let enrolment =
                        create_first_admin(&ports, &create_admin.email, &create_admin.name).await?;
                    tracing::info!(staff = %enrolment.member.id, "the first admin was made");
                    Ok(serde_json::json!({ "enrolment": enrolment_text(&enrolment) }))
                }
                Invocation::SeedCatalog { seed_catalog } => {
                    let seeded =
                        seed_catalog && hostfront::catalog::seed_demo(ports.table.as_ref()).await?;
                    tracing::info!(seeded, "catalog seeding ran");
                    Ok(serde_json::json!({ "seeded": seeded }))
                }
            }
        }
    }))
    .await
}
