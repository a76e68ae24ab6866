//! A VPS: makes the virtual machine on the hypervisor with the plan's size,
//! the operating system and SSH key the customer chose, and the order's
//! password for root (sealed until this step has used it). The hypervisor
//! gives it its addresses and sets their reverse DNS to the domain.

use crate::Provisioning;
use serde_json::json;

use super::super::saga::Saga;
use super::super::{Done, StepError};
use super::{call_key, plan_of};
use crate::hypervisor::{HypervisorError, NewVm};
use crate::orders::secrets::Secret;

pub(super) async fn run(saga: &Saga<'_, impl Provisioning>) -> Result<Done, StepError> {
    let order = &saga.order;
    let plan = plan_of(saga).await?;
    let limit = |name: &str| plan.limits.get(name).copied().unwrap_or(1);
    let choice = order.server.clone().ok_or_else(|| StepError::Hold {
        staff: "the order names no operating system".into(),
        customer: "We need to know which operating system to install; our team will contact you."
            .into(),
    })?;
    let request = NewVm {
        name: order.domain.name.clone(),
        plan_id: order.plan_id.clone(),
        vcpus: limit("vcpus"),
        memory_mb: limit("memory_gb") * 1024,
        disk_gb: limit("disk_gb"),
        os_template: choice.os_template,
        root_password: Some(saga.secret(Secret::PanelPassword).await?.into()),
        ssh_public_key: choice.ssh_public_key,
        idempotency_key: call_key(order, "vm"),
    };
    let vm = saga
        .ports
        .hypervisor()
        .create_vm(&request)
        .await
        .map_err(from_hypervisor)?;
    Ok(Done {
        detail: format!(
            "{} running on {} ({}, {})",
            vm.os_template, vm.node, vm.ipv4, vm.ipv6
        ),
        result: json!(vm),
    })
}

fn from_hypervisor(error: HypervisorError) -> StepError {
    match error {
        HypervisorError::NoCapacity(reason) => StepError::Hold {
            staff: format!("no room for the VPS: {reason}"),
            customer: "Our servers for your plan are full right now. Our team is adding room and will finish your server as soon as it is ready; you need to do nothing.".into(),
        },
        HypervisorError::Refused { code, message } => StepError::Hold {
            staff: format!("the hypervisor refused: {code}: {message}"),
            customer: "Setting up your server needs a hand from our team; we will finish it and let you know.".into(),
        },
        HypervisorError::Unavailable(message) => StepError::Transient(message),
    }
}
