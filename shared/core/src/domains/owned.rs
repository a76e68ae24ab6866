//! Domains a customer holds through Hostfront's registrar: registered here
//! or transferred in. Each is a record of its own that belongs to the
//! customer and outlives the order that brought it, with its registrar,
//! expiry, auto-renew flag, nameservers and lock.
//!
//! Items (see `docs/data-model.md`):
//! - `CUSTOMER#<id>` / `DOMAIN#<ascii name>`: the domain;
//! - `gsi1`: `DOMAINS#EXPIRY` / `<expiry, epoch seconds>#<name>`, for
//!   renewals and the registry sync, once the expiry is known.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::audit::{Actor, AuditEntry};
use crate::lifecycle::{self, Status};
use crate::store::{
    Condition, Item, Key, Query, SortKey, Table, TableResult, TxOp, Update, all_items, record_item,
    record_of,
};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum OwnedStatus {
    Active,
    /// Transfer requested; the registry has not completed it yet.
    TransferPending,
    /// The transfer in was refused; the customer may start again.
    TransferFailed,
    /// Past its expiry: in the registry's grace or redemption period.
    Expired,
    /// Moved to another registrar.
    TransferredOut,
    /// Released by the registry.
    Deleted,
}

use crate::{CustomerId, OrderId};
use OwnedStatus::*;

impl Status for OwnedStatus {
    const RECORD: &'static str = "domain";
    const NOUN: &'static str = "a domain";
    const TRANSITIONS: &'static [(Self, Self, &'static str)] = &[
        (TransferPending, Active, "transferred_in"),
        (TransferPending, TransferFailed, "transfer_failed"),
        (Active, Expired, "expired"),
        (Expired, Active, "renewed"),
        (Active, TransferredOut, "transferred_out"),
        (Expired, TransferredOut, "transferred_out"),
        (Expired, Deleted, "deleted"),
        (Active, Deleted, "deleted"),
    ];
}

/// A domain held through the registrar, as stored and shown to its owner.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct OwnedDomain {
    /// ASCII form.
    pub name: String,
    pub unicode: String,
    pub customer_id: CustomerId,
    /// The order that brought it.
    pub order_id: OrderId,
    /// The registrar adapter that holds it: `simulated`, `epp`.
    pub registrar: String,
    pub status: OwnedStatus,
    /// Epoch seconds; unknown while a transfer is pending.
    pub expires_at: Option<i64>,
    pub auto_renew: bool,
    pub nameservers: Vec<String>,
    /// Whether the registry refuses transfers away.
    pub locked: bool,
    /// RFC 3339, UTC: when it became the customer's here.
    pub since: String,
    /// The registrant contact, once changed from the account holder.
    #[serde(default)]
    pub registrant: Option<crate::registrar::Contact>,
    /// Epoch seconds: after a change of registrant the domain may not move
    /// to another registrar before then (ICANN Transfer Policy II.C).
    #[serde(default)]
    pub transfer_lock_until: Option<i64>,
    /// Where the registry last said the domain stands (the daily sync or a
    /// refresh asked it): what a renewal quote shown from the record uses.
    #[serde(default)]
    pub phase: Option<crate::registrar::DomainStatus>,
    /// Epoch seconds: when its owner last had it asked of the registry.
    /// Left out until then, so that a refresh's condition finds it absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refreshed_at: Option<i64>,
    #[serde(default)]
    pub v: i64,
}

pub fn key(customer_id: &CustomerId, name: &str) -> Key {
    Key::new(format!("CUSTOMER#{customer_id}"), format!("DOMAIN#{name}"))
}

impl OwnedDomain {
    fn item(&self) -> Item {
        let mut item = record_item(self, &key(&self.customer_id, &self.name), "domain");
        if let Some(expires_at) = self.expires_at {
            item.insert("gsi1pk".into(), "DOMAINS#EXPIRY".into());
            item.insert(
                "gsi1sk".into(),
                format!("{expires_at:012}#{}", self.name).into(),
            );
        } else if self.status == TransferPending {
            // Followed up until the registry completes or refuses it.
            item.insert("gsi1pk".into(), "DOMAINS#TRANSFERS".into());
            item.insert(
                "gsi1sk".into(),
                format!("{}#{}", self.since, self.name).into(),
            );
        }
        item
    }

    /// Creates the record, unless the same order made it already.
    pub fn create_op(&self) -> TxOp {
        TxOp::Put {
            item: self.item(),
            condition: Some(
                Condition::NotExists.or(Condition::eq("order_id", self.order_id.clone())),
            ),
        }
    }

