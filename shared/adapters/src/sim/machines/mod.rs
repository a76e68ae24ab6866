//! A simulated pool of physical machines, for local runs and tests. It
//! keeps honest state in the table: each machine with its size and, while
//! a customer has it, its hostname, IP set, installation and power; the
//! address pool and PTRs (`address_pool`, 198.51.100.0/24 and
//! 2001:db8:100::/64, apart from the VPS pool); per idempotency key the
//! machine it took; and the backups taken. A machine, its addresses and
//! the record of the key are taken in one transaction with conditions, so
//! two calls at once take one machine. An installation is ready once the
//! clock has passed its start by the install time. Nothing leaves the process.

mod pool;

use std::net::{Ipv4Addr, Ipv6Addr};
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;

use hostfront_core::clock::Clock;
use hostfront_core::machines::{
    Installation, Machine, MachineBackup, MachineError, MachineRequest, MachineState, Machines,
    OsTemplate, PoolMachine, check_installation, check_request,
};
use hostfront_core::store::{Condition, Item, ItemExt, Key, Table, TableError, Update};

use super::hypervisor::simulated_templates;
use crate::address_pool::{AddressPool, AddressRange};
use pool::{backend, no_such_machine};

const PREFIX: &str = "SIMMACH";
const ATTEMPTS: usize = 8;
/// A backup is kept this long.
const BACKUP_DAYS: i64 = 30;

/// Machines of one size in the pool.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MachineModel {
    pub count: u32,
    pub cores: u32,
    pub memory_gb: u32,
    pub disk_gb: u32,
}

/// The simulated pool: its machines, its addresses, how long an
/// installation takes and how long every call does.
#[derive(Debug, Clone, Copy)]
pub struct MachinesSettings {
    pub models: &'static [MachineModel],
    /// Addresses from 198.51.100.210 (at most 46).
    pub addresses: u32,
    pub install_time: Duration,
    pub latency: Duration,
}

impl MachinesSettings {
    /// The local demonstration's pool: four machines of 4 cores, 32 GB and
    /// 2000 GB, two of 8 cores, 64 GB and 4000 GB, 40 addresses, and
    /// installations of 5 minutes.
    pub const DEMO: MachinesSettings = MachinesSettings {
        models: &[
            MachineModel {
                count: 4,
                cores: 4,
                memory_gb: 32,
                disk_gb: 2000,
            },
            MachineModel {
                count: 2,
                cores: 8,
                memory_gb: 64,
                disk_gb: 4000,
            },
        ],
        addresses: 40,
        install_time: Duration::from_secs(300),
        latency: Duration::from_millis(150),
    };

    /// These settings with installations taking `install_time` (tests
    /// use a short one).
    pub fn installing_in(self, install_time: Duration) -> Self {
        MachinesSettings {
            install_time,
            ..self
        }
    }
}

/// The first address handed out: 198.51.100.0/24 is reserved for
/// documentation; the simulated panel hands out its addresses below this one.
const FIRST_ADDRESS: Ipv4Addr = Ipv4Addr::new(198, 51, 100, 210);

pub struct SimulatedMachines {
    table: Arc<dyn Table>,
    clock: Arc<dyn Clock>,
    addresses: AddressPool,
    settings: MachinesSettings,
}

impl SimulatedMachines {
    pub fn new(table: Arc<dyn Table>, clock: Arc<dyn Clock>, settings: MachinesSettings) -> Self {
        let range = AddressRange {
            prefix: PREFIX,
            first: FIRST_ADDRESS,
            count: settings.addresses.min(46),
            // The documentation range, 2001:db8::/32.
            ipv6_base: Ipv6Addr::new(0x2001, 0xdb8, 0x100, 0, 0, 0, 0, 0),
        };
        SimulatedMachines {
            addresses: AddressPool::new(table.clone(), range),
            table,
            clock,
            settings,
        }
    }

    async fn round_trip(&self) {
        if !self.settings.latency.is_zero() {
            tokio::time::sleep(self.settings.latency).await;
        }
    }

    fn backup_key(&self, key: &str) -> Key {
        Key::new(format!("{PREFIX}#BACKUP#{key}"), "BACKUP")
    }

    /// The machine `id` as a customer has it, with the key that holds it;
    /// else `no_such_machine`.
    async fn held_by(&self, id: &str) -> Result<(Machine, String), MachineError> {
        let (item, now) = self.record(id).await?;
        item.and_then(|item| {
            let machine = self.machine_of(&item, now)?;
            Some((machine, item.str_attr("holder")?.to_string()))
        })
        .ok_or_else(|| no_such_machine(id))
    }

    /// The machine `id`'s record, if any, and the time it is read at.
    async fn record(&self, id: &str) -> Result<(Option<Item>, i64), MachineError> {
        let key = self.machine_key(id);
        let item = self.table.get(&key).await.map_err(backend)?;
        Ok((item, self.clock.now_millis()))
    }

    async fn held(&self, id: &str) -> Result<Machine, MachineError> {
        Ok(self.held_by(id).await?.0)
    }

