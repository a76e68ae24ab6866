//! The `HostingPanel` port: what Hostfront asks of the control panel that runs
//! hosting accounts (cPanel, Plesk, DirectAdmin, …). The panel owns its pools:
//! servers with a capacity, and addresses handed out to accounts. Every call
//! that creates something carries an idempotency key, so a replayed
//! provisioning job never creates an account or a mailbox twice.

use async_trait::async_trait;
use secrecy::SecretString;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A hosting account to make; its password never prints (`SecretString`).
#[derive(Debug, Clone)]
pub struct NewAccount {
    pub username: String,
    pub password: SecretString,
    pub domain: String,
    pub plan_id: String,
    /// The server pool: `shared`, `vps` or `dedicated`.
    pub pool: String,
    pub idempotency_key: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct HostingAccount {
    pub username: String,
    pub domain: String,
    pub server: String,
    pub ipv4: String,
    pub ipv6: String,
    /// Where the customer logs in to the panel.
    pub panel_url: String,
    /// The host that receives the account's mail.
    pub mail_host: String,
}

impl HostingAccount {
    /// The address of the account's server on another port of its panel
    /// (cPanel serves webmail on 2096, WHM on 2087).
    pub fn server_url(&self, port: u16) -> String {
        let rest = self
            .panel_url
            .split_once("://")
            .map_or(self.panel_url.as_str(), |(_, rest)| rest);
        let host = rest.split([':', '/']).next().unwrap_or(rest);
        format!("https://{host}:{port}/")
    }
}

/// The ports of a cPanel server's other interfaces.
pub const WEBMAIL_PORT: u16 = 2096;
pub const RESELLER_PORT: u16 = 2087;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct MailSetup {
    /// The site administrator's login (the website's own admin, not the panel).
    pub site_admin: String,
    pub admin_url: String,
    pub mailboxes: Vec<String>,
}

/// What the customer has once the order is live.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct HostingSetup {
    pub account: HostingAccount,
    pub mail: Option<MailSetup>,
    pub nameservers: Vec<String>,
    /// An email hosting plan's mail domain: no website.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mail_domain: Option<MailDomain>,
    /// A reseller plan's reseller interface.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reseller: Option<ResellerAccess>,
    /// A VPS: the virtual machine, which runs it instead of a panel account.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vm: Option<crate::hypervisor::Vm>,
    /// A dedicated or managed server: the machine of the pool that runs it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub machine: Option<crate::machines::ServiceMachine>,
}

/// An email-only account's mail domain, as the panel set it up.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct MailDomain {
    pub domain: String,
    pub mailboxes: Vec<String>,
    /// Where the mailboxes are read in a browser.
    pub webmail_url: String,
    /// The key the panel signs outgoing mail with, to publish in DNS.
    pub dkim: Option<DkimKey>,
}

/// A DKIM public key record: the TXT value `record` at
/// `<selector>._domainkey.<domain>` (RFC 6376, section 3.6.2).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct DkimKey {
    pub selector: String,
    /// `v=DKIM1; k=…; p=…`.
    pub record: String,
}

/// What a reseller plan lets its customer do on the panel: the privileges
/// of the plan's ACL list, and how many accounts and how much disk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResellerTerms {
    /// The panel's name of the plan's privilege list.
    pub acl_list: String,
    /// The privileges in it (WHM's ACL names: `create-acct`, `list-accts`…).
    pub acls: Vec<String>,
    pub account_limit: u32,
    pub disk_limit_mb: u64,
}

/// The reseller interface of a reseller account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ResellerAccess {
    /// Where the reseller logs in (WHM), with the account's own login.
    pub reseller_url: String,
    pub acl_list: String,
    pub account_limit: u32,
    /// Its accounts share the server's address; no addresses of their own.
    pub shared_addresses: bool,
}

/// What the panel holds of an account beyond its place: the plan whose
/// limits it enforces, whether it is suspended, and the sites it serves.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct AccountState {
    pub plan_id: String,
    /// Suspended: the sites and mail stop answering, the data is kept.
    pub suspended: bool,
    /// The domains it serves besides its own, each a site of its own.
    pub sites: Vec<String>,
    pub mailboxes: Vec<String>,
    /// Domains parked on its own domain, each showing the same site.
    pub aliases: Vec<String>,
}

