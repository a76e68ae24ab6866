//! A simulated hosting panel, for local runs and tests. It keeps honest state
//! in the table: its inventory (servers, addresses, where each account is)
//! and, on each account, what a panel would hold: its plan, suspension,
//! sites, mailboxes and backups. A replay of any call returns the first
//! answer. Nothing leaves the process. What its accounts use is modelled
//! in `usage`.

mod usage;

use std::net::Ipv4Addr;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use serde_json::json;

use hostfront_core::clock::Clock;
use hostfront_core::panel::{
    AccountState, AccountUsage, Backup, Certificate, HostingAccount, HostingPanel, MailDomain,
    MailSetup, NewAccount, PanelError, ResellerAccess, ResellerTerms, SIMULATED_SITE_PAGES,
    ServerInventory,
};
use hostfront_core::store::{Condition, Item, ItemExt, Table, TableError, TxOp, Update};

use crate::inventory::{Inventory, Layout, Placement, Seed, backend, no_such_account};

mod aliases;
mod kinds;

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

/// How a call made once per key starts: answered before, or first.
enum Keyed<T> {
    Answered(T),
    First(HostingAccount),
}

pub struct SimulatedPanel {
    inventory: Inventory,
    settings: PanelSettings,
}

/// The documentation range (2001:db8::/32) address paired with `address`.
fn ipv6_for(address: Ipv4Addr) -> String {
    let [_, _, c, d] = address.octets();
    format!("2001:db8:100::{c:x}:{d:x}")
}

impl SimulatedPanel {
    pub fn new(
        table: Arc<dyn Table>,
        clock: Arc<dyn Clock>,
        settings: PanelSettings,
        company_domain: &str,
    ) -> Self {
        let layout = Layout {
            prefix: "SIMPANEL",
            kind: "sim",
            ipv6_for,
        };
        let seed = Seed {
            servers: POOLS,
            capacity: settings.capacity_per_server,
            first_address: FIRST_ADDRESS,
            addresses: settings.addresses.min(240),
        };
        SimulatedPanel {
            inventory: Inventory::new(table, clock, layout, seed, company_domain),
            settings,
        }
    }

    fn table(&self) -> &dyn Table {
        self.inventory.table()
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

    async fn account_item(&self, username: &str) -> Result<Option<Item>, PanelError> {
        self.inventory.account_item(username).await
    }

    /// The start of a call made once per key on the account `username`:
    /// the first answer when the key was used, else the account.
    async fn keyed_call<T: serde::de::DeserializeOwned>(
        &self,
        username: &str,
        idempotency_key: &str,
    ) -> Result<Keyed<T>, PanelError> {
        self.round_trip().await?;
        if let Some(done) = self.inventory.replay(idempotency_key).await? {
            return Ok(Keyed::Answered(done));
        }
        let account = self.inventory.account(username).await?;
        account
            .map(Keyed::First)
            .ok_or_else(|| no_such_account(username))
    }

    /// Sets `update` on the account `username`, which must exist.
    async fn change_account(&self, username: &str, update: Update) -> Result<(), PanelError> {
        self.round_trip().await?;
        match self
            .table()
            .update(
                &self.inventory.account_key(username),
                update,
                Some(Condition::Exists),
            )
            .await
        {
            Ok(_) => Ok(()),
            Err(TableError::ConditionFailed) => Err(no_such_account(username)),
            Err(other) => Err(backend(other)),
        }
    }
}

#[async_trait]
impl HostingPanel for SimulatedPanel {
    fn inventory(&self) -> &dyn ServerInventory {
        &self.inventory
    }

    fn name(&self) -> &'static str {
        "simulated"
    }

    /// Nothing serves the simulation's domains: its web server is a page
    /// of this site's own (`/simulated-panel/sites/<username>`), the
    /// default page a new account shows.
    fn site_address(&self, username: &str, _domain: &str) -> String {
        format!("{SIMULATED_SITE_PAGES}{username}")
    }

    async fn create_account(&self, request: &NewAccount) -> Result<HostingAccount, PanelError> {
        self.round_trip().await?;
        match self.inventory.place(request, true).await? {
            Placement::Done(account) | Placement::New(account) | Placement::Unfinished(account) => {
                Ok(account)
            }
        }
    }

