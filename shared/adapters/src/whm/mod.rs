//! The `HostingPanel` port on cPanel & WHM: each server of the inventory is
//! a WHM server, reached through its API with a token of its own.
//!
//! WHM knows its own accounts but not which of many servers has room, nor
//! which address is free: that stays in the inventory, in the table. An
//! account is placed there first (unfinished), then made on its server with
//! `createacct` and the address it was given; a retry after a lost answer
//! asks the server before making it again, so no account is made twice.
//! Mailboxes, sites (addon domains), certificates and backups are the
//! account's own, asked for through UAPI or cPanel API 2 as its user.

mod api;
mod settings;

use std::net::Ipv4Addr;
use std::sync::Arc;

use async_trait::async_trait;
use secrecy::ExposeSecret;
use serde_json::Value;

use hostfront_core::clock::Clock;
use hostfront_core::panel::{
    AccountState, Backup, Certificate, HostingAccount, HostingPanel, MailSetup, NewAccount,
    PanelError, ServerInventory,
};
use hostfront_core::store::{Condition, ItemExt, Table, Update};
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

/// `scp://user@host[:port]/directory` as its parts.
struct BackupTarget {
    user: String,
    host: String,
    port: String,
    directory: String,
}

fn backup_target(target: &str) -> Result<BackupTarget, String> {
    let invalid = || {
        format!("HOSTFRONT_WHM_BACKUP_TARGET {target:?} is not scp://user@host[:port]/directory")
    };
    let rest = target.strip_prefix("scp://").ok_or_else(invalid)?;
    let (authority, directory) = rest.split_once('/').ok_or_else(invalid)?;
    let (user, host_port) = authority.split_once('@').ok_or_else(invalid)?;
    let (host, port) = host_port.split_once(':').unwrap_or((host_port, "22"));
    if user.is_empty() || host.is_empty() || port.parse::<u16>().is_err() {
        return Err(invalid());
    }
    Ok(BackupTarget {
        user: user.into(),
        host: host.into(),
        port: port.into(),
        directory: format!("/{directory}"),
    })
}

impl WhmPanel {
    pub fn new(
        settings: WhmSettings,
        table: Arc<dyn Table>,
        clock: Arc<dyn Clock>,
        company_domain: &str,
    ) -> Result<WhmPanel, String> {
        backup_target(&settings.backup_target)?;
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

    /// WHM's record of the account, if its server has it. `listaccts`
    /// with an exact search answers an empty list for an account that is
    /// not there, so any refusal means "unknown", never "absent": the
    /// caller stops and retries rather than make or skip anything.
    async fn summary(&self, account: &HostingAccount) -> Result<Option<Value>, PanelError> {
        let params = [
            ("searchtype", "user"),
            ("searchmethod", "exact"),
            ("search", account.username.as_str()),
        ];
        match self.api.whm(&account.server, "listaccts", &params).await {
            Ok(data) => Ok(data["acct"]
                .as_array()
                .into_iter()
                .flatten()
                .find(|a| a["user"].as_str() == Some(account.username.as_str()))
                .cloned()),
            Err(Fault::Refused(reason)) => Err(PanelError::Unavailable(format!(
                "{} would not list {}: {reason}",
                account.server, account.username
            ))),
            Err(fault) => Err(fault.into_panel_error("panel_refused")),
        }
    }

    async fn uapi(
        &self,
        account: &HostingAccount,
        module: &str,
        function: &str,
        params: &[(&str, &str)],
    ) -> Result<Value, PanelError> {
        self.api
            .uapi(&account.server, &account.username, module, function, params)
            .await
            .map_err(|f| f.into_panel_error("panel_refused"))
    }

    /// The addresses of the account's mailboxes.
    async fn mailboxes(&self, account: &HostingAccount) -> Result<Vec<String>, PanelError> {
        let pops = self.uapi(account, "Email", "list_pops", &[]).await?;
        Ok(pops
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|p| p["email"].as_str())
            // The account's own system mailbox has no domain.
            .filter(|e| e.contains('@'))
            .map(str::to_string)
            .collect())
    }

    async fn addon_domains(&self, account: &HostingAccount) -> Result<Vec<String>, PanelError> {
        let domains = self
            .uapi(account, "DomainInfo", "list_domains", &[])
            .await?;
        Ok(strings(&domains["addon_domains"]))
    }

