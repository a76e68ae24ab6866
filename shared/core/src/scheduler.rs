//! Periodic tasks, in one typed registry: the local scheduler runs each at its
//! interval as a tokio task, and on AWS an EventBridge schedule invokes the
//! scheduler function with `{"task": "<name>"}`. A test holds
//! `infra/template.yaml` to this registry.

use std::time::Duration;

use tokio_util::sync::CancellationToken;

use crate::daily::Check;
use crate::store::{ItemExt, Key, TableResult};
use crate::{
    Billing, Catalogs, Mailing, Queueing, Registry, Sealing, Settings, Storage, TaxRegister,
};

/// What the periodic tasks use, together: each task's use case names its own share.
pub trait Scheduling:
    Storage + Settings + Queueing + Billing + Registry + Mailing + Catalogs + Sealing + TaxRegister
{
}

impl<T> Scheduling for T where
    T: Storage
        + Settings
        + Queueing
        + Billing
        + Registry
        + Mailing
        + Catalogs
        + Sealing
        + TaxRegister
{
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Task {
    /// Deletes expired items from SQLite (DynamoDB does this itself).
    SweepExpired,
    /// Enqueues again paid orders whose provisioning stalled.
    ResumeProvisioning,
    /// Cancels unpaid orders whose hold has lapsed.
    CancelLapsedOrders,
    /// Enqueues again renewals whose job was lost.
    ResumeRenewals,
    /// Makes domains whose transfer in completed active; tells the owners
    /// of refused ones.
    FollowTransfers,
    /// Invoices auto-renewing domains ahead, charges them when due (with
    /// dunning), and reminds the owners of domains that will not renew.
    RunBilling,
    /// Gives orders that went live before services and domains were
    /// records of their own those records; a no-op once done.
    MigrateRecords,
    /// Asks VIES again about the VAT numbers it could not confirm, and
    /// corrects the invoices issued meanwhile once it does.
    RecheckVatNumbers,
    /// A daily check over every item of its kind, fanned out through the
    /// queue; hourly, so an interrupted run resumes within the hour, and a
    /// no-op once the day's batches are queued.
    Daily(Check),
}

impl Task {
    pub const ALL: [Task; 13] = [
        Task::SweepExpired,
        Task::ResumeProvisioning,
        Task::CancelLapsedOrders,
        Task::MigrateRecords,
        Task::ResumeRenewals,
        Task::RunBilling,
        Task::FollowTransfers,
        Task::RecheckVatNumbers,
        Task::Daily(Check::RegistrySync),
        Task::Daily(Check::OverdueServices),
        Task::Daily(Check::CertificateAlerts),
        Task::Daily(Check::HostingCheck),
        Task::Daily(Check::PanelSync),
    ];

    pub fn name(self) -> &'static str {
        match self {
            Task::SweepExpired => "sweep-expired",
            Task::ResumeProvisioning => "resume-provisioning",
            Task::CancelLapsedOrders => "cancel-lapsed-orders",
            Task::MigrateRecords => "migrate-records",
            Task::ResumeRenewals => "resume-renewals",
            Task::RunBilling => "run-billing",
            Task::FollowTransfers => "follow-transfers",
            Task::RecheckVatNumbers => "recheck-vat-numbers",
            Task::Daily(check) => check.name(),
        }
    }

    pub fn every(self) -> Duration {
        match self {
            Task::SweepExpired => Duration::from_secs(600),
            Task::ResumeProvisioning => Duration::from_secs(300),
            Task::CancelLapsedOrders => Duration::from_secs(3600),
            Task::MigrateRecords => Duration::from_secs(24 * 3600),
            Task::ResumeRenewals => Duration::from_secs(300),
            Task::RunBilling => Duration::from_secs(24 * 3600),
            Task::FollowTransfers => Duration::from_secs(3600),
            Task::RecheckVatNumbers => Duration::from_secs(3600),
            Task::Daily(_) => Duration::from_secs(3600),
        }
    }

    /// The task called `name`.
    pub fn named(name: &str) -> Option<Task> {
        Task::ALL.into_iter().find(|t| t.name() == name)
    }

    /// Its EventBridge schedule expression: `rate(10 minutes)`, `rate(1 hour)`.
    pub fn schedule_expression(self) -> String {
        let minutes = self.every().as_secs() / 60;
        match minutes {
            1440 => "rate(1 day)".into(),
            m if m % 1440 == 0 => format!("rate({} days)", m / 1440),
            60 => "rate(1 hour)".into(),
            m if m % 60 == 0 => format!("rate({} hours)", m / 60),
            1 => "rate(1 minute)".into(),
            m => format!("rate({m} minutes)"),
        }
    }

    /// Runs the task once and says what it did; records how it went for staff.
    pub async fn run(self, ports: &impl Scheduling) -> anyhow::Result<String> {
        let result = self.perform(ports).await;
        self.record(ports, result).await
    }

    /// Runs the task now because staff asked: as `run`, except that a daily
    /// check makes a run of its own, even when today's is done.
    pub async fn run_by_hand(self, ports: &impl Scheduling) -> anyhow::Result<String> {
        let result = match self {
            Task::Daily(check) => crate::daily::fan_out_by_hand(ports, check).await,
            other => other.perform(ports).await,
        };
        self.record(ports, result).await
    }

    /// Records how a run went, for staff, and hands its result on.
    async fn record(
        self,
        ports: &impl Storage,
        result: anyhow::Result<String>,
    ) -> anyhow::Result<String> {
        let (outcome, failed) = match &result {
            Ok(outcome) => (outcome.clone(), false),
            Err(error) => (error.to_string(), true),
        };
        let mut item = last_run_key(self).to_item();
        item.insert("kind".into(), "task_last_run".into());
        item.insert(
            "at".into(),
            crate::clock::rfc3339(ports.clock().now()).into(),
        );
        item.insert("outcome".into(), outcome.into());
        item.insert("failed".into(), failed.into());
        if let Err(error) = ports.table().put(item, None).await {
            tracing::warn!(task = self.name(), %error, "could not record a task's run");
        }
        result
    }

    async fn perform(self, ports: &impl Scheduling) -> anyhow::Result<String> {
        match self {
            Task::SweepExpired => match ports.table().sweep_expired().await? {
                Some(deleted) => Ok(format!("deleted {deleted} expired items")),
                None => Ok("skipped: the engine deletes expired items itself".into()),
            },
            Task::ResumeProvisioning => {
                let sent = crate::orders::provision::resume_stalled(ports, STALLED_AFTER).await?;
                let panels =
                    crate::subscriptions::panel::resume_stalled(ports, PANEL_STALLED_AFTER).await?;
                Ok(format!(
                    "enqueued {sent} stalled orders and {panels} panel changes again"
                ))
            }
            Task::CancelLapsedOrders => {
                let cancelled = crate::orders::unpaid::cancel_lapsed(ports).await?;
                Ok(format!(
                    "cancelled {cancelled} unpaid orders whose hold lapsed"
                ))
            }
            Task::ResumeRenewals => resume_renewals(ports).await,
            Task::RunBilling => run_billing(ports).await,
            Task::FollowTransfers => {
                let done = crate::domains::transfers::follow_up(ports).await?;
                Ok(format!(
                    "{} transfers completed, {} refused",
                    done.completed, done.failed
                ))
            }
            Task::RecheckVatNumbers => {
                let done = crate::billing::vat_recheck::recheck_pending(ports).await?;
                Ok(format!(
                    "VAT numbers: {} confirmed, {} not valid, {} still waiting for VIES; {} invoices corrected",
                    done.confirmed, done.dropped, done.waiting, done.corrected
                ))
            }
            Task::Daily(check) => crate::daily::fan_out(ports, check).await,
            Task::MigrateRecords => migrate_records(ports).await,
        }
    }
}

