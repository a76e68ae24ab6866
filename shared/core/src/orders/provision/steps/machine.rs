//! A dedicated or managed server: takes a machine of the plan's size from
//! the pool, with the plan's IP set and their reverse DNS. When the pool
//! has no such machine or no address, the order waits instead of failing:
//! staff see it on the dashboard, the customer sees the later date, and
//! the step is tried again every few minutes until one is free.

use std::time::Duration;

use serde_json::json;

use super::super::saga::Saga;
use super::super::{Done, StepError, machine_wait};
use super::{call_key, plan_of};
use crate::Provisioning;
use crate::machines::{MachineError, MachineRequest, ServiceMachine};
use crate::orders::secrets;

/// How often a waiting order asks the pool again.
const RECHECK: Duration = Duration::from_secs(10 * 60);
/// What the customer is told a free machine usually takes.
const RESTOCK_DAYS: i64 = 2;

pub(super) async fn run(saga: &Saga<'_, impl Provisioning>) -> Result<Done, StepError> {
    let order = &saga.order;
    let plan = plan_of(saga).await?;
    let limit = |name: &str| plan.limits.get(name).copied().unwrap_or(1);
    let request = MachineRequest {
        hostname: order.domain.name.clone(),
        plan_id: order.plan_id.clone(),
        cores: limit("cores"),
        memory_gb: limit("memory_gb"),
        disk_gb: limit("disk_gb"),
        ipv4_addresses: limit("ipv4").max(1),
        idempotency_key: call_key(order, "machine"),
    };
    let ports = saga.ports;
    match ports.machines().allocate(&request).await {
        Ok(machine) => {
            let detail = format!(
                "{} set aside: {} cores, {} GB memory; addresses {} and {}",
                machine.id,
                machine.cores,
                machine.memory_gb,
                machine.ipv4.join(", "),
                machine.ipv6
            );
            let server = ServiceMachine {
                machine,
                back_up_on_cancel: plan.backup_on_cancel,
                managed: order.plan_kind == crate::catalog::PlanKind::Managed,
                allocated_at: ports.clock().now_secs(),
            };
            Ok(Done {
                detail,
                result: json!(server),
            })
        }
        Err(MachineError::NoCapacity(reason)) => {
            let now = ports.clock().now_secs();
            let since = machine_wait::note(ports.table(), order, &reason, now).await?;
            // Root's password waits with the order, however long.
            let keep = secrets::keep_for_provisioning_op(&order.id, now);
            ports.table().transact(vec![keep]).await?;
            let install = ports.machines().install_time().as_secs() as i64;
            let expected = since + RESTOCK_DAYS * 86_400 + install;
            Err(StepError::Later {
                reason: format!(
                    "Every server of this kind is taken; our team has been told and is adding one. Expected ready by {}.",
                    super::when(expected)
                ),
                retry_in: RECHECK,
            })
        }
        Err(error) => Err(from_machines(error)),
    }
}

pub(super) fn from_machines(error: MachineError) -> StepError {
    match error {
        MachineError::NoCapacity(reason) | MachineError::Unavailable(reason) => {
            StepError::Transient(reason)
        }
        MachineError::Refused { code, message } => StepError::Hold {
            staff: format!("the machine pool refused: {code}: {message}"),
            customer: "Setting up your server needs a hand from our team; we will finish it and let you know.".into(),
        },
    }
}
