//! A simulated hosting panel, for local runs and tests. It keeps honest state
//! in the table: servers with a capacity and a count of accounts, an address
//! pool whose free addresses sit in a sparse index, the accounts themselves,
//! and a record of every change by idempotency key so that a replay returns
//! the first answer. Nothing leaves the process.

use std::net::Ipv4Addr;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::json;

use hostfront_core::clock::Clock;
use hostfront_core::panel::{
    AccountState, AddressUsage, Backup, Certificate, HostingAccount, HostingPanel, MailSetup,
    NewAccount, PanelError, Pools, ServerUsage,
};
use hostfront_core::store::{
    Condition, Index, Item, ItemExt, Key, Query, SortKey, Table, TableError, TxOp, Update,
};

const SERVERS: &str = "SIMPANEL#SERVER";
const ADDRESSES: &str = "SIMPANEL#ADDR";
const FREE_ADDRESSES: &str = "SIMPANEL#FREE";
/// How long the panel keeps a backup.
const BACKUP_DAYS: i64 = 30;
/// The servers of each pool in the simulated data centre.
const POOLS: &[(&str, &[&str])] = &[
    ("shared", &["web1", "web2"]),
    ("vps", &["vmhost1"]),
    ("dedicated", &["rack1"]),
];
/// The first address handed out: 198.51.100.0/24 is reserved for documentation.
const FIRST_ADDRESS: Ipv4Addr = Ipv4Addr::new(198, 51, 100, 10);
const ATTEMPTS: usize = 8;

#[derive(Debug, Clone, Copy)]
pub struct PanelSettings {
    /// Accounts each server holds at most.
    pub capacity_per_server: u32,
    /// Addresses in the pool (at most 240).
    pub addresses: u32,
    pub latency: Duration,
    /// The share of calls (0 to 1) that fail as a timeout would.
    pub failure_rate: f64,
}

/// How long the certificates the simulated panel issues last.
const CERTIFICATE_DAYS: i64 = 365;

pub struct SimulatedPanel {
    table: Arc<dyn Table>,
    clock: Arc<dyn Clock>,
    settings: PanelSettings,
    /// The company's domain, for host names such as `web1.example.net`.
    company_domain: String,
}

fn server_sk(pool: &str, name: &str) -> String {
    format!("{pool}#{name}")
}

fn server_item(pool: &str, name: &str, capacity: u32) -> Item {
    let mut server = Key::new(SERVERS, server_sk(pool, name)).to_item();
    server.insert("kind".into(), "sim_server".into());
    server.insert("pool".into(), pool.into());
    server.insert("name".into(), name.into());
    server.insert("capacity".into(), capacity.into());
    server.insert("accounts".into(), 0.into());
    server
}

/// A free address of the pool.
fn address_item(address: Ipv4Addr) -> Item {
    let mut item = Key::new(ADDRESSES, sortable(address)).to_item();
    item.insert("kind".into(), "sim_address".into());
    item.insert("address".into(), address.to_string().into());
    item.insert("gsi2pk".into(), FREE_ADDRESSES.into());
    item.insert("gsi2sk".into(), sortable(address).into());
    item
}

/// The pools the simulated data centre has.
fn known_pool(pool: &str) -> bool {
    POOLS.iter().any(|(name, _)| *name == pool)
}

fn host_label(name: &str) -> bool {
    (1..=63).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !name.starts_with('-')
        && !name.ends_with('-')
}

fn account_key(username: &str) -> Key {
    Key::new(format!("SIMPANEL#ACCOUNT#{username}"), "ACCOUNT")
}

fn backup_key(username: &str, id: &str) -> Key {
    Key::new(format!("SIMPANEL#BACKUP#{username}"), id)
}