/// What an account uses and may use, as its panel reads it: the panel's
/// own view, which its admins may have changed behind Hostfront's back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct AccountUsage {
    pub username: String,
    /// The package the panel enforces.
    pub plan_id: String,
    pub suspended: bool,
    /// Disk used now, MB.
    pub disk_used_mb: u64,
    /// The panel's disk quota, MB; absent when unlimited.
    pub disk_limit_mb: Option<u64>,
    /// Bandwidth used this calendar month, MB.
    pub bandwidth_used_mb: u64,
    /// The panel's monthly bandwidth limit, MB; absent when unlimited.
    pub bandwidth_limit_mb: Option<u64>,
}

/// A site's TLS certificate, as the panel serves it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Certificate {
    /// The panel's id of this certificate: a renewed one has a new id.
    pub id: String,
    /// The site it is for.
    pub domain: String,
    pub issuer: String,
    /// When it expires, epoch seconds.
    pub expires_at: i64,
}

/// A full backup of an account, kept by the panel after the account is gone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Backup {
    pub id: String,
    pub username: String,
    /// RFC 3339, UTC.
    pub taken_at: String,
    /// How long the panel keeps it, `YYYY-MM-DD`.
    pub kept_until: String,
}

/// A server of the panel's inventory and how full it is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ServerUsage {
    /// `shared`, `vps` or `dedicated`.
    pub pool: String,
    /// The host label, `web1` of `web1.example.net`.
    pub name: String,
    pub capacity: u32,
    pub accounts: u32,
    /// A retired server takes no new accounts; those it has stay.
    pub retired: bool,
}

/// The address pool: how many addresses it has and how many are free.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct AddressUsage {
    pub total: u32,
    pub free: u32,
}

/// The panel's capacity: its servers and its addresses.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Pools {
    pub servers: Vec<ServerUsage>,
    pub addresses: AddressUsage,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PanelError {
    /// Nothing is free: every server of the pool is full, or no address is left.
    /// Staff must add capacity; retrying soon will not help.
    #[error("{0}")]
    NoCapacity(String),
    /// The panel refused the request; retrying the same request will not help.
    #[error("the panel refused: {message}")]
    Refused { code: String, message: String },
    /// Timeouts and outages: worth retrying with the same idempotency key.
    #[error("the hosting panel is unavailable: {0}")]
    Unavailable(String),
}

/// Where the simulated panel's web server shows each account's site, on
/// this site's own origin: `<prefix><username>`.
pub const SIMULATED_SITE_PAGES: &str = "/simulated-panel/sites/";

#[async_trait]
pub trait HostingPanel: Send + Sync {
    fn name(&self) -> &'static str;

    /// Where a browser sees the site of `domain` served from account
    /// `username`: the domain itself, over HTTPS, on a real panel's server.
    fn site_address(&self, username: &str, domain: &str) -> String {
        let _ = username;
        format!("https://{domain}/")
    }

    /// Creates the account on the least loaded server of the pool with room,
    /// with an address of its own from the address pool.
    async fn create_account(&self, request: &NewAccount) -> Result<HostingAccount, PanelError>;

    /// Creates the site administrator and the mailboxes of an account.
    async fn set_up_mail_and_admin(
        &self,
        username: &str,
        admin_email: &str,
        mailboxes: &[String],
        idempotency_key: &str,
    ) -> Result<MailSetup, PanelError>;

    /// Sets up an email-only account's mail domain (its own domain): the
    /// mailboxes, webmail and a DKIM key, once per idempotency key.
    async fn set_up_mail_domain(
        &self,
        username: &str,
        mailboxes: &[String],
        idempotency_key: &str,
    ) -> Result<MailDomain, PanelError>;

    /// Makes the account a reseller on `terms`: its privilege list and
    /// limits. Making it again with the same terms changes nothing.
    async fn make_reseller(
        &self,
        username: &str,
        terms: &ResellerTerms,
    ) -> Result<ResellerAccess, PanelError>;

    async fn account(&self, username: &str) -> Result<Option<HostingAccount>, PanelError>;

    /// The account's plan, suspension, sites and mailboxes, if it exists.
    async fn state(&self, username: &str) -> Result<Option<AccountState>, PanelError>;

    /// The package, suspension and use of the accounts `usernames`, all on
    /// `server`: one read of the server where the panel lists its accounts
    /// at once. An account the server does not have is left out.
    async fn usage(
        &self,
        server: &str,
        usernames: &[String],
    ) -> Result<Vec<AccountUsage>, PanelError>;

