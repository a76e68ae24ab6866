//! VMs of VPS plans on Proxmox VE, the simulated hypervisor's real
//! counterpart. A VM is a full clone of the template VM of its OS,
//! configured through cloud-init (user, password, SSH key, addresses),
//! its disk grown to the plan's size, and started. Proxmox has no address
//! pool and serves no reverse DNS: the pool and the PTR records are kept
//! in our table (`vm_ledger`), where `reverse_dns` reads them; publishing
//! them in the reverse zone is left to whoever serves that zone.
//!
//! A clone carries its idempotency key in its `description`, so a retry
//! after a lost answer finds the VM made and finishes it, never cloning twice.

mod api;
mod create;
mod settings;

use std::sync::Arc;

use async_trait::async_trait;
use serde_json::Value;

use hostfront_core::hypervisor::{Hypervisor, HypervisorError, NewVm, OsTemplate, Vm};
use hostfront_core::store::{Table, TableError};

use crate::vm_ledger::{LedgerLayout, VmLedger, backend};
use api::{Api, Fault};

pub use api::percent_encoded;
pub use settings::{ProxmoxSettings, templates};

pub struct ProxmoxHypervisor {
    api: Api,
    ledger: VmLedger,
}

/// A guest as `GET /cluster/resources?type=vm` lists it.
struct Guest {
    vmid: u64,
    node: String,
    name: String,
    running: bool,
    template: bool,
}

impl ProxmoxHypervisor {
    pub fn new(settings: ProxmoxSettings, table: Arc<dyn Table>) -> Result<Self, String> {
        let layout = LedgerLayout {
            prefix: "PVE",
            ipv6_base: settings.ipv6_network,
        };
        let ledger = VmLedger::new(table, layout, settings.ipv4_first, settings.ipv4_count);
        Ok(ProxmoxHypervisor {
            api: Api::new(settings)?,
            ledger,
        })
    }

    /// Every QEMU guest of the cluster, templates included.
    async fn guests(&self) -> Result<Vec<Guest>, HypervisorError> {
        let list = self
            .api
            .call("GET", "/cluster/resources", &[("type", "vm")])
            .await
            .map_err(Fault::into_error)?;
        let list = list.as_array().cloned().unwrap_or_default();
        Ok(list
            .iter()
            .filter(|g| g["type"] == "qemu")
            .filter_map(|g| {
                Some(Guest {
                    vmid: g["vmid"].as_u64()?,
                    node: g["node"].as_str()?.to_string(),
                    name: g["name"].as_str().unwrap_or_default().to_string(),
                    running: g["status"] == "running",
                    template: g["template"].as_u64() == Some(1)
                        || g["template"] == Value::Bool(true),
                })
            })
            .collect())
    }

    async fn guest(&self, vmid: &str) -> Result<Option<Guest>, HypervisorError> {
        let guests = self.guests().await?;
        Ok(guests
            .into_iter()
            .find(|g| g.vmid.to_string() == vmid && !g.template))
    }

    /// Starts or stops `guest`, unless it is so already.
    async fn power(&self, guest: &Guest, running: bool) -> Result<(), HypervisorError> {
        if guest.running == running {
            return Ok(());
        }
        let action = if running { "start" } else { "stop" };
        let path = format!("/nodes/{}/qemu/{}/status/{action}", guest.node, guest.vmid);
        self.api.run("POST", &guest.node, &path, &[]).await
    }
}

#[async_trait]
impl Hypervisor for ProxmoxHypervisor {
    fn name(&self) -> &'static str {
        "proxmox"
    }

    async fn create_vm(&self, request: &NewVm) -> Result<Vm, HypervisorError> {
        self.create(request).await
    }

    /// Our record of the VM, with whether Proxmox says it runs; none when
    /// Proxmox has it no more.
    async fn vm(&self, id: &str) -> Result<Option<Vm>, HypervisorError> {
        let Some(record) = self.ledger.record(id).await? else {
            return Ok(None);
        };
        Ok(self.guest(id).await?.map(|guest| Vm {
            running: guest.running,
            node: guest.node,
            ..record.vm
        }))
    }

    async fn set_power(&self, id: &str, running: bool) -> Result<(), HypervisorError> {
        let mine = self.ledger.record(id).await?.is_some();
        let guest = match self.guest(id).await? {
            Some(guest) if mine => guest,
            _ => return Err(crate::vm_ledger::no_such_vm(id)),
        };
        self.power(&guest, running).await?;
        self.ledger.set_running(id, running).await
    }

    /// Stops the VM and destroys it with its disks (`purge`), then gives
    /// its address back and removes its PTRs. Only a VM this adapter made
    /// is touched: another vmid of the cluster is none of ours.
    async fn delete_vm(&self, id: &str) -> Result<(), HypervisorError> {
        let Some(record) = self.ledger.record(id).await? else {
            return Ok(());
        };
        if let Some(guest) = self.guest(id).await? {
            self.power(&guest, false).await?;
            let path = format!("/nodes/{}/qemu/{}", guest.node, guest.vmid);
            let purge = [("purge", "1"), ("destroy-unreferenced-disks", "1")];
            self.api.run("DELETE", &guest.node, &path, &purge).await?;
        }
        let forget = self.ledger.forget_ops(&record);
        match self.ledger.table().transact(forget).await {
            Ok(()) | Err(TableError::TransactionConflict { .. }) => Ok(()),
            Err(other) => Err(backend(other)),
        }
    }

    async fn os_templates(&self) -> Result<Vec<OsTemplate>, HypervisorError> {
        Ok(self
            .api
            .settings()
            .templates
            .iter()
            .map(|(name, vmid)| OsTemplate {
                id: name.clone(),
                label: format!("{name} (template {vmid})"),
            })
            .collect())
    }

    async fn reverse_dns(&self, ip: &str) -> Result<Option<String>, HypervisorError> {
        self.ledger.reverse_dns(ip).await
    }
}
