//! Writing accounts: a new one with its password sealed, the password opened
//! for the registrar, and a domain filed under an account.

use serde_json::Value;

use super::{KIND, RegistrarAccount, key};
use crate::ids::RegistrarAccountId;
use crate::secrets::{SealContext, SealError};
use crate::store::{
    Condition, ItemExt, Key, TableError, TableResult, TxOp, Update, VERSION, record_item,
};
use crate::{CustomerId, Sealing, Storage};

/// The attribute that holds the sealed password.
const PASSWORD: &str = "password_sealed";

/// Tries at filing a domain while other writes change the account.
const ATTEMPTS: usize = 5;

fn context(account: &RegistrarAccount) -> SealContext {
    SealContext::new(
        &key(&account.customer_id, &account.id),
        "registrar_password",
    )
}

/// The write that stores `account` with `password` sealed, unless an
/// account with its id exists.
pub async fn new_account(
    ports: &impl Sealing,
    account: &RegistrarAccount,
    password: &str,
) -> Result<TxOp, SealError> {
    let sealed = ports.sealer().seal(password, &context(account)).await?;
    let mut item = record_item(account, &key(&account.customer_id, &account.id), KIND);
    item.insert(PASSWORD.into(), sealed.into());
    item.insert(VERSION.into(), 1.into());
    Ok(TxOp::Put {
        item,
        condition: Some(Condition::NotExists),
    })
}

#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    #[error(transparent)]
    Table(#[from] TableError),
    #[error(transparent)]
    Seal(#[from] SealError),
    #[error("the registrar account {0} has no password")]
    Missing(RegistrarAccountId),
}

/// The write that claims the account's username at its registrar for good,
/// unless another account of anybody's holds it: usernames are the
/// registrar's, one namespace for all its customers.
pub fn claim_username_op(account: &RegistrarAccount) -> TxOp {
    let mut item = Key::new(
        format!("REGUSERNAME#{}#{}", account.registrar, account.username),
        "MARKER",
    )
    .to_item();
    item.insert("kind".into(), "marker".into());
    item.insert("account_id".into(), account.id.as_str().into());
    item.insert("customer_id".into(), account.customer_id.as_str().into());
    TxOp::Put {
        item,
        condition: Some(Condition::NotExists),
    }
}

/// The account's password in plain text, for the registrar.
pub async fn open_password(
    ports: &(impl Storage + Sealing),
    account: &RegistrarAccount,
) -> Result<String, OpenError> {
    let item = ports
        .table()
        .get(&key(&account.customer_id, &account.id))
        .await?;
    let sealed = item
        .as_ref()
        .and_then(|i| i.str_attr(PASSWORD))
        .ok_or_else(|| OpenError::Missing(account.id.clone()))?;
    Ok(ports.sealer().open(sealed, &context(account)).await?)
}

/// Files `domain` under the account, once however often it is asked.
pub async fn add_domain(
    ports: &impl Storage,
    customer_id: &CustomerId,
    id: &RegistrarAccountId,
    domain: &str,
) -> TableResult<()> {
    let key = key(customer_id, id);
    for _ in 0..ATTEMPTS {
        let Some(item) = ports.table().get(&key).await? else {
            return Err(TableError::Backend(format!(
                "registrar account {id} is missing"
            )));
        };
        let mut domains: Vec<Value> = match item.get("domains") {
            Some(Value::Array(domains)) => domains.clone(),
            _ => Vec::new(),
        };
        if domains.iter().any(|d| d.as_str() == Some(domain)) {
            return Ok(());
        }
        domains.push(domain.into());
        let version = item.i64_attr(VERSION).unwrap_or(0);
        let update = Update::new()
            .set("domains", Value::Array(domains))
            .bump_version();
        match ports
            .table()
            .update(&key, update, Some(Condition::VersionIs(version)))
            .await
        {
            Ok(_) => return Ok(()),
            Err(TableError::ConditionFailed) => continue,
            Err(other) => return Err(other),
        }
    }
    Err(TableError::Backend(format!(
        "registrar account {id} kept changing"
    )))
}
