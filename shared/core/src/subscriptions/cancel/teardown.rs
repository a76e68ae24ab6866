//! Tearing down a service whose cancellation took effect, step by step:
//! the panel account is suspended, backed up, and removed with its
//! mailboxes (a VPS is stopped and deleted at once, with no backup; a
//! dedicated or managed server is powered off, backed up if its plan says
//! so, wiped and returned to the pool), and its zone stops being served;
//! then the service is cancelled, with the backup on its record.

use serde_json::{Value, json};

use crate::CustomerId;
use crate::audit::Actor;
use crate::lifecycle::MovedOn;
use crate::machines::ServiceMachine;
use crate::panel::Backup;
use crate::step_ledger::{Ledger, StepsError};
use crate::store::{TableError, Tx, TxError, Update};
use crate::subscriptions::{Subscription, SubscriptionStatus, find};
use crate::zone::Zone;
use crate::zone::customer::ZoneUse;
use crate::{Hosting, Settings, Storage, Zones};

/// The steps of a teardown, in order; each is idempotent at the panel or
/// the DNS host, and the ledger runs each once.
const TEARDOWN: [&str; 5] = [
    "suspend",
    "back_up",
    "remove_account",
    "remove_zone",
    "park_domain",
];

/// How long a worker holds a teardown step (shorter than a job's visibility).
const LEASE: std::time::Duration = std::time::Duration::from_secs(45);

/// Tears down a service whose cancellation took effect, as a workflow of
/// steps recorded under `TEARDOWN#<service id>`: the panel account is
/// suspended, backed up, and removed with its mailboxes (its address and its
/// place on the server return to the pools), and its zone stops being
/// served. Then the service is cancelled, with the backup on its record.
pub async fn tear_down(
    ports: &(impl Storage + Settings + Hosting + Zones),
    customer_id: &CustomerId,
    service_id: &str,
) -> Result<(), StepsError> {
    let Some(service) = find(ports.table(), customer_id, service_id).await? else {
        return Ok(());
    };
    if service.status == SubscriptionStatus::Cancelled || service.ended_at.is_none() {
        return Ok(());
    }
    let ledger = Ledger {
        table: ports.table(),
        clock: ports.clock(),
        lease: LEASE,
    };
    let service = &service;
    let results = ledger
        .run_steps(&format!("TEARDOWN#{service_id}"), &TEARDOWN, |step| {
            run_step(ports, service, step)
        })
        .await?;
    let backup: Option<Backup> = results
        .get("back_up")
        .and_then(|b| serde_json::from_value(b.clone()).ok());
    cancel_torn_down(ports, service, backup).await
}

/// Runs one teardown step at the panel or the DNS host; returns what it
/// did, in words and as data for the ledger.
async fn run_step(
    ports: &(impl Storage + Settings + Hosting + Zones),
    service: &Subscription,
    step: &str,
) -> Result<(String, Value), String> {
    let failed = |e: &dyn std::fmt::Display| e.to_string();
    if step.ends_with("_zone") || step == "park_domain" {
        return zone_step(ports, service, step)
            .await
            .map_err(|e| failed(&e));
    }
    if let Some(zone_use) = &service.zone {
        return zone_only_step(ports, service, zone_use, step)
            .await
            .map_err(|e| failed(&e));
    }
    if let Some(vm) = &service.hosting.vm {
        return run_vm_step(ports, &vm.id, step)
            .await
            .map_err(|e| failed(&e));
    }
    if let Some(server) = &service.hosting.machine {
        return run_machine_step(ports, service, server, step)
            .await
            .map_err(|e| failed(&e));
    }
    let panel = ports.panel();
    let username = service.hosting.account.username.as_str();
    Ok(match step {
        "suspend" => {
            panel
                .set_suspended(username, true)
                .await
                .map_err(|e| failed(&e))?;
            ("sites and mail stopped".to_string(), json!(null))
        }
        "back_up" => match panel.account(username).await.map_err(|e| failed(&e))? {
            None => ("no account to back up".into(), json!(null)),
            Some(_) => {
                let backup = panel
                    .back_up(username, &format!("{}-teardown-backup", service.id))
                    .await
                    .map_err(|e| failed(&e))?;
                (
                    format!("backup {} kept until {}", backup.id, backup.kept_until),
                    json!(backup),
                )
            }
        },
        _ => {
            panel
                .remove_account(username)
                .await
                .map_err(|e| failed(&e))?;
            (
                "account and mailboxes removed; address and server place returned".into(),
                json!(null),
            )
        }
    })
}

