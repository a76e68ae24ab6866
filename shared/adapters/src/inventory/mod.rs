//! A hosting panel's inventory, kept in the table: the servers of each pool
//! with a capacity and a count of accounts, an address pool whose free
//! addresses sit in a sparse index, where each account was placed, and the
//! stored answer of every call by idempotency key, so that a replay returns
//! the first answer. The simulated panel keeps everything here; a real
//! panel's adapter keeps here what its panel does not know: which of many
//! servers has room, and which address is free.

mod placement;
mod servers;

use std::net::Ipv4Addr;
use std::sync::Arc;

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::json;

use hostfront_core::clock::Clock;
use hostfront_core::panel::{HostingAccount, PanelError};
use hostfront_core::store::{Condition, Item, Key, MAX_TRANSACTION_OPS, Table, TableError, TxOp};

/// What an inventory is seeded with the first time it is used.
#[derive(Debug, Clone, Copy)]
pub struct Seed {
    /// The servers of each pool, each holding `capacity` accounts.
    pub servers: &'static [(&'static str, &'static [&'static str])],
    pub capacity: u32,
    /// Addresses from `first`, `count` of them.
    pub first_address: Ipv4Addr,
    pub addresses: u32,
}

impl Seed {
    pub const EMPTY: Seed = Seed {
        servers: &[],
        capacity: 0,
        first_address: Ipv4Addr::UNSPECIFIED,
        addresses: 0,
    };
}

/// Where an inventory keeps its items, and how it names them.
#[derive(Debug, Clone, Copy)]
pub struct Layout {
    /// The partition keys' prefix: `SIMPANEL`, `PANEL`.
    pub prefix: &'static str,
    /// The items' `kind` prefix: `sim`, `panel`.
    pub kind: &'static str,
    /// The IPv6 address that goes with an IPv4 one, if the panel gives one.
    pub ipv6_for: fn(Ipv4Addr) -> String,
}

pub struct Inventory {
    table: Arc<dyn Table>,
    clock: Arc<dyn Clock>,
    layout: Layout,
    seed: Seed,
    /// The company's domain, for host names such as `web1.example.net`.
    company_domain: String,
}

/// A place taken for an account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Placement {
    /// Taken and finished under the same key before: the stored answer.
    Done(HostingAccount),
    /// Taken now.
    New(HostingAccount),
    /// Taken by an earlier try under the same key that did not finish.
    Unfinished(HostingAccount),
}

/// Zero-padded octets, so that addresses sort in numeric order.
pub(crate) fn sortable(address: Ipv4Addr) -> String {
    address
        .octets()
        .iter()
        .map(|o| format!("{o:03}"))
        .collect::<Vec<_>>()
        .join(".")
}

/// Writes each of `items` whose key holds nothing yet: in one transaction
/// when none is there, else (another call is building too, or a crash left
/// part of it) just the missing ones.
pub(crate) async fn put_where_none(table: &dyn Table, items: &[Item]) -> Result<(), TableError> {
    let put = |item: &Item| TxOp::Put {
        item: item.clone(),
        condition: Some(Condition::NotExists),
    };
    match table.transact(items.iter().map(put).collect()).await {
        Ok(()) => return Ok(()),
        Err(TableError::TransactionConflict { .. } | TableError::Busy) => {}
        Err(other) => return Err(other),
    }
    let keys = items.iter().map(Key::of).collect::<Result<Vec<_>, _>>()?;
    let standing = table.get_many(&keys).await?;
    for (item, _) in items.iter().zip(standing).filter(|(_, s)| s.is_none()) {
        match table.write_one(put(item)).await {
            Ok(_) | Err(TableError::ConditionFailed) => {}
            Err(other) => return Err(other),
        }
    }
    Ok(())
}

pub fn backend(error: TableError) -> PanelError {
    PanelError::Unavailable(format!("panel inventory: {error}"))
}

pub fn no_such_account(username: &str) -> PanelError {
    PanelError::Refused {
        code: "no_such_account".into(),
        message: format!("the panel has no user {username}"),
    }
}

impl Inventory {
    pub fn new(
        table: Arc<dyn Table>,
        clock: Arc<dyn Clock>,
        layout: Layout,
        seed: Seed,
        company_domain: &str,
    ) -> Self {
        Inventory {
            table,
            clock,
            layout,
            seed,
            company_domain: company_domain.to_string(),
        }
    }

    pub fn table(&self) -> &dyn Table {
        self.table.as_ref()
    }

    pub fn clock(&self) -> &dyn Clock {
        self.clock.as_ref()
    }

