//! Proof that a customer controls a domain registered elsewhere. An
//! `external` order carries a challenge: a TXT record to publish under the
//! domain. Until the `Resolver` finds it, the order cannot be paid, no zone
//! is made for the domain, and the order holds no name: anyone may order a
//! domain registered elsewhere, so an order without proof must not keep its
//! owner from ordering it. Once proven, the order holds the name like any
//! other unpaid order, until its hold ends.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{
    DomainAction, HeldName, Order, OrderError, OrderView, conflict, hold_markers, marker_op,
    order_key,
};
use crate::accounts::{Customer, random_token};
use crate::store::{Condition, Key, Tx, TxError, TxOp, Update};
use crate::{CustomerId, OrderId};
use crate::{Lookups, Settings, Storage};

/// The label under the domain where the proof goes.
const LABEL: &str = "_hostfront-verify";

/// The challenge, as stored on the order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Challenge {
    /// The TXT record's name, e.g. `_hostfront-verify.bakery.com`.
    pub record: String,
    /// The text the record must hold.
    pub value: String,
    /// RFC 3339, UTC; set once the record was found.
    pub verified_at: Option<String>,
}

impl Challenge {
    pub fn new(domain: &str) -> Self {
        Challenge {
            record: format!("{LABEL}.{domain}"),
            value: format!("hostfront-verify={}", random_token()),
            verified_at: None,
        }
    }

    pub fn verified(&self) -> bool {
        self.verified_at.is_some()
    }
}

/// What the customer sees of the challenge.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct OwnershipView {
    /// Always `TXT`.
    pub record_type: &'static str,
    pub name: String,
    pub value: String,
    pub verified: bool,
    /// What to do, in plain words.
    pub instructions: String,
}

impl OwnershipView {
    pub fn of(challenge: &Challenge, unicode: &str) -> Self {
        let instructions = if challenge.verified() {
            format!("You proved that {unicode} is yours.")
        } else {
            format!(
                "Before you pay, show us that {unicode} is yours: at the company that runs its DNS, add a TXT record named {} with the value {}. Then press \"Check now\". New records can take up to an hour to be seen.",
                challenge.record, challenge.value
            )
        };
        OwnershipView {
            record_type: "TXT",
            name: challenge.record.clone(),
            value: challenge.value.clone(),
            verified: challenge.verified(),
            instructions,
        }
    }
}

/// The write that keeps a new order's domain unique. An order for a domain
/// registered elsewhere only checks that no order holds it: it takes the
/// name once its proof is found.
pub fn claim_op(
    action: DomainAction,
    marker: Key,
    order_id: &OrderId,
    customer_id: &CustomerId,
    until: i64,
) -> TxOp {
    match action {
        DomainAction::External => TxOp::Check {
            key: marker,
            condition: Condition::NotExists,
        },
        _ => marker_op(marker, order_id, customer_id, until),
    }
}

/// Why recording a proof did not happen.
#[derive(Debug, Clone, Copy)]
enum NotRecorded {
    /// A concurrent check recorded it first.
    Moved,
    /// Another order holds the name (its owner proved it first).
    Held(HeldName),
}

/// Refuses to go on with an external domain whose ownership is not proven.
pub fn ensure_verified(order: &Order) -> Result<(), OrderError> {
    match &order.ownership {
        Some(challenge) if !challenge.verified() => Err(conflict(
            "domain_not_verified",
            format!(
                "first show that {} is yours: publish the TXT record {} with the value {}, then check again",
                order.domain.unicode, challenge.record, challenge.value
            ),
        )),
        _ => Ok(()),
    }
}

/// Looks for the order's TXT record and, once it is there, records the proof.
pub async fn verify(
    ports: &(impl Storage + Settings + Lookups),
    customer: &Customer,
    order_id: &OrderId,
) -> Result<OrderView, OrderError> {
    let order = super::load(ports, &customer.id, order_id).await?;
    let Some(challenge) = order.ownership.clone() else {
        return Err(conflict(
            "nothing_to_verify",
            "only a domain registered elsewhere needs proof that it is yours",
        ));
    };
    if !challenge.verified() {
        let published = ports.resolver().txt(&challenge.record).await.map_err(|e| {
            tracing::warn!(error = %e, "ownership lookup failed");
            OrderError::Unavailable(
                "we could not look up the record just now; please try again shortly".into(),
            )
        })?;
        if !published.iter().any(|v| v.trim() == challenge.value) {
            return Err(conflict(
                "record_not_found",
                format!(
                    "we did not find a TXT record {} with the value {} yet; new records can take up to an hour to be seen",
                    challenge.record, challenge.value
                ),
            ));
        }
        let proven = Challenge {
            verified_at: Some(crate::clock::rfc3339(ports.clock().now())),
            ..challenge
        };
        let mut tx = Tx::new();
        tx.guard(
            NotRecorded::Moved,
            TxOp::Update {
                key: order_key(&customer.id, order_id),
                update: Update::new()
                    .set("ownership", serde_json::json!(proven))
                    .bump_version(),
                condition: Some(Condition::VersionIs(order.v)),
            },
        );
        // Proven: the order holds its names until its hold ends.
        let zone = &ports.config().subdomain_zone;
        for (name, op) in hold_markers(&order, zone, Some(order.hold_until())) {
            tx.guard(NotRecorded::Held(name), op);
        }
        match tx.commit(ports.table()).await {
            Ok(()) | Err(TxError::Refused(NotRecorded::Moved)) => {}
            Err(TxError::Refused(NotRecorded::Held(name))) => {
                let what = match name {
                    HeldName::Domain => order.domain.unicode.clone(),
                    HeldName::Username => format!("the username {}", order.username),
                };
                return Err(conflict(
                    "domain_taken",
                    format!(
                        "{what} is already part of another order; nothing was charged. Please place a new order"
                    ),
                ));
            }
            Err(TxError::Table(other)) => return Err(other.into()),
        }
    }
    let order = super::load(ports, &customer.id, order_id).await?;
    super::view(ports, order).await
}
