//! Aliases, cPanel's parked domains: UAPI's `Park::park` and `Park::unpark`
//! (api.docs.cpanel.net, "Park an alias domain on an existing domain" and
//! "Remove a parked (aliased) domain"), parked on the account's own domain;
//! `DomainInfo::list_domains`' `parked_domains` says what is parked, so a
//! retried call whose first answer was lost finds it done.

use hostfront_core::panel::{HostingAccount, PanelError};

use super::WhmPanel;

impl WhmPanel {
    pub(super) async fn parked_domains(
        &self,
        account: &HostingAccount,
    ) -> Result<Vec<String>, PanelError> {
        self.listed_domains(account, "parked_domains").await
    }

    pub(super) async fn park(&self, username: &str, alias: &str) -> Result<(), PanelError> {
        let account = self.placed(username).await?;
        if self
            .parked_domains(&account)
            .await?
            .iter()
            .any(|d| d == alias)
        {
            return Ok(());
        }
        match self
            .uapi(&account, "Park", "park", &[("domain", alias)])
            .await
        {
            Ok(_) => Ok(()),
            // Parked by a try whose answer was lost.
            Err(_)
                if self
                    .parked_domains(&account)
                    .await?
                    .iter()
                    .any(|d| d == alias) =>
            {
                Ok(())
            }
            Err(error) => Err(error),
        }
    }

    pub(super) async fn unpark(&self, username: &str, alias: &str) -> Result<(), PanelError> {
        let Some(account) = self.inventory.account(username).await? else {
            return Ok(());
        };
        if !self
            .parked_domains(&account)
            .await?
            .iter()
            .any(|d| d == alias)
        {
            return Ok(());
        }
        self.uapi(&account, "Park", "unpark", &[("domain", alias)])
            .await
            .map(|_| ())
    }
}
