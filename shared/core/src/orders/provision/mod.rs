//! Provisioning: a paid order's saga, run by a queue worker.
//!
//! Each kind of plan has a workflow of its own (`workflow`): steps
//! on the engine in `step_ledger`:
//! each step is recorded in `ORDER#<id>` / `STEP#<n>#<name>`, leased before
//! its external call and `done` with its result after; each step is a file of
//! `steps/`. Every external call carries a key made from the order and the
//! step, so a job delivered twice, or a worker that died between the call and
//! the record, repeats nothing: the next run skips done steps and the
//! registrar, panel and mail outbox answer repeated keys from their records.
//!
//! A step that cannot succeed without people (no capacity, a refused transfer)
//! puts the order `on_hold` with a reason for staff and a message for the
//! customer. A step that fails for a passing reason fails the job, which the
//! queue retries with backoff; the last allowed delivery marks the order
//! `failed` with the step, and the job goes to the dead-letter queue.

pub mod go_live;
pub mod machine_wait;
mod saga;
mod steps;
mod sweep;
mod titles;
mod zones;

use std::time::Duration;

use serde_json::Value;

use super::{DomainAction, Order, OrderStatus, StepView, children_partition, order_key};
use crate::catalog::PlanKind;
use crate::panel::PanelError;
use crate::registrar::RegistrarError;
use crate::step_ledger::{StepRecord, StepRef, StepStatus};
use crate::store::{Item, TableError, Update};
use crate::zone::customer::ZoneUse;
use crate::{CustomerId, OrderId};
use crate::{Provisioning, Queueing};
use saga::Saga;
pub(crate) use saga::ledger;
pub use saga::set_status;
pub use sweep::resume_stalled;
pub(crate) use zones::zone_records;
pub use zones::{hosted_zone, nameservers, records_to_set};

/// How long a worker holds a step before another may take it over: shorter
/// than a job's visibility, so that a job whose worker died comes back to a
/// lapsed lease.
const LEASE: Duration = Duration::from_secs(45);
const _: () = assert!(LEASE.as_secs() < crate::jobs::JOB_VISIBILITY.as_secs());

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    Domain,
    HostingAccount,
    DnsZone,
    MailAndAdmin,
    WelcomeMail,
    MailDomain,
    ResellerPrivileges,
    VirtualServer,
    Machine,
    OsInstall,
    SiteAlias,
}

/// Every step any workflow has, in the order of their numbers in the
/// ledger (`STEP#<n>#<name>`): a new step is added at the end, so that
/// the records of orders under way keep their numbers.
pub const STEPS: [Step; 11] = [
    Step::Domain,
    Step::HostingAccount,
    Step::DnsZone,
    Step::MailAndAdmin,
    Step::WelcomeMail,
    Step::MailDomain,
    Step::ResellerPrivileges,
    Step::VirtualServer,
    Step::Machine,
    Step::OsInstall,
    Step::SiteAlias,
];

/// The steps `order` is provisioned with, in the order they run: its
/// plan's kind's, and for a domain that shows another service's site, the
/// alias on that service's account before the zone.
pub fn workflow(order: &Order) -> &'static [Step] {
    use Step::*;
    if matches!(order.zone, Some(ZoneUse::Alias { .. })) {
        return &[Domain, SiteAlias, DnsZone, WelcomeMail];
    }
    match order.plan_kind {
        PlanKind::Email => &[Domain, HostingAccount, MailDomain, DnsZone, WelcomeMail],
        PlanKind::Reseller => &[
            Domain,
            HostingAccount,
            ResellerPrivileges,
            DnsZone,
            MailAndAdmin,
            WelcomeMail,
        ],
        PlanKind::Vps => &[Domain, VirtualServer, DnsZone, WelcomeMail],
        PlanKind::Dedicated | PlanKind::Managed => {
            &[Domain, Machine, OsInstall, DnsZone, WelcomeMail]
        }
        PlanKind::Shared => &[Domain, HostingAccount, DnsZone, MailAndAdmin, WelcomeMail],
        PlanKind::Dns | PlanKind::Domain => &[Domain, DnsZone, WelcomeMail],
    }
}