    async fn make_account(
        &self,
        request: &NewAccount,
        account: HostingAccount,
    ) -> Result<HostingAccount, PanelError> {
        let params = [
            ("username", request.username.as_str()),
            ("domain", request.domain.as_str()),
            ("plan", request.plan_id.as_str()),
            ("password", request.password.as_str()),
            // WHM API 1 documents `ip` (`y`, `n` or the address itself).
            ("ip", account.ipv4.as_str()),
        ];
        match self.api.whm(&account.server, "createacct", &params).await {
            Ok(_) => {}
            // Made meanwhile by a concurrent try with the same key.
            Err(Fault::Refused(_)) if self.made(&account).await? => {}
            Err(Fault::Refused(reason)) => {
                // Nothing was made: its place and address go back.
                self.inventory.give_back(&request.username).await?;
                return Err(PanelError::Refused {
                    code: "panel_refused".into(),
                    message: reason,
                });
            }
            Err(fault) => return Err(fault.into_panel_error("panel_refused")),
        }
        self.inventory
            .mark_finished(&request.idempotency_key, account)
            .await
    }

    /// Whether the account's server has it, for its domain.
    async fn made(&self, account: &HostingAccount) -> Result<bool, PanelError> {
        Ok(self
            .summary(account)
            .await?
            .is_some_and(|made| made["domain"].as_str() == Some(account.domain.as_str())))
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
        let existing = self.mailboxes(&account).await?;
        for address in mailboxes.iter().filter(|m| !existing.contains(m)) {
            let Some((local, domain)) = address.split_once('@') else {
                return Err(PanelError::Refused {
                    code: "invalid_mailbox".into(),
                    message: format!("{address:?} is not a mail address"),
                });
            };
            // The customer sets each mailbox's password in cPanel; this
            // one is never stored nor shown.
            let password = hostfront_core::accounts::random_token();
            let params = [
                ("email", local),
                ("domain", domain),
                ("password", password.as_str()),
                ("quota", "0"),
            ];
            match self.uapi(&account, "Email", "add_pop", &params).await {
                Ok(_) => {}
                // Made by a try whose answer was lost.
                Err(_) if self.mailboxes(&account).await?.contains(address) => {}
                Err(error) => return Err(error),
            }
        }
        let setup = MailSetup {
            // The site is run from cPanel, with the account's own login.
            site_admin: username.to_string(),
            admin_url: account.panel_url.clone(),
            mailboxes: mailboxes.to_vec(),
        };
        self.inventory.finish(idempotency_key, setup, vec![]).await
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
        }))
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

    /// A full backup copied to the backup host, which keeps it after the
    /// account is gone.
    async fn back_up(&self, username: &str, idempotency_key: &str) -> Result<Backup, PanelError> {
        if let Some(done) = self.inventory.replay(idempotency_key).await? {
            return Ok(done);
        }
        let account = self.placed(username).await?;
        let settings = self.api.settings();
        let target =
            backup_target(&settings.backup_target).map_err(|message| PanelError::Refused {
                code: "backups_not_configured".into(),
                message,
            })?;
        if settings.backup_password.expose_secret().is_empty() {
            return Err(PanelError::Refused {
                code: "backups_not_configured".into(),
                message: "this process has no HOSTFRONT_WHM_BACKUP_PASSWORD: backups are copied by the worker".into(),
            });
        }
        let params = [
            ("host", target.host.as_str()),
            ("port", target.port.as_str()),
            ("directory", target.directory.as_str()),
            ("username", target.user.as_str()),
            ("password", settings.backup_password.expose_secret()),
        ];
        let started = self
            .uapi(
                &account,
                "Backup",
                "fullbackup_to_scp_with_password",
                &params,
            )
            .await?;
        let now = self.inventory.clock().now();
        let process = started["pid"]
            .as_str()
            .map(str::to_string)
            .or_else(|| started["pid"].as_i64().map(|p| p.to_string()))
            .unwrap_or_default();
        let backup = Backup {
            id: format!("{}-{process}", Inventory::server_name(&account)),
            username: username.to_string(),
            taken_at: hostfront_core::clock::rfc3339(now),
            kept_until: (now.date() + time::Duration::days(settings.backup_days.into()))
                .to_string(),
        };
        let started_at = hostfront_core::store::TxOp::Update {
            key: self.inventory.account_key(username),
            update: Update::new().set("backup_started_at", now.unix_timestamp()),
            condition: Some(Condition::Exists),
        };
        self.inventory
            .finish(idempotency_key, backup, vec![started_at])
            .await
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
            self.api
                .whm(&account.server, "removeacct", &[("username", username)])
                .await
                .map_err(|f| f.into_panel_error("panel_refused"))?;
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_backup_target_is_an_scp_url() {
        let t = backup_target("scp://backup@vault.example.net:2222/srv/hostfront").unwrap();
        assert_eq!(
            (
                t.user.as_str(),
                t.host.as_str(),
                t.port.as_str(),
                t.directory.as_str()
            ),
            ("backup", "vault.example.net", "2222", "/srv/hostfront")
        );
        assert_eq!(backup_target("scp://b@vault/x").unwrap().port, "22");
        for bad in [
            "vault:/x",
            "scp://vault/x",
            "scp://b@vault:ssh/x",
            "scp://b@vault",
        ] {
            assert!(backup_target(bad).is_err(), "{bad}");
        }
    }
}
