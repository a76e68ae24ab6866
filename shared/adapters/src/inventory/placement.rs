//! Taking a place for an account (a server with room and a free address,
//! in one transaction) and giving it back.

use std::net::Ipv4Addr;
use std::time::Duration;

use serde_json::json;

use hostfront_core::panel::{HostingAccount, NewAccount, PanelError};
use hostfront_core::store::{
    Condition, Index, Item, ItemExt, Key, Query, SortKey, TableError, TxOp, Update,
};

use super::{Inventory, Placement, backend, sortable};

const ATTEMPTS: usize = 8;

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

fn username_taken(username: &str) -> PanelError {
    PanelError::Refused {
        code: "username_taken".into(),
        message: format!("the panel already has a user {username}"),
    }
}

impl Inventory {
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
}
