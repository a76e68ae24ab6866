//! The jobs the application queues: their wire format and how a run of one
//! ends. Workers (`runner`) and the dispatcher (`crate::dispatch`) build on
//! this contract; the use cases that queue jobs need only it.

pub mod runner;

use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::{CustomerId, OrderId};
pub use runner::{JobHandler, WorkerSettings, process, retry_backoff, run_worker};

/// How long a received job is hidden from other workers while it runs. Every
/// lease a job takes must be shorter, so a job whose worker died comes back
/// only once its lease has lapsed.
pub const JOB_VISIBILITY: Duration = Duration::from_secs(60);

/// Every job the application queues.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Job {
    /// Run a paid order's provisioning saga.
    Provision {
        customer_id: CustomerId,
        order_id: OrderId,
    },
    /// Renew a domain whose renewal is queued, extending `current_expiry`.
    RenewDomain { domain: String, current_expiry: i64 },
    /// Suspend a service whose cancellation took effect, back it up, and
    /// remove its account, mailboxes and zone.
    TearDown {
        customer_id: CustomerId,
        service_id: String,
    },
    /// Make the panel's account match the service: its plan and suspension.
    SyncPanel {
        customer_id: CustomerId,
        service_id: String,
    },
    /// Finish erasing an account whose holder asked for it.
    EraseAccount { customer_id: CustomerId },
    /// Carry on queuing the pages of a daily check's run where the last
    /// invocation stopped.
    DailyFanOut { check: Check, run: String },
    /// Run one page of a daily check over the items whose keys it names.
    DailyBatch {
        check: Check,
        /// The run it belongs to: its day, or the time staff started it.
        run: String,
        /// Each item's `[pk, sk]`.
        keys: Vec<[String; 2]>,
    },
}

impl Job {
    /// The message body.
    pub fn body(&self) -> String {
        serde_json::to_string(self).expect("a job serialises")
    }

    /// Queues the job now. A failure is logged, not returned: every job is
    /// also found again by a sweep of the records that asked for it.
    pub async fn send(&self, ports: &impl crate::Queueing) {
        if let Err(error) = ports.queue().send(&self.body(), Duration::ZERO).await {
            tracing::error!(job = %self.body(), %error, "could not enqueue a job; its sweep will");
        }
    }

    /// The job in `body`, or why it is none.
    pub fn parse(body: &str) -> Result<Job, JobError> {
        serde_json::from_str(body).map_err(|e| JobError::Poison(format!("not a job: {e}")))
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum JobError {
    /// A passing failure: retry after a backoff.
    #[error("{0}")]
    Failed(String),
    /// Come back after `retry_in`, as a fresh delivery: another worker holds
    /// the work, or the job moved forward before it stopped.
    #[error("again in {retry_in:?}: {reason}")]
    Later { retry_in: Duration, reason: String },
    /// The message can never succeed.
    #[error("poison: {0}")]
    Poison(String),
}

/// A check run over every item of its kind each day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Check {
    /// Every domain against the registry: expiry, status, nameservers,
    /// lock; domains that left us.
    RegistrySync,
    /// Services suspended for an unpaid invoice long enough to end.
    OverdueServices,
    /// Certificates of live services' sites that expire soon.
    CertificateAlerts,
    /// Live services whose domain points to another host.
    HostingCheck,
    /// Live services' accounts as their panel has them, against what was sold.
    PanelSync,
}

impl Check {
    pub const ALL: [Check; 5] = [
        Check::RegistrySync,
        Check::OverdueServices,
        Check::CertificateAlerts,
        Check::HostingCheck,
        Check::PanelSync,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Check::RegistrySync => "registry-sync",
            Check::OverdueServices => "overdue-services",
            Check::CertificateAlerts => "certificate-alerts",
            Check::HostingCheck => "hosting-check",
            Check::PanelSync => "panel-sync",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jobs_keep_their_wire_format_and_anything_else_is_poison() {
        let job = Job::Provision {
            customer_id: CustomerId::new("c1"),
            order_id: OrderId::new("o1"),
        };
        assert_eq!(
            job.body(),
            r#"{"kind":"provision","customer_id":"c1","order_id":"o1"}"#
        );
        assert_eq!(Job::parse(&job.body()), Ok(job));
        for bad in [
            "",
            "{}",
            r#"{"kind":"dance"}"#,
            r#"{"kind":"provision"}"#,
            "[1]",
        ] {
            assert!(
                matches!(Job::parse(bad), Err(JobError::Poison(_))),
                "{bad:?}"
            );
        }
    }
}
