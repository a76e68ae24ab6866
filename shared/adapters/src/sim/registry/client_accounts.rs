//! Client accounts, as a registrar that keeps one per customer has them
//! (OpenSRS's `reg_username` and `reg_password` profiles): when the
//! simulation requires them, every registration and transfer names an
//! account made first, with its password. Each account is its own
//! partition, `SIMREG#ACCOUNT#<username>`: the account (`ACCOUNT`: a hash of
//! its password and the key that made it) and one `DOMAIN#<name>` item per
//! domain registered or transferred under it.

use sha2::{Digest, Sha256};

use hostfront_core::registrar::{ClientAccount, RegistrarError};
use hostfront_core::store::{Condition, ItemExt, Key, Query, SortKey, TableError, TxOp, all_items};

use super::{SimulatedRegistry, backend, refused};

fn partition(username: &str) -> String {
    format!("SIMREG#ACCOUNT#{username}")
}

fn account_key(username: &str) -> Key {
    Key::new(partition(username), "ACCOUNT")
}

/// The password as the simulation keeps it: a digest bound to the username.
fn password_hash(account: &ClientAccount) -> String {
    let digest = Sha256::digest(format!("{}\n{}", account.username, account.password));
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

impl SimulatedRegistry {
    pub(super) async fn create_account(
        &self,
        account: &ClientAccount,
        idempotency_key: &str,
    ) -> Result<(), RegistrarError> {
        self.round_trip().await?;
        if account.username.is_empty() || account.password.is_empty() {
            return Err(refused(
                "invalid_client_account",
                "a client account needs a username and a password",
            ));
        }
        let mut item = account_key(&account.username).to_item();
        item.insert("kind".into(), "sim_client_account".into());
        item.insert("password_hash".into(), password_hash(account).into());
        item.insert("key".into(), idempotency_key.into());
        item.insert("created_at".into(), self.clock.now_secs().into());
        match self.table.put(item, Some(Condition::NotExists)).await {
            Ok(_) => Ok(()),
            Err(TableError::ConditionFailed) => {
                let made = self
                    .table
                    .get(&account_key(&account.username))
                    .await
                    .map_err(backend)?;
                match made.as_ref().and_then(|i| i.str_attr("key")) {
                    Some(key) if key == idempotency_key => Ok(()),
                    _ => Err(refused(
                        "client_account_taken",
                        format!("the username {} is taken", account.username),
                    )),
                }
            }
            Err(other) => Err(backend(other)),
        }
    }

    /// Refuses a change that names no account when accounts are required,
    /// or an account that does not exist or with the wrong password. The
    /// write that files the domain under the account, if one is named.
    pub(super) async fn authorise(
        &self,
        account: Option<&ClientAccount>,
        domain: &str,
    ) -> Result<Option<TxOp>, RegistrarError> {
        let Some(account) = account else {
            if self.settings.client_accounts {
                return Err(refused(
                    "client_account_required",
                    "this registrar needs the customer's client account for every registration and transfer",
                ));
            }
            return Ok(None);
        };
        let stored = self
            .table
            .get(&account_key(&account.username))
            .await
            .map_err(backend)?;
        if stored.as_ref().and_then(|i| i.str_attr("password_hash"))
            != Some(password_hash(account).as_str())
        {
            return Err(refused(
                "client_account_denied",
                "the client account's username or password is not correct",
            ));
        }
        let mut item = Key::new(partition(&account.username), format!("DOMAIN#{domain}")).to_item();
        item.insert("kind".into(), "sim_client_account_domain".into());
        item.insert("domain".into(), domain.into());
        Ok(Some(TxOp::Put {
            item,
            condition: None,
        }))
    }

    /// The domains registered or transferred under the account `username`.
    pub async fn client_account_domains(
        &self,
        username: &str,
    ) -> Result<Vec<String>, RegistrarError> {
        let query =
            Query::partition(partition(username)).sort(SortKey::BeginsWith("DOMAIN#".into()));
        let items = all_items(self.table.as_ref(), query)
            .await
            .map_err(backend)?;
        Ok(items
            .iter()
            .filter_map(|i| i.str_attr("domain").map(str::to_string))
            .collect())
    }
}
