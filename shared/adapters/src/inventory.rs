//! A hosting panel's inventory, kept in the table: the servers of each pool
//! with a capacity and a count of accounts, an address pool whose free
//! addresses sit in a sparse index, where each account was placed, and the
//! stored answer of every call by idempotency key, so that a replay returns
//! the first answer. The simulated panel keeps everything here; a real
//! panel's adapter keeps here what its panel does not know: which of many
//! servers has room, and which address is free.

use std::net::Ipv4Addr;
use std::sync::Arc;
use std::time::Duration;

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::json;

use hostfront_core::clock::Clock;
use hostfront_core::domains::subdomains;
use hostfront_core::panel::{
    AddressUsage, HostingAccount, NewAccount, PanelError, Pools, ServerUsage,
};
use hostfront_core::store::{
    Condition, Index, Item, ItemExt, Key, Query, SortKey, Table, TableError, TxOp, Update,
};

const ATTEMPTS: usize = 8;
/// The pools a company sells.
const POOL_NAMES: &[&str] = &["shared", "vps", "dedicated"];

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

/// How one try at taking a place ended, when it did not.
enum Attempt {
    /// The server or the address went to another account meanwhile.
    Again,
    /// Our key's record exists: another try finished first.
    Replay,
    /// The username has a place already.
    Taken,
    Failed(PanelError),
}

impl From<PanelError> for Attempt {
    fn from(error: PanelError) -> Self {
        Attempt::Failed(error)
    }
}

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

