//! The simulated provider's dashboard: its payments (captures, listed by
//! the `gsi1` partition `SIMPAY#PAYMENTS`) and saved cards
//! (`SIMPAY#CARDS`), and what someone at the provider does to them. Each
//! action changes the simulation's own ledger and queues the event Stripe
//! would send about it, in one transaction, so that neither is ever
//! without the other.

use serde_json::{Value, json};

use hostfront_core::payments::sim_dashboard::{
    DashboardError, ProviderDashboard, SimulatedCard, SimulatedDispute, SimulatedPayment,
};
use hostfront_core::store::{Condition, Index, Item, ItemExt, Query, TableError, TxOp, Update};

use super::events::{shown, unavailable};
use super::{SimulatedGateway, entry_key};

pub(super) const PAYMENTS: &str = "SIMPAY#PAYMENTS";
pub(super) const CARDS: &str = "SIMPAY#CARDS";

/// The reasons a cardholder may give, as Stripe names them.
const REASONS: [&str; 6] = [
    "fraudulent",
    "product_not_received",
    "product_unacceptable",
    "duplicate",
    "subscription_canceled",
    "general",
];

fn payment_of(entry: &Item) -> SimulatedPayment {
    let text = |name: &str| entry.str_attr(name).unwrap_or_default().to_string();
    let amount = entry.i64_attr("amount").unwrap_or_default();
    SimulatedPayment {
        id: text("id"),
        reference: text("reference"),
        amount,
        currency: text("currency"),
        refunded: amount - entry.i64_attr("remaining").unwrap_or(amount),
        card_last4: text("card_last4"),
        created: entry.i64_attr("at").unwrap_or_default(),
        dispute: entry.str_attr("dispute_id").map(|id| SimulatedDispute {
            id: id.to_string(),
            reason: text("dispute_reason"),
            status: text("dispute_status"),
            opened: entry.i64_attr("dispute_opened").unwrap_or_default(),
        }),
    }
}

fn card_of(entry: &Item) -> SimulatedCard {
    let text = |name: &str| entry.str_attr(name).unwrap_or_default().to_string();
    SimulatedCard {
        token: text("id"),
        brand: text("brand"),
        last4: text("last4"),
        exp_month: entry.i64_attr("exp_month").unwrap_or_default() as u32,
        exp_year: entry.i64_attr("exp_year").unwrap_or_default() as i32,
    }
}

/// A charge as Stripe's events carry it.
fn charge_object(payment: &SimulatedPayment) -> Value {
    json!({
        "id": payment.id, "object": "charge", "amount": payment.amount,
        "amount_captured": payment.amount, "amount_refunded": payment.refunded,
        "refunded": payment.refunded == payment.amount, "captured": true,
        "currency": payment.currency.to_lowercase(), "description": payment.reference,
        "metadata": {"reference": payment.reference}, "created": payment.created,
        "payment_method_details": {"type": "card", "card": {"last4": payment.card_last4}},
    })
}

/// A dispute as Stripe's events carry it.
fn dispute_object(payment: &SimulatedPayment, dispute: &SimulatedDispute) -> Value {
    json!({
        "id": dispute.id, "object": "dispute", "amount": payment.amount,
        "charge": payment.id, "currency": payment.currency.to_lowercase(),
        "reason": dispute.reason, "status": dispute.status, "created": dispute.opened,
        "is_charge_refundable": false, "metadata": {},
    })
}

/// A saved card as Stripe's events carry it: a card payment method.
fn method_object(card: &SimulatedCard) -> Value {
    json!({
        "id": card.token, "object": "payment_method", "type": "card", "customer": null,
        "card": {"brand": card.brand, "last4": card.last4,
                 "exp_month": card.exp_month, "exp_year": card.exp_year},
    })
}

impl SimulatedGateway {
    async fn listed(&self, partition: &str) -> Result<Vec<Item>, DashboardError> {
        let query = Query::index(Index::Gsi1, partition).backward();
        Ok(self.table.query(query).await.map_err(unavailable)?.items)
    }

    pub(super) async fn shown_dashboard(&self) -> Result<ProviderDashboard, DashboardError> {
        Ok(ProviderDashboard {
            payments: self
                .listed(PAYMENTS)
                .await?
                .iter()
                .map(payment_of)
                .collect(),
            cards: self.listed(CARDS).await?.iter().map(card_of).collect(),
            events: self
                .events()
                .await
                .map_err(unavailable)?
                .iter()
                .map(shown)
                .collect(),
        })
    }

    /// The capture `charge` as it is now.
    async fn payment(&self, charge: &str) -> Result<SimulatedPayment, DashboardError> {
        self.table
            .get(&entry_key(charge))
            .await
            .map_err(unavailable)?
            .filter(|entry| entry.str_attr("kind") == Some("capture"))
            .map(|entry| payment_of(&entry))
            .ok_or_else(|| DashboardError::NotFound(format!("no payment {charge}")))
    }

