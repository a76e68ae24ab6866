//! A simulated payment gateway with documented test cards (`cards.rs`), the
//! payment methods its card page makes (`methods`), a ledger of
//! authorisations, captures and refunds kept in the table (`SIMPAY#…`
//! items), a dashboard of its own (`dashboard`), and the events it sends
//! as Stripe does (`events`, `delivery`).

mod dashboard;
mod delivery;
mod events;
mod keep;
mod ledger;
mod methods;

use std::sync::{Arc, OnceLock};

use async_trait::async_trait;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::json;

use hostfront_core::clock::Clock;
use hostfront_core::money::Currency;
use hostfront_core::payments::{
    Authorization, Authorized, Capture, Charge, ClientSetup, EventError, PaymentError,
    PaymentEvent, PaymentMethodId, PaymentSource, Payments, Refund, SavedCard,
};
use hostfront_core::store::{Condition, ItemExt, Key, Table, TableError, TxOp, Update};

use super::cards::{Behaviour, Profile, declined};
use ledger::Parent;

/// The simulated bank's page, where a holder confirms a payment.
const BANK_PAGE: &str = "/bank.html";
/// The simulated provider's card page, which the shop's pages frame.
pub const CARD_PAGE: &str = "/simulated-gateway/card";

pub struct SimulatedGateway {
    table: Arc<dyn Table>,
    clock: Arc<dyn Clock>,
    /// The secret its events are signed with, once read from the table.
    events_secret: OnceLock<String>,
    /// Delivers its events.
    http: crate::https::HttpsClient,
}

fn storage(error: TableError) -> PaymentError {
    PaymentError::Unavailable(format!("gateway storage: {error}"))
}

fn entry_key(id: &str) -> Key {
    Key::new(format!("SIMPAY#{id}"), "ENTRY")
}

fn operation_key(idempotency_key: &str) -> Key {
    Key::new(format!("SIMPAY#OP#{idempotency_key}"), "OP")
}

impl SimulatedGateway {
    pub fn new(table: Arc<dyn Table>, clock: Arc<dyn Clock>) -> Self {
        SimulatedGateway {
            table,
            clock,
            events_secret: OnceLock::new(),
            http: Default::default(),
        }
    }

    /// The card a charge under `key` is paid with, checked: the payment
    /// method's, or the one saved under its token.
    async fn card_of(&self, source: &PaymentSource, key: &str) -> Result<Profile, PaymentError> {
        let profile = match source {
            PaymentSource::Method(method) => self.method_card(method, key).await?,
            PaymentSource::Saved(token) => self
                .table
                .get(&entry_key(token))
                .await
                .map_err(storage)?
                .filter(|e| e.str_attr("kind") == Some("token"))
                .and_then(|entry| Profile::of_entry(&entry))
                .ok_or_else(|| PaymentError::Invalid(format!("no saved card {token}")))?,
        };
        self.check_expiry(&profile)?;
        Ok(profile)
    }

    fn check_expiry(&self, card: &Profile) -> Result<(), PaymentError> {
        let today = self.clock.now();
        card.check_expiry(today.year(), u8::from(today.month()) as u32)
    }

    /// The stored answer of an operation done before under `key`.
    async fn replay<T: DeserializeOwned>(&self, key: &str) -> Result<Option<T>, PaymentError> {
        let Some(done) = self.table.get(&operation_key(key)).await.map_err(storage)? else {
            return Ok(None);
        };
        serde_json::from_value(done["result"].clone())
            .map(Some)
            .map_err(|e| PaymentError::Unavailable(e.to_string()))
    }

    /// Writes `ops` plus the operation record; when a concurrent retry with the
    /// same key won, its answer is returned instead.
    async fn record<T: Serialize + DeserializeOwned>(
        &self,
        mut ops: Vec<TxOp>,
        key: &str,
        result: T,
    ) -> Result<T, PaymentError> {
        let mut op = operation_key(key).to_item();
        op.insert("result".into(), json!(result));
        ops.push(TxOp::Put {
            item: op,
            condition: Some(Condition::NotExists),
        });
        match self.table.transact(ops).await {
            Ok(()) => Ok(result),
            // Either a retry with this key won (its answer stands) or there is not
            // enough left to capture or refund.
            Err(TableError::TransactionConflict { .. }) => {
                self.replay(key).await?.ok_or_else(|| {
                    PaymentError::Invalid(
                        "the amount exceeds what is left to take or give back".into(),
                    )
                })
            }
            Err(other) => Err(storage(other)),
        }
    }
}

