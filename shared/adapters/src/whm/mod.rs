//! The `HostingPanel` port on cPanel & WHM: each server of the inventory is
//! a WHM server, reached through its API with a token of its own.
//!
//! WHM knows its own accounts but not which of many servers has room, nor
//! which address is free: that stays in the inventory, in the table. An
//! account is placed there first (unfinished), then made on its server with
//! `createacct` and the address it was given; a retry after a lost answer
//! asks the server before making it again, so no account is made twice.
//! Mailboxes, sites (addon domains), certificates and backups are the
//! account's own, asked for through UAPI or cPanel API 2 as its user. What
//! a server's accounts use is read for all of them at once (`usage`).

mod account;
mod aliases;
mod api;
mod backup;
mod kinds;
mod settings;
mod usage;

use std::net::Ipv4Addr;
use std::sync::Arc;

use async_trait::async_trait;
use serde_json::Value;

use hostfront_core::clock::Clock;
use hostfront_core::panel::{
    AccountState, AccountUsage, Backup, Certificate, HostingAccount, HostingPanel, MailDomain,
    MailSetup, NewAccount, PanelError, ResellerAccess, ResellerTerms, ServerInventory,
};
use hostfront_core::store::{ItemExt, Table};
pub use settings::{WhmSettings, server_tokens};

use crate::inventory::{Inventory, Layout, Placement, Seed, no_such_account};
use api::{Api, Fault};

/// How long a backup is given to finish before its account may be removed:
/// WHM copies it in the background and says nothing when it is done.
const BACKUP_GRACE_SECS: i64 = 15 * 60;

pub struct WhmPanel {
    inventory: Inventory,
    api: Api,
}

/// The WHM servers give accounts no IPv6 address of their own.
fn no_ipv6(_: Ipv4Addr) -> String {
    String::new()
}

/// The subdomain cPanel keeps for an addon domain's own site.
fn addon_subdomain(site: &str) -> String {
    site.replace('.', "-")
}

