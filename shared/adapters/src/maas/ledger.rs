//! What the MAAS adapter keeps in the table, MAAS knowing none of it: each
//! machine's hostname and IP set with the key it was taken under, per key
//! the machine it took, the claims of calls taking one, and the address
//! pool with its PTRs. The IP set's addresses are leased one by one, the
//! n-th under `<key>#<n>`, so a retry gets the same ones back.

use std::net::Ipv4Addr;
use std::sync::Arc;

use serde_json::{Value, json};

use hostfront_core::machines::MachineError;
use hostfront_core::store::{Condition, ItemExt, Key, Table, TableError, TxOp};

use crate::address_pool::{AddressPool, AddressRange};
use crate::claims;

const PREFIX: &str = "MAAS";

pub fn backend(error: TableError) -> MachineError {
    MachineError::Unavailable(format!("machine ledger: {error}"))
}

/// Our record of a machine taken from MAAS.
#[derive(Debug, Clone)]
pub struct Record {
    pub key: String,
    /// The FQDN its PTRs name.
    pub hostname: String,
    pub plan_id: String,
    pub ipv4: Vec<String>,
    pub ipv6: String,
}

pub struct Ledger {
    table: Arc<dyn Table>,
    pub addresses: AddressPool,
}

/// The key the `n`-th address of an IP set is leased under.
fn lease_key(key: &str, n: usize) -> String {
    format!("{key}#{n}")
}

impl Ledger {
    pub fn new(
        table: Arc<dyn Table>,
        range: (Ipv4Addr, u32),
        ipv6_base: std::net::Ipv6Addr,
    ) -> Self {
        let range = AddressRange {
            prefix: PREFIX,
            first: range.0,
            count: range.1,
            ipv6_base,
        };
        Ledger {
            addresses: AddressPool::new(table.clone(), range),
            table,
        }
    }

    fn machine_key(id: &str) -> Key {
        Key::new(format!("{PREFIX}#MACHINE#{id}"), "MACHINE")
    }

    fn operation_key(key: &str) -> Key {
        Key::new(format!("{PREFIX}#OP#{key}"), "OP")
    }

    fn claim_key(key: &str) -> Key {
        Key::new(format!("{PREFIX}#CLAIM#{key}"), "CLAIM")
    }

    /// The `system_id` of the machine taken under `key`, if one was.
    pub async fn taken_under(&self, key: &str) -> Result<Option<String>, MachineError> {
        let item = self
            .table
            .get(&Self::operation_key(key))
            .await
            .map_err(backend)?;
        Ok(item.and_then(|i| i.str_attr("system_id").map(str::to_string)))
    }

    pub async fn record(&self, id: &str) -> Result<Option<Record>, MachineError> {
        let item = self
            .table
            .get(&Self::machine_key(id))
            .await
            .map_err(backend)?;
        Ok(item.and_then(|item| {
            let text = |name: &str| item.str_attr(name).map(str::to_string);
            Some(Record {
                key: text("idempotency_key")?,
                hostname: text("hostname")?,
                plan_id: text("plan_id")?,
                ipv4: serde_json::from_value(item.get("ipv4")?.clone()).ok()?,
                ipv6: text("ipv6")?,
            })
        }))
    }

    /// Leases the `count` addresses of the IP set of `key`; none is kept
    /// when the pool has too few.
    pub async fn lease(&self, key: &str, count: usize) -> Result<Vec<Ipv4Addr>, MachineError> {
        let mut leased = Vec::with_capacity(count);
        for n in 0..count {
            match self.addresses.lease(&lease_key(key, n)).await {
                Ok(address) => leased.push(address),
                Err(error) => {
                    self.give_back(key, count).await?;
                    return Err(error.into());
                }
            }
        }
        Ok(leased)
    }

    /// Gives back the addresses leased to `key` when no machine was taken.
    pub async fn give_back(&self, key: &str, count: usize) -> Result<(), MachineError> {
        for n in 0..count {
            self.addresses.give_back(&lease_key(key, n)).await?;
        }
        Ok(())
    }

    /// Keeps the record of the machine `id` taken under `record.key`, with
    /// the PTRs of its addresses; a record kept already stays.
    pub async fn keep(&self, id: &str, record: &Record) -> Result<(), MachineError> {
        let mut item = Self::machine_key(id).to_item();
        item.insert("kind".into(), "maas_machine".into());
        item.insert("idempotency_key".into(), record.key.clone().into());
        item.insert("hostname".into(), record.hostname.clone().into());
        item.insert("plan_id".into(), record.plan_id.clone().into());
        item.insert("ipv4".into(), json!(record.ipv4));
        item.insert("ipv6".into(), Value::from(record.ipv6.clone()));
        let mut operation = Self::operation_key(&record.key).to_item();
        operation.insert("kind".into(), "maas_operation".into());
        operation.insert("system_id".into(), id.into());
        let ips = record.ipv4.iter().chain([&record.ipv6]);
        let mut ops: Vec<TxOp> = ips
            .map(|ip| self.addresses.ptr_op(ip, &record.hostname))
            .collect();
        ops.push(TxOp::Put {
            item,
            condition: Some(Condition::NotExists),
        });
        ops.push(TxOp::Put {
            item: operation,
            condition: Some(Condition::NotExists),
        });
        match self.table.transact(ops).await {
            Ok(()) | Err(TableError::TransactionConflict { .. }) => Ok(()),
            Err(other) => Err(backend(other)),
        }
    }

    /// Forgets the machine `id`: its record, its PTRs, and its addresses
    /// back in the pool. The key's operation stays, so a retry of the key
    /// takes no other machine.
    pub async fn forget(&self, id: &str, record: &Record) -> Result<(), MachineError> {
        let mut ops = vec![TxOp::Delete {
            key: Self::machine_key(id),
            condition: Some(Condition::Exists),
        }];
        for (n, address) in record.ipv4.iter().enumerate() {
            ops.extend(
                self.addresses
                    .release_ops(&lease_key(&record.key, n), address),
            );
        }
        let ips = record.ipv4.iter().chain([&record.ipv6]);
        ops.extend(ips.map(|ip| self.addresses.unptr_op(ip)));
        match self.table.transact(ops).await {
            Ok(()) | Err(TableError::TransactionConflict { .. }) => Ok(()),
            Err(other) => Err(backend(other)),
        }
    }

    pub async fn claim(&self, key: &str, holder: &str, seconds: i64) -> Result<bool, MachineError> {
        claims::claim(self.table.as_ref(), Self::claim_key(key), holder, seconds)
            .await
            .map_err(backend)
    }

    pub async fn unclaim(&self, key: &str, holder: &str) -> Result<(), MachineError> {
        claims::unclaim(self.table.as_ref(), &Self::claim_key(key), holder)
            .await
            .map_err(backend)
    }
}
