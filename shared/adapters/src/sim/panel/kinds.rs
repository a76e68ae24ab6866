//! What the simulated panel does for the plans that are not plain web
//! hosting: a mail-only account's mail domain, and a reseller's
//! privileges. Both are kept on the account's record, like the rest.

use serde_json::json;

use hostfront_core::panel::HostingPanel;
use hostfront_core::panel::{
    DkimKey, MailDomain, PanelError, RESELLER_PORT, ResellerAccess, ResellerTerms, WEBMAIL_PORT,
};
use hostfront_core::store::{Condition, TxOp, Update};

use super::{Keyed, SimulatedPanel};
use crate::inventory::no_such_account;

/// A fresh Ed25519 DKIM key's public record (RFC 8463). The simulation
/// signs no mail, so the private half is dropped.
fn new_dkim_key() -> Result<DkimKey, PanelError> {
    use base64::Engine;
    use ring::signature::{Ed25519KeyPair, KeyPair};
    let random = ring::rand::SystemRandom::new();
    let failed = || PanelError::Unavailable("could not make a DKIM key".into());
    let pkcs8 = Ed25519KeyPair::generate_pkcs8(&random).map_err(|_| failed())?;
    let pair = Ed25519KeyPair::from_pkcs8(pkcs8.as_ref()).map_err(|_| failed())?;
    let public = base64::engine::general_purpose::STANDARD.encode(pair.public_key().as_ref());
    Ok(DkimKey {
        selector: "default".into(),
        record: format!("v=DKIM1; k=ed25519; p={public}"),
    })
}

impl SimulatedPanel {
    pub(super) async fn mail_domain(
        &self,
        username: &str,
        mailboxes: &[String],
        idempotency_key: &str,
    ) -> Result<MailDomain, PanelError> {
        let account = match self.keyed_call(username, idempotency_key).await? {
            Keyed::Answered(done) => return Ok(done),
            Keyed::First(account) => account,
        };
        if let Some(outside) = mailboxes
            .iter()
            .find(|m| !m.ends_with(&format!("@{}", account.domain)))
        {
            return Err(PanelError::Refused {
                code: "invalid_mailbox".into(),
                message: format!("{outside} is not an address of {}", account.domain),
            });
        }
        // The domain keeps the key it has: the zone publishes it.
        let kept = self
            .account_item(username)
            .await?
            .and_then(|item| item.get("mail_domain").cloned())
            .and_then(|m| serde_json::from_value::<MailDomain>(m).ok())
            .and_then(|m| m.dkim);
        let dkim = match kept {
            Some(key) => key,
            None => new_dkim_key()?,
        };
        let setup = MailDomain {
            domain: account.domain.clone(),
            mailboxes: mailboxes.to_vec(),
            webmail_url: account.server_url(WEBMAIL_PORT),
            dkim: Some(dkim),
        };
        let store = TxOp::Update {
            key: self.inventory.account_key(username),
            update: Update::new().set("mail_domain", json!(setup)),
            condition: Some(Condition::Exists),
        };
        self.inventory
            .finish(idempotency_key, setup, vec![store])
            .await
    }

    pub(super) async fn reseller(
        &self,
        username: &str,
        terms: &ResellerTerms,
    ) -> Result<ResellerAccess, PanelError> {
        let account = self
            .account(username)
            .await?
            .ok_or_else(|| no_such_account(username))?;
        let reseller = json!({
            "acl_list": terms.acl_list,
            "acls": terms.acls,
            "account_limit": terms.account_limit,
            "disk_limit_mb": terms.disk_limit_mb,
        });
        self.change_account(username, Update::new().set("reseller", reseller))
            .await?;
        Ok(ResellerAccess {
            reseller_url: account.server_url(RESELLER_PORT),
            acl_list: terms.acl_list.clone(),
            account_limit: terms.account_limit,
            shared_addresses: true,
        })
    }

    /// The reseller privileges kept on the account, if it is a reseller.
    pub async fn reseller_terms(
        &self,
        username: &str,
    ) -> Result<Option<ResellerTerms>, PanelError> {
        let Some(item) = self.account_item(username).await? else {
            return Err(no_such_account(username));
        };
        let Some(r) = item.get("reseller") else {
            return Ok(None);
        };
        Ok(Some(ResellerTerms {
            acl_list: r["acl_list"].as_str().unwrap_or_default().to_string(),
            acls: serde_json::from_value(r["acls"].clone()).unwrap_or_default(),
            account_limit: r["account_limit"].as_u64().unwrap_or(0) as u32,
            disk_limit_mb: r["disk_limit_mb"].as_u64().unwrap_or(0),
        }))
    }
}