    /// Writes `change` to the entry `id` when `unchanged` still holds, with
    /// the event `kind` about `object` and the `more` entries it makes.
    async fn act(
        &self,
        (id, change, unchanged): (&str, Update, Condition),
        more: Vec<TxOp>,
        (kind, object): (&str, Value),
    ) -> Result<(), DashboardError> {
        let mut ops = vec![TxOp::Update {
            key: entry_key(id),
            update: change,
            condition: Some(unchanged),
        }];
        ops.extend(more);
        ops.push(self.event_op(kind, object));
        match self.table.transact(ops).await {
            Ok(()) => Ok(()),
            Err(TableError::TransactionConflict { .. }) => Err(DashboardError::Conflict(
                "it changed meanwhile; look again and retry".into(),
            )),
            Err(other) => Err(unavailable(other)),
        }
    }

    pub(super) async fn refund_there(
        &self,
        charge: &str,
        amount: i64,
    ) -> Result<SimulatedPayment, DashboardError> {
        let mut payment = self.payment(charge).await?;
        let left = payment.amount - payment.refunded;
        if amount <= 0 || amount > left {
            return Err(DashboardError::Invalid(format!(
                "give an amount from 1 to {left} (minor units left to give back)"
            )));
        }
        let refund_id = format!("ref_{}", ulid::Ulid::new());
        let refund = self.entry(
            &refund_id,
            "refund",
            json!({"remaining": amount, "amount": amount, "capture_id": charge, "at_provider": true}),
        );
        payment.refunded += amount;
        let change = Update::new().set("remaining", left - amount);
        let unchanged = Condition::eq("remaining", left);
        let event = ("charge.refunded", charge_object(&payment));
        self.act((charge, change, unchanged), vec![refund], event)
            .await?;
        Ok(payment)
    }

    pub(super) async fn dispute_opened(
        &self,
        charge: &str,
        reason: &str,
    ) -> Result<SimulatedPayment, DashboardError> {
        if !REASONS.contains(&reason) {
            return Err(DashboardError::Invalid(format!(
                "a reason is one of {}",
                REASONS.join(", ")
            )));
        }
        let mut payment = self.payment(charge).await?;
        if payment.dispute.is_some() {
            return Err(DashboardError::Conflict(format!(
                "{charge} is disputed already"
            )));
        }
        let dispute = SimulatedDispute {
            id: format!("dp_{}", ulid::Ulid::new()),
            reason: reason.to_string(),
            status: "needs_response".into(),
            opened: self.clock.now_secs(),
        };
        let change = Update::new()
            .set("dispute_id", dispute.id.clone())
            .set("dispute_reason", reason)
            .set("dispute_status", dispute.status.clone())
            .set("dispute_opened", dispute.opened);
        let unchanged = Condition::AttributeNotExists("dispute_id".into());
        let event = ("charge.dispute.created", dispute_object(&payment, &dispute));
        self.act((charge, change, unchanged), vec![], event).await?;
        payment.dispute = Some(dispute);
        Ok(payment)
    }

    pub(super) async fn dispute_closed(
        &self,
        charge: &str,
        won: bool,
    ) -> Result<SimulatedPayment, DashboardError> {
        let mut payment = self.payment(charge).await?;
        let Some(mut dispute) = payment
            .dispute
            .take()
            .filter(|d| d.status == "needs_response")
        else {
            return Err(DashboardError::Conflict(format!(
                "{charge} has no open dispute"
            )));
        };
        dispute.status = if won { "won" } else { "lost" }.into();
        let change = Update::new().set("dispute_status", dispute.status.clone());
        let unchanged = Condition::eq("dispute_status", "needs_response");
        let event = ("charge.dispute.closed", dispute_object(&payment, &dispute));
        self.act((charge, change, unchanged), vec![], event).await?;
        payment.dispute = Some(dispute);
        Ok(payment)
    }

    pub(super) async fn card_updated(
        &self,
        token: &str,
        exp_month: u32,
        exp_year: i32,
    ) -> Result<SimulatedCard, DashboardError> {
        let today = self.clock.now();
        let now = (today.year(), u8::from(today.month()) as u32);
        if !(1..=12).contains(&exp_month) || (exp_year, exp_month) < now || exp_year > now.0 + 20 {
            return Err(DashboardError::Invalid(
                "give a month from 1 to 12 and a year, not in the past nor 20 years ahead".into(),
            ));
        }
        let found = self
            .table
            .get(&entry_key(token))
            .await
            .map_err(unavailable)?;
        let mut card = found
            .filter(|entry| entry.str_attr("kind") == Some("token"))
            .map(|entry| card_of(&entry))
            .ok_or_else(|| DashboardError::NotFound(format!("no saved card {token}")))?;
        (card.exp_month, card.exp_year) = (exp_month, exp_year);
        let change = Update::new()
            .set("exp_month", exp_month)
            .set("exp_year", exp_year);
        let unchanged = Condition::eq("kind", "token");
        let event = ("payment_method.automatically_updated", method_object(&card));
        self.act((token, change, unchanged), vec![], event).await?;
        Ok(card)
    }
}
