//! The registry's items in the table: a domain's record and the stored
//! answer of each change, by key.

use serde_json::{Value, json};

use hostfront_core::registrar::{DomainInfo, DomainStatus};
use hostfront_core::store::{Condition, Item, ItemExt, Key, TxOp, Update};

use super::world::{phase, released_at};

pub(super) fn domain_key(domain: &str) -> Key {
    Key::new(format!("SIMREG#{domain}"), "DOMAIN")
}

pub(super) fn operation_key(idempotency_key: &str) -> Key {
    Key::new(format!("SIMREG#OP#{idempotency_key}"), "OP")
}

/// Creates a domain in the registry, version 1, unless it exists (and has
/// not been released: a released name is anyone's).
pub(super) fn create_domain(info: &DomainInfo, extra: &[(&str, Value)], now: i64) -> TxOp {
    let mut item = domain_key(&info.domain).to_item();
    item.insert("kind".into(), "sim_domain".into());
    item.insert("v".into(), 1.into());
    if let Value::Object(fields) = json!(info) {
        item.extend(fields);
    }
    item.extend(
        extra
            .iter()
            .map(|(name, value)| (name.to_string(), value.clone())),
    );
    item.insert(
        "released_at".into(),
        released_at(&info.domain, info.expires_at).into(),
    );
    TxOp::Put {
        item,
        condition: Some(Condition::NotExists.or(Condition::le("released_at", now))),
    }
}

/// The writes that move a domain's expiry to `expires_at`.
pub(super) fn with_expiry(update: Update, domain: &str, expires_at: i64) -> Update {
    update
        .set("expires_at", expires_at)
        .set("released_at", released_at(domain, expires_at))
}

/// The domain as the registry sees it at `now`: an active one past its
/// expiry is in one of the phases after expiry.
pub(super) fn info_of(item: &Item, now: i64) -> DomainInfo {
    let domain = item.str_attr("domain").unwrap_or_default().to_string();
    let expires_at = item.i64_attr("expires_at").unwrap_or(0);
    let stored = serde_json::from_value(item.get("status").cloned().unwrap_or(Value::Null))
        .unwrap_or(DomainStatus::Active);
    let status = match stored {
        DomainStatus::Active => {
            phase(&domain, expires_at, now).unwrap_or(DomainStatus::PendingDelete)
        }
        other => other,
    };
    DomainInfo {
        domain,
        status,
        expires_at,
        nameservers: serde_json::from_value(item.get("nameservers").cloned().unwrap_or(json!([])))
            .unwrap_or_default(),
        locked: item.get("locked").and_then(Value::as_bool).unwrap_or(false),
    }
}
