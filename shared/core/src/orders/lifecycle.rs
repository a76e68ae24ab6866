//! The order's lifecycle: its moves, and a change that also files the order
//! under its new status in the status index.

use time::OffsetDateTime;

use crate::stats;

use super::{Order, OrderStatus, order_key, status_index};
use crate::audit::Actor;
use crate::lifecycle::{self, Status, Subject};
pub use crate::lifecycle::{ChangeError, InvalidTransition, MovedOn};
use crate::store::{Table, Tx, Update};

use OrderStatus::*;

impl Status for OrderStatus {
    const RECORD: &'static str = "order";
    const NOUN: &'static str = "an order";
    const TRANSITIONS: &'static [(Self, Self, &'static str)] = &[
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
}

/// A status change of an order about to be made.
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
    /// The address staff acted from, when staff made the change.
    pub client: Option<String>,
    /// The staff member's role, when staff made the change.
    pub role: Option<String>,
}

impl Change<'_> {
    fn into_change(self, now: OffsetDateTime) -> lifecycle::Change<OrderStatus> {
        let mut update = self.update;
        for (attribute, value) in status_index(self.to, now.unix_timestamp(), &self.order.id) {
            update = update.set(attribute, value);
        }
        lifecycle::Change {
            subject: Subject {
                key: order_key(&self.order.customer_id, &self.order.id),
                id: self.order.id.to_string(),
                customer_id: Some(self.order.customer_id.clone()),
            },
            from: self.order.status,
            to: self.to,
            update,
            actor: self.actor,
            why: self.why,
            unchanged_since: self.unchanged_since,
            client: self.client,
            role: self.role,
            also: vec![
                stats::add_op(
                    &stats::orders_in(self.order.status.as_str()),
                    self.order.id.as_str(),
                    -1,
                ),
                stats::add_op(
                    &stats::orders_in(self.to.as_str()),
                    self.order.id.as_str(),
                    1,
                ),
            ],
        }
    }

    /// Adds the change and its audit entry to `tx`; a failed guard is `reason`.
    pub fn add_to<R: Copy>(
        self,
        tx: &mut Tx<R>,
        reason: R,
        now: OffsetDateTime,
    ) -> Result<(), InvalidTransition> {
        self.into_change(now).add_to(tx, reason, now)
    }

    /// Makes the change on its own; false when the order had moved on.
    pub async fn apply(self, table: &dyn Table, now: OffsetDateTime) -> Result<bool, ChangeError> {
        self.into_change(now).apply(table, now).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_allows_each_move_once_and_nothing_leaves_a_final_state() {
        lifecycle::assert_well_formed(&[Active, Cancelled, Rejected]);
        assert_eq!(
            OrderStatus::action(PendingReview, Provisioning),
            Some("approved")
        );
        assert_eq!(OrderStatus::action(OnHold, Provisioning), Some("resumed"));
        assert_eq!(OrderStatus::action(AwaitingPayment, Active), None);
        assert_eq!(
            OrderStatus::check(Active, Provisioning)
                .unwrap_err()
                .to_string(),
            "an order that is active cannot become provisioning"
        );
    }
}
