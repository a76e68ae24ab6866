//! One run of the provisioning workflow for one order: leases and records
//! through the ledger, status changes of the order, and the dispatch to the
//! step files.

use std::time::Duration;

use serde_json::Value;

use super::{Done, LEASE, SagaError, Step, StepError};
use crate::audit::Actor;
use crate::hypervisor::Vm;
use crate::machines::ServiceMachine;
use crate::mail::{self, Mail, MailKind};
use crate::orders::letters::letter;
use crate::orders::lifecycle::{Change, ChangeError};
use crate::orders::secrets::{self as order_secrets, Secret};
use crate::orders::{DomainAction, Order, OrderStatus, children_partition, order_key};
use crate::panel::{HostingAccount, MailDomain, MailSetup, ResellerAccess};
use crate::queue::MAX_DELAY;
use crate::step_ledger::{LeaseError, Ledger};
use crate::store::{Item, ItemExt, TableError, TxOp, Update};
use crate::{Provisioning, Storage};

/// The step ledger provisioning keeps in the table.
pub(crate) fn ledger(ports: &impl Storage) -> Ledger<'_> {
    Ledger {
        table: ports.table(),
        clock: ports.clock(),
        lease: LEASE,
    }
}

/// Whether the order's waiting step has a job due later than now: the
/// job sent for its next look, which this one would only duplicate.
pub(super) fn waits_for_another_job(ports: &impl Storage, order: &Item) -> bool {
    order
        .i64_attr("waits_until")
        .is_some_and(|due| ports.clock().now_secs() < due)
}

/// A VPS as the zone and the login details see it: its addresses, and
/// its own mail; it has no control panel.
fn vm_account(order: &Order, vm: &Vm) -> HostingAccount {
    HostingAccount {
        username: order.username.clone(),
        domain: order.domain.name.clone(),
        server: vm.node.clone(),
        ipv4: vm.ipv4.clone(),
        ipv6: vm.ipv6.clone(),
        panel_url: String::new(),
        mail_host: format!("mail.{}", order.domain.name),
    }
}

/// A dedicated or managed server as the zone and the login details see
/// it: its main addresses, and its own mail.
fn machine_account(order: &Order, server: &ServiceMachine) -> HostingAccount {
    let machine = &server.machine;
    HostingAccount {
        username: order.username.clone(),
        domain: order.domain.name.clone(),
        server: machine.id.clone(),
        ipv4: machine.ipv4.first().cloned().unwrap_or_default(),
        ipv6: machine.ipv6.clone(),
        panel_url: String::new(),
        mail_host: format!("mail.{}", order.domain.name),
    }
}

/// A DNS-only or domain-only service as the login details see it: no
/// login, no server of its own; our nameservers serve its zone.
fn zone_account(order: &Order) -> HostingAccount {
    HostingAccount {
        username: String::new(),
        domain: order.domain.name.clone(),
        server: "our nameservers".into(),
        ipv4: String::new(),
        ipv6: String::new(),
        panel_url: String::new(),
        mail_host: String::new(),
    }
}

/// The saga's view of one order while it runs.
pub(super) struct Saga<'a, P: Provisioning> {
    pub(super) ports: &'a P,
    pub(super) order: Order,
    pub(super) item: Item,
    pub(super) account: Option<HostingAccount>,
    pub(super) mail: Option<MailSetup>,
    pub(super) mail_domain: Option<MailDomain>,
    pub(super) reseller: Option<ResellerAccess>,
    pub(super) vm: Option<Vm>,
    pub(super) machine: Option<ServiceMachine>,
    /// What the domain step obtained (a registration, a transfer's state).
    pub(super) domain: Option<Value>,
}

/// Moves `order` to `to` with `update`, recorded as provisioning's doing
/// because of `why`; false when it had moved on.
pub async fn set_status(
    ports: &impl Storage,
    order: &Order,
    update: Update,
    to: OrderStatus,
    why: &str,
) -> Result<bool, TableError> {
    let change = Change {
        order,
        to,
        update,
        actor: Actor::system("provisioning"),
        why: why.into(),
        unchanged_since: None,
        client: None,
        role: None,
    };
    match change.apply(ports.table(), ports.clock().now()).await {
        Ok(changed) => Ok(changed),
        Err(ChangeError::Table(error)) => Err(error),
        // The saga runs only on an order it read as provisioning.
        Err(ChangeError::Invalid(invalid)) => Err(TableError::Backend(invalid.to_string())),
    }
}