/// Bills what is due: domains, hosting services and client services.
async fn run_billing(ports: &impl Scheduling) -> anyhow::Result<String> {
    let domains = crate::renewals::run_billing(ports).await?;
    let hosting = crate::subscriptions::billing::run(ports).await?;
    let clients = crate::agency::billing::run(ports).await?;
    Ok(format!(
        "domains: ended {} services, invoiced {} renewals, charged {}, declined {}, sent {} reminders; services: invoiced {} periods, charged {}, declined {}, suspended {}; client services: invoiced {}, reminded {}, expired {}, {} due without a customer (see the audit log)",
        domains.ended,
        domains.invoiced,
        domains.charged,
        domains.declined,
        domains.reminded,
        hosting.invoiced,
        hosting.charged,
        hosting.declined,
        hosting.suspended,
        clients.invoiced,
        clients.reminded,
        clients.expired,
        clients.without_customer
    ))
}

/// Brings older records up to what the code now reads.
async fn migrate_records(ports: &impl Scheduling) -> anyhow::Result<String> {
    let migrated = crate::orders::migrate::migrate_records(ports).await?;
    let cards = crate::billing::card_backfill::backfill(ports).await?;
    let records = match migrated.finished_before {
        true => "nothing to do: every live order has its records".to_string(),
        false => format!(
            "made the records of {} live orders ({} without a service to move); indexed {} invoices by customer",
            migrated.orders, migrated.skipped, migrated.invoices
        ),
    };
    let records = match cards.finished_before {
        true => records,
        false => format!(
            "{records}; {} saved cards reachable by the card updater",
            cards.cards
        ),
    };
    let records = match crate::agency::prospect_list::backfill(ports).await? {
        Some(filed) if filed > 0 => format!("{records}; {filed} older prospects filed by name"),
        _ => records,
    };
    Ok(match crate::orders::list_index::backfill(ports).await? {
        Some(filed) if filed > 0 => {
            format!("{records}; {filed} older orders filed in the list of all orders")
        }
        _ => records,
    })
}