#[async_trait]
impl Payments for SimulatedGateway {
    fn name(&self) -> &'static str {
        "simulated"
    }

    /// Its own events, signed as Stripe signs (`events`).
    fn event(&self, signature: &str, body: &[u8], now: i64) -> Result<PaymentEvent, EventError> {
        self.checked_event(signature, body, now)
    }

    /// The reference the capture `charge` carries from its authorisation.
    async fn reference_of_charge(&self, charge: &str) -> Result<Option<String>, PaymentError> {
        let entry = self.table.get(&entry_key(charge)).await.map_err(storage)?;
        Ok(entry
            .filter(|e| e.str_attr("kind") == Some("capture"))
            .and_then(|e| e.str_attr("reference").map(str::to_string)))
    }

    fn client_setup(&self) -> Option<ClientSetup> {
        Some(ClientSetup::Simulated {
            card_page: CARD_PAGE.into(),
        })
    }

    /// Deletes the entry that makes the token chargeable.
    async fn forget_card(&self, token: &str) -> Result<(), PaymentError> {
        let saved = Condition::eq("kind", "token");
        match self.table.delete(&entry_key(token), Some(saved)).await {
            Ok(_) | Err(TableError::ConditionFailed) => Ok(()),
            Err(other) => Err(storage(other)),
        }
    }

    async fn save_card(
        &self,
        method: &PaymentMethodId,
        idempotency_key: &str,
    ) -> Result<SavedCard, PaymentError> {
        if let Some(done) = self.replay(idempotency_key).await? {
            return Ok(done);
        }
        let source = PaymentSource::Method(method.clone());
        let profile = self.card_of(&source, idempotency_key).await?;
        // A bank that says its card has expired will not have it kept.
        if profile.behaviour == Behaviour::Expired {
            profile.behaviour.answer()?;
        }
        let saved = SavedCard {
            token: format!("tok_{}", ulid::Ulid::new()),
            last4: profile.last4.clone(),
            exp_month: profile.exp_month,
            exp_year: profile.exp_year,
        };
        let entry = self.entry(&saved.token, "token", profile.fields());
        self.record(vec![entry], idempotency_key, saved).await
    }

    async fn authorize(&self, charge: &Charge) -> Result<Authorization, PaymentError> {
        if let Some(done) = self.replay(&charge.idempotency_key).await? {
            return Ok(done);
        }
        let card = self
            .card_of(&charge.source, &charge.idempotency_key)
            .await?;
        card.behaviour.answer()?;
        self.hold(charge, &card, None).await
    }

    async fn authorize_with_holder(
        &self,
        charge: &Charge,
        return_url: &str,
    ) -> Result<Authorized, PaymentError> {
        if let Some(done) = self
            .replay::<Authorization>(&charge.idempotency_key)
            .await?
        {
            return self.authenticated(&done.id).await;
        }
        let card = self
            .card_of(&charge.source, &charge.idempotency_key)
            .await?;
        if card.behaviour != Behaviour::Authenticates {
            return self.authorize(charge).await.map(Authorized::Held);
        }
        let held = self.hold(charge, &card, Some(return_url)).await?;
        self.authenticated(&held.id).await
    }

    async fn authenticated(&self, authorization_id: &str) -> Result<Authorized, PaymentError> {
        let entry = self
            .table
            .get(&entry_key(authorization_id))
            .await
            .map_err(storage)?
            .filter(|e| e.str_attr("kind") == Some("authorization"))
            .ok_or_else(|| PaymentError::Invalid(format!("no authorization {authorization_id}")))?;
        match entry.str_attr("holder_check") {
            Some("pending") => Ok(Authorized::Authenticate {
                authorization_id: authorization_id.to_string(),
                url: format!("{BANK_PAGE}?check={authorization_id}"),
            }),
            Some("refused") => Err(declined(
                "authentication_failed",
                "your bank did not confirm the payment; nothing was charged",
            )),
            _ => Ok(Authorized::Held(Authorization {
                id: authorization_id.to_string(),
                amount: entry.i64_attr("amount").unwrap_or(0),
                currency: Currency::parse(entry.str_attr("currency").unwrap_or_default()).map_err(
                    |e| PaymentError::Unavailable(format!("a corrupt authorisation: {e}")),
                )?,
                card_last4: entry.str_attr("card_last4").unwrap_or_default().to_string(),
                card_country: entry.str_attr("card_country").map(str::to_string),
                kept: keep::kept_of(&entry),
            })),
        }
    }

    /// The simulated bank: the holder confirms (the amount is held) or refuses.
    async fn answer_bank_check(
        &self,
        authorization_id: &str,
        confirmed: bool,
    ) -> Result<String, PaymentError> {
        let key = entry_key(authorization_id);
        let entry = self.table.get(&key).await.map_err(storage)?;
        let (Some(amount), Some(back)) = (
            entry.as_ref().and_then(|e| e.i64_attr("amount")),
            entry.as_ref().and_then(|e| e.str_attr("return_url")),
        ) else {
            return Err(PaymentError::Invalid(format!(
                "no check at the bank for {authorization_id}"
            )));
        };
        let back = back.to_string();
        let answer = match confirmed {
            true => Update::new()
                .set("holder_check", "confirmed")
                .set("remaining", amount),
            false => Update::new().set("holder_check", "refused"),
        };
        let mut ops = vec![TxOp::Update {
            key,
            update: answer,
            // A payment let go of while its holder was at the bank stays so.
            condition: Some(
                Condition::eq("holder_check", "pending")
                    .and(Condition::AttributeNotExists("voided".into())),
            ),
        }];
        // A card kept with the payment is kept once its holder confirmed.
        let kept = entry.as_ref().and_then(|e| self.token_on_confirmation(e));
        ops.extend(kept.filter(|_| confirmed));
        match self.table.transact(ops).await {
            // Answered before: the first answer stands.
            Ok(()) | Err(TableError::TransactionConflict { .. }) => Ok(back),
            Err(other) => Err(storage(other)),
        }
    }

    async fn authorization_made_with(
        &self,
        idempotency_key: &str,
    ) -> Result<Option<Authorization>, PaymentError> {
        let Some(made) = self.replay::<Authorization>(idempotency_key).await? else {
            return Ok(None);
        };
        // One its holder has not confirmed holds nothing.
        Ok(match self.authenticated(&made.id).await {
            Ok(Authorized::Held(authorization)) => Some(authorization),
            _ => None,
        })
    }

    async fn capture(
        &self,
        authorization_id: &str,
        amount: i64,
        idempotency_key: &str,
    ) -> Result<Capture, PaymentError> {
        let capture = |id: String| Capture {
            id,
            authorization_id: authorization_id.into(),
            amount,
        };
        let parent = Parent {
            id: authorization_id,
            kind: "authorization",
            verb: "capture",
            release_rest: true,
        };
        self.draw_down(parent, "cap", amount, idempotency_key, capture)
            .await
    }

    async fn void(
        &self,
        authorization_id: &str,
        idempotency_key: &str,
    ) -> Result<(), PaymentError> {
        if self.replay::<bool>(idempotency_key).await?.is_some() {
            return Ok(());
        }
        let release = TxOp::Update {
            key: entry_key(authorization_id),
            update: Update::new().set("remaining", 0).set("voided", true),
            condition: Some(Condition::eq("kind", "authorization")),
        };
        self.record(vec![release], idempotency_key, true)
            .await
            .map_err(|_| PaymentError::Invalid(format!("no authorization {authorization_id}")))
            .map(|_| ())
    }

    async fn refund(
        &self,
        capture_id: &str,
        amount: i64,
        idempotency_key: &str,
    ) -> Result<Refund, PaymentError> {
        let refund = |id: String| Refund {
            id,
            capture_id: capture_id.into(),
            amount,
        };
        let parent = Parent {
            id: capture_id,
            kind: "capture",
            verb: "refund",
            release_rest: false,
        };
        self.draw_down(parent, "ref", amount, idempotency_key, refund)
            .await
    }
}