impl<P: Provisioning> Saga<'_, P> {
    pub(super) fn absorb(&mut self, step: Step, result: &Value) {
        match step {
            Step::HostingAccount => self.account = serde_json::from_value(result.clone()).ok(),
            Step::MailAndAdmin => self.mail = serde_json::from_value(result.clone()).ok(),
            Step::Domain => self.domain = Some(result.clone()),
            Step::MailDomain => self.mail_domain = serde_json::from_value(result.clone()).ok(),
            Step::ResellerPrivileges => self.reseller = serde_json::from_value(result.clone()).ok(),
            Step::VirtualServer => {
                self.vm = serde_json::from_value(result.clone()).ok();
                self.account = self.vm.as_ref().map(|vm| vm_account(&self.order, vm));
            }
            Step::DnsZone if self.order.zone.is_some() => {
                self.account = Some(zone_account(&self.order));
            }
            Step::Machine | Step::OsInstall => {
                self.machine = serde_json::from_value(result.clone()).ok();
                self.account = (self.machine.as_ref()).map(|m| machine_account(&self.order, m));
            }
            _ => {}
        }
    }

    /// Takes the step for this worker, unless another holds an unexpired lease.
    pub(super) async fn lease(&self, step: Step) -> Result<(), SagaError> {
        let partition = children_partition(&self.order.id);
        match ledger(self.ports).lease(step.of(&partition)).await {
            Ok(()) => Ok(()),
            Err(LeaseError::Leased(leased)) => Err(SagaError::Busy {
                step: step.name(),
                retry_in: leased.retry_in,
            }),
            Err(LeaseError::Table(error)) => Err(error.into()),
        }
    }

    /// Records `step` done; a secret it used goes in the same write.
    pub(super) async fn finish(&self, step: Step, done: &Done) -> Result<(), TableError> {
        let partition = children_partition(&self.order.id);
        let mut ops =
            vec![ledger(self.ports).finish_op(step.of(&partition), &done.detail, &done.result)];
        // A secret goes in the same write that records the step that needed it.
        let secret = match step {
            Step::Domain if self.order.domain.action == DomainAction::Transfer => {
                Some(Secret::AuthCode)
            }
            Step::HostingAccount | Step::VirtualServer | Step::OsInstall => {
                Some(Secret::PanelPassword)
            }
            _ => None,
        };
        if step == Step::Machine {
            ops.push(super::machine_wait::end_op(&self.order));
        }
        if let Some(secret) = secret {
            ops.push(order_secrets::forget_op(&self.order.id, secret));
            // Orders placed before secrets were sealed kept them on the order.
            if self.item.contains_key(secret.name()) {
                ops.push(TxOp::Update {
                    key: order_key(&self.order.customer_id, &self.order.id),
                    update: Update::new().remove(secret.name()).bump_version(),
                    condition: None,
                });
            }
        }
        self.ports.table().transact(ops).await
    }

    /// Lets `step` go for now, as `why` explains; the job comes back to it
    /// after `retry_in`, the time the order records (`waits_until`) so
    /// that other copies of the job end (`waits_for_another_job`).
    pub(super) async fn wait(
        &self,
        step: Step,
        why: &str,
        retry_in: Duration,
    ) -> Result<(), TableError> {
        let partition = children_partition(&self.order.id);
        ledger(self.ports).release(step.of(&partition), why).await?;
        let due = self.ports.clock().now_secs() + retry_in.min(MAX_DELAY).as_secs() as i64;
        let key = order_key(&self.order.customer_id, &self.order.id);
        let update = Update::new().set("waits_until", due);
        self.ports
            .table()
            .update(&key, update, None)
            .await
            .map(|_| ())
    }

    async fn record_failure(&self, step: Step, error: &str) -> Result<(), TableError> {
        let partition = children_partition(&self.order.id);
        ledger(self.ports)
            .record_failure(step.of(&partition), error)
            .await
    }

    pub(super) async fn hold(
        &self,
        step: Step,
        staff: &str,
        customer: &str,
    ) -> Result<(), TableError> {
        self.record_failure(step, staff).await?;
        tracing::warn!(order = %self.order.id, step = step.name(), reason = staff, "order on hold");
        let update = Update::new()
            .set("hold_reason", staff)
            .set("customer_message", customer)
            .set("failed_step", step.name());
        if set_status(self.ports, &self.order, update, OrderStatus::OnHold, staff).await? {
            let mut letter = letter(self.ports, &self.order);
            letter.action = customer.to_string();
            self.send(MailKind::ActionNeeded, &letter).await?;
        }
        Ok(())
    }

    pub(super) async fn fail(
        &self,
        step: Step,
        error: &str,
        last_try: bool,
    ) -> Result<(), TableError> {
        self.record_failure(step, error).await?;
        if !last_try {
            return Ok(());
        }
        tracing::error!(order = %self.order.id, step = step.name(), %error, "provisioning gave up; the job goes to the dead-letter queue");
        let why = format!("step {} kept failing: {error}", step.name());
        let update = Update::new()
            .set("hold_reason", why.clone())
            .set(
                "customer_message",
                format!("\"{}\" did not work yet. Our team has been told and will finish it; you need to do nothing.", step.title(&self.order)),
            )
            .set("failed_step", step.name());
        set_status(self.ports, &self.order, update, OrderStatus::Failed, &why)
            .await
            .map(|_| ())
    }

    pub(super) async fn send(
        &self,
        kind: MailKind,
        letter: &mail::Letter,
    ) -> Result<(), TableError> {
        let mail = Mail::compose(self.ports, kind, &self.order.email, letter).await?;
        mail::send(self.ports, &[mail]).await.map(|_| ())
    }

    pub(super) async fn secret(&self, secret: Secret) -> Result<String, StepError> {
        let sealed = order_secrets::read(self.ports, &self.order.id, secret)
            .await
            .map_err(|e| StepError::Transient(format!("reading the {}: {e}", secret.name())))?;
        sealed
            .or_else(|| self.item.str_attr(secret.name()).map(str::to_string))
            .ok_or_else(|| StepError::Hold {
                staff: format!("the order has no {} any more", secret.name()),
                customer: "We need a detail from you to continue; our team will contact you."
                    .into(),
            })
    }
}