fn operation_key(idempotency_key: &str) -> Key {
    Key::new(format!("SIMPANEL#OP#{idempotency_key}"), "OP")
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

fn ipv6_for(address: Ipv4Addr) -> String {
    let [_, _, c, d] = address.octets();
    format!("2001:db8:100::{c:x}:{d:x}")
}

fn no_such_account(username: &str) -> PanelError {
    PanelError::Refused {
        code: "no_such_account".into(),
        message: format!("the panel has no user {username}"),
    }
}

fn backend(error: TableError) -> PanelError {
    PanelError::Unavailable(format!("panel storage: {error}"))
}

impl SimulatedPanel {
    /// The stored account `username`, if it exists.
    async fn account_item(&self, username: &str) -> Result<Option<Item>, PanelError> {
        self.table
            .get(&account_key(username))
            .await
            .map_err(backend)
    }

    pub fn new(
        table: Arc<dyn Table>,
        clock: Arc<dyn Clock>,
        settings: PanelSettings,
        company_domain: &str,
    ) -> Self {
        SimulatedPanel {
            table,
            clock,
            settings,
            company_domain: company_domain.to_string(),
        }
    }

    async fn round_trip(&self) -> Result<(), PanelError> {
        if !self.settings.latency.is_zero() {
            tokio::time::sleep(self.settings.latency).await;
        }
        if self.settings.failure_rate > 0.0 && fastrand::f64() < self.settings.failure_rate {
            return Err(PanelError::Unavailable("simulated timeout".into()));
        }
        Ok(())
    }

    /// Builds the data centre on first use: servers, then addresses, then the
    /// marker, so a crash half-way is finished by the next call.
    async fn ensure_built(&self) -> Result<(), PanelError> {
        let marker = Key::new(SERVERS, "BUILT");
        if self.table.get(&marker).await.map_err(backend)?.is_some() {
            return Ok(());
        }
        let mut items = Vec::new();
        for (pool, servers) in POOLS {
            for name in *servers {
                let server = server_item(pool, name, self.settings.capacity_per_server);
                items.push((server, Some(Condition::NotExists)));
            }
        }
        let first = u32::from(FIRST_ADDRESS);
        for n in 0..self.settings.addresses.min(240) {
            let item = address_item(Ipv4Addr::from(first + n));
            items.push((item, Some(Condition::NotExists)));
        }
        for (item, condition) in items {
            match self.table.put(item, condition).await {
                Ok(()) | Err(TableError::ConditionFailed) => {}
                Err(other) => return Err(backend(other)),
            }
        }
        self.table
            .put(marker.to_item(), None)
            .await
            .map_err(backend)
    }

    async fn replay<T: DeserializeOwned>(&self, key: &str) -> Result<Option<T>, PanelError> {
        let record = self.table.get(&operation_key(key)).await.map_err(backend)?;
        Ok(record
            .and_then(|r| r.get("result").cloned())
            .and_then(|r| serde_json::from_value(r).ok()))
    }

    fn record(key: &str, result: &impl Serialize) -> TxOp {
        let mut item = operation_key(key).to_item();
        item.insert("kind".into(), "sim_panel_operation".into());
        item.insert("result".into(), json!(result));
        TxOp::Put {
            item,
            condition: Some(Condition::NotExists),
        }
    }

    /// Sets `update` on the account `username`, which must exist.
    async fn change_account(&self, username: &str, update: Update) -> Result<(), PanelError> {
        self.round_trip().await?;
        match self
            .table
            .update(&account_key(username), update, Some(Condition::Exists))
            .await
        {
            Ok(_) => Ok(()),
            Err(TableError::ConditionFailed) => Err(no_such_account(username)),
            Err(other) => Err(backend(other)),
        }
    }

    /// The least loaded server of `pool` with room, if any.
    async fn server_with_room(&self, pool: &str) -> Result<Option<Item>, PanelError> {
        let servers = self
            .table
            .query(Query::partition(SERVERS).sort(SortKey::BeginsWith(format!("{pool}#"))))
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
            .query(Query::index(Index::Gsi2, FREE_ADDRESSES).limit(1))
            .await
            .map_err(backend)?;
        Ok(free.items.into_iter().next())
    }

    async fn try_create(&self, request: &NewAccount) -> Result<HostingAccount, Attempt> {
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
        let host = format!("{server_name}.{}", self.company_domain);
        let account = HostingAccount {
            username: request.username.clone(),
            domain: request.domain.clone(),
            server: host.clone(),
            ipv4: ipv4.to_string(),
            ipv6: ipv6_for(ipv4),
            panel_url: format!("https://{host}:2083/"),
            mail_host: format!("mail.{}", request.domain),
        };
        let capacity = server.i64_attr("capacity").unwrap_or(0);
        let mut account_item = account_key(&request.username).to_item();
        account_item.insert("kind".into(), "sim_account".into());
        account_item.insert("account".into(), json!(account));
        account_item.insert("plan_id".into(), request.plan_id.clone().into());
        account_item.insert("created_at".into(), self.clock.now_secs().into());
        let ops = vec![
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
            Self::record(&request.idempotency_key, &account),
        ];
        match self.table.transact(ops).await {
            Ok(()) => Ok(account),
            // The server filled up or the address went to someone else meanwhile.
            Err(TableError::TransactionConflict { index: 0 | 1 }) => Err(Attempt::Again),
            Err(TableError::TransactionConflict { index: 2 }) => {
                Err(Attempt::Failed(PanelError::Refused {
                    code: "username_taken".into(),
                    message: format!("the panel already has a user {}", request.username),
                }))
            }
            Err(TableError::TransactionConflict { .. }) => Err(Attempt::Replay),
            Err(other) => Err(backend(other).into()),
        }
    }
}

/// How one try at creating an account ended, when it did not.
enum Attempt {
    Again,
    Replay,
    Failed(PanelError),
}

impl From<PanelError> for Attempt {
    fn from(error: PanelError) -> Self {
        Attempt::Failed(error)
    }
}

#[async_trait]
impl HostingPanel for SimulatedPanel {
    fn name(&self) -> &'static str {
        "simulated"
    }

    async fn create_account(&self, request: &NewAccount) -> Result<HostingAccount, PanelError> {
        self.round_trip().await?;
        self.ensure_built().await?;
        for _ in 0..ATTEMPTS {
            if let Some(done) = self.replay(&request.idempotency_key).await? {
                return Ok(done);
            }
            match self.try_create(request).await {
                Ok(account) => return Ok(account),
                Err(Attempt::Failed(error)) => return Err(error),
                Err(Attempt::Again | Attempt::Replay) => {
                    tokio::time::sleep(Duration::from_millis(fastrand::u64(1..20))).await;
                }
            }
        }
        Err(PanelError::Unavailable(
            "the panel is busy; try again".into(),
        ))
    }

    async fn remove_account(&self, username: &str) -> Result<(), PanelError> {
        self.round_trip().await?;
        let Some(account) = self.account(username).await? else {
            return Ok(());
        };
        let ipv4: Ipv4Addr = account
            .ipv4
            .parse()
            .map_err(|_| PanelError::Unavailable("corrupt account address".into()))?;
        let server_name = account.server.split('.').next().unwrap_or_default();
        let servers = self
            .table
            .query(Query::partition(SERVERS))
            .await
            .map_err(backend)?;
        let server = servers
            .items
            .iter()
            .find(|s| s.str_attr("name") == Some(server_name))
            .ok_or_else(|| PanelError::Unavailable(format!("no server {server_name}")))?;
        let ops = vec![
            TxOp::Delete {
                key: account_key(username),
                condition: Some(Condition::Exists),
            },
            TxOp::Update {
                key: Key::of(server).map_err(backend)?,
                update: Update::new().add("accounts", -1),
                condition: Some(Condition::gt("accounts", 0)),
            },
            TxOp::Update {
                key: Key::new(ADDRESSES, sortable(ipv4)),
                update: Update::new()
                    .remove("account")
                    .set("gsi2pk", FREE_ADDRESSES)
                    .set("gsi2sk", sortable(ipv4)),
                condition: Some(Condition::eq("account", username)),
            },
        ];
        match self.table.transact(ops).await {
            // Gone already: another call removed it.
            Ok(()) | Err(TableError::TransactionConflict { .. }) => Ok(()),
            Err(other) => Err(backend(other)),
        }
    }

    async fn set_up_mail_and_admin(
        &self,
        username: &str,
        admin_email: &str,
        mailboxes: &[String],
        idempotency_key: &str,
    ) -> Result<MailSetup, PanelError> {
        self.round_trip().await?;
        if let Some(done) = self.replay(idempotency_key).await? {
            return Ok(done);
        }
        let account = self
            .account(username)
            .await?
            .ok_or_else(|| no_such_account(username))?;
        let setup = MailSetup {
            site_admin: admin_email.to_string(),
            admin_url: format!("https://{}/admin/", account.domain),
            mailboxes: mailboxes.to_vec(),
        };
        let ops = vec![
            TxOp::Update {
                key: account_key(username),
                update: Update::new().set("mail", json!(setup)),
                condition: Some(Condition::Exists),
            },
            Self::record(idempotency_key, &setup),
        ];
        match self.table.transact(ops).await {
            Ok(()) => Ok(setup),
            Err(TableError::TransactionConflict { index: 1 }) => self
                .replay(idempotency_key)
                .await?
                .ok_or_else(|| PanelError::Unavailable("lost a race; try again".into())),
            Err(other) => Err(backend(other)),
        }
    }

    async fn account(&self, username: &str) -> Result<Option<HostingAccount>, PanelError> {
        let item = self.account_item(username).await?;
        Ok(item
            .and_then(|i| i.get("account").cloned())
            .and_then(|a| serde_json::from_value::<HostingAccount>(a).ok()))
    }

    /// Each site's certificate, issued for a year when the account was made
    /// (or the site added) and not renewed by the simulation: so they expire.
    async fn certificates(&self, username: &str) -> Result<Vec<Certificate>, PanelError> {
        self.round_trip().await?;
        let Some(item) = self.account_item(username).await? else {
            return Err(no_such_account(username));
        };
        let issued = item.i64_attr("created_at").unwrap_or(0);
        let domain = self
            .account(username)
            .await?
            .map(|a| a.domain)
            .unwrap_or_default();
        let sites: Vec<String> = item
            .get("sites")
            .cloned()
            .and_then(|v| serde_json::from_value(v).ok())
            .unwrap_or_default();
        Ok(std::iter::once(domain)
            .chain(sites)
            .map(|site| Certificate {
                id: format!("sim-{username}-{site}-{issued}"),
                issuer: "Simulated CA".into(),
                expires_at: issued + CERTIFICATE_DAYS * 86_400,
                domain: site,
            })
            .collect())
    }

    async fn state(&self, username: &str) -> Result<Option<AccountState>, PanelError> {
        let Some(item) = self.account_item(username).await? else {
            return Ok(None);
        };
        let list = |name: &str| -> Vec<String> {
            item.get(name)
                .cloned()
                .and_then(|v| serde_json::from_value(v).ok())
                .unwrap_or_default()
        };
        let mailboxes = item
            .get("mail")
            .cloned()
            .and_then(|m| serde_json::from_value::<MailSetup>(m).ok())
            .map(|m| m.mailboxes)
            .unwrap_or_default();
        Ok(Some(AccountState {
            plan_id: item.str_attr("plan_id").unwrap_or_default().to_string(),
            suspended: item.get("suspended").and_then(|v| v.as_bool()) == Some(true),
            sites: list("sites"),
            mailboxes,
        }))
    }

    async fn set_plan(&self, username: &str, plan_id: &str) -> Result<(), PanelError> {
        self.change_account(username, Update::new().set("plan_id", plan_id))
            .await
    }

    async fn set_suspended(&self, username: &str, suspended: bool) -> Result<(), PanelError> {
        self.change_account(username, Update::new().set("suspended", suspended))
            .await
    }

    async fn set_sites(&self, username: &str, sites: &[String]) -> Result<(), PanelError> {
        self.change_account(username, Update::new().set("sites", json!(sites)))
            .await
    }

    async fn back_up(&self, username: &str, idempotency_key: &str) -> Result<Backup, PanelError> {
        self.round_trip().await?;
        if let Some(done) = self.replay(idempotency_key).await? {
            return Ok(done);
        }
        if self.account(username).await?.is_none() {
            return Err(no_such_account(username));
        }
        let now = self.clock.now();
        let backup = Backup {
            id: format!("bk_{}", ulid::Ulid::new()),
            username: username.to_string(),
            taken_at: hostfront_core::clock::rfc3339(now),
            kept_until: (now.date() + time::Duration::days(BACKUP_DAYS)).to_string(),
        };
        let mut item = backup_key(username, &backup.id).to_item();
        item.insert("kind".into(), "sim_backup".into());
        item.insert("backup".into(), json!(backup));
        let ops = vec![
            TxOp::Put {
                item,
                condition: Some(Condition::NotExists),
            },
            Self::record(idempotency_key, &backup),
        ];
        match self.table.transact(ops).await {
            Ok(()) => Ok(backup),
            Err(TableError::TransactionConflict { .. }) => self
                .replay(idempotency_key)
                .await?
                .ok_or_else(|| PanelError::Unavailable("lost a race; try again".into())),
            Err(other) => Err(backend(other)),
        }
    }

    async fn pools(&self) -> Result<Pools, PanelError> {
        self.ensure_built().await?;
        let servers =
            hostfront_core::store::all_items(self.table.as_ref(), Query::partition(SERVERS))
                .await
                .map_err(backend)?
                .iter()
                .filter(|s| s.str_attr("kind") == Some("sim_server"))
                .map(|s| ServerUsage {
                    pool: s.str_attr("pool").unwrap_or_default().into(),
                    name: s.str_attr("name").unwrap_or_default().into(),
                    capacity: s.i64_attr("capacity").unwrap_or(0) as u32,
                    accounts: s.i64_attr("accounts").unwrap_or(0) as u32,
                    retired: s.get("retired").and_then(|r| r.as_bool()) == Some(true),
                })
                .collect();
        let total =
            hostfront_core::store::all_items(self.table.as_ref(), Query::partition(ADDRESSES))
                .await
                .map_err(backend)?
                .len() as u32;
        let free = hostfront_core::store::all_items(
            self.table.as_ref(),
            Query::index(Index::Gsi2, FREE_ADDRESSES),
        )
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
        if !known_pool(pool) {
            return Err(refuse(format!(
                "there is no pool {pool:?}; the pools are shared, vps and dedicated"
            )));
        }
        if !host_label(name) {
            return Err(refuse(format!("{name:?} is not a host name such as web3")));
        }
        if self.server_names().await?.iter().any(|n| n == name)
            && self
                .table
                .get(&Key::new(SERVERS, server_sk(pool, name)))
                .await
                .map_err(backend)?
                .is_none()
        {
            return Err(refuse(format!("{name} is a server of another pool")));
        }
        let update = Update::new()
            .set("kind", "sim_server")
            .set("pool", pool)
            .set("name", name)
            .set("capacity", capacity)
            .set("retired", false)
            // A new server starts empty; one that exists keeps its count.
            .add("accounts", 0);
        self.table
            .update(&Key::new(SERVERS, server_sk(pool, name)), update, None)
            .await
            .map(|_| ())
            .map_err(backend)
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
                &Key::new(SERVERS, server_sk(&server.pool, name)),
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
            let item = address_item(Ipv4Addr::from(u32::from(first) + n));
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
            .query(Query::partition(SERVERS))
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
    fn addresses_sort_numerically_and_map_to_ipv6() {
        let a = sortable(Ipv4Addr::new(198, 51, 100, 9));
        let b = sortable(Ipv4Addr::new(198, 51, 100, 10));
        assert!(a < b, "{a} < {b}");
        assert_eq!(
            ipv6_for(Ipv4Addr::new(198, 51, 100, 10)),
            "2001:db8:100::64:a"
        );
    }
}
