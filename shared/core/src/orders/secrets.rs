//! An order's secrets (the control-panel password, a transfer's auth code),
//! sealed by the `Sealer` and kept apart from the order in their own item
//! (`ORDER#<id>` / `SECRETS`). The item lapses with the unpaid order's hold;
//! once paid, it is kept for the provisioning to use, and each secret is
//! removed in the same write that records the step that used it.

use crate::OrderId;
use crate::secrets::{SealContext, SealError};
use crate::store::{ItemExt, Key, TxOp, Update};
use crate::{Sealing, Storage};

/// How long a paid order's secrets wait for provisioning to use them.
pub const KEEP_PAID_DAYS: i64 = 30;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Secret {
    PanelPassword,
    AuthCode,
}

impl Secret {
    pub fn name(self) -> &'static str {
        match self {
            Secret::PanelPassword => "panel_password",
            Secret::AuthCode => "auth_code",
        }
    }
}

fn key(order_id: &OrderId) -> Key {
    Key::new(super::children_partition(order_id), "SECRETS")
}

/// Each secret is bound to its item and name (and opens as sealed before
/// seals named their item, for orders placed then).
fn context(order_id: &OrderId, secret: Secret) -> SealContext {
    SealContext::new(&key(order_id), secret.name())
        .formerly(format!("order/{order_id}/{}", secret.name()))
}

/// The write that stores `secrets` of a new order, sealed, until `until`.
pub async fn put_op(
    ports: &impl Sealing,
    order_id: &OrderId,
    secrets: &[(Secret, &str)],
    until: i64,
) -> Result<TxOp, SealError> {
    let mut item = key(order_id).to_item();
    item.insert("kind".into(), "order_secrets".into());
    item.insert("ttl".into(), until.into());
    for (secret, plaintext) in secrets {
        let sealed = ports
            .sealer()
            .seal(plaintext, &context(order_id, *secret))
            .await?;
        item.insert(secret.name().into(), sealed.into());
    }
    Ok(TxOp::Put {
        item,
        condition: Some(crate::store::Condition::NotExists),
    })
}

/// Keeps a paid order's secrets until provisioning has used them.
pub fn keep_for_provisioning_op(order_id: &OrderId, now_secs: i64) -> TxOp {
    TxOp::Update {
        key: key(order_id),
        update: Update::new().set("ttl", now_secs + KEEP_PAID_DAYS * 86_400),
        condition: None,
    }
}

/// Removes `secret` once the step that needed it is done.
pub fn forget_op(order_id: &OrderId, secret: Secret) -> TxOp {
    TxOp::Update {
        key: key(order_id),
        update: Update::new().remove(secret.name()),
        condition: None,
    }
}

/// Deletes every secret of an order that will never be provisioned.
pub fn forget_all_op(order_id: &OrderId) -> TxOp {
    TxOp::Delete {
        key: key(order_id),
        condition: None,
    }
}

/// The secret in plain text, if the order still has it.
pub async fn read(
    ports: &(impl Storage + Sealing),
    order_id: &OrderId,
    secret: Secret,
) -> Result<Option<String>, ReadError> {
    let item = ports.table().get(&key(order_id)).await?;
    let Some(sealed) = item.as_ref().and_then(|i| i.str_attr(secret.name())) else {
        return Ok(None);
    };
    Ok(Some(
        ports
            .sealer()
            .open(sealed, &context(order_id, secret))
            .await?,
    ))
}

#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error(transparent)]
    Table(#[from] crate::store::TableError),
    #[error(transparent)]
    Seal(#[from] SealError),
}
