//! Periodic tasks. Locally they run as tokio tasks of the one process; on AWS an
//! EventBridge schedule invokes the scheduler function with the task's name.

use std::time::Duration;

use tokio_util::sync::CancellationToken;

use crate::Services;

#[derive(Debug, Clone, Copy)]
pub struct Task {
    pub name: &'static str,
    pub every: Duration,
}

pub const TASKS: &[Task] = &[
    Task {
        name: "sweep-expired",
        every: Duration::from_secs(600),
    },
    Task {
        name: "resume-provisioning",
        every: Duration::from_secs(300),
    },
    Task {
        name: "cancel-lapsed-orders",
        every: Duration::from_secs(3600),
    },
];

/// How long an order may be provisioning before the sweeper enqueues it again.
pub const STALLED_AFTER: Duration = Duration::from_secs(600);

/// Runs one task by name and says what it did.
pub async fn run_task(services: &Services, name: &str) -> anyhow::Result<String> {
    match name {
        "sweep-expired" => match &services.embedded {
            Some(table) => Ok(format!(
                "deleted {} expired items",
                table.sweep_expired().await?
            )),
            None => Ok("skipped: DynamoDB deletes expired items itself".into()),
        },
        "resume-provisioning" => {
            let sent = crate::orders::provision::resume_stalled(services, STALLED_AFTER).await?;
            Ok(format!("enqueued {sent} stalled orders again"))
        }
        "cancel-lapsed-orders" => {
            let cancelled = crate::orders::unpaid::cancel_lapsed(services).await?;
            Ok(format!(
                "cancelled {cancelled} unpaid orders whose hold lapsed"
            ))
        }
        other => anyhow::bail!("no scheduled task named {other:?}"),
    }
}

/// Runs every task at its interval until `stop` is cancelled.
pub async fn run_scheduler(services: Services, stop: CancellationToken) {
    let mut running = tokio::task::JoinSet::new();
    for task in TASKS {
        let (services, stop) = (services.clone(), stop.clone());
        running.spawn(async move {
            let mut every = tokio::time::interval(task.every);
            every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tokio::select! {
                    _ = stop.cancelled() => return,
                    _ = every.tick() => {}
                }
                match run_task(&services, task.name).await {
                    Ok(outcome) => tracing::info!(task = task.name, %outcome, "scheduled task ran"),
                    Err(error) => {
                        tracing::error!(task = task.name, %error, "scheduled task failed")
                    }
                }
            }
        });
    }
    while running.join_next().await.is_some() {}
}