    /// How many times the machine `id` was wiped on its way back to the pool.
    pub async fn wipes(&self, id: &str) -> Result<u32, MachineError> {
        let item = self
            .table
            .get(&self.machine_key(id))
            .await
            .map_err(backend)?;
        Ok(item.and_then(|i| i.i64_attr("wipes")).unwrap_or(0) as u32)
    }
}

#[async_trait]
impl Machines for SimulatedMachines {
    fn name(&self) -> &'static str {
        "simulated"
    }

    fn install_time(&self) -> Duration {
        self.settings.install_time
    }

    async fn allocate(&self, request: &MachineRequest) -> Result<Machine, MachineError> {
        check_request(request)?;
        self.round_trip().await;
        for _ in 0..ATTEMPTS {
            if let Some(machine) = self.replay(&request.idempotency_key).await? {
                return Ok(machine);
            }
            if let Some(machine) = self.try_allocate(request).await? {
                return Ok(machine);
            }
            // Another call took the machine or an address first, or a
            // call under the same key finished first.
            tokio::time::sleep(Duration::from_millis(fastrand::u64(1..20))).await;
        }
        Err(MachineError::Unavailable(
            "the machine pool is busy; try again".into(),
        ))
    }

    async fn install(
        &self,
        id: &str,
        installation: &Installation,
    ) -> Result<Machine, MachineError> {
        self.round_trip().await;
        check_installation(installation, &simulated_templates())?;
        let (machine, holder) = self.held_by(id).await?;
        if machine.state != MachineState::Allocated {
            return Ok(machine);
        }
        // Still allocated to the same customer: not released and taken again meanwhile.
        let allocated = Condition::eq("state", "allocated").and(Condition::eq("holder", holder));
        let update = Update::new()
            .set("state", "installing")
            .set("install_started_ms", self.clock.now_millis())
            .set("os_template", installation.os_template.clone())
            .set("way_in", pool::way_in(installation))
            .set("powered", true);
        match self
            .table
            .update(&self.machine_key(id), update, Some(allocated))
            .await
        {
            // Installed meanwhile by another call, or released.
            Ok(_) | Err(TableError::ConditionFailed) => self.held(id).await,
            Err(other) => Err(backend(other)),
        }
    }

    async fn machine(&self, id: &str) -> Result<Option<Machine>, MachineError> {
        let (item, now) = self.record(id).await?;
        Ok(item.and_then(|item| self.machine_of(&item, now)))
    }

    async fn set_power(&self, id: &str, on: bool) -> Result<(), MachineError> {
        self.round_trip().await;
        self.held(id).await?;
        let update = Update::new().set("powered", on);
        let held = Condition::AttributeExists("holder".into());
        match self
            .table
            .update(&self.machine_key(id), update, Some(held))
            .await
        {
            Ok(_) => Ok(()),
            Err(TableError::ConditionFailed) => Err(no_such_machine(id)),
            Err(other) => Err(backend(other)),
        }
    }

    async fn back_up(&self, id: &str, key: &str) -> Result<MachineBackup, MachineError> {
        self.round_trip().await;
        if let Some(backup) = self.backup(key).await? {
            return Ok(backup);
        }
        self.held(id).await?;
        let kept_until = self.clock.now() + time::Duration::days(BACKUP_DAYS);
        let backup = MachineBackup {
            id: format!("bk-{}", ulid::Ulid::new().to_string().to_lowercase()),
            kept_until: kept_until.date().to_string(),
        };
        let mut item = self.backup_key(key).to_item();
        item.insert("kind".into(), "sim_machine_backup".into());
        item.insert("backup_id".into(), backup.id.clone().into());
        item.insert("machine_id".into(), id.into());
        item.insert("kept_until".into(), backup.kept_until.clone().into());
        item.insert("ttl".into(), kept_until.unix_timestamp().into());
        match self.table.put(item, Some(Condition::NotExists)).await {
            Ok(()) => Ok(backup),
            // Taken meanwhile under the same key: that one.
            Err(TableError::ConditionFailed) => {
                self.backup(key).await?.ok_or_else(|| no_such_machine(id))
            }
            Err(other) => Err(backend(other)),
        }
    }

    async fn release(&self, id: &str) -> Result<(), MachineError> {
        self.round_trip().await;
        let Some(item) = self
            .table
            .get(&self.machine_key(id))
            .await
            .map_err(backend)?
        else {
            return Err(no_such_machine(id));
        };
        let Some(ops) = self.release_ops(&item) else {
            return Ok(());
        };
        match self.table.transact(ops).await {
            // Released meanwhile by another call.
            Ok(()) | Err(TableError::TransactionConflict { .. }) => Ok(()),
            Err(other) => Err(backend(other)),
        }
    }

    async fn pool(&self) -> Result<Vec<PoolMachine>, MachineError> {
        self.round_trip().await;
        self.pool_machines().await
    }

    async fn os_templates(&self) -> Result<Vec<OsTemplate>, MachineError> {
        Ok(simulated_templates())
    }

    async fn reverse_dns(&self, ip: &str) -> Result<Option<String>, MachineError> {
        Ok(self.addresses.reverse_dns(ip).await?)
    }
}
