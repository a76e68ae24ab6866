//! What a hypervisor's adapter keeps in the table: its address pool
//! (`address_pool`), each address leased to the idempotency key of the VM
//! it is for (so a retry gets the same one back), with the PTR of every
//! address in use; each VM's record; and, per idempotency key, the id of
//! the VM it made. The simulated hypervisor
//! keeps everything here (its nodes too); the Proxmox adapter keeps here
//! what Proxmox does not know: addresses and their PTRs.

use std::net::{Ipv4Addr, Ipv6Addr};
use std::sync::Arc;

use serde_json::json;

use hostfront_core::hypervisor::{HypervisorError, Vm};
use hostfront_core::store::{Condition, ItemExt, Key, Table, TableError, TxOp, Update};

use crate::address_pool::{AddressPool, AddressRange};
use crate::claims;

/// Where a ledger keeps its items.
#[derive(Debug, Clone, Copy)]
pub struct LedgerLayout {
    /// The partition keys' prefix: `SIMVM`, `PVE`.
    pub prefix: &'static str,
    /// The IPv6 network whose last 32 bits an IPv4 address of the pool
    /// fills to make the IPv6 address that goes with it.
    pub ipv6_base: Ipv6Addr,
}

pub struct VmLedger {
    table: Arc<dyn Table>,
    layout: LedgerLayout,
    addresses: AddressPool,
}

pub fn backend(error: TableError) -> HypervisorError {
    HypervisorError::Unavailable(format!("hypervisor ledger: {error}"))
}

pub fn no_such_vm(id: &str) -> HypervisorError {
    HypervisorError::refused("no_such_vm", format!("there is no VM {id}"))
}

/// A retry of a key whose VM was deleted since: it is not made again.
pub fn deleted_since(idempotency_key: &str) -> HypervisorError {
    HypervisorError::refused(
        "vm_deleted",
        format!("the VM made under {idempotency_key} was deleted"),
    )
}

/// A VM's record and the idempotency key it was made with.
pub struct VmRecord {
    pub vm: Vm,
    pub key: String,
}

impl VmLedger {
    pub fn new(table: Arc<dyn Table>, layout: LedgerLayout, first: Ipv4Addr, count: u32) -> Self {
        let range = AddressRange {
            prefix: layout.prefix,
            first,
            count,
            ipv6_base: layout.ipv6_base,
        };
        VmLedger {
            addresses: AddressPool::new(table.clone(), range),
            table,
            layout,
        }
    }

    /// The address pool, with the PTRs of the addresses in use.
    pub fn addresses(&self) -> &AddressPool {
        &self.addresses
    }

    pub fn table(&self) -> &dyn Table {
        self.table.as_ref()
    }

    pub fn prefix(&self) -> &'static str {
        self.layout.prefix
    }

    fn vm_key(&self, id: &str) -> Key {
        Key::new(format!("{}#VM#{id}", self.layout.prefix), "VM")
    }

    fn operation_key(&self, idempotency_key: &str) -> Key {
        Key::new(format!("{}#OP#{idempotency_key}", self.layout.prefix), "OP")
    }

    /// The id of the VM made under `idempotency_key`, if one was.
    pub async fn made_under(
        &self,
        idempotency_key: &str,
    ) -> Result<Option<String>, HypervisorError> {
        let item = self
            .table
            .get(&self.operation_key(idempotency_key))
            .await
            .map_err(backend)?;
        Ok(item.and_then(|i| i.str_attr("vm_id").map(str::to_string)))
    }

    pub async fn record(&self, id: &str) -> Result<Option<VmRecord>, HypervisorError> {
        let item = self.table.get(&self.vm_key(id)).await.map_err(backend)?;
        Ok(item.and_then(|item| {
            let mut vm: Vm = serde_json::from_value(item.get("vm")?.clone()).ok()?;
            vm.running = item.get("running").and_then(|r| r.as_bool()) == Some(true);
            let key = item.str_attr("idempotency_key")?.to_string();
            Some(VmRecord { vm, key })
        }))
    }

    /// The writes that keep `vm`, made under `key`, with the PTRs of its
    /// addresses: they fail if another VM was kept under `key` first (the
    /// operation is the last of them).
    pub fn keep_ops(&self, vm: &Vm, key: &str) -> Vec<TxOp> {
        let mut record = self.vm_key(&vm.id).to_item();
        record.insert("kind".into(), "vm".into());
        record.insert("vm".into(), json!(vm));
        record.insert("idempotency_key".into(), key.into());
        record.insert("running".into(), vm.running.into());
        let mut operation = self.operation_key(key).to_item();
        operation.insert("kind".into(), "vm_operation".into());
        operation.insert("vm_id".into(), vm.id.clone().into());
        let mut ops: Vec<TxOp> = [&vm.ipv4, &vm.ipv6]
            .into_iter()
            .map(|ip| self.addresses.ptr_op(ip, &vm.name))
            .collect();
        ops.push(TxOp::Put {
            item: record,
            condition: Some(Condition::NotExists),
        });
        ops.push(TxOp::Put {
            item: operation,
            condition: Some(Condition::NotExists),
        });
        ops
    }

    /// Records whether the VM `id` runs.
    pub async fn set_running(&self, id: &str, running: bool) -> Result<(), HypervisorError> {
        let update = Update::new().set("running", running);
        match self
            .table
            .update(&self.vm_key(id), update, Some(Condition::Exists))
            .await
        {
            Ok(_) => Ok(()),
            Err(TableError::ConditionFailed) => Err(no_such_vm(id)),
            Err(other) => Err(backend(other)),
        }
    }

    /// The writes that forget `record`: the VM, its PTRs, and its address
    /// back in the pool.
    pub fn forget_ops(&self, record: &VmRecord) -> Vec<TxOp> {
        let mut ops = vec![TxOp::Delete {
            key: self.vm_key(&record.vm.id),
            condition: Some(Condition::Exists),
        }];
        ops.extend(self.addresses.release_ops(&record.key, &record.vm.ipv4));
        ops.extend([&record.vm.ipv4, &record.vm.ipv6].map(|ip| self.addresses.unptr_op(ip)));
        ops
    }

    /// Claims the making of the VM of `idempotency_key` for `holder`
    /// for `seconds`: false while another holds it.
    pub async fn claim(
        &self,
        idempotency_key: &str,
        holder: &str,
        seconds: i64,
    ) -> Result<bool, HypervisorError> {
        let key = self.claim_key(idempotency_key);
        claims::claim(self.table(), key, holder, seconds)
            .await
            .map_err(backend)
    }

    /// Ends `holder`'s claim; one that lapsed and was taken stays.
    pub async fn unclaim(
        &self,
        idempotency_key: &str,
        holder: &str,
    ) -> Result<(), HypervisorError> {
        let key = self.claim_key(idempotency_key);
        claims::unclaim(self.table(), &key, holder)
            .await
            .map_err(backend)
    }

    fn claim_key(&self, idempotency_key: &str) -> Key {
        Key::new(
            format!("{}#CLAIM#{idempotency_key}", self.layout.prefix),
            "CLAIM",
        )
    }

    /// The name the PTR of `ip` points to.
    pub async fn reverse_dns(&self, ip: &str) -> Result<Option<String>, HypervisorError> {
        Ok(self.addresses.reverse_dns(ip).await?)
    }
}