    pub fn of(item: &Item) -> TableResult<OwnedDomain> {
        record_of(item, "domain")
    }

    /// The write that records a renewal to `expires_at`, with the domain's
    /// place in the expiry index.
    pub fn renewed_op(&self, expires_at: i64) -> TxOp {
        TxOp::Update {
            key: key(&self.customer_id, &self.name),
            update: self.renewed(expires_at).bump_version(),
            condition: Some(Condition::Exists),
        }
    }

    /// The attributes a renewal to `expires_at` sets: the expiry and the
    /// domain's place in the expiry index.
    pub fn renewed(&self, expires_at: i64) -> Update {
        Update::new()
            .set("expires_at", expires_at)
            .set("gsi1pk", "DOMAINS#EXPIRY")
            .set("gsi1sk", format!("{expires_at:012}#{}", self.name))
    }

    /// A status change of this domain, recorded as `actor`'s because of `why`.
    pub fn change(
        &self,
        to: OwnedStatus,
        update: Update,
        actor: Actor,
        why: &str,
    ) -> lifecycle::Change<OwnedStatus> {
        lifecycle::Change::of(
            (
                key(&self.customer_id, &self.name),
                self.name.clone(),
                &self.customer_id,
            ),
            self.status,
            to,
            update,
            actor,
            why,
        )
    }
}

/// The domain `name` of `customer_id`, if it is theirs.
pub async fn find(
    table: &dyn Table,
    customer_id: &CustomerId,
    name: &str,
) -> TableResult<Option<OwnedDomain>> {
    table
        .get(&key(customer_id, name))
        .await?
        .map(|item| OwnedDomain::of(&item))
        .transpose()
}

/// Turns auto-renewal of the customer's domain `name` on or off, with an
/// audit entry; the domain as it is now, or None when it is not theirs.
pub async fn set_auto_renew(
    ports: &impl crate::Storage,
    customer_id: &CustomerId,
    name: &str,
    enabled: bool,
) -> TableResult<Option<OwnedDomain>> {
    let by = Changer {
        actor: Actor::Customer(customer_id.into()),
        why: "the customer's choice".into(),
        client: None,
        role: None,
    };
    set_auto_renew_as(ports, customer_id, name, enabled, by).await
}

/// Who turns a domain's auto-renewal, and why, for its audit entry.
pub struct Changer {
    pub actor: Actor,
    pub why: String,
    pub client: Option<String>,
    pub role: Option<String>,
}

/// [`set_auto_renew`], done by `by`.
pub async fn set_auto_renew_as(
    ports: &impl crate::Storage,
    customer_id: &CustomerId,
    name: &str,
    enabled: bool,
    by: Changer,
) -> TableResult<Option<OwnedDomain>> {
    let Some(domain) = find(ports.table(), customer_id, name).await? else {
        return Ok(None);
    };
    if domain.auto_renew != enabled {
        let entry = AuditEntry {
            at: crate::clock::rfc3339_millis(ports.clock().now()),
            actor: by.actor,
            subject: format!("domain:{name}"),
            customer_id: Some(customer_id.into()),
            action: if enabled {
                "auto_renew_on"
            } else {
                "auto_renew_off"
            }
            .into(),
            from: None,
            to: None,
            why: by.why,
            client: by.client,
            role: by.role,
        };
        let change = TxOp::Update {
            key: key(customer_id, name),
            update: Update::new().set("auto_renew", enabled).bump_version(),
            condition: Some(Condition::Exists),
        };
        ports.table().transact(vec![change, entry.put_op()]).await?;
    }
    find(ports.table(), customer_id, name).await
}

/// A customer's domains, by name, however many.
pub async fn of_customer(
    table: &dyn Table,
    customer_id: &CustomerId,
) -> TableResult<Vec<OwnedDomain>> {
    let query = Query::partition(format!("CUSTOMER#{customer_id}"))
        .sort(SortKey::BeginsWith("DOMAIN#".into()));
    all_items(table, query)
        .await?
        .iter()
        .map(OwnedDomain::of)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_domain_that_left_or_was_deleted_stays_gone() {
        lifecycle::assert_well_formed(&[TransferredOut, Deleted, TransferFailed]);
        assert_eq!(OwnedStatus::action(Expired, Active), Some("renewed"));
        assert!(OwnedStatus::check(TransferPending, Expired).is_err());
    }
}