impl Step {
    pub fn name(self) -> &'static str {
        match self {
            Step::Domain => "domain",
            Step::HostingAccount => "hosting_account",
            Step::DnsZone => "dns_zone",
            Step::MailAndAdmin => "mail_and_admin",
            Step::WelcomeMail => "welcome_mail",
            Step::MailDomain => "mail_domain",
            Step::ResellerPrivileges => "reseller_privileges",
            Step::VirtualServer => "virtual_server",
            Step::Machine => "machine",
            Step::OsInstall => "os_install",
            Step::SiteAlias => "site_alias",
        }
    }

    /// This step of the workflow in `partition` (an order's children).
    pub fn of(self, partition: &str) -> StepRef<'_> {
        StepRef {
            partition,
            index: STEPS.iter().position(|s| *s == self).unwrap_or(0),
            name: self.name(),
        }
    }
}

/// The job that runs an order's saga.
pub fn job(customer_id: &CustomerId, order_id: &OrderId) -> String {
    crate::jobs::Job::Provision {
        customer_id: customer_id.into(),
        order_id: order_id.into(),
    }
    .body()
}

pub async fn enqueue(
    ports: &impl Queueing,
    customer_id: &CustomerId,
    order_id: &OrderId,
) -> Result<(), crate::queue::QueueError> {
    ports
        .queue()
        .send(&job(customer_id, order_id), Duration::ZERO)
        .await
        .map(|_| ())
}

/// The steps of `order` as its owner sees them, from the step records.
pub fn step_views(order: &Order, records: &[&Item]) -> Vec<StepView> {
    let records: Vec<StepRecord> = records.iter().filter_map(|r| StepRecord::of(r)).collect();
    workflow(order)
        .iter()
        .map(|step| {
            let record = records.iter().find(|r| r.name == step.name());
            StepView {
                name: step.name().into(),
                title: step.title(order),
                status: record.map_or(StepStatus::Pending, |r| r.status),
                attempts: record.map_or(0, |r| r.attempts),
                detail: record.and_then(|r| r.detail.clone()),
                finished_at: record.and_then(|r| r.finished_at.clone()),
            }
        })
        .collect()
}

/// How a step that did not finish ended.
#[derive(Debug)]
pub(super) enum StepError {
    /// Needs people: staff see `staff`, the customer `customer`.
    Hold { staff: String, customer: String },
    /// Worth retrying later.
    Transient(String),
    /// Under way elsewhere (a DNS change propagating): the same step goes
    /// on after `retry_in`, and the wait is no failure.
    Later { reason: String, retry_in: Duration },
}

impl From<TableError> for StepError {
    fn from(error: TableError) -> Self {
        StepError::Transient(format!("table: {error}"))
    }
}

pub(super) fn from_registrar(domain: &str, error: RegistrarError) -> StepError {
    match error {
        RegistrarError::Refused { code, message } => StepError::Hold {
            staff: format!("the registry refused {domain}: {code}: {message}"),
            customer: format!(
                "We could not register {domain}: {message}. Our team will contact you to choose another way."
            ),
        },
        other => StepError::Transient(other.to_string()),
    }
}

pub(super) fn from_panel(error: PanelError) -> StepError {
    match error {
        PanelError::NoCapacity(reason) => StepError::Hold {
            staff: format!("no capacity: {reason}"),
            customer: "Our servers for your plan are full right now. Our team is adding room and will restart your order as soon as it is ready; you need to do nothing.".into(),
        },
        PanelError::Refused { code, message } => StepError::Hold {
            staff: format!("the panel refused: {code}: {message}"),
            customer: "Setting up your hosting account needs a hand from our team; we will finish it and let you know.".into(),
        },
        PanelError::Unavailable(message) => StepError::Transient(message),
    }
}

/// What a done step did: in words for the customer, and its result.
pub(super) struct Done {
    pub(super) detail: String,
    pub(super) result: Value,
}

