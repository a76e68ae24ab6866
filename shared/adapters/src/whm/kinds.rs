//! What WHM does for the plans that are not plain web hosting: a
//! mail-only account's mail domain (mailboxes, webmail, DKIM through
//! UAPI's `EmailAuth`), and a reseller (WHM API 1's `saveacllist`,
//! `setupreseller`, `setacls` and `setresellerlimits`).

use hostfront_core::panel::{
    DkimKey, HostingAccount, MailDomain, PanelError, RESELLER_PORT, ResellerAccess, ResellerTerms,
    WEBMAIL_PORT,
};

use super::WhmPanel;

/// The privileges WHM API 1's `saveacllist` documents (api.docs.cpanel.net):
/// a list is saved with every one of them, at 1 when the plan grants it and
/// at 0 otherwise, so a privilege the catalog took away is taken away.
const WHM_ACLS: &[&str] = &[
    "acct-summary",
    "add-pkg",
    "add-pkg-ip",
    "add-pkg-shell",
    "all",
    "allow-addoncreate",
    "allow-emaillimits-pkgs",
    "allow-parkedcreate",
    "allow-shell",
    "allow-unlimited-bw-pkgs",
    "allow-unlimited-disk-pkgs",
    "allow-unlimited-pkgs",
    "basic-system-info",
    "basic-whm-functions",
    "clustering",
    "cpanel-api",
    "cpanel-integration",
    "create-acct",
    "create-dns",
    "create-user-session",
    "demo-setup",
    "digest-auth",
    "edit-account",
    "edit-dns",
    "edit-mx",
    "edit-pkg",
    "file-restore",
    "kill-acct",
    "kill-dns",
    "limit-bandwidth",
    "list-accts",
    "list-pkgs",
    "locale-edit",
    "mailcheck",
    "mysql-info",
    "news",
    "park-dns",
    "passwd",
    "public-contact",
    "quota",
    "rearrange-accts",
    "resftp",
    "restart",
    "show-bandwidth",
    "ssl",
    "ssl-buy",
    "ssl-gencrt",
    "ssl-info",
    "stats",
    "status",
    "suspend-acct",
    "thirdparty",
    "track-email",
    "upgrade-account",
    "viewglobalpackages",
];

impl WhmPanel {
    pub(super) async fn mail_domain(
        &self,
        username: &str,
        mailboxes: &[String],
        idempotency_key: &str,
    ) -> Result<MailDomain, PanelError> {
        if let Some(done) = self.inventory.replay(idempotency_key).await? {
            return Ok(done);
        }
        let account = self.placed(username).await?;
        self.add_mailboxes(&account, mailboxes).await?;
        let setup = MailDomain {
            domain: account.domain.clone(),
            mailboxes: mailboxes.to_vec(),
            webmail_url: account.server_url(WEBMAIL_PORT),
            dkim: self.dkim_key(&account).await?,
        };
        self.inventory.finish(idempotency_key, setup, vec![]).await
    }

    /// Makes sure the domain has a DKIM key (`enable_dkim` installs one
    /// when it has none, and changes nothing otherwise), and reads the
    /// record to publish from `validate_current_dkims`' `expected`.
    async fn dkim_key(&self, account: &HostingAccount) -> Result<Option<DkimKey>, PanelError> {
        let domain = [("domain", account.domain.as_str())];
        self.uapi(account, "EmailAuth", "enable_dkim", &domain)
            .await?;
        let checked = self
            .uapi(account, "EmailAuth", "validate_current_dkims", &domain)
            .await?;
        let expected = checked
            .as_array()
            .into_iter()
            .flatten()
            .find_map(|d| d["expected"].as_str().filter(|e| !e.is_empty()));
        Ok(expected.map(|record| DkimKey {
            // cPanel signs with the `default` selector.
            selector: "default".into(),
            record: record.replace("\\;", ";"),
        }))
    }

    pub(super) async fn reseller(
        &self,
        username: &str,
        terms: &ResellerTerms,
    ) -> Result<ResellerAccess, PanelError> {
        let account = self.placed(username).await?;
        let server = account.server.as_str();
        let refused = |f: super::api::Fault| f.into_panel_error("reseller_refused");
        // The plan's list, written again each time: the catalog may have
        // changed it, and saving a list that exists updates it.
        let granted = |acl: &str| terms.acls.iter().any(|a| a == acl);
        let names: Vec<(String, &str)> = WHM_ACLS
            .iter()
            .map(|acl| (format!("acl-{acl}"), if granted(acl) { "1" } else { "0" }))
            .chain(
                // One the list does not know yet is still granted.
                terms
                    .acls
                    .iter()
                    .filter(|a| !WHM_ACLS.contains(&a.as_str()))
                    .map(|a| (format!("acl-{a}"), "1")),
            )
            .collect();
        let mut list: Vec<(&str, &str)> = vec![("acllist", terms.acl_list.as_str())];
        list.extend(names.iter().map(|(n, v)| (n.as_str(), *v)));
        self.api
            .whm(server, "saveacllist", &list)
            .await
            .map_err(refused)?;
        let user = [("user", username), ("makeowner", "1")];
        self.api
            .whm(server, "setupreseller", &user)
            .await
            .map_err(refused)?;
        let acls = [("reseller", username), ("acllist", terms.acl_list.as_str())];
        self.api
            .whm(server, "setacls", &acls)
            .await
            .map_err(refused)?;
        let accounts = terms.account_limit.to_string();
        let disk = terms.disk_limit_mb.to_string();
        let limits = [
            ("user", username),
            ("enable_account_limit", "1"),
            ("account_limit", accounts.as_str()),
            ("enable_resource_limits", "1"),
            ("diskspace_limit", disk.as_str()),
            ("enable_overselling", "0"),
        ];
        self.api
            .whm(server, "setresellerlimits", &limits)
            .await
            .map_err(refused)?;
        Ok(ResellerAccess {
            reseller_url: account.server_url(RESELLER_PORT),
            acl_list: terms.acl_list.clone(),
            account_limit: terms.account_limit,
            shared_addresses: true,
        })
    }

    /// Removes the account from its server; a reseller with every account
    /// it made for its own customers (`terminatereseller`), which would
    /// otherwise stay on the server, served and never billed.
    pub(super) async fn remove_from_server(
        &self,
        account: &HostingAccount,
    ) -> Result<(), PanelError> {
        let server = account.server.as_str();
        let refused = |f: super::api::Fault| f.into_panel_error("panel_refused");
        let resellers = self
            .api
            .whm(server, "listresellers", &[])
            .await
            .map_err(refused)?;
        let reseller = super::strings(&resellers["reseller"]).contains(&account.username);
        let user = account.username.as_str();
        let removed = if reseller {
            let params = [("user", user), ("terminatereseller", "1")];
            self.api.whm(server, "terminatereseller", &params).await
        } else {
            self.api
                .whm(server, "removeacct", &[("username", user)])
                .await
        };
        removed.map(|_| ()).map_err(refused)
    }
}
