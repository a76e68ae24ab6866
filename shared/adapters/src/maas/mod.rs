//! Dedicated and managed servers on Canonical MAAS, the simulated machine
//! pool's real counterpart. A machine is allocated from MAAS's ready ones
//! with at least the plan's cores, memory and disk, its `agent_name` the
//! idempotency key (so a retry after a lost answer finds it, never taking
//! two), and named; it is deployed with the chosen series and cloud-init
//! user data for the customer's way in; released with its disks erased.
//! MAAS keeps no backups. The IP set and its PTRs are kept in our table
//! (`ledger`), where `reverse_dns` reads them, as the Proxmox adapter does;
//! binding them to the machine's interface and publishing the reverse zone
//! are left to the network's own tools.

mod allocate;
mod api;
mod cloud_init;
mod ledger;
mod settings;

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use serde_json::Value;

use hostfront_core::machines::{
    Installation, Machine, MachineBackup, MachineError, MachineRequest, MachineState, Machines,
    OsTemplate, PoolMachine, check_installation,
};
use hostfront_core::store::Table;

use api::{Api, Fault};
use ledger::{Ledger, Record};

pub use settings::{MaasSettings, templates};

pub struct MaasMachines {
    api: Api,
    ledger: Ledger,
}

fn no_such_machine(id: &str) -> MachineError {
    MachineError::refused(
        "no_such_machine",
        format!("there is no machine {id} of ours"),
    )
}

impl MaasMachines {
    pub fn new(settings: MaasSettings, table: Arc<dyn Table>) -> Result<Self, String> {
        let ledger = Ledger::new(
            table,
            (settings.ipv4_first, settings.ipv4_count),
            settings.ipv6_network,
        );
        Ok(MaasMachines {
            api: Api::new(settings)?,
            ledger,
        })
    }

    fn path(id: &str) -> String {
        format!("machines/{id}/")
    }

    /// The template whose series MAAS deployed or deploys.
    fn template_of(&self, series: &str) -> Option<String> {
        let templates = &self.api.settings().templates;
        templates
            .iter()
            .find(|(_, s)| s == series)
            .map(|(name, _)| name.clone())
    }

    /// The machine as MAAS describes it in `json`, with our record; none
    /// when MAAS has given it back to its pool.
    fn machine_of(&self, id: &str, json: &Value, record: &Record) -> Option<Machine> {
        let state = match json["status_name"].as_str()? {
            "Allocated" => MachineState::Allocated,
            "Deploying" => MachineState::Installing,
            "Deployed" => MachineState::Ready,
            "Failed deployment" => MachineState::InstallFailed,
            _ => return None,
        };
        let os_template = match state {
            MachineState::Allocated => None,
            _ => json["distro_series"]
                .as_str()
                .and_then(|s| self.template_of(s)),
        };
        let (cores, memory_gb, disk_gb) = size_of(json);
        Some(Machine {
            id: id.to_string(),
            hostname: record.hostname.clone(),
            plan_id: record.plan_id.clone(),
            cores,
            memory_gb,
            disk_gb,
            ipv4: record.ipv4.clone(),
            ipv6: record.ipv6.clone(),
            state,
            os_template,
            powered: json["power_state"] == "on",
        })
    }

    /// MAAS's description of the machine `id`; none when it has none.
    async fn described(&self, id: &str) -> Result<Option<Value>, MachineError> {
        match self.api.call("GET", &Self::path(id), None, &[]).await {
            Ok(json) => Ok(Some(json)),
            Err(Fault::Answered(404, _)) => Ok(None),
            Err(fault) => Err(fault.into_error()),
        }
    }

    /// The machine `id` if it is ours and allocated, else `no_such_machine`.
    async fn held(&self, id: &str) -> Result<Machine, MachineError> {
        self.machine(id).await?.ok_or_else(|| no_such_machine(id))
    }
}

/// A machine's cores, memory and disk in GB, as MAAS describes it: it
/// counts memory in MiB and storage in MB.
fn size_of(json: &Value) -> (u32, u32, u32) {
    let number = |name: &str| json[name].as_f64().unwrap_or(0.0);
    (
        number("cpu_count") as u32,
        (number("memory") / 1024.0) as u32,
        (number("storage") / 1000.0) as u32,
    )
}

