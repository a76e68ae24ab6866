//! An account on its server, through WHM's API: whether it is there, its
//! record, its mailboxes and addon domains, and making it.

use secrecy::ExposeSecret;
use serde_json::Value;

use hostfront_core::panel::{HostingAccount, NewAccount, PanelError};

use super::api::Fault;
use super::{WhmPanel, strings};

impl WhmPanel {
    /// WHM's record of the account, if its server has it. `listaccts`
    /// with an exact search answers an empty list for an account that is
    /// not there, so any refusal means "unknown", never "absent": the
    /// caller stops and retries rather than make or skip anything.
    pub(super) async fn summary(
        &self,
        account: &HostingAccount,
    ) -> Result<Option<Value>, PanelError> {
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

    pub(super) async fn uapi(
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
    pub(super) async fn mailboxes(
        &self,
        account: &HostingAccount,
    ) -> Result<Vec<String>, PanelError> {
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

    /// Adds those of `mailboxes` the account has not: each with a random
    /// password the customer replaces in cPanel, never stored nor shown.
    pub(super) async fn add_mailboxes(
        &self,
        account: &HostingAccount,
        mailboxes: &[String],
    ) -> Result<(), PanelError> {
        let existing = self.mailboxes(account).await?;
        for address in mailboxes.iter().filter(|m| !existing.contains(m)) {
            let Some((local, domain)) = address.split_once('@') else {
                return Err(PanelError::Refused {
                    code: "invalid_mailbox".into(),
                    message: format!("{address:?} is not a mail address"),
                });
            };
            let password = hostfront_core::accounts::random_token();
            let params = [
                ("email", local),
                ("domain", domain),
                ("password", password.as_str()),
                ("quota", "0"),
            ];
            match self.uapi(account, "Email", "add_pop", &params).await {
                Ok(_) => {}
                // Made by a try whose answer was lost.
                Err(_) if self.mailboxes(account).await?.contains(address) => {}
                Err(error) => return Err(error),
            }
        }
        Ok(())
    }

    pub(super) async fn addon_domains(
        &self,
        account: &HostingAccount,
    ) -> Result<Vec<String>, PanelError> {
        self.listed_domains(account, "addon_domains").await
    }

    /// One list of UAPI's `DomainInfo::list_domains`: `addon_domains`,
    /// `parked_domains`.
    pub(super) async fn listed_domains(
        &self,
        account: &HostingAccount,
        list: &str,
    ) -> Result<Vec<String>, PanelError> {
        let domains = self
            .uapi(account, "DomainInfo", "list_domains", &[])
            .await?;
        Ok(strings(&domains[list]))
    }

    pub(super) async fn make_account(
        &self,
        request: &NewAccount,
        account: HostingAccount,
    ) -> Result<HostingAccount, PanelError> {
        let params = [
            ("username", request.username.as_str()),
            ("domain", request.domain.as_str()),
            ("plan", request.plan_id.as_str()),
            ("password", request.password.expose_secret()),
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
    pub(super) async fn made(&self, account: &HostingAccount) -> Result<bool, PanelError> {
        Ok(self
            .summary(account)
            .await?
            .is_some_and(|made| made["domain"].as_str() == Some(account.domain.as_str())))
    }
}
