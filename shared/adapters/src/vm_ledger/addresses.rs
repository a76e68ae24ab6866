//! The address pool: built on first use, an address leased to the
//! idempotency key of the VM it is for, and given back with the VM.

use std::net::{Ipv4Addr, Ipv6Addr};
use std::time::Duration;

use hostfront_core::hypervisor::HypervisorError;
use hostfront_core::store::{
    Condition, Index, ItemExt, Key, MAX_TRANSACTION_OPS, Query, TableError, TxOp, Update,
};

use super::{VmLedger, backend};
use crate::inventory::{put_where_none, sortable};

const ATTEMPTS: usize = 8;

impl VmLedger {
    pub(super) fn addresses_partition(&self) -> String {
        format!("{}#ADDR", self.layout.prefix)
    }

    pub(super) fn free_partition(&self) -> String {
        format!("{}#FREE", self.layout.prefix)
    }

    fn lease_key(&self, idempotency_key: &str) -> Key {
        Key::new(
            format!("{}#LEASE#{idempotency_key}", self.layout.prefix),
            "LEASE",
        )
    }

    /// Adds the pool's addresses on first use; addresses there already
    /// (free or leased) stay as they are.
    async fn ensure_pool(&self) -> Result<(), HypervisorError> {
        let marker = Key::new(self.addresses_partition(), "BUILT");
        if self.table.get(&marker).await.map_err(backend)?.is_some() {
            return Ok(());
        }
        let first = u32::from(self.first);
        let items: Vec<_> = (0..self.count)
            .map(|n| self.address_item(Ipv4Addr::from(first + n)))
            .collect();
        for chunk in items.chunks(MAX_TRANSACTION_OPS) {
            put_where_none(self.table(), chunk).await.map_err(backend)?;
        }
        self.table
            .put(marker.to_item(), None)
            .await
            .map_err(backend)
    }

    /// The address leased to `idempotency_key`, leasing a free one if it
    /// has none: however many calls, at once or not, one address a key.
    pub async fn lease(&self, idempotency_key: &str) -> Result<Ipv4Addr, HypervisorError> {
        self.ensure_pool().await?;
        for _ in 0..ATTEMPTS {
            if let Some(address) = self.leased(idempotency_key).await? {
                return Ok(address);
            }
            let free = self
                .table
                .query(Query::index(Index::Gsi2, self.free_partition()).limit(1))
                .await
                .map_err(backend)?;
            let Some(item) = free.items.into_iter().next() else {
                return Err(HypervisorError::NoCapacity(
                    "the address pool has no free address left".into(),
                ));
            };
            let address: Ipv4Addr = item
                .str_attr("address")
                .and_then(|a| a.parse().ok())
                .ok_or_else(|| HypervisorError::Unavailable("corrupt address entry".into()))?;
            let mut lease = self.lease_key(idempotency_key).to_item();
            lease.insert("kind".into(), "vm_lease".into());
            lease.insert("address".into(), address.to_string().into());
            let ops = vec![
                TxOp::Update {
                    key: Key::of(&item).map_err(backend)?,
                    update: Update::new()
                        .set("holder", idempotency_key)
                        .remove("gsi2pk")
                        .remove("gsi2sk"),
                    condition: Some(Condition::AttributeExists("gsi2pk".into())),
                },
                TxOp::Put {
                    item: lease,
                    condition: Some(Condition::NotExists),
                },
            ];
            match self.table.transact(ops).await {
                Ok(()) => return Ok(address),
                // Taken by another key meanwhile, or our key leased one
                // in a call at the same time: look again.
                Err(TableError::TransactionConflict { .. } | TableError::Busy) => {
                    tokio::time::sleep(Duration::from_millis(fastrand::u64(1..20))).await;
                }
                Err(other) => return Err(backend(other)),
            }
        }
        Err(HypervisorError::Unavailable(
            "the address pool is busy; try again".into(),
        ))
    }

    async fn leased(&self, idempotency_key: &str) -> Result<Option<Ipv4Addr>, HypervisorError> {
        let lease = self
            .table
            .get(&self.lease_key(idempotency_key))
            .await
            .map_err(backend)?;
        Ok(lease.and_then(|l| l.str_attr("address").and_then(|a| a.parse().ok())))
    }

    /// Gives back the address leased to `idempotency_key` when no VM was
    /// made with it (no room, a refusal); one given back already stays so.
    pub async fn give_back(&self, idempotency_key: &str) -> Result<(), HypervisorError> {
        let Some(address) = self.leased(idempotency_key).await? else {
            return Ok(());
        };
        let ops = self.release_ops(idempotency_key, &address.to_string());
        match self.table.transact(ops).await {
            Ok(()) | Err(TableError::TransactionConflict { .. }) => Ok(()),
            Err(other) => Err(backend(other)),
        }
    }

    /// The writes that end the lease of `address` to `idempotency_key`.
    pub(super) fn release_ops(&self, idempotency_key: &str, address: &str) -> Vec<TxOp> {
        let sort = address
            .parse::<Ipv4Addr>()
            .map(sortable)
            .unwrap_or_else(|_| address.to_string());
        vec![
            TxOp::Update {
                key: Key::new(self.addresses_partition(), sort.clone()),
                update: Update::new()
                    .remove("holder")
                    .set("gsi2pk", self.free_partition())
                    .set("gsi2sk", sort),
                condition: Some(Condition::eq("holder", idempotency_key)),
            },
            TxOp::Delete {
                key: self.lease_key(idempotency_key),
                condition: None,
            },
        ]
    }

    /// The IPv6 address paired with `address`.
    pub fn ipv6_for(&self, address: Ipv4Addr) -> String {
        ipv6_in(self.layout.ipv6_base, address)
    }
}

/// The address of `base`'s network whose last 32 bits are `address`.
fn ipv6_in(base: Ipv6Addr, address: Ipv4Addr) -> String {
    let network = u128::from(base) & !u128::from(u32::MAX);
    Ipv6Addr::from(network | u128::from(u32::from(address))).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_ipv6_address_ends_in_the_ipv4_one() {
        let base = "2001:db8:113::".parse().unwrap();
        let address = Ipv4Addr::new(203, 0, 113, 10);
        assert_eq!(ipv6_in(base, address), "2001:db8:113::cb00:710a");
    }
}