    /// The domains the account serves besides its own, if it exists.
    async fn sites(&self, username: &str) -> Result<Option<Vec<String>>, PanelError> {
        Ok(self.state(username).await?.map(|state| state.sites))
    }

    /// The TLS certificate of each of the account's sites.
    async fn certificates(&self, username: &str) -> Result<Vec<Certificate>, PanelError>;

    /// Puts the account on `plan_id`, whose limits the panel then enforces.
    /// Setting the plan it has does nothing.
    async fn set_plan(&self, username: &str, plan_id: &str) -> Result<(), PanelError>;

    /// Suspends the account (sites and mail stop, data kept) or lifts the
    /// suspension; setting what it is does nothing.
    async fn set_suspended(&self, username: &str, suspended: bool) -> Result<(), PanelError>;

    /// Makes `sites` the domains the account serves besides its own.
    async fn set_sites(&self, username: &str, sites: &[String]) -> Result<(), PanelError>;

    /// Parks `alias` on the account's own domain, so that it shows the same
    /// site (cPanel's parked domain); parking it again does nothing.
    async fn add_alias(&self, username: &str, alias: &str) -> Result<(), PanelError>;

    /// Takes the alias away; an alias the account does not have, or an
    /// account that is gone, leaves nothing to do.
    async fn remove_alias(&self, username: &str, alias: &str) -> Result<(), PanelError>;

    /// Takes a full backup of the account, once per idempotency key.
    async fn back_up(&self, username: &str, idempotency_key: &str) -> Result<Backup, PanelError>;

    /// Removes the account with its mailboxes, returning its address and its
    /// place on the server; removing an account that is gone does nothing.
    async fn remove_account(&self, username: &str) -> Result<(), PanelError>;

    /// The servers and addresses this panel places accounts on. Staff
    /// administer them through the methods below, which every panel
    /// forwards there unless it must check something first.
    fn inventory(&self) -> &dyn ServerInventory;

    /// See [`ServerInventory::pools`].
    async fn pools(&self) -> Result<Pools, PanelError> {
        self.inventory().pools().await
    }

    /// See [`ServerInventory::add_server`].
    async fn add_server(&self, pool: &str, name: &str, capacity: u32) -> Result<(), PanelError> {
        self.inventory().add_server(pool, name, capacity).await
    }

    /// See [`ServerInventory::retire_server`].
    async fn retire_server(&self, name: &str) -> Result<(), PanelError> {
        self.inventory().retire_server(name).await
    }

    /// See [`ServerInventory::add_addresses`].
    async fn add_addresses(
        &self,
        first: std::net::Ipv4Addr,
        count: u32,
    ) -> Result<u32, PanelError> {
        self.inventory().add_addresses(first, count).await
    }

    /// See [`ServerInventory::server_names`].
    async fn server_names(&self) -> Result<Vec<String>, PanelError> {
        self.inventory().server_names().await
    }
}

/// What only a simulated panel's own admins can do behind Hostfront's back
/// (the rest, suspending, changing the package, adding domains, they do
/// through the `HostingPanel` calls): for tests and the development tools.
#[async_trait]
pub trait PanelAdmin: Send + Sync {
    /// Sets the account's disk use and this month's bandwidth, MB.
    async fn set_usage(
        &self,
        username: &str,
        disk_used_mb: u64,
        bandwidth_used_mb: u64,
    ) -> Result<(), PanelError>;
}

/// The servers of a panel, in pools, and the addresses its accounts get:
/// the staff's administration of them, whichever panel serves the accounts.
#[async_trait]
pub trait ServerInventory: Send + Sync {
    /// The servers and addresses, with their use.
    async fn pools(&self) -> Result<Pools, PanelError>;

    /// Adds a server of `capacity` accounts to `pool`; adding one that
    /// exists with the same pool changes its capacity.
    async fn add_server(&self, pool: &str, name: &str, capacity: u32) -> Result<(), PanelError>;

    /// Takes a server out of use for new accounts.
    async fn retire_server(&self, name: &str) -> Result<(), PanelError>;

    /// Adds the IPv4 addresses `first` and the `count - 1` after it to the
    /// pool; addresses it has already are left as they are. Returns how
    /// many were new.
    async fn add_addresses(&self, first: std::net::Ipv4Addr, count: u32)
    -> Result<u32, PanelError>;

    /// The host label of every server in the inventory (`web1` of
    /// `web1.example.net`): names no customer may have under the company's zone.
    async fn server_names(&self) -> Result<Vec<String>, PanelError>;
}