    /// The full host name of server `name`.
    pub fn host(&self, name: &str) -> String {
        format!("{name}.{}", self.company_domain)
    }

    fn servers(&self) -> String {
        format!("{}#SERVER", self.layout.prefix)
    }

    fn addresses(&self) -> String {
        format!("{}#ADDR", self.layout.prefix)
    }

    fn free_addresses(&self) -> String {
        format!("{}#FREE", self.layout.prefix)
    }

    fn kind(&self, what: &str) -> String {
        format!("{}_{what}", self.layout.kind)
    }

    pub fn account_key(&self, username: &str) -> Key {
        Key::new(
            format!("{}#ACCOUNT#{username}", self.layout.prefix),
            "ACCOUNT",
        )
    }

    /// The key of a record of the account's own, such as a backup.
    pub fn account_record_key(&self, what: &str, username: &str, id: &str) -> Key {
        Key::new(format!("{}#{what}#{username}", self.layout.prefix), id)
    }

    fn operation_key(&self, idempotency_key: &str) -> Key {
        Key::new(format!("{}#OP#{idempotency_key}", self.layout.prefix), "OP")
    }

    fn server_key(&self, pool: &str, name: &str) -> Key {
        Key::new(self.servers(), format!("{pool}#{name}"))
    }

    fn server_item(&self, pool: &str, name: &str, capacity: u32) -> Item {
        let mut server = self.server_key(pool, name).to_item();
        server.insert("kind".into(), self.kind("server").into());
        server.insert("pool".into(), pool.into());
        server.insert("name".into(), name.into());
        server.insert("capacity".into(), capacity.into());
        server.insert("accounts".into(), 0.into());
        server
    }

    /// A free address of the pool.
    fn address_item(&self, address: Ipv4Addr) -> Item {
        let mut item = Key::new(self.addresses(), sortable(address)).to_item();
        item.insert("kind".into(), self.kind("address").into());
        item.insert("address".into(), address.to_string().into());
        item.insert("gsi2pk".into(), self.free_addresses().into());
        item.insert("gsi2sk".into(), sortable(address).into());
        item
    }

    /// Builds the seed on first use: servers, then addresses, then the
    /// marker, so a crash half-way is finished by the next call. Each item
    /// is written only where none stands (an address may be taken already),
    /// a hundred to a transaction: one call per item made the first order
    /// of a new table wait for hundreds of round trips.
    pub async fn ensure_built(&self) -> Result<(), PanelError> {
        let marker = Key::new(self.servers(), "BUILT");
        if self.table.get(&marker).await.map_err(backend)?.is_some() {
            return Ok(());
        }
        let mut items = Vec::new();
        for (pool, servers) in self.seed.servers {
            for name in *servers {
                items.push(self.server_item(pool, name, self.seed.capacity));
            }
        }
        let first = u32::from(self.seed.first_address);
        for n in 0..self.seed.addresses {
            items.push(self.address_item(Ipv4Addr::from(first + n)));
        }
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

    /// The stored answer of the call made with `key`, if it finished.
    pub async fn replay<T: DeserializeOwned>(&self, key: &str) -> Result<Option<T>, PanelError> {
        let record = self
            .table
            .get(&self.operation_key(key))
            .await
            .map_err(backend)?;
        Ok(record
            .and_then(|r| r.get("result").cloned())
            .and_then(|r| serde_json::from_value(r).ok()))
    }

    /// The write that stores `result` as the answer of the call made with `key`.
    pub fn record(&self, key: &str, result: &impl Serialize) -> TxOp {
        let mut item = self.operation_key(key).to_item();
        item.insert("kind".into(), self.kind("operation").into());
        item.insert("result".into(), json!(result));
        TxOp::Put {
            item,
            condition: Some(Condition::NotExists),
        }
    }

    /// Stores `result` with the writes of `ops`, all or nothing; when a
    /// concurrent call with the same key got there first, its result.
    pub async fn finish<T: Serialize + DeserializeOwned>(
        &self,
        key: &str,
        result: T,
        mut ops: Vec<TxOp>,
    ) -> Result<T, PanelError> {
        ops.push(self.record(key, &result));
        match self.table.transact(ops).await {
            Ok(()) => Ok(result),
            Err(TableError::TransactionConflict { .. }) => self
                .replay(key)
                .await?
                .ok_or_else(|| PanelError::Unavailable("the account changed; try again".into())),
            Err(other) => Err(backend(other)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_sort_numerically() {
        let a = sortable(Ipv4Addr::new(198, 51, 100, 9));
        let b = sortable(Ipv4Addr::new(198, 51, 100, 10));
        assert!(a < b, "{a} < {b}");
    }
}
