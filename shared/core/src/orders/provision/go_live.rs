//! The end of provisioning: in one transaction the order becomes active, the
//! customer's hosting service is created, and so is the record of a domain
//! registered or transferred in. Each is created once: a repeated go-live
//! finds the order moved on and writes nothing.

use serde_json::Value;
use time::OffsetDateTime;

use super::nameservers;
use super::saga::Saga;
use crate::audit::Actor;
use crate::catalog::cycle_months;
use crate::domains::owned::{OwnedDomain, OwnedStatus};
use crate::orders::lifecycle::{Change, MovedOn};
use crate::orders::{DomainAction, Order, OrderStatus};
use crate::panel::HostingSetup;
use crate::registrar::DomainInfo;
use crate::store::{TableError, Tx, TxError, Update};
use crate::subscriptions::{Subscription, SubscriptionStatus};
use crate::{Catalogs, Provisioning, Registry, Settings, Storage};

impl<P: Provisioning> Saga<'_, P> {
    pub(super) async fn go_live(&self) -> Result<(), TableError> {
        let Some(account) = self.account.clone() else {
            return Err(TableError::Backend("live without an account".into()));
        };
        let hosting = HostingSetup {
            account,
            mail: self.mail.clone(),
            nameservers: nameservers(self.ports),
            mail_domain: self.mail_domain.clone(),
            reseller: self.reseller.clone(),
            vm: self.vm.clone(),
            machine: self.machine.clone(),
        };
        let now = self.ports.clock().now();
        let subscription = subscription(self.ports, &self.order, hosting, now).await?;
        let mut tx = Tx::new();
        Change {
            order: &self.order,
            to: OrderStatus::Active,
            update: Update::new()
                .set("service_id", subscription.id.clone())
                .remove("hold_reason")
                .remove("customer_message")
                .remove("failed_step"),
            actor: Actor::system("provisioning"),
            why: "every step done".into(),
            unchanged_since: None,
            client: None,
            role: None,
        }
        .add_to(&mut tx, MovedOn, now)
        .map_err(|invalid| TableError::Backend(invalid.to_string()))?;
        tx.push(subscription.create_op())
            .extend(subscription.counted(1, now));
        if let Some(domain) = owned_domain(self.ports, &self.order, self.domain.as_ref(), now) {
            tx.push(domain.create_op());
        }
        match tx.commit(self.ports.table()).await {
            Ok(()) => tracing::info!(order = %self.order.id, "order live"),
            Err(TxError::Refused(MovedOn)) => {}
            Err(TxError::Table(error)) => return Err(error),
        }
        Ok(())
    }
}

/// The hosting service `order` creates, starting at `started`.
pub async fn subscription(
    ports: &(impl Storage + Catalogs),
    order: &Order,
    hosting: HostingSetup,
    started: OffsetDateTime,
) -> Result<Subscription, TableError> {
    let price = match order.plan_price {
        Some(price) => price,
        // Orders placed before the price was kept on them: today's price.
        None => ports
            .catalog()
            .get(ports.table(), ports.clock())
            .await?
            .plan(&order.plan_id)
            .and_then(|plan| plan.prices.get(&order.cycle).copied())
            .unwrap_or_default(),
    };
    let months = cycle_months(&order.cycle).unwrap_or(1);
    Ok(Subscription {
        id: order.id.to_string(),
        customer_id: order.customer_id.clone(),
        order_id: order.id.clone(),
        plan_id: order.plan_id.clone(),
        plan_name: order.plan_name.clone(),
        plan_kind: order.plan_kind,
        cycle: order.cycle.clone(),
        price,
        currency: order.currency.clone(),
        status: SubscriptionStatus::Active,
        domain: order.domain.name.clone(),
        started_at: crate::clock::rfc3339(started),
        next_due: crate::clock::add_months(started.date(), months).to_string(),
        hosting,
        cancel_at: None,
        park_domain: false,
        ended_at: None,
        torn_down_at: None,
        backup: None,
        sites: Vec::new(),
        elsewhere_since: None,
        zone: order.zone.clone(),
        v: 1,
    })
}

/// The record of the domain the order registered or transferred in, if it
/// did, from what its domain step obtained (`domain_step`).
pub fn owned_domain(
    ports: &(impl Settings + Registry),
    order: &Order,
    domain_step: Option<&Value>,
    since: OffsetDateTime,
) -> Option<OwnedDomain> {
    let registered: Option<DomainInfo> =
        domain_step.and_then(|result| serde_json::from_value(result.clone()).ok());
    let (status, expires_at, nameservers, locked) = match (order.domain.action, registered) {
        (DomainAction::Register, Some(info)) => (
            OwnedStatus::Active,
            Some(info.expires_at),
            info.nameservers,
            info.locked,
        ),
        (DomainAction::Transfer, _) => (
            OwnedStatus::TransferPending,
            None,
            nameservers(ports),
            false,
        ),
        _ => return None,
    };
    Some(OwnedDomain {
        name: order.domain.name.clone(),
        unicode: order.domain.unicode.clone(),
        customer_id: order.customer_id.clone(),
        order_id: order.id.clone(),
        registrar: ports.registrar().name().into(),
        status,
        expires_at,
        auto_renew: true,
        nameservers,
        locked,
        since: crate::clock::rfc3339(since),
        registrant: None,
        transfer_lock_until: None,
        phase: None,
        refreshed_at: None,
        v: 1,
    })
}
