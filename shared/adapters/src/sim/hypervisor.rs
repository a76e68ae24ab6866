//! A simulated hypervisor, for local runs and tests. It keeps honest state
//! in the table: its nodes with the vCPUs, memory and disk they have free,
//! the address pool and PTRs (`vm_ledger`), and each VM with its node and
//! whether it runs. A VM takes its node's room and an address in one
//! transaction with the record of its idempotency key, so two calls at
//! once make one VM. Nothing leaves the process.

use std::net::{Ipv4Addr, Ipv6Addr};
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;

use hostfront_core::hypervisor::{
    Hypervisor, HypervisorError, NewVm, OsTemplate, Vm, check_new_vm,
};
use hostfront_core::store::{
    Condition, Item, ItemExt, Key, Query, Table, TableError, TxOp, Update,
};

use crate::inventory::put_where_none;
use crate::vm_ledger::{LedgerLayout, VmLedger, VmRecord, backend, deleted_since};

const ATTEMPTS: usize = 8;
/// The nodes of the simulated cluster.
const NODES: &[&str] = &["node1", "node2"];
/// The first address handed out: 203.0.113.0/24 is reserved for documentation.
const FIRST_ADDRESS: Ipv4Addr = Ipv4Addr::new(203, 0, 113, 10);
const TEMPLATES: &[(&str, &str)] = &[
    ("debian-12", "Debian 12 (bookworm)"),
    ("ubuntu-24.04", "Ubuntu 24.04 LTS"),
    ("almalinux-9", "AlmaLinux 9"),
];
/// What the simulations install: the hypervisor's VMs and the machine pool's servers.
pub(super) fn simulated_templates() -> Vec<OsTemplate> {
    TEMPLATES
        .iter()
        .map(|(id, label)| OsTemplate {
            id: (*id).into(),
            label: (*label).into(),
        })
        .collect()
}

/// The resources a node's room is counted in.
const RESOURCES: [&str; 3] = ["free_vcpus", "free_memory_mb", "free_disk_gb"];

/// The size of each simulated node, and the pool.
#[derive(Debug, Clone, Copy)]
pub struct HypervisorSettings {
    pub node_vcpus: u32,
    pub node_memory_mb: u32,
    pub node_disk_gb: u32,
    /// Addresses in the pool (at most 240).
    pub addresses: u32,
    pub latency: Duration,
}

impl HypervisorSettings {
    /// The local demonstration's cluster: two nodes of 32 vCPUs, 64 GB and
    /// 1 TB, and 64 addresses.
    pub const DEMO: HypervisorSettings = HypervisorSettings {
        node_vcpus: 32,
        node_memory_mb: 65_536,
        node_disk_gb: 1_000,
        addresses: 64,
        latency: Duration::from_millis(150),
    };
}

pub struct SimulatedHypervisor {
    ledger: VmLedger,
    settings: HypervisorSettings,
}

fn needs(request: &NewVm) -> [i64; 3] {
    [
        request.vcpus.into(),
        request.memory_mb.into(),
        request.disk_gb.into(),
    ]
}

impl SimulatedHypervisor {
    pub fn new(table: Arc<dyn Table>, settings: HypervisorSettings) -> Self {
        let layout = LedgerLayout {
            prefix: "SIMVM",
            // The documentation range, 2001:db8::/32.
            ipv6_base: Ipv6Addr::new(0x2001, 0xdb8, 0x113, 0, 0, 0, 0, 0),
        };
        SimulatedHypervisor {
            ledger: VmLedger::new(table, layout, FIRST_ADDRESS, settings.addresses.min(240)),
            settings,
        }
    }

    fn table(&self) -> &dyn Table {
        self.ledger.table()
    }

    fn nodes_partition(&self) -> String {
        format!("{}#NODE", self.ledger.prefix())
    }

    async fn round_trip(&self) {
        if !self.settings.latency.is_zero() {
            tokio::time::sleep(self.settings.latency).await;
        }
    }

    /// The nodes, made on first use.
    async fn nodes(&self) -> Result<Vec<Item>, HypervisorError> {
        let query = Query::partition(self.nodes_partition());
        let nodes = self.table().query(query.clone()).await.map_err(backend)?;
        if nodes.items.len() >= NODES.len() {
            return Ok(nodes.items);
        }
        let s = &self.settings;
        let seed: Vec<Item> = NODES
            .iter()
            .map(|name| {
                let mut node = Key::new(self.nodes_partition(), *name).to_item();
                node.insert("kind".into(), "sim_node".into());
                let room = [s.node_vcpus, s.node_memory_mb, s.node_disk_gb];
                for (resource, amount) in RESOURCES.iter().zip(room) {
                    node.insert((*resource).into(), amount.into());
                }
                node
            })
            .collect();
        put_where_none(self.table(), &seed).await.map_err(backend)?;
        Ok(self.table().query(query).await.map_err(backend)?.items)
    }

