//! Services: what a customer has once an order is live, and keeps for years.
//! A hosting service is a subscription with a plan, a billing cycle, a price
//! and a next due date; it belongs to the customer and outlives the order
//! that created it (its id is that order's id, so making it twice is making
//! it once).
//!
//! Items (see `docs/data-model.md`):
//! - `CUSTOMER#<id>` / `SERVICE#<service id>`: the service;
//! - `gsi1`: `SERVICES#DUE` / `<next due date>#<service id>`, for the
//!   billing run, while the service is active or suspended;
//! - `gsi2`: `SERVICES#CANCEL` / `<day it ends>#<service id>`, while a
//!   cancellation is pending or its teardown is under way.

pub mod addons;
pub mod billing;
pub mod cancel;
pub mod panel;
pub mod panel_state;
pub mod pay;
pub mod sites;
mod upgrade;
pub mod zone_records;

use crate::money::Currency;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::audit::Actor;
use crate::catalog::PlanKind;
use crate::lifecycle::{self, Status};
use crate::panel::HostingSetup;
use crate::store::{
    Condition, Item, Key, Query, SortKey, Table, TableResult, TxOp, Update, all_items, record_item,
    record_of,
};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SubscriptionStatus {
    Active,
    /// Stopped by staff (unpaid, abuse); the data is kept.
    Suspended,
    /// Ended; nothing more is billed.
    Cancelled,
}

use crate::{CustomerId, OrderId};
use SubscriptionStatus::*;

impl Status for SubscriptionStatus {
    const RECORD: &'static str = "service";
    const NOUN: &'static str = "a service";
    const TRANSITIONS: &'static [(Self, Self, &'static str)] = &[
        (Active, Suspended, "suspended"),
        (Suspended, Active, "unsuspended"),
        (Active, Cancelled, "cancelled"),
        (Suspended, Cancelled, "cancelled"),
    ];
}

/// A hosting service, as stored and shown to its owner.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Subscription {
    pub id: String,
    pub customer_id: CustomerId,
    /// The order that created it.
    pub order_id: OrderId,
    pub plan_id: String,
    pub plan_name: String,
    pub plan_kind: PlanKind,
    /// `monthly` or `annual`.
    pub cycle: String,
    /// Per cycle, before tax, in minor units.
    pub price: i64,
    pub currency: Currency,
    pub status: SubscriptionStatus,
    /// The site's domain, ASCII.
    pub domain: String,
    /// RFC 3339, UTC.
    pub started_at: String,
    /// The first day of the next period, `YYYY-MM-DD`.
    pub next_due: String,
    /// The account, its mail and the nameservers.
    pub hosting: HostingSetup,
    /// The day a requested cancellation takes effect, `YYYY-MM-DD`.
    #[serde(default)]
    pub cancel_at: Option<String>,
    /// When it ends, its domain (registered here) stays, parked.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub park_domain: bool,
    /// RFC 3339, UTC: when the cancellation took effect, the service was
    /// suspended and its teardown began. Absent until then (conditions ask
    /// whether it exists).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ended_at: Option<String>,
    /// RFC 3339, UTC: when the account, its mail and its zone were removed.
    #[serde(default)]
    pub torn_down_at: Option<String>,
    /// The backup taken before the account was removed.
    #[serde(default)]
    pub backup: Option<crate::panel::Backup>,
    /// The domains served besides `domain`, each a site of its own.
    #[serde(default)]
    pub sites: Vec<String>,
    /// `YYYY-MM-DD`: the first of the consecutive days on which the
    /// domain's nameservers and web address pointed elsewhere, while they do.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub elsewhere_since: Option<String>,
    /// A DNS-only or domain-only service: what our nameservers serve.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub zone: Option<crate::zone::customer::ZoneUse>,
    #[serde(default)]
    pub v: i64,
}

pub fn key(customer_id: &CustomerId, service_id: &str) -> Key {
    Key::new(
        format!("CUSTOMER#{customer_id}"),
        format!("SERVICE#{service_id}"),
    )
}

impl Subscription {
    /// Whether an account on the hosting panel runs it; a VPS runs on
    /// the hypervisor and a dedicated or managed server on its machine,
    /// and their sites, mail and certificates are their own.
    pub fn on_panel(&self) -> bool {
        self.hosting.vm.is_none() && self.hosting.machine.is_none() && self.zone.is_none()
    }

