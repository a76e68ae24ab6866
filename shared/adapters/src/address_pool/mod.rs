//! An IPv4 address pool kept in the table, with the reverse DNS (PTR) of
//! the addresses in use, for the adapters that hand out addresses of
//! their own: the hypervisors (`vm_ledger`) and the machine pools. Each
//! keeps its pool under its own prefix and range. Free addresses sit in a
//! sparse index; a taken one names its holder, so only that holder frees
//! it. An address is taken either by a lease to an idempotency key in its
//! own transaction (`lease`), or within the caller's transaction
//! (`hold_op`), with whatever else must happen with it.

mod leases;

use std::net::{Ipv4Addr, Ipv6Addr};
use std::sync::Arc;

use hostfront_core::hypervisor::HypervisorError;
use hostfront_core::machines::MachineError;
use hostfront_core::store::{
    Condition, Index, Item, ItemExt, Key, MAX_TRANSACTION_OPS, Query, Table, TableError, TxOp,
    Update,
};

use crate::inventory::{put_where_none, sortable};

/// Where a pool keeps its items, and the addresses it hands out.
#[derive(Debug, Clone, Copy)]
pub struct AddressRange {
    /// The partition keys' prefix: `SIMVM`, `PVE`, `SIMMACH`.
    pub prefix: &'static str,
    /// The pool: `count` addresses from `first`.
    pub first: Ipv4Addr,
    pub count: u32,
    /// The IPv6 network whose last 32 bits an IPv4 address of the pool
    /// fills to make the IPv6 address that goes with it.
    pub ipv6_base: Ipv6Addr,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PoolError {
    /// Fewer free addresses than asked for.
    #[error("{0}")]
    NoCapacity(String),
    /// The table failed, or the pool stayed busy: worth retrying.
    #[error("{0}")]
    Unavailable(String),
}

impl From<PoolError> for HypervisorError {
    fn from(error: PoolError) -> Self {
        match error {
            PoolError::NoCapacity(m) => HypervisorError::NoCapacity(m),
            PoolError::Unavailable(m) => HypervisorError::Unavailable(m),
        }
    }
}

impl From<PoolError> for MachineError {
    fn from(error: PoolError) -> Self {
        match error {
            PoolError::NoCapacity(m) => MachineError::NoCapacity(m),
            PoolError::Unavailable(m) => MachineError::Unavailable(m),
        }
    }
}

fn backend(error: TableError) -> PoolError {
    PoolError::Unavailable(format!("address pool: {error}"))
}

pub struct AddressPool {
    table: Arc<dyn Table>,
    range: AddressRange,
}

impl AddressPool {
    pub fn new(table: Arc<dyn Table>, range: AddressRange) -> Self {
        AddressPool { table, range }
    }

    fn addresses_partition(&self) -> String {
        format!("{}#ADDR", self.range.prefix)
    }

    fn free_partition(&self) -> String {
        format!("{}#FREE", self.range.prefix)
    }

    fn ptr_key(&self, ip: &str) -> Key {
        Key::new(format!("{}#PTR#{ip}", self.range.prefix), "PTR")
    }

    fn address_key(&self, address: Ipv4Addr) -> Key {
        Key::new(self.addresses_partition(), sortable(address))
    }

    /// Adds the pool's addresses on first use; addresses there already
    /// (free or taken) stay as they are.
    async fn ensure_pool(&self) -> Result<(), PoolError> {
        let marker = Key::new(self.addresses_partition(), "BUILT");
        if self.table.get(&marker).await.map_err(backend)?.is_some() {
            return Ok(());
        }
        let first = u32::from(self.range.first);
        let items: Vec<_> = (0..self.range.count)
            .map(|n| self.address_item(Ipv4Addr::from(first + n)))
            .collect();
        for chunk in items.chunks(MAX_TRANSACTION_OPS) {
            put_where_none(self.table.as_ref(), chunk)
                .await
                .map_err(backend)?;
        }
        self.table
            .put(marker.to_item(), None)
            .await
            .map_err(backend)
    }

    fn address_item(&self, address: Ipv4Addr) -> Item {
        let mut item = self.address_key(address).to_item();
        item.insert("kind".into(), "pool_address".into());
        item.insert("address".into(), address.to_string().into());
        item.insert("gsi2pk".into(), self.free_partition().into());
        item.insert("gsi2sk".into(), sortable(address).into());
        item
    }

    /// `count` free addresses, lowest first; fewer free is `NoCapacity`.
    /// They stay free until a transaction holds them (`hold_op`).
    pub async fn free(&self, count: usize) -> Result<Vec<Ipv4Addr>, PoolError> {
        self.ensure_pool().await?;
        let query = Query::index(Index::Gsi2, self.free_partition()).limit(count);
        let free = self.table.query(query).await.map_err(backend)?;
        let addresses: Vec<Ipv4Addr> = free
            .items
            .iter()
            .filter_map(|item| item.str_attr("address")?.parse().ok())
            .collect();
        if addresses.len() < count {
            return Err(PoolError::NoCapacity(
                "the address pool has not enough free addresses left".into(),
            ));
        }
        Ok(addresses)
    }

    /// The write that gives `address` to `holder`: it fails if the address
    /// was taken meanwhile.
    pub fn hold_op(&self, address: Ipv4Addr, holder: &str) -> TxOp {
        TxOp::Update {
            key: self.address_key(address),
            update: Update::new()
                .set("holder", holder)
                .remove("gsi2pk")
                .remove("gsi2sk"),
            condition: Some(Condition::AttributeExists("gsi2pk".into())),
        }
    }

    /// The write that returns `address`, held by `holder`, to the pool.
    pub fn free_op(&self, address: &str, holder: &str) -> TxOp {
        let sort = address
            .parse::<Ipv4Addr>()
            .map(sortable)
            .unwrap_or_else(|_| address.to_string());
        TxOp::Update {
            key: Key::new(self.addresses_partition(), sort.clone()),
            update: Update::new()
                .remove("holder")
                .set("gsi2pk", self.free_partition())
                .set("gsi2sk", sort),
            condition: Some(Condition::eq("holder", holder)),
        }
    }

    /// The write that points the PTR of `ip` to `name`.
    pub fn ptr_op(&self, ip: &str, name: &str) -> TxOp {
        let mut ptr = self.ptr_key(ip).to_item();
        ptr.insert("kind".into(), "address_ptr".into());
        ptr.insert("name".into(), name.into());
        TxOp::Put {
            item: ptr,
            condition: None,
        }
    }

    /// The write that removes the PTR of `ip`.
    pub fn unptr_op(&self, ip: &str) -> TxOp {
        TxOp::Delete {
            key: self.ptr_key(ip),
            condition: None,
        }
    }

    /// The name the PTR of `ip` points to.
    pub async fn reverse_dns(&self, ip: &str) -> Result<Option<String>, PoolError> {
        let item = self.table.get(&self.ptr_key(ip)).await.map_err(backend)?;
        Ok(item.and_then(|i| i.str_attr("name").map(str::to_string)))
    }

    /// The IPv6 address paired with `address`.
    pub fn ipv6_for(&self, address: Ipv4Addr) -> String {
        ipv6_in(self.range.ipv6_base, address)
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