    /// The node with the most memory free that has room for `request`.
    async fn node_with_room(&self, request: &NewVm) -> Result<Option<Item>, HypervisorError> {
        let needs = needs(request);
        Ok(self
            .nodes()
            .await?
            .into_iter()
            .filter(|node| {
                RESOURCES
                    .iter()
                    .zip(needs)
                    .all(|(resource, need)| node.i64_attr(resource).unwrap_or(0) >= need)
            })
            .max_by_key(|node| node.i64_attr("free_memory_mb")))
    }

    /// The update that takes (`sign` -1) or gives back (+1) a VM's room.
    fn room(key: Key, needs: [i64; 3], sign: i64) -> TxOp {
        let mut update = Update::new();
        let mut conditions = vec![Condition::Exists];
        for (resource, need) in RESOURCES.iter().zip(needs) {
            update = update.add(*resource, sign * need);
            if sign < 0 {
                conditions.push(Condition::ge(*resource, need));
            }
        }
        TxOp::Update {
            key,
            update,
            condition: Some(Condition::And(conditions)),
        }
    }

    async fn replay(&self, key: &str) -> Result<Option<Vm>, HypervisorError> {
        let Some(id) = self.ledger.made_under(key).await? else {
            return Ok(None);
        };
        match self.ledger.record(&id).await? {
            Some(record) => Ok(Some(record.vm)),
            None => Err(deleted_since(key)),
        }
    }

    /// One try at taking a node's room for the VM, with `address`.
    async fn try_place(
        &self,
        request: &NewVm,
        address: Ipv4Addr,
    ) -> Result<Option<Vm>, HypervisorError> {
        let Some(node) = self.node_with_room(request).await? else {
            self.ledger
                .addresses()
                .give_back(&request.idempotency_key)
                .await?;
            return Err(HypervisorError::NoCapacity(format!(
                "no node has {} vCPUs, {} MB and {} GB free",
                request.vcpus, request.memory_mb, request.disk_gb
            )));
        };
        let vm = Vm::made(
            request,
            format!("vm-{}", ulid::Ulid::new().to_string().to_lowercase()),
            node.str_attr("sk").unwrap_or_default().to_string(),
            (
                address.to_string(),
                self.ledger.addresses().ipv6_for(address),
            ),
        );
        let mut ops = vec![Self::room(
            Key::of(&node).map_err(backend)?,
            needs(request),
            -1,
        )];
        ops.extend(self.ledger.keep_ops(&vm, &request.idempotency_key));
        match self.table().transact(ops).await {
            Ok(()) => Ok(Some(vm)),
            Err(TableError::TransactionConflict { .. } | TableError::Busy) => Ok(None),
            Err(other) => Err(backend(other)),
        }
    }

    fn record_needs(record: &VmRecord) -> [i64; 3] {
        let vm = &record.vm;
        [vm.vcpus.into(), vm.memory_mb.into(), vm.disk_gb.into()]
    }
}

#[async_trait]
impl Hypervisor for SimulatedHypervisor {
    fn name(&self) -> &'static str {
        "simulated"
    }

    async fn create_vm(&self, request: &NewVm) -> Result<Vm, HypervisorError> {
        self.round_trip().await;
        check_new_vm(request, &self.os_templates().await?)?;
        for _ in 0..ATTEMPTS {
            if let Some(vm) = self.replay(&request.idempotency_key).await? {
                return Ok(vm);
            }
            let address = self
                .ledger
                .addresses()
                .lease(&request.idempotency_key)
                .await?;
            if let Some(vm) = self.try_place(request, address).await? {
                return Ok(vm);
            }
            // The node filled up, or a call under the same key finished first.
            tokio::time::sleep(Duration::from_millis(fastrand::u64(1..20))).await;
        }
        Err(HypervisorError::Unavailable(
            "the hypervisor is busy; try again".into(),
        ))
    }

    async fn vm(&self, id: &str) -> Result<Option<Vm>, HypervisorError> {
        Ok(self.ledger.record(id).await?.map(|r| r.vm))
    }

    async fn set_power(&self, id: &str, running: bool) -> Result<(), HypervisorError> {
        self.round_trip().await;
        self.ledger.set_running(id, running).await
    }

    async fn delete_vm(&self, id: &str) -> Result<(), HypervisorError> {
        self.round_trip().await;
        let Some(record) = self.ledger.record(id).await? else {
            return Ok(());
        };
        let node = Key::new(self.nodes_partition(), record.vm.node.clone());
        let mut ops = vec![Self::room(node, Self::record_needs(&record), 1)];
        ops.extend(self.ledger.forget_ops(&record));
        match self.table().transact(ops).await {
            // Deleted meanwhile by another call.
            Ok(()) | Err(TableError::TransactionConflict { .. }) => Ok(()),
            Err(other) => Err(backend(other)),
        }
    }

    async fn os_templates(&self) -> Result<Vec<OsTemplate>, HypervisorError> {
        Ok(simulated_templates())
    }

    async fn reverse_dns(&self, ip: &str) -> Result<Option<String>, HypervisorError> {
        self.ledger.reverse_dns(ip).await
    }
}