fn last_run_key(task: Task) -> Key {
    Key::new(format!("TASKRUN#{}", task.name()), "LAST")
}

/// How a task's last run went.
pub struct LastRun {
    /// RFC 3339, UTC.
    pub at: String,
    pub outcome: String,
    pub failed: bool,
}

/// The last run of `task`, if it ran.
pub async fn last_run(ports: &impl Storage, task: Task) -> TableResult<Option<LastRun>> {
    Ok(ports
        .table()
        .get(&last_run_key(task))
        .await?
        .map(|item| LastRun {
            at: item.str_attr("at").unwrap_or_default().into(),
            outcome: item.str_attr("outcome").unwrap_or_default().into(),
            failed: item
                .get("failed")
                .and_then(|v| v.as_bool())
                .unwrap_or(false),
        }))
}

/// The `resume-renewals` sweep: renewals stalled or left half-way, and
/// plan upgrades left at the card's bank past their time.
async fn resume_renewals(ports: &impl Scheduling) -> anyhow::Result<String> {
    let sent = crate::renewals::resume_stalled(ports, STALLED_AFTER).await?;
    let abandoned = crate::renewals::abandon_stale(ports, STALLED_AFTER).await?;
    let upgrades = crate::subscriptions::addons::upgrade_bank::end_all_lapsed(ports).await?;
    let upgrades = match upgrades {
        0 => String::new(),
        n => format!(", ended {n} upgrades left at the bank"),
    };
    Ok(format!(
        "enqueued {sent} stalled renewals again, ended {abandoned} abandoned while authorising{upgrades}"
    ))
}

/// How long an order may be provisioning before the sweeper enqueues it again.
pub const STALLED_AFTER: Duration = Duration::from_secs(600);

/// How long a panel change may wait for its job before the sweeper sends it again.
const PANEL_STALLED_AFTER: Duration = Duration::from_secs(120);

/// Runs the task called `name` once: what the scheduler function does.
pub async fn run_task(ports: &impl Scheduling, name: &str) -> anyhow::Result<String> {
    let task =
        Task::named(name).ok_or_else(|| anyhow::anyhow!("no scheduled task named {name:?}"))?;
    task.run(ports).await
}

/// Runs every task at its interval until `stop` is cancelled.
pub async fn run_scheduler<S>(ports: S, stop: CancellationToken)
where
    S: Scheduling + Clone + Send + 'static,
{
    let mut running = tokio::task::JoinSet::new();
    for task in Task::ALL {
        let (ports, stop) = (ports.clone(), stop.clone());
        running.spawn(async move {
            let mut every = tokio::time::interval(task.every());
            every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tokio::select! {
                    _ = stop.cancelled() => return,
                    _ = every.tick() => {}
                }
                match task.run(&ports).await {
                    Ok(outcome) => {
                        tracing::info!(task = task.name(), %outcome, "scheduled task ran")
                    }
                    Err(error) => {
                        tracing::error!(task = task.name(), %error, "scheduled task failed")
                    }
                }
            }
        });
    }
    while running.join_next().await.is_some() {}
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_schedules() {
        for task in Task::ALL {
            assert_eq!(Task::named(task.name()), Some(task));
        }
        assert_eq!(Task::named("tidy"), None);
        assert_eq!(Task::SweepExpired.schedule_expression(), "rate(10 minutes)");
        assert_eq!(
            Task::CancelLapsedOrders.schedule_expression(),
            "rate(1 hour)"
        );
        assert_eq!(Task::MigrateRecords.schedule_expression(), "rate(1 day)");
    }
}