    async fn remove_account(&self, username: &str) -> Result<(), PanelError> {
        self.round_trip().await?;
        self.inventory.give_back(username).await
    }

    async fn set_up_mail_and_admin(
        &self,
        username: &str,
        admin_email: &str,
        mailboxes: &[String],
        idempotency_key: &str,
    ) -> Result<MailSetup, PanelError> {
        let account = match self.keyed_call(username, idempotency_key).await? {
            Keyed::Answered(done) => return Ok(done),
            Keyed::First(account) => account,
        };
        let setup = MailSetup {
            site_admin: admin_email.to_string(),
            admin_url: format!("https://{}/admin/", account.domain),
            mailboxes: mailboxes.to_vec(),
        };
        let store = TxOp::Update {
            key: self.inventory.account_key(username),
            update: Update::new().set("mail", json!(setup)),
            condition: Some(Condition::Exists),
        };
        self.inventory
            .finish(idempotency_key, setup, vec![store])
            .await
    }

    async fn set_up_mail_domain(
        &self,
        username: &str,
        mailboxes: &[String],
        idempotency_key: &str,
    ) -> Result<MailDomain, PanelError> {
        self.mail_domain(username, mailboxes, idempotency_key).await
    }

    async fn make_reseller(
        &self,
        username: &str,
        terms: &ResellerTerms,
    ) -> Result<ResellerAccess, PanelError> {
        self.reseller(username, terms).await
    }

    async fn account(&self, username: &str) -> Result<Option<HostingAccount>, PanelError> {
        self.inventory.account(username).await
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
            .or_else(|| {
                let domain = item.get("mail_domain").cloned()?;
                serde_json::from_value::<MailDomain>(domain)
                    .ok()
                    .map(|m| m.mailboxes)
            })
            .unwrap_or_default();
        Ok(Some(AccountState {
            plan_id: item.str_attr("plan_id").unwrap_or_default().to_string(),
            suspended: item.get("suspended").and_then(|v| v.as_bool()) == Some(true),
            sites: list("sites"),
            mailboxes,
            aliases: list("aliases"),
        }))
    }

    async fn usage(
        &self,
        server: &str,
        usernames: &[String],
    ) -> Result<Vec<AccountUsage>, PanelError> {
        self.read_usage(server, usernames).await
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

    async fn add_alias(&self, username: &str, alias: &str) -> Result<(), PanelError> {
        self.change_aliases(username, |aliases| {
            if !aliases.iter().any(|a| a == alias) {
                aliases.push(alias.to_string());
            }
        })
        .await
    }

    async fn remove_alias(&self, username: &str, alias: &str) -> Result<(), PanelError> {
        match self
            .change_aliases(username, |aliases| aliases.retain(|a| a != alias))
            .await
        {
            Err(PanelError::Refused { code, .. }) if code == "no_such_account" => Ok(()),
            done => done,
        }
    }

    async fn back_up(&self, username: &str, idempotency_key: &str) -> Result<Backup, PanelError> {
        self.round_trip().await?;
        if let Some(done) = self.inventory.replay(idempotency_key).await? {
            return Ok(done);
        }
        if self.account(username).await?.is_none() {
            return Err(no_such_account(username));
        }
        let now = self.inventory.clock().now();
        let backup = Backup {
            id: format!("bk_{}", ulid::Ulid::new()),
            username: username.to_string(),
            taken_at: hostfront_core::clock::rfc3339(now),
            kept_until: (now.date() + time::Duration::days(BACKUP_DAYS)).to_string(),
        };
        let mut item = self
            .inventory
            .account_record_key("BACKUP", username, &backup.id)
            .to_item();
        item.insert("kind".into(), "sim_backup".into());
        item.insert("backup".into(), json!(backup));
        let keep = TxOp::Put {
            item,
            condition: Some(Condition::NotExists),
        };
        self.inventory
            .finish(idempotency_key, backup, vec![keep])
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_map_to_documentation_ipv6() {
        assert_eq!(
            ipv6_for(Ipv4Addr::new(198, 51, 100, 10)),
            "2001:db8:100::64:a"
        );
    }
}