fn strings(value: &Value) -> Vec<String> {
    value
        .as_array()
        .map(|list| {
            list.iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

/// Whether WHM's record says the account is suspended (0 or 1).
fn is_suspended(summary: &Value) -> bool {
    summary["suspended"].as_i64() == Some(1) || summary["suspended"].as_bool() == Some(true)
}

impl WhmPanel {
    pub fn new(
        settings: WhmSettings,
        table: Arc<dyn Table>,
        clock: Arc<dyn Clock>,
        company_domain: &str,
    ) -> Result<WhmPanel, String> {
        backup::backup_target(&settings.backup_target)?;
        let layout = Layout {
            prefix: "PANEL",
            kind: "panel",
            ipv6_for: no_ipv6,
        };
        Ok(WhmPanel {
            inventory: Inventory::new(table, clock, layout, Seed::EMPTY, company_domain),
            api: Api::new(settings)?,
        })
    }

    /// The account `username` where the inventory placed it.
    async fn placed(&self, username: &str) -> Result<HostingAccount, PanelError> {
        self.inventory
            .account(username)
            .await?
            .ok_or_else(|| no_such_account(username))
    }
}

#[async_trait]
impl HostingPanel for WhmPanel {
    fn inventory(&self) -> &dyn ServerInventory {
        &self.inventory
    }

    fn name(&self) -> &'static str {
        "whm"
    }

    async fn create_account(&self, request: &NewAccount) -> Result<HostingAccount, PanelError> {
        match self.inventory.place(request, false).await? {
            Placement::Done(account) => Ok(account),
            Placement::New(account) => self.make_account(request, account).await,
            // An earlier try's answer was lost: the server says whether it
            // made the account.
            Placement::Unfinished(account) if self.made(&account).await? => {
                self.inventory
                    .mark_finished(&request.idempotency_key, account)
                    .await
            }
            Placement::Unfinished(account) => self.make_account(request, account).await,
        }
    }

    async fn set_up_mail_and_admin(
        &self,
        username: &str,
        _admin_email: &str,
        mailboxes: &[String],
        idempotency_key: &str,
    ) -> Result<MailSetup, PanelError> {
        if let Some(done) = self.inventory.replay(idempotency_key).await? {
            return Ok(done);
        }
        let account = self.placed(username).await?;
        self.add_mailboxes(&account, mailboxes).await?;
        let setup = MailSetup {
            // The site is run from cPanel, with the account's own login.
            site_admin: username.to_string(),
            admin_url: account.panel_url.clone(),
            mailboxes: mailboxes.to_vec(),
        };
        self.inventory.finish(idempotency_key, setup, vec![]).await
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

    async fn state(&self, username: &str) -> Result<Option<AccountState>, PanelError> {
        let Some(account) = self.inventory.account(username).await? else {
            return Ok(None);
        };
        let Some(summary) = self.summary(&account).await? else {
            return Ok(None);
        };
        Ok(Some(AccountState {
            plan_id: summary["plan"].as_str().unwrap_or_default().to_string(),
            suspended: is_suspended(&summary),
            sites: self.addon_domains(&account).await?,
            mailboxes: self.mailboxes(&account).await?,
            aliases: self.parked_domains(&account).await?,
        }))
    }

    /// One read of the server's accounts and one of its bandwidth.
    async fn usage(
        &self,
        server: &str,
        usernames: &[String],
    ) -> Result<Vec<AccountUsage>, PanelError> {
        self.server_usage(server, usernames).await
    }

    async fn sites(&self, username: &str) -> Result<Option<Vec<String>>, PanelError> {
        match self.inventory.account(username).await? {
            Some(account) => Ok(Some(self.addon_domains(&account).await?)),
            None => Ok(None),
        }
    }

    /// The certificate each of the account's sites serves, its own domain first.
    async fn certificates(&self, username: &str) -> Result<Vec<Certificate>, PanelError> {
        let account = self.placed(username).await?;
        let hosts = self.uapi(&account, "SSL", "installed_hosts", &[]).await?;
        let mut certificates: Vec<Certificate> = hosts
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|host| {
                let certificate = &host["certificate"];
                Some(Certificate {
                    id: certificate["id"].as_str()?.to_string(),
                    domain: host["servername"].as_str()?.to_string(),
                    issuer: certificate["issuer.organizationName"]
                        .as_str()
                        .unwrap_or_default()
                        .to_string(),
                    expires_at: certificate["not_after"].as_i64()?,
                })
            })
            .collect();
        certificates.sort_by_key(|c| c.domain != account.domain);
        Ok(certificates)
    }

    async fn set_plan(&self, username: &str, plan_id: &str) -> Result<(), PanelError> {
        let account = self.placed(username).await?;
        let params = [("user", username), ("pkg", plan_id)];
        self.api
            .whm(&account.server, "changepackage", &params)
            .await
            .map(|_| ())
            .map_err(|f| f.into_panel_error("panel_refused"))
    }

    async fn set_suspended(&self, username: &str, suspended: bool) -> Result<(), PanelError> {
        let account = self.placed(username).await?;
        let state = self
            .state(username)
            .await?
            .ok_or_else(|| no_such_account(username))?;
        if state.suspended == suspended {
            return Ok(());
        }
        let result = if suspended {
            let params = [("user", username), ("reason", "suspended by Hostfront")];
            self.api.whm(&account.server, "suspendacct", &params).await
        } else {
            let params = [("user", username)];
            self.api
                .whm(&account.server, "unsuspendacct", &params)
                .await
        };
        result
            .map(|_| ())
            .map_err(|f| f.into_panel_error("panel_refused"))
    }

    async fn set_sites(&self, username: &str, sites: &[String]) -> Result<(), PanelError> {
        let account = self.placed(username).await?;
        let existing = self.addon_domains(&account).await?;
        let refused = |f: Fault| f.into_panel_error("panel_refused");
        for site in sites.iter().filter(|s| !existing.contains(s)) {
            let subdomain = addon_subdomain(site);
            let dir = format!("public_html/{site}");
            let params = [
                ("newdomain", site.as_str()),
                ("subdomain", subdomain.as_str()),
                ("dir", dir.as_str()),
            ];
            self.api
                .api2(
                    &account.server,
                    username,
                    "AddonDomain",
                    "addaddondomain",
                    &params,
                )
                .await
                .map_err(refused)?;
        }
        for site in existing.iter().filter(|s| !sites.contains(s)) {
            let subdomain = format!("{}_{}", addon_subdomain(site), account.domain);
            let params = [("domain", site.as_str()), ("subdomain", subdomain.as_str())];
            self.api
                .api2(
                    &account.server,
                    username,
                    "AddonDomain",
                    "deladdondomain",
                    &params,
                )
                .await
                .map_err(refused)?;
        }
        Ok(())
    }

    async fn add_alias(&self, username: &str, alias: &str) -> Result<(), PanelError> {
        self.park(username, alias).await
    }

    async fn remove_alias(&self, username: &str, alias: &str) -> Result<(), PanelError> {
        self.unpark(username, alias).await
    }

    async fn back_up(&self, username: &str, idempotency_key: &str) -> Result<Backup, PanelError> {
        self.back_up_to_target(username, idempotency_key).await
    }

    async fn remove_account(&self, username: &str) -> Result<(), PanelError> {
        let Some(item) = self.inventory.account_item(username).await? else {
            return Ok(());
        };
        let account = self.placed(username).await?;
        let now = self.inventory.clock().now_secs();
        if let Some(started) = item.i64_attr("backup_started_at")
            && now < started + BACKUP_GRACE_SECS
        {
            return Err(PanelError::Unavailable(format!(
                "the backup of {username} may still be copying; the account is removed from {}",
                time::OffsetDateTime::from_unix_timestamp(started + BACKUP_GRACE_SECS)
                    .map(hostfront_core::clock::rfc3339)
                    .unwrap_or_default()
            )));
        }
        // Gone from its server already (an earlier try removed it): only
        // its place is left to give back.
        if self.summary(&account).await?.is_some() {
            self.remove_from_server(&account).await?;
        }
        self.inventory.give_back(username).await
    }

    /// Adds a WHM server once its API answers with its token.
    async fn add_server(&self, pool: &str, name: &str, capacity: u32) -> Result<(), PanelError> {
        let host = self.inventory.host(name);
        self.api
            .whm(&host, "version", &[])
            .await
            .map_err(|f| match f {
                Fault::Refused(message) | Fault::Denied(message) | Fault::Unavailable(message) => {
                    PanelError::Refused {
                        code: "server_unreachable".into(),
                        message: format!("{host} does not answer to its API token: {message}"),
                    }
                }
            })?;
        self.inventory.add_server(pool, name, capacity).await
    }
}