/// Why a run of the saga stopped short; the job is retried later.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SagaError {
    #[error("step {step} failed: {error}")]
    StepFailed {
        step: &'static str,
        error: String,
        /// An earlier step finished in the same run: the job made progress,
        /// so this failure does not count against its deliveries.
        progressed: bool,
    },
    #[error("step {step} waits: {reason}")]
    Waiting {
        step: &'static str,
        reason: String,
        retry_in: Duration,
    },
    #[error("step {step} is running in another worker, or just finished")]
    Busy {
        step: &'static str,
        /// When the other worker's lease lapses.
        retry_in: Duration,
    },
    #[error(transparent)]
    Table(#[from] TableError),
    #[error(transparent)]
    Queue(#[from] crate::queue::QueueError),
}

/// How a run of the saga ended.
#[derive(Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Every step is done; the order is active.
    Live,
    /// A step put the order on hold.
    Held,
    /// The order is not provisioning (not paid, held, or live already).
    NothingToDo,
    /// A step waits, and the job sent for its next look is due later: this
    /// job is a second copy (a redelivery, the stalled-order sweep), and
    /// ends without sending itself again, so a long wait keeps one job.
    AlreadyWaiting,
}

/// The order the saga runs on, or what this job does instead: a failed
/// order's job redriven from the dead-letter queue resumes it; an order
/// whose step waits for another job, or no longer provisioning, is left.
async fn to_run(
    ports: &impl Provisioning,
    item: &Item,
) -> Result<Result<Order, Outcome>, SagaError> {
    let mut order = Order::of(item)?;
    match order.status {
        OrderStatus::Provisioning if saga::waits_for_another_job(ports, item) => {
            Ok(Err(Outcome::AlreadyWaiting))
        }
        OrderStatus::Provisioning => Ok(Ok(order)),
        OrderStatus::Failed => {
            set_status(
                ports,
                &order,
                Update::new().remove("failed_step"),
                OrderStatus::Provisioning,
                "its job was sent again from the dead-letter queue",
            )
            .await?;
            order.status = OrderStatus::Provisioning;
            Ok(Ok(order))
        }
        _ => Ok(Err(Outcome::NothingToDo)),
    }
}

/// Runs `order_id`'s saga from its first unfinished step. `last_try` says
/// that the queue will not deliver this job again.
pub async fn run(
    ports: &impl Provisioning,
    customer_id: &CustomerId,
    order_id: &OrderId,
    last_try: bool,
) -> Result<Outcome, SagaError> {
    let key = order_key(customer_id, order_id);
    let Some(item) = ports.table().get(&key).await? else {
        return Ok(Outcome::NothingToDo);
    };
    let order = match to_run(ports, &item).await? {
        Ok(order) => order,
        Err(outcome) => return Ok(outcome),
    };
    let done = saga::ledger(ports)
        .done(&children_partition(order_id))
        .await?;
    let mut saga = Saga {
        ports,
        order,
        item,
        account: None,
        mail: None,
        mail_domain: None,
        reseller: None,
        vm: None,
        machine: None,
        domain: None,
    };
    let mut progressed = false;
    for &step in workflow(&saga.order) {
        if let Some(result) = done.get(step.name()) {
            saga.absorb(step, result);
            continue;
        }
        saga.lease(step).await?;
        match saga.execute(step).await {
            Ok(done) => {
                saga.finish(step, &done).await?;
                saga.absorb(step, &done.result);
                progressed = true;
            }
            Err(StepError::Hold { staff, customer }) => {
                saga.hold(step, &staff, &customer).await?;
                return Ok(Outcome::Held);
            }
            Err(StepError::Later { reason, retry_in }) => {
                saga.wait(step, &reason, retry_in).await?;
                return Err(SagaError::Waiting {
                    step: step.name(),
                    reason,
                    retry_in,
                });
            }
            Err(StepError::Transient(error)) => {
                saga.fail(step, &error, last_try && !progressed).await?;
                return Err(SagaError::StepFailed {
                    step: step.name(),
                    error,
                    progressed,
                });
            }
        }
    }
    saga.go_live().await?;
    Ok(Outcome::Live)
}