/// A zone alone has nothing to stop or back up; an alias is taken off the
/// account of the service whose site it showed, if that is still there.
async fn zone_only_step(
    ports: &(impl Storage + Hosting),
    service: &Subscription,
    zone_use: &ZoneUse,
    step: &str,
) -> Result<(String, Value), crate::panel::PanelError> {
    let ZoneUse::Alias { of, site } = zone_use else {
        return Ok((
            "nothing to stop: only its zone was served".into(),
            json!(null),
        ));
    };
    if step != "remove_account" {
        return Ok(("nothing to stop before the alias goes".into(), json!(null)));
    }
    let shown = find(ports.table(), &service.customer_id, of)
        .await
        .map_err(|e| crate::panel::PanelError::Unavailable(e.to_string()))?;
    if let Some(shown) = shown {
        ports
            .panel()
            .remove_alias(&shown.hosting.account.username, &service.domain)
            .await?;
    }
    Ok((format!("no longer an alias of {site}"), json!(null)))
}

/// The zone's steps: it stops being served; then, when the customer keeps
/// the domain parked, the parked zone is served in its place.
async fn zone_step(
    ports: &(impl Storage + Settings + Zones),
    service: &Subscription,
    step: &str,
) -> Result<(String, Value), crate::dnshost::DnsError> {
    let domain = service.domain.as_str();
    if step == "remove_zone" {
        ports.dns_host().remove_zone(domain).await?;
        return Ok((format!("zone {domain} removed"), json!(null)));
    }
    if !service.park_domain {
        return Ok(("the domain is not parked".into(), json!(null)));
    }
    let config = ports.config();
    let zone = Zone::parked(domain, config, ports.clock().now());
    ports
        .dns_host()
        .create_zone(&zone, &service.order_id)
        .await?;
    Ok((
        format!("{domain} parked at {}", config.parking_ipv4),
        json!(null),
    ))
}

/// A VPS's teardown step at the hypervisor: stopped, then deleted at once
/// with its disk (no backup), its addresses back in the pool.
async fn run_vm_step(
    ports: &impl Hosting,
    vm_id: &str,
    step: &str,
) -> Result<(String, Value), crate::hypervisor::HypervisorError> {
    let hypervisor = ports.hypervisor();
    Ok(match step {
        "suspend" => {
            hypervisor.set_power(vm_id, false).await?;
            ("server stopped".into(), json!(null))
        }
        "back_up" => (
            "a virtual server is deleted at once, with no backup".into(),
            json!(null),
        ),
        _ => {
            hypervisor.delete_vm(vm_id).await?;
            (
                "server deleted with its disk; its addresses returned to the pool".into(),
                json!(null),
            )
        }
    })
}

/// A dedicated or managed server's teardown step at the machine pool:
/// powered off, its disks copied if the plan promised it, then wiped and
/// returned to the pool with its addresses.
async fn run_machine_step(
    ports: &(impl Storage + Hosting),
    service: &Subscription,
    server: &ServiceMachine,
    step: &str,
) -> Result<(String, Value), crate::machines::MachineError> {
    let machines = ports.machines();
    let id = server.machine.id.as_str();
    Ok(match step {
        "suspend" => {
            machines.set_power(id, false).await?;
            ("server powered off".into(), json!(null))
        }
        "back_up" if server.back_up_on_cancel => {
            let copy = machines
                .back_up(id, &format!("{}-teardown-backup", service.id))
                .await?;
            let backup = Backup {
                id: copy.id,
                username: service.hosting.account.username.clone(),
                taken_at: crate::clock::rfc3339(ports.clock().now()),
                kept_until: copy.kept_until,
            };
            (
                format!(
                    "disks copied: backup {} kept until {}",
                    backup.id, backup.kept_until
                ),
                json!(backup),
            )
        }
        "back_up" => (
            "the plan keeps no copy of a cancelled server".into(),
            json!(null),
        ),
        _ => {
            machines.release(id).await?;
            (
                "disks wiped; the machine and its addresses returned to the pool".into(),
                json!(null),
            )
        }
    })
}

/// The service is cancelled once torn down, with its backup on its record;
/// a teardown that ran twice finds it cancelled already.
async fn cancel_torn_down(
    ports: &impl Storage,
    service: &Subscription,
    backup: Option<Backup>,
) -> Result<(), StepsError> {
    let now = ports.clock().now();
    let mut tx = Tx::new();
    service
        .cancel(
            Update::new()
                .set("torn_down_at", crate::clock::rfc3339(now))
                .set("backup", json!(backup)),
            Actor::system("cancellations"),
            "torn down: backed up, account, mailboxes and zone removed",
            now,
        )
        .add_to(&mut tx, MovedOn, now)
        .map_err(|e| TableError::Backend(e.to_string()))?;
    match tx.commit(ports.table()).await {
        Ok(()) | Err(TxError::Refused(MovedOn)) => Ok(()),
        Err(TxError::Table(error)) => Err(error.into()),
    }
}