#[async_trait]
impl Machines for MaasMachines {
    fn name(&self) -> &'static str {
        "maas"
    }

    fn install_time(&self) -> Duration {
        self.api.settings().install_time
    }

    async fn allocate(&self, request: &MachineRequest) -> Result<Machine, MachineError> {
        self.take(request).await
    }

    async fn install(
        &self,
        id: &str,
        installation: &Installation,
    ) -> Result<Machine, MachineError> {
        check_installation(installation, &self.os_templates().await?)?;
        let record = self.ledger.record(id).await?;
        let described = self.described(id).await?;
        let Some((record, machine)) = record.zip(described).and_then(|(record, json)| {
            let machine = self.machine_of(id, &json, &record)?;
            Some((record, machine))
        }) else {
            return Err(no_such_machine(id));
        };
        if machine.state != MachineState::Allocated {
            return Ok(machine);
        }
        let templates = &self.api.settings().templates;
        let series = templates
            .iter()
            .find(|(name, _)| *name == installation.os_template)
            .map(|(_, series)| series.as_str())
            .unwrap_or_default();
        let user_data = cloud_init::user_data(installation)?;
        let mut params = vec![("distro_series", series)];
        if let Some(data) = &user_data {
            params.push(("user_data", data.as_str()));
        }
        let deploying = self
            .api
            .call("POST", &Self::path(id), Some("deploy"), &params)
            .await
            .map_err(Fault::into_error)?;
        self.machine_of(id, &deploying, &record)
            .ok_or_else(|| no_such_machine(id))
    }

    async fn machine(&self, id: &str) -> Result<Option<Machine>, MachineError> {
        let Some(record) = self.ledger.record(id).await? else {
            return Ok(None);
        };
        let described = self.described(id).await?;
        Ok(described.and_then(|json| self.machine_of(id, &json, &record)))
    }

    async fn set_power(&self, id: &str, on: bool) -> Result<(), MachineError> {
        let machine = self.held(id).await?;
        if machine.powered == on {
            return Ok(());
        }
        let op = if on { "power_on" } else { "power_off" };
        self.api
            .call("POST", &Self::path(id), Some(op), &[])
            .await
            .map_err(Fault::into_error)?;
        Ok(())
    }

    async fn back_up(&self, _id: &str, _key: &str) -> Result<MachineBackup, MachineError> {
        Err(MachineError::refused(
            "no_backups",
            "MAAS keeps no backups of a machine's disks",
        ))
    }

    /// Releases the machine with its disks erased (`quick_erase`: the
    /// start and end of each disk, so nothing of the customer's boots or
    /// mounts), then gives its addresses back and removes its PTRs. Only
    /// a machine this adapter took is touched.
    async fn release(&self, id: &str) -> Result<(), MachineError> {
        let Some(record) = self.ledger.record(id).await? else {
            return Ok(());
        };
        let erase = [
            ("erase", "true"),
            ("quick_erase", "true"),
            ("comment", "released by Hostfront"),
        ];
        match self
            .api
            .call("POST", &Self::path(id), Some("release"), &erase)
            .await
        {
            Ok(_) | Err(Fault::Answered(404, _)) => {}
            Err(fault) => return Err(fault.into_error()),
        }
        self.ledger.forget(id, &record).await
    }

    /// The machines MAAS has ready, and those this adapter holds; a
    /// machine another user of MAAS holds is not this pool's.
    async fn pool(&self) -> Result<Vec<PoolMachine>, MachineError> {
        let listed = self
            .api
            .call("GET", "machines/", None, &[])
            .await
            .map_err(Fault::into_error)?;
        let mut pool = Vec::new();
        for json in listed.as_array().into_iter().flatten() {
            let Some(id) = json["system_id"].as_str() else {
                continue;
            };
            let held = match self.ledger.record(id).await? {
                Some(record) => self.machine_of(id, json, &record),
                None => None,
            };
            if held.is_none() && json["status_name"] != "Ready" {
                continue;
            }
            let (cores, memory_gb, disk_gb) = size_of(json);
            pool.push(PoolMachine {
                id: id.to_string(),
                cores,
                memory_gb,
                disk_gb,
                held,
            });
        }
        Ok(pool)
    }

    async fn os_templates(&self) -> Result<Vec<OsTemplate>, MachineError> {
        Ok(self
            .api
            .settings()
            .templates
            .iter()
            .map(|(name, series)| OsTemplate {
                id: name.clone(),
                label: format!("{name} ({series})"),
            })
            .collect())
    }

    async fn reverse_dns(&self, ip: &str) -> Result<Option<String>, MachineError> {
        Ok(self.ledger.addresses.reverse_dns(ip).await?)
    }
}