/// Zero-padded octets, so that addresses sort in numeric order.
fn sortable(address: Ipv4Addr) -> String {
    address
        .octets()
        .iter()
        .map(|o| format!("{o:03}"))
        .collect::<Vec<_>>()
        .join(".")
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

fn username_taken(username: &str) -> PanelError {
    PanelError::Refused {
        code: "username_taken".into(),
        message: format!("the panel already has a user {username}"),
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
    /// marker, so a crash half-way is finished by the next call.
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
        for item in items {
            match self.table.put(item, Some(Condition::NotExists)).await {
                Ok(()) | Err(TableError::ConditionFailed) => {}
                Err(other) => return Err(backend(other)),
            }
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

    /// The stored account `username`, if it has a place.
    pub async fn account_item(&self, username: &str) -> Result<Option<Item>, PanelError> {
        self.table
            .get(&self.account_key(username))
            .await
            .map_err(backend)
    }

    pub async fn account(&self, username: &str) -> Result<Option<HostingAccount>, PanelError> {
        let item = self.account_item(username).await?;
        Ok(item
            .and_then(|i| i.get("account").cloned())
            .and_then(|a| serde_json::from_value::<HostingAccount>(a).ok()))
    }

    /// Takes a server place and an address for `request`. With `finished`,
    /// the answer is stored at once (the panel is this table); without it,
    /// the place is marked unfinished until `mark_finished`, and a retry
    /// under the same key gets it back as `Placement::Unfinished`.
    pub async fn place(
        &self,
        request: &NewAccount,
        finished: bool,
    ) -> Result<Placement, PanelError> {
        self.ensure_built().await?;
        for _ in 0..ATTEMPTS {
            if let Some(done) = self.replay(&request.idempotency_key).await? {
                return Ok(Placement::Done(done));
            }
            match self.try_place(request, finished).await {
                Ok(account) => return Ok(Placement::New(account)),
                Err(Attempt::Failed(error)) => return Err(error),
                Err(Attempt::Taken) => {
                    // The item before the record: a try under our key
                    // finishes both at once.
                    let item = self.account_item(&request.username).await?;
                    let unfinished = item.as_ref().and_then(|i| i.str_attr("unfinished"));
                    if unfinished == Some(request.idempotency_key.as_str())
                        && let Some(account) = self.account(&request.username).await?
                    {
                        return Ok(Placement::Unfinished(account));
                    }
                    if let Some(done) = self.replay(&request.idempotency_key).await? {
                        return Ok(Placement::Done(done));
                    }
                    if item.is_some() {
                        return Err(username_taken(&request.username));
                    }
                    // Given back meanwhile: try again.
                }
                Err(Attempt::Again | Attempt::Replay) => {
                    tokio::time::sleep(Duration::from_millis(fastrand::u64(1..20))).await;
                }
            }
        }
        Err(PanelError::Unavailable(
            "the panel is busy; try again".into(),
        ))
    }

    /// Marks the place taken under `key` finished, storing its answer.
    pub async fn mark_finished(
        &self,
        key: &str,
        account: HostingAccount,
    ) -> Result<HostingAccount, PanelError> {
        let finish = TxOp::Update {
            key: self.account_key(&account.username),
            update: Update::new().remove("unfinished"),
            condition: Some(Condition::eq("unfinished", key)),
        };
        self.finish(key, account, vec![finish]).await
    }

    /// The least loaded server of `pool` with room, if any.
    async fn server_with_room(&self, pool: &str) -> Result<Option<Item>, PanelError> {
        let servers = self
            .table
            .query(Query::partition(self.servers()).sort(SortKey::BeginsWith(format!("{pool}#"))))
            .await
            .map_err(backend)?;
        Ok(servers
            .items
            .into_iter()
            .filter(|s| s.i64_attr("accounts") < s.i64_attr("capacity"))
            .filter(|s| s.get("retired").and_then(|r| r.as_bool()) != Some(true))
            .min_by_key(|s| s.i64_attr("accounts")))
    }

    async fn free_address(&self) -> Result<Option<Item>, PanelError> {
        let free = self
            .table
            .query(Query::index(Index::Gsi2, self.free_addresses()).limit(1))
            .await
            .map_err(backend)?;
        Ok(free.items.into_iter().next())
    }

    async fn try_place(
        &self,
        request: &NewAccount,
        finished: bool,
    ) -> Result<HostingAccount, Attempt> {
        let server = self.server_with_room(&request.pool).await?.ok_or_else(|| {
            PanelError::NoCapacity(format!("every server in the {} pool is full", request.pool))
        })?;
        let address = self.free_address().await?.ok_or_else(|| {
            PanelError::NoCapacity("the address pool has no free address left".into())
        })?;
        let server_name = server.str_attr("name").unwrap_or_default().to_string();
        let ipv4: Ipv4Addr = address
            .str_attr("address")
            .and_then(|a| a.parse().ok())
            .ok_or_else(|| PanelError::Unavailable("corrupt address pool entry".into()))?;
        let host = self.host(&server_name);
        let account = HostingAccount {
            username: request.username.clone(),
            domain: request.domain.clone(),
            server: host.clone(),
            ipv4: ipv4.to_string(),
            ipv6: (self.layout.ipv6_for)(ipv4),
            panel_url: format!("https://{host}:2083/"),
            mail_host: format!("mail.{}", request.domain),
        };
        let capacity = server.i64_attr("capacity").unwrap_or(0);
        let mut account_item = self.account_key(&request.username).to_item();
        account_item.insert("kind".into(), self.kind("account").into());
        account_item.insert("account".into(), json!(account));
        account_item.insert("server_name".into(), server_name.into());
        account_item.insert("plan_id".into(), request.plan_id.clone().into());
        account_item.insert("created_at".into(), self.clock.now_secs().into());
        if !finished {
            account_item.insert("unfinished".into(), request.idempotency_key.clone().into());
        }
        let mut ops = vec![
            TxOp::Update {
                key: Key::of(&server).map_err(backend)?,
                update: Update::new().add("accounts", 1),
                condition: Some(Condition::lt("accounts", capacity)),
            },
            TxOp::Update {
                key: Key::of(&address).map_err(backend)?,
                update: Update::new()
                    .set("account", request.username.clone())
                    .remove("gsi2pk")
                    .remove("gsi2sk"),
                condition: Some(Condition::AttributeExists("gsi2pk".into())),
            },
            TxOp::Put {
                item: account_item,
                condition: Some(Condition::NotExists),
            },
        ];
        if finished {
            ops.push(self.record(&request.idempotency_key, &account));
        }
        match self.table.transact(ops).await {
            Ok(()) => Ok(account),
            // The server filled up or the address went to someone else meanwhile.
            Err(TableError::TransactionConflict { index: 0 | 1 }) => Err(Attempt::Again),
            Err(TableError::TransactionConflict { index: 2 }) => Err(Attempt::Taken),
            Err(TableError::TransactionConflict { .. }) => Err(Attempt::Replay),
            Err(other) => Err(backend(other).into()),
        }
    }

    /// The name of the server `account` is on (`web1`).
    pub fn server_name(account: &HostingAccount) -> &str {
        account.server.split('.').next().unwrap_or_default()
    }

    /// Gives back the account's server place and address; giving back an
    /// account that has none does nothing.
    pub async fn give_back(&self, username: &str) -> Result<(), PanelError> {
        let Some(account) = self.account(username).await? else {
            return Ok(());
        };
        let ipv4: Ipv4Addr = account
            .ipv4
            .parse()
            .map_err(|_| PanelError::Unavailable("corrupt account address".into()))?;
        let server_name = Self::server_name(&account);
        let servers = self
            .table
            .query(Query::partition(self.servers()))
            .await
            .map_err(backend)?;
        let server = servers
            .items
            .iter()
            .find(|s| s.str_attr("name") == Some(server_name))
            .ok_or_else(|| PanelError::Unavailable(format!("no server {server_name}")))?;
        let ops = vec![
            TxOp::Delete {
                key: self.account_key(username),
                condition: Some(Condition::Exists),
            },
            TxOp::Update {
                key: Key::of(server).map_err(backend)?,
                update: Update::new().add("accounts", -1),
                condition: Some(Condition::gt("accounts", 0)),
            },
            TxOp::Update {
                key: Key::new(self.addresses(), sortable(ipv4)),
                update: Update::new()
                    .remove("account")
                    .set("gsi2pk", self.free_addresses())
                    .set("gsi2sk", sortable(ipv4)),
                condition: Some(Condition::eq("account", username)),
            },
        ];
        match self.table.transact(ops).await {
            // Gone already: another call gave it back.
            Ok(()) | Err(TableError::TransactionConflict { .. }) => Ok(()),
            Err(other) => Err(backend(other)),
        }
    }

    pub async fn pools(&self) -> Result<Pools, PanelError> {
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

    pub async fn add_server(
        &self,
        pool: &str,
        name: &str,
        capacity: u32,
    ) -> Result<(), PanelError> {
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

    pub async fn retire_server(&self, name: &str) -> Result<(), PanelError> {
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

    pub async fn add_addresses(&self, first: Ipv4Addr, count: u32) -> Result<u32, PanelError> {
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

    pub async fn server_names(&self) -> Result<Vec<String>, PanelError> {
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
