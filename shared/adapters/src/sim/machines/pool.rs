//! The simulated pool's items: one per machine, made on first use, which
//! names its holder (the idempotency key that took it) while a customer
//! has it; the record of each key; and the writes that take a machine with
//! its addresses and give them back.

use std::net::Ipv4Addr;

use serde_json::{Value, json};

use hostfront_core::machines::{
    Installation, Machine, MachineBackup, MachineError, MachineRequest, MachineState, PoolMachine,
};
use hostfront_core::store::{Condition, Item, ItemExt, Key, Query, TableError, TxOp, Update};

use super::{PREFIX, SimulatedMachines};
use crate::inventory::put_where_none;

/// What a held machine's item says of its customer, removed on release.
const HELD: [&str; 10] = [
    "holder",
    "hostname",
    "plan_id",
    "ipv4",
    "ipv6",
    "state",
    "os_template",
    "install_started_ms",
    "way_in",
    "powered",
];

pub fn backend(error: TableError) -> MachineError {
    MachineError::Unavailable(format!("simulated machine pool: {error}"))
}

pub fn no_such_machine(id: &str) -> MachineError {
    MachineError::refused(
        "no_such_machine",
        format!("there is no machine {id} allocated"),
    )
}

/// How the customer gets in, kept without the secret itself.
pub fn way_in(installation: &Installation) -> &'static str {
    match (&installation.root_password, &installation.ssh_public_key) {
        (_, Some(_)) => "ssh_key",
        (Some(_), None) => "password",
        (None, None) => "none",
    }
}

fn operation_key(idempotency_key: &str) -> Key {
    Key::new(format!("{PREFIX}#OP#{idempotency_key}"), "OP")
}

fn size(item: &Item) -> (i64, i64, i64) {
    let of = |name| item.i64_attr(name).unwrap_or(0);
    (of("cores"), of("memory_gb"), of("disk_gb"))
}

impl SimulatedMachines {
    fn machines_partition(&self) -> String {
        format!("{PREFIX}#MACHINE")
    }

    pub(super) fn machine_key(&self, id: &str) -> Key {
        Key::new(self.machines_partition(), id)
    }

    /// Every machine of the pool, made on first use.
    async fn machines(&self) -> Result<Vec<Item>, MachineError> {
        let query = Query::partition(self.machines_partition());
        let wanted: u32 = self.settings.models.iter().map(|m| m.count).sum();
        let machines = self.table.query(query.clone()).await.map_err(backend)?;
        if machines.items.len() >= wanted as usize {
            return Ok(machines.items);
        }
        let mut seed = Vec::new();
        for model in self.settings.models {
            for _ in 0..model.count {
                let mut item = self
                    .machine_key(&format!("m{:02}", seed.len() + 1))
                    .to_item();
                item.insert("kind".into(), "sim_machine".into());
                item.insert("cores".into(), model.cores.into());
                item.insert("memory_gb".into(), model.memory_gb.into());
                item.insert("disk_gb".into(), model.disk_gb.into());
                seed.push(item);
            }
        }
        put_where_none(self.table.as_ref(), &seed)
            .await
            .map_err(backend)?;
        Ok(self.table.query(query).await.map_err(backend)?.items)
    }

    /// Every machine of the pool with what it holds, for staff.
    pub(super) async fn pool_machines(&self) -> Result<Vec<PoolMachine>, MachineError> {
        let now_ms = self.clock.now_millis();
        let machines = self.machines().await?;
        Ok(machines
            .iter()
            .map(|item| {
                let (cores, memory_gb, disk_gb) = size(item);
                PoolMachine {
                    id: item.str_attr("sk").unwrap_or_default().to_string(),
                    cores: cores as u32,
                    memory_gb: memory_gb as u32,
                    disk_gb: disk_gb as u32,
                    held: self.machine_of(item, now_ms),
                }
            })
            .collect())
    }

    /// The machine an item holds for a customer, as it is at `now_ms`.
    pub(super) fn machine_of(&self, item: &Item, now_ms: i64) -> Option<Machine> {
        item.str_attr("holder")?;
        let (cores, memory_gb, disk_gb) = size(item);
        let ready_at = item.i64_attr("install_started_ms").map(|started| {
            started + i64::try_from(self.settings.install_time.as_millis()).unwrap_or(i64::MAX)
        });
        let state = match (item.str_attr("state")?, ready_at) {
            ("installing", Some(at)) if now_ms >= at => MachineState::Ready,
            ("installing", _) => MachineState::Installing,
            _ => MachineState::Allocated,
        };
        Some(Machine {
            id: item.str_attr("sk")?.to_string(),
            hostname: item.str_attr("hostname")?.to_string(),
            plan_id: item.str_attr("plan_id")?.to_string(),
            cores: cores as u32,
            memory_gb: memory_gb as u32,
            disk_gb: disk_gb as u32,
            ipv4: serde_json::from_value(item.get("ipv4")?.clone()).ok()?,
            ipv6: item.str_attr("ipv6")?.to_string(),
            state,
            os_template: item.str_attr("os_template").map(str::to_string),
            powered: item.get("powered").and_then(Value::as_bool) == Some(true),
        })
    }

