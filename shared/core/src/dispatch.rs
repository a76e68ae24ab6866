//! The dispatcher: runs each job the queue delivers by handing it to the use
//! case it names. It sits above every use case, which need only the job
//! contract in `crate::jobs`.

use std::time::Duration;

use async_trait::async_trait;

use crate::Provisioning;
use crate::jobs::runner::JobHandler;
use crate::jobs::{Job, JobError};
use crate::orders::provision;
use crate::queue::Message;
use crate::{CustomerId, OrderId};

/// How soon a daily batch that found the registrar busy runs again.
const DAILY_RETRY: Duration = Duration::from_secs(30);

/// How soon a job that moved forward before a step failed runs again.
const PROGRESS_RETRY: Duration = Duration::from_secs(2);

/// The application's jobs, dispatched by their `kind`. Every provisioning
/// step that a job runs is recorded so that a redelivery repeats nothing.
pub struct AppJobs {
    pub ports: crate::Ports,
}

#[async_trait]
impl JobHandler for AppJobs {
    async fn record_failure(&self, message: &Message, error: &str) {
        crate::staff::dead_letters::record_failure(&self.ports, message, error).await;
    }

    async fn handle(&self, message: &Message) -> Result<(), JobError> {
        let ports = &self.ports;
        // The mail provider's bounces and complaints share the queue.
        if let Some(event) = crate::mail::suppression::MailEvent::parse(&message.body) {
            return crate::mail::suppression::record_event(ports, &event)
                .await
                .map_err(failed);
        }
        let last_try = message.receive_count >= ports.config.queue_max_receives;
        match Job::parse(&message.body)? {
            Job::Provision {
                customer_id,
                order_id,
            } => provision(ports, &customer_id, &order_id, last_try).await,
            Job::RenewDomain {
                domain,
                current_expiry,
            } => crate::renewals::run(ports, &domain, current_expiry, last_try)
                .await
                .map_err(failed),
            Job::TearDown {
                customer_id,
                service_id,
            } => crate::subscriptions::cancel::tear_down(ports, &customer_id, &service_id)
                .await
                .map_err(steps_error),
            Job::SyncPanel {
                customer_id,
                service_id,
            } => crate::subscriptions::panel::sync(ports, &customer_id, &service_id)
                .await
                .map_err(JobError::Failed),
            Job::EraseAccount { customer_id } => {
                crate::privacy::erasure::finish(ports, &customer_id)
                    .await
                    .map_err(failed)
            }
            Job::DailyFanOut { check, run } => crate::daily::continue_fan_out(ports, check, &run)
                .await
                .map(|outcome| tracing::info!(task = check.name(), %outcome, "fan-out carried on"))
                .map_err(failed),
            Job::DailyBatch { check, run, keys } => {
                crate::daily::run_batch(ports, check, &run, &crate::daily::keys_of(&keys))
                    .await
                    .map_err(batch_error)
            }
        }
    }
}

/// A job that failed, to be tried again until its deliveries run out.
fn failed(error: impl std::fmt::Display) -> JobError {
    JobError::Failed(error.to_string())
}

/// Runs an order's provisioning: a step that waits, is leased elsewhere or
/// failed after others finished is tried again soon without counting.
async fn provision(
    ports: &impl Provisioning,
    customer_id: &CustomerId,
    order_id: &OrderId,
    last_try: bool,
) -> Result<(), JobError> {
    let outcome = provision::run(ports, customer_id, order_id, last_try)
        .await
        .map_err(saga_error)?;
    tracing::info!(order = %order_id, ?outcome, "provisioning job ran");
    Ok(())
}

fn saga_error(error: provision::SagaError) -> JobError {
    match error {
        provision::SagaError::Waiting {
            step,
            reason,
            retry_in,
        } => JobError::Later {
            retry_in,
            reason: format!("step {step} waits: {reason}"),
        },
        provision::SagaError::Busy { step, retry_in } => JobError::Later {
            retry_in,
            reason: format!("step {step} is leased by another worker"),
        },
        provision::SagaError::StepFailed {
            step,
            error,
            progressed: true,
        } => JobError::Later {
            retry_in: PROGRESS_RETRY,
            reason: format!("step {step} failed after earlier steps finished: {error}"),
        },
        other => failed(other),
    }
}

fn steps_error(error: crate::step_ledger::StepsError) -> JobError {
    match error {
        crate::step_ledger::StepsError::Leased(leased) => JobError::Later {
            retry_in: leased.retry_in,
            reason: "a step is leased by another worker".into(),
        },
        other => failed(other),
    }
}

fn batch_error(error: crate::daily::BatchError) -> JobError {
    match error {
        crate::daily::BatchError::Later(reason) => JobError::Later {
            retry_in: DAILY_RETRY,
            reason,
        },
        other => failed(other),
    }
}
