//! The dispatcher: runs each job the queue delivers by handing it to the use
//! case it names. It sits above every use case, which need only the job
//! contract in `crate::jobs`.

use std::time::Duration;

use async_trait::async_trait;

use crate::jobs::runner::JobHandler;
use crate::jobs::{Job, JobError};
use crate::orders::provision;
use crate::queue::Message;

/// How soon a daily batch that found the registrar busy runs again.
const DAILY_RETRY: Duration = Duration::from_secs(30);

/// How soon a job that moved forward before a step failed runs again.
const PROGRESS_RETRY: Duration = Duration::from_secs(2);

/// The application's jobs, dispatched by their `kind`. Every provisioning
/// step that a job runs is recorded so that a redelivery repeats nothing.
pub struct AppJobs {
    pub services: crate::Services,
}

#[async_trait]
impl JobHandler for AppJobs {
    async fn record_failure(&self, message: &Message, error: &str) {
        crate::staff::dead_letters::record_failure(&self.services, message, error).await;
    }

    async fn handle(&self, message: &Message) -> Result<(), JobError> {
        // The mail provider's bounces and complaints share the queue.
        if let Some(event) = crate::mail::suppression::MailEvent::parse(&message.body) {
            return crate::mail::suppression::record_event(&self.services, &event)
                .await
                .map_err(|error| JobError::Failed(error.to_string()));
        }
        match Job::parse(&message.body)? {
            Job::Provision {
                customer_id,
                order_id,
            } => {
                let last_try = message.receive_count >= self.services.config.queue_max_receives;
                let outcome = provision::run(&self.services, &customer_id, &order_id, last_try)
                    .await
                    .map_err(|e| match e {
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
                            reason: format!(
                                "step {step} failed after earlier steps finished: {error}"
                            ),
                        },
                        other => JobError::Failed(other.to_string()),
                    })?;
                tracing::info!(order = %order_id, ?outcome, "provisioning job ran");
                Ok(())
            }
            Job::RenewDomain {
                domain,
                current_expiry,
            } => {
                let last_try = message.receive_count >= self.services.config.queue_max_receives;
                crate::renewals::run(&self.services, &domain, current_expiry, last_try)
                    .await
                    .map_err(|e| JobError::Failed(e.to_string()))
            }
            Job::TearDown {
                customer_id,
                service_id,
            } => crate::subscriptions::cancel::tear_down(&self.services, &customer_id, &service_id)
                .await
                .map_err(|error| match error {
                    crate::workflow::StepsError::Leased(leased) => JobError::Later {
                        retry_in: leased.retry_in,
                        reason: "a step is leased by another worker".into(),
                    },
                    other => JobError::Failed(other.to_string()),
                }),
            Job::SyncPanel {
                customer_id,
                service_id,
            } => crate::subscriptions::panel::sync(&self.services, &customer_id, &service_id)
                .await
                .map_err(JobError::Failed),
            Job::DailyFanOut { check, run } => crate::daily::continue_fan_out(
                &self.services,
                check,
                &run,
            )
            .await
            .map(|outcome| tracing::info!(task = check.name(), %outcome, "fan-out carried on"))
            .map_err(|error| JobError::Failed(error.to_string())),
            Job::DailyBatch { check, run, keys } => {
                let keys = crate::daily::keys_of(&keys);
                crate::daily::run_batch(&self.services, check, &run, &keys)
                    .await
                    .map_err(|error| match error {
                        crate::daily::BatchError::Later(reason) => JobError::Later {
                            retry_in: DAILY_RETRY,
                            reason,
                        },
                        other => JobError::Failed(other.to_string()),
                    })
            }
        }
    }
}
