//! The payment methods of the simulated provider: made by its card page
//! from a card (`pm_sim_…`), each usable for one payment or one saved card
//! (under one idempotency key, so a retry of that payment still finds it),
//! as an unattached card payment method is at Stripe; and Stripe's test
//! payment methods, which stand for their test cards as often as asked.

use async_trait::async_trait;

use hostfront_core::payments::sim_dashboard::{
    DashboardError, Deliveries, ProviderDashboard, SimulatedCard, SimulatedPayment,
};
use hostfront_core::payments::simulated::{CardDetails, MadeMethod, SimulatedProvider};
use hostfront_core::payments::{PaymentError, PaymentMethodId};
use hostfront_core::store::{Condition, ItemExt, TableError, Update};

use super::{SimulatedGateway, entry_key, storage};
use crate::sim::cards::{Profile, declined};

const KIND: &str = "payment_method";
/// How long a payment method the card page made is kept: a payment follows
/// its card form within minutes, and a page flooded with cards must not
/// fill the table for good.
const UNUSED_LIFETIME_SECS: i64 = 24 * 3600;

impl SimulatedGateway {
    /// The card of `method`, claimed for the payment or saving under `key`:
    /// a method made by the card page pays once; another customer who learnt
    /// its id finds it spent, or spends it in place of its maker, who never
    /// gets it back.
    pub(super) async fn method_card(
        &self,
        method: &PaymentMethodId,
        key: &str,
    ) -> Result<Profile, PaymentError> {
        if let Some(test) = Profile::of_test_method(method.as_str()) {
            return Ok(test);
        }
        let unknown = || PaymentError::Invalid(format!("no payment method {method}"));
        let entry_key = entry_key(method.as_str());
        let entry = self
            .table
            .get(&entry_key)
            .await
            .map_err(storage)?
            .filter(|e| e.str_attr("kind") == Some(KIND))
            .ok_or_else(unknown)?;
        let profile = Profile::of_entry(&entry).ok_or_else(unknown)?;
        let unspent_or_ours = Condition::Or(vec![
            Condition::AttributeNotExists("spent_by".into()),
            Condition::eq("spent_by", key),
        ]);
        match self
            .table
            .update(
                &entry_key,
                Update::new().set("spent_by", key),
                Some(unspent_or_ours),
            )
            .await
        {
            Ok(_) => Ok(profile),
            Err(TableError::ConditionFailed) => Err(PaymentError::Invalid(format!(
                "the payment method {method} was used already; enter the card again"
            ))),
            Err(other) => Err(storage(other)),
        }
    }
}

#[async_trait]
impl SimulatedProvider for SimulatedGateway {
    async fn make_payment_method(&self, card: &CardDetails) -> Result<MadeMethod, PaymentError> {
        card.check_form()
            .map_err(|message| declined("invalid_card", message))?;
        let profile = Profile::of(card)?;
        self.check_expiry(&profile)?;
        let id = format!("pm_sim_{}", ulid::Ulid::new());
        let mut fields = profile.fields();
        fields["ttl"] = (self.clock.now_secs() + UNUSED_LIFETIME_SECS).into();
        let entry = self.entry(&id, KIND, fields);
        self.table.transact(vec![entry]).await.map_err(storage)?;
        Ok(MadeMethod {
            id,
            card: profile.shown(),
        })
    }

    async fn dashboard(&self) -> Result<ProviderDashboard, DashboardError> {
        self.shown_dashboard().await
    }

    async fn refund_at_provider(
        &self,
        charge: &str,
        amount: i64,
    ) -> Result<SimulatedPayment, DashboardError> {
        self.refund_there(charge, amount).await
    }

    async fn open_dispute(
        &self,
        charge: &str,
        reason: &str,
    ) -> Result<SimulatedPayment, DashboardError> {
        self.dispute_opened(charge, reason).await
    }

    async fn close_dispute(
        &self,
        charge: &str,
        won: bool,
    ) -> Result<SimulatedPayment, DashboardError> {
        self.dispute_closed(charge, won).await
    }

    async fn update_card_expiry(
        &self,
        token: &str,
        exp_month: u32,
        exp_year: i32,
    ) -> Result<SimulatedCard, DashboardError> {
        self.card_updated(token, exp_month, exp_year).await
    }

    async fn load_event_secret(&self) -> Result<(), PaymentError> {
        self.event_secret().await.map(|_| ())
    }

    async fn deliver_due(&self, endpoint: &str) -> Result<Deliveries, PaymentError> {
        self.deliver(endpoint).await
    }
}
