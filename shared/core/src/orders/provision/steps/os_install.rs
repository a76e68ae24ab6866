//! Installs the chosen operating system on the order's machine, with the
//! order's password for root and the customer's SSH key; a managed server
//! gets neither, the company running it. The installation takes a while:
//! the step starts it, then waits, telling the customer when to expect
//! the server, until the pool says it is ready.

use std::time::Duration;

use serde_json::json;

use super::super::saga::Saga;
use super::super::{Done, StepError};
use super::machine::from_machines;
use crate::Provisioning;
use crate::machines::{Installation, MachineState, ServiceMachine};
use crate::orders::secrets::Secret;

/// The longest wait between two looks at an installation.
const LOOK_AGAIN: Duration = Duration::from_secs(5 * 60);
/// How often a late installation is looked at.
const LATE_LOOK: Duration = Duration::from_secs(30);

pub(super) async fn run(saga: &Saga<'_, impl Provisioning>) -> Result<Done, StepError> {
    let order = &saga.order;
    let ports = saga.ports;
    let server = saga.machine.clone().ok_or_else(|| StepError::Hold {
        staff: "the order has no machine to install".into(),
        customer:
            "Setting up your server needs a hand from our team; we will finish it and let you know."
                .into(),
    })?;
    let choice = order.server.clone().ok_or_else(|| StepError::Hold {
        staff: "the order names no operating system".into(),
        customer: "We need to know which operating system to install; our team will contact you."
            .into(),
    })?;
    let installation = if server.managed {
        Installation {
            os_template: choice.os_template,
            root_password: None,
            ssh_public_key: None,
        }
    } else {
        Installation {
            os_template: choice.os_template,
            root_password: Some(saga.secret(Secret::PanelPassword).await?.into()),
            ssh_public_key: choice.ssh_public_key,
        }
    };
    let machines = ports.machines();
    let machine = machines
        .install(&server.machine.id, &installation)
        .await
        .map_err(from_machines)?;
    let os = machine.os_template.clone().unwrap_or_default();
    match machine.state {
        MachineState::Ready => Ok(Done {
            detail: format!("{os} installed; the server is up at {}", server.machine.ipv4.join(", ")),
            result: json!(ServiceMachine { machine, ..server }),
        }),
        MachineState::Installing | MachineState::Allocated => {
            let expected = server.allocated_at + machines.install_time().as_secs() as i64;
            let left = expected - ports.clock().now_secs();
            // Looked at again just after it should be done, or while it
            // is late, every half minute.
            let (reason, retry_in) = if left > 0 {
                let reason = format!("Installing {os}: expected ready by {}.", super::when(expected));
                (reason, Duration::from_secs(left as u64 + 1).min(LOOK_AGAIN))
            } else {
                let reason = format!("Installing {os}: taking longer than usual; our team is watching it.");
                (reason, LATE_LOOK)
            };
            Err(StepError::Later { reason, retry_in })
        }
        MachineState::InstallFailed => Err(StepError::Hold {
            staff: format!("installing {os} on {} failed", server.machine.id),
            customer: "Installing your server's operating system needs a hand from our team; we will finish it and let you know.".into(),
        }),
    }
}
