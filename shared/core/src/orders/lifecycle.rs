//! The order's lifecycle as data: its states and the moves allowed between
//! them, each with the name it is recorded under. Every status change goes
//! through `change`, which writes the move and its audit entry in one
//! transaction, guarded by the status the order had; a move not in the table
//! is a typed error (409 at the API).

use serde_json::json;
use time::OffsetDateTime;

use super::{Order, OrderStatus, order_key, status_index};
use crate::audit::{Actor, AuditEntry};
use crate::store::{Condition, Table, TableError, Tx, TxError, TxOp, Update};

use OrderStatus::*;

/// Every allowed move: from, to, and the action it is recorded as.
pub const TRANSITIONS: &[(OrderStatus, OrderStatus, &str)] = &[
    (AwaitingPayment, Provisioning, "paid"),
    (AwaitingPayment, PendingReview, "paid_held_for_review"),
    (AwaitingPayment, Cancelled, "cancelled"),
    (PendingReview, Provisioning, "approved"),
    (PendingReview, Rejected, "rejected"),
    (Provisioning, Active, "went_live"),
    (Provisioning, OnHold, "held"),
    (Provisioning, Failed, "failed"),
    (OnHold, Provisioning, "resumed"),
    (Failed, Provisioning, "retried"),
];

/// The action a move from `from` to `to` is recorded as, if it is allowed.
pub fn action(from: OrderStatus, to: OrderStatus) -> Option<&'static str> {
    TRANSITIONS
        .iter()
        .find(|(f, t, _)| *f == from && *t == to)
        .map(|(_, _, action)| *action)
}

/// A move the lifecycle does not allow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("an order that is {} cannot become {}", .from.as_str(), .to.as_str())]
pub struct InvalidTransition {
    pub from: OrderStatus,
    pub to: OrderStatus,
}

/// A status change about to be made.
pub struct Change<'a> {
    pub order: &'a Order,
    pub to: OrderStatus,
    /// Other attributes of the order set in the same write.
    pub update: Update,
    pub actor: Actor,
    pub why: String,
    /// Also require that nothing else wrote the order since it was read at
    /// this version (a cancellation must not pass a payment's claim).
    pub unchanged_since: Option<i64>,
}

/// Why a change's transaction was refused: the order was no longer in the
/// status the change was made from (another request moved it first).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MovedOn;

impl Change<'_> {
    /// Adds the change to `tx`: the order's new status, its place in the
    /// status index and a bumped version, guarded by the status it had (a
    /// failed guard is `reason`), and the audit entry.
    pub fn add_to<R: Copy>(
        self,
        tx: &mut Tx<R>,
        reason: R,
        now: OffsetDateTime,
    ) -> Result<(), InvalidTransition> {
        let from = self.order.status;
        let action = action(from, self.to).ok_or(InvalidTransition { from, to: self.to })?;
        let mut update = self.update.set("status", json!(self.to)).bump_version();
        for (attribute, value) in status_index(self.to, now.unix_timestamp(), &self.order.id) {
            update = update.set(attribute, value);
        }
        let mut condition = Condition::eq("status", json!(from));
        if let Some(version) = self.unchanged_since {
            condition = condition.and(Condition::VersionIs(version));
        }
        tx.guard(
            reason,
            TxOp::Update {
                key: order_key(&self.order.customer_id, &self.order.id),
                update,
                condition: Some(condition),
            },
        );
        tx.push(
            AuditEntry {
                at: crate::clock::rfc3339_millis(now),
                actor: self.actor,
                subject: format!("order:{}", self.order.id),
                customer_id: Some(self.order.customer_id.clone()),
                action: action.into(),
                from: Some(from.as_str().into()),
                to: Some(self.to.as_str().into()),
                why: self.why,
            }
            .put_op(),
        );
        Ok(())
    }

    /// Makes the change on its own; false when the order had moved on.
    pub async fn apply(self, table: &dyn Table, now: OffsetDateTime) -> Result<bool, ChangeError> {
        let mut tx = Tx::new();
        self.add_to(&mut tx, MovedOn, now)?;
        match tx.commit(table).await {
            Ok(()) => Ok(true),
            Err(TxError::Refused(MovedOn)) => Ok(false),
            Err(TxError::Table(error)) => Err(error.into()),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ChangeError {
    #[error(transparent)]
    Invalid(#[from] InvalidTransition),
    #[error(transparent)]
    Table(#[from] TableError),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_allows_each_move_once_and_nothing_leaves_a_final_state() {
        for (i, (from, to, _)) in TRANSITIONS.iter().enumerate() {
            assert!(
                !TRANSITIONS[i + 1..]
                    .iter()
                    .any(|(f, t, _)| f == from && t == to),
                "{from:?} to {to:?} twice"
            );
        }
        for done in [Active, Cancelled, Rejected] {
            assert!(
                TRANSITIONS.iter().all(|(from, _, _)| *from != done),
                "{done:?} is final"
            );
        }
        assert_eq!(action(PendingReview, Provisioning), Some("approved"));
        assert_eq!(action(OnHold, Provisioning), Some("resumed"));
        assert_eq!(action(AwaitingPayment, Active), None);
        assert_eq!(
            InvalidTransition {
                from: Active,
                to: Provisioning
            }
            .to_string(),
            "an order that is active cannot become provisioning"
        );
    }
}