    fn item(&self) -> Item {
        let mut item = record_item(self, &key(&self.customer_id, &self.id), "service");
        item.insert("gsi1pk".into(), "SERVICES#DUE".into());
        item.insert(
            "gsi1sk".into(),
            format!("{}#{}", self.next_due, self.id).into(),
        );
        item
    }

    /// Creates the service, unless it exists already (a repeated go-live).
    pub fn create_op(&self) -> TxOp {
        TxOp::Put {
            item: self.item(),
            condition: Some(Condition::NotExists),
        }
    }

    pub fn of(item: &Item) -> TableResult<Subscription> {
        record_of(item, "service")
    }

    /// A status change of this service, recorded as `actor`'s because of
    /// `why`; to end it, `cancel`, which also moves the dashboard's counters.
    pub fn change(
        &self,
        to: SubscriptionStatus,
        update: Update,
        actor: Actor,
        why: &str,
    ) -> lifecycle::Change<SubscriptionStatus> {
        debug_assert_ne!(to, Cancelled, "a service ends through `cancel`");
        lifecycle::Change::of(
            (
                key(&self.customer_id, &self.id),
                self.id.clone(),
                &self.customer_id,
            ),
            self.status,
            to,
            update,
            actor,
            why,
        )
    }

    /// The service ends at `now`: it leaves the billing run and the
    /// cancellations to make, and the counters of live services, of monthly
    /// revenue and of the month's ends move with it.
    pub fn cancel(
        &self,
        update: Update,
        actor: Actor,
        why: &str,
        now: time::OffsetDateTime,
    ) -> lifecycle::Change<SubscriptionStatus> {
        let update = update
            .remove("gsi1pk")
            .remove("gsi1sk")
            .remove("gsi2pk")
            .remove("gsi2sk");
        let mut change = lifecycle::Change::of(
            (
                key(&self.customer_id, &self.id),
                self.id.clone(),
                &self.customer_id,
            ),
            self.status,
            Cancelled,
            update,
            actor,
            why,
        );
        change.also = self.counted(-1, now);
        change
    }

    /// The dashboard's counters of live services and monthly revenue, and
    /// the month's counters of services started or ended and of how the
    /// revenue moved, by `sign` (1 when the service starts at `at`, -1 when
    /// it ends then).
    pub fn counted(&self, sign: i64, at: time::OffsetDateTime) -> Vec<TxOp> {
        use crate::stats;
        let month = stats::month_of(at);
        let monthly = sign * stats::monthly(self.price, &self.cycle);
        let moved = match sign {
            1 => stats::services_started(&month),
            _ => stats::services_ended(&month),
        };
        vec![
            stats::add_op(&stats::services_of(self.plan_kind.as_str()), &self.id, sign),
            stats::add_op(&stats::mrr(&self.currency), &self.id, monthly),
            stats::add_op(&moved, &self.id, 1),
            stats::add_op(&stats::mrr_moved(&month, &self.currency), &self.id, monthly),
        ]
    }
}

/// The service `service_id` of `customer_id`, if it exists.
pub async fn find(
    table: &dyn Table,
    customer_id: &CustomerId,
    service_id: &str,
) -> TableResult<Option<Subscription>> {
    table
        .get(&key(customer_id, service_id))
        .await?
        .map(|item| Subscription::of(&item))
        .transpose()
}

/// A customer's services, oldest first, however many.
pub async fn of_customer(
    table: &dyn Table,
    customer_id: &CustomerId,
) -> TableResult<Vec<Subscription>> {
    let query = Query::partition(format!("CUSTOMER#{customer_id}"))
        .sort(SortKey::BeginsWith("SERVICE#".into()));
    all_items(table, query)
        .await?
        .iter()
        .map(Subscription::of)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cancelled_service_stays_cancelled() {
        lifecycle::assert_well_formed(&[Cancelled]);
        assert_eq!(
            SubscriptionStatus::action(Suspended, Active),
            Some("unsuspended")
        );
        assert_eq!(
            SubscriptionStatus::check(Cancelled, Active)
                .unwrap_err()
                .to_string(),
            "a service that is cancelled cannot become active"
        );
    }
}
