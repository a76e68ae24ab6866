//! The staff's administration of the inventory: pools, servers and
//! addresses.

use std::net::Ipv4Addr;

use async_trait::async_trait;

use hostfront_core::domains::subdomains;
use hostfront_core::panel::{AddressUsage, PanelError, Pools, ServerInventory, ServerUsage};
use hostfront_core::store::{Condition, Index, ItemExt, Query, TableError, TxOp, Update};

use super::{Inventory, backend};

/// The pools a company sells.
const POOL_NAMES: &[&str] = &["shared", "vps", "dedicated"];

fn host_label(name: &str) -> bool {
    (1..=63).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !name.starts_with('-')
        && !name.ends_with('-')
}

/// The free subdomain's marker a new server takes for its host name.
fn server_claim(name: &str) -> TxOp {
    let mut item = subdomains::marker_key(name).to_item();
    item.insert("kind".into(), "marker".into());
    item.insert("server".into(), name.into());
    TxOp::Put {
        item,
        condition: Some(Condition::NotExists),
    }
}

#[async_trait]
impl ServerInventory for Inventory {
    async fn pools(&self) -> Result<Pools, PanelError> {
        self.ensure_built().await?;
        let table = self.table.as_ref();
        let all = |query| hostfront_core::store::all_items(table, query);
        let servers = all(Query::partition(self.servers()))
            .await
            .map_err(backend)?
            .iter()
            .filter(|s| s.str_attr("name").is_some())
            .map(|s| ServerUsage {
                pool: s.str_attr("pool").unwrap_or_default().into(),
                name: s.str_attr("name").unwrap_or_default().into(),
                capacity: s.i64_attr("capacity").unwrap_or(0) as u32,
                accounts: s.i64_attr("accounts").unwrap_or(0) as u32,
                retired: s.get("retired").and_then(|r| r.as_bool()) == Some(true),
            })
            .collect();
        let total = all(Query::partition(self.addresses()))
            .await
            .map_err(backend)?
            .len() as u32;
        let free = all(Query::index(Index::Gsi2, self.free_addresses()))
            .await
            .map_err(backend)?
            .len() as u32;
        Ok(Pools {
            servers,
            addresses: AddressUsage { total, free },
        })
    }

    async fn add_server(&self, pool: &str, name: &str, capacity: u32) -> Result<(), PanelError> {
        self.ensure_built().await?;
        let refuse = |message: String| PanelError::Refused {
            code: "invalid_server".into(),
            message,
        };
        if !POOL_NAMES.contains(&pool) {
            return Err(refuse(format!(
                "there is no pool {pool:?}; the pools are shared, vps and dedicated"
            )));
        }
        if !host_label(name) {
            return Err(refuse(format!("{name:?} is not a host name such as web3")));
        }
        let known = self.server_names().await?.iter().any(|n| n == name);
        if known
            && self
                .table
                .get(&self.server_key(pool, name))
                .await
                .map_err(backend)?
                .is_none()
        {
            return Err(refuse(format!("{name} is a server of another pool")));
        }
        let update = Update::new()
            .set("kind", self.kind("server"))
            .set("pool", pool)
            .set("name", name)
            .set("capacity", capacity)
            .set("retired", false)
            // A new server starts empty; one that exists keeps its count.
            .add("accounts", 0);
        let server = TxOp::Update {
            key: self.server_key(pool, name),
            update,
            condition: None,
        };
        if known {
            return self.table.transact(vec![server]).await.map_err(backend);
        }
        // A new server's host name must not be a customer's free subdomain
        // (its panel address would show their site), and takes the name's
        // marker with it, so no order can take the name afterwards.
        match self.table.transact(vec![server_claim(name), server]).await {
            Ok(()) => Ok(()),
            Err(TableError::TransactionConflict { index: 0 }) => Err(PanelError::Refused {
                code: "subdomain_taken".into(),
                message: format!(
                    "{name} is a customer's free subdomain; name the server otherwise"
                ),
            }),
            Err(other) => Err(backend(other)),
        }
    }

    async fn retire_server(&self, name: &str) -> Result<(), PanelError> {
        let pools = self.pools().await?;
        let server = pools
            .servers
            .iter()
            .find(|s| s.name == name)
            .ok_or_else(|| PanelError::Refused {
                code: "no_such_server".into(),
                message: format!("there is no server {name}"),
            })?;
        self.table
            .update(
                &self.server_key(&server.pool, name),
                Update::new().set("retired", true),
                Some(Condition::Exists),
            )
            .await
            .map(|_| ())
            .map_err(backend)
    }

    async fn add_addresses(&self, first: Ipv4Addr, count: u32) -> Result<u32, PanelError> {
        self.ensure_built().await?;
        if !(1..=1024).contains(&count) || u32::from(first).checked_add(count - 1).is_none() {
            return Err(PanelError::Refused {
                code: "invalid_range".into(),
                message: "add 1 to 1,024 addresses at a time".into(),
            });
        }
        let mut added = 0;
        for n in 0..count {
            let item = self.address_item(Ipv4Addr::from(u32::from(first) + n));
            match self.table.put(item, Some(Condition::NotExists)).await {
                Ok(()) => added += 1,
                Err(TableError::ConditionFailed) => {}
                Err(other) => return Err(backend(other)),
            }
        }
        Ok(added)
    }

    async fn server_names(&self) -> Result<Vec<String>, PanelError> {
        self.ensure_built().await?;
        let servers = self
            .table
            .query(Query::partition(self.servers()))
            .await
            .map_err(backend)?;
        Ok(servers
            .items
            .iter()
            .filter_map(|s| s.str_attr("name").map(str::to_string))
            .collect())
    }
}