    /// The machine taken under `key` before; a retry of a key whose
    /// machine was released since is refused, not taken again.
    pub(super) async fn replay(&self, key: &str) -> Result<Option<Machine>, MachineError> {
        let operation = self.table.get(&operation_key(key)).await.map_err(backend)?;
        let Some(id) = operation.and_then(|o| o.str_attr("machine_id").map(str::to_string)) else {
            return Ok(None);
        };
        let item = self
            .table
            .get(&self.machine_key(&id))
            .await
            .map_err(backend)?;
        match item {
            Some(item) if item.str_attr("holder") == Some(key) => {
                Ok(self.machine_of(&item, self.clock.now_millis()))
            }
            _ => Err(MachineError::refused(
                "machine_released",
                format!("the machine taken under {key} was released"),
            )),
        }
    }

    /// The smallest free machine with what `request` needs.
    async fn smallest_fitting(&self, request: &MachineRequest) -> Result<Item, MachineError> {
        let needs = (
            i64::from(request.cores),
            i64::from(request.memory_gb),
            i64::from(request.disk_gb),
        );
        self.machines()
            .await?
            .into_iter()
            .filter(|item| item.str_attr("holder").is_none())
            .filter(|item| {
                let (cores, memory, disk) = size(item);
                cores >= needs.0 && memory >= needs.1 && disk >= needs.2
            })
            .min_by_key(|item| (size(item), item.str_attr("sk").map(str::to_string)))
            .ok_or_else(|| {
                MachineError::NoCapacity(format!(
                    "no free machine has {} cores, {} GB of memory and {} GB of disk",
                    request.cores, request.memory_gb, request.disk_gb
                ))
            })
    }

    /// One try at taking the smallest machine that fits, its addresses and
    /// the record of the key, all at once: `None` when another call took
    /// one of them first.
    pub(super) async fn try_allocate(
        &self,
        request: &MachineRequest,
    ) -> Result<Option<Machine>, MachineError> {
        let item = self.smallest_fitting(request).await?;
        let addresses = self.addresses.free(request.ipv4_addresses as usize).await?;
        let (cores, memory_gb, disk_gb) = size(&item);
        let machine = Machine {
            id: item.str_attr("sk").unwrap_or_default().to_string(),
            hostname: request.hostname.clone(),
            plan_id: request.plan_id.clone(),
            cores: cores as u32,
            memory_gb: memory_gb as u32,
            disk_gb: disk_gb as u32,
            ipv4: addresses.iter().map(Ipv4Addr::to_string).collect(),
            ipv6: self.addresses.ipv6_for(addresses[0]),
            state: MachineState::Allocated,
            os_template: None,
            powered: false,
        };
        let ops = self.allocation_ops(&machine, &addresses, &request.idempotency_key);
        match self.table.transact(ops).await {
            Ok(()) => Ok(Some(machine)),
            Err(TableError::TransactionConflict { .. } | TableError::Busy) => Ok(None),
            Err(other) => Err(backend(other)),
        }
    }

    fn allocation_ops(&self, machine: &Machine, addresses: &[Ipv4Addr], key: &str) -> Vec<TxOp> {
        let update = Update::new()
            .set("holder", key)
            .set("hostname", machine.hostname.clone())
            .set("plan_id", machine.plan_id.clone())
            .set("ipv4", json!(machine.ipv4))
            .set("ipv6", machine.ipv6.clone())
            .set("state", "allocated")
            .set("powered", false);
        let mut ops = vec![TxOp::Update {
            key: self.machine_key(&machine.id),
            update,
            condition: Some(Condition::AttributeNotExists("holder".into())),
        }];
        ops.extend(addresses.iter().map(|a| self.addresses.hold_op(*a, key)));
        let ips = machine.ipv4.iter().chain([&machine.ipv6]);
        ops.extend(ips.map(|ip| self.addresses.ptr_op(ip, &machine.hostname)));
        let mut operation = operation_key(key).to_item();
        operation.insert("kind".into(), "sim_machine_operation".into());
        operation.insert("machine_id".into(), machine.id.clone().into());
        ops.push(TxOp::Put {
            item: operation,
            condition: Some(Condition::NotExists),
        });
        ops
    }

    /// The writes that wipe a held machine and give it back with its
    /// addresses; `None` when no customer holds it.
    pub(super) fn release_ops(&self, item: &Item) -> Option<Vec<TxOp>> {
        let holder = item.str_attr("holder")?;
        let machine = self.machine_of(item, 0)?;
        let mut update = Update::new()
            .add("wipes", 1)
            .set("wiped_at_ms", self.clock.now_millis());
        for attribute in HELD {
            update = update.remove(attribute);
        }
        let mut ops = vec![TxOp::Update {
            key: self.machine_key(&machine.id),
            update,
            condition: Some(Condition::eq("holder", holder)),
        }];
        ops.extend(
            machine
                .ipv4
                .iter()
                .map(|a| self.addresses.free_op(a, holder)),
        );
        let ips = machine.ipv4.iter().chain([&machine.ipv6]);
        ops.extend(ips.map(|ip| self.addresses.unptr_op(ip)));
        Some(ops)
    }

    pub(super) async fn backup(&self, key: &str) -> Result<Option<MachineBackup>, MachineError> {
        let item = self
            .table
            .get(&self.backup_key(key))
            .await
            .map_err(backend)?;
        Ok(item.and_then(|item| {
            Some(MachineBackup {
                id: item.str_attr("backup_id")?.to_string(),
                kept_until: item.str_attr("kept_until")?.to_string(),
            })
        }))
    }
}
