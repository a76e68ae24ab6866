//! The events the simulated provider sends, as Stripe sends them
//! (https://docs.stripe.com/webhooks): an `event` object with a unique id,
//! its `type`, `created` and `data.object` (the charge, dispute or payment
//! method as it is now), signed with the installation's own secret in a
//! `Stripe-Signature` header (`webhook_signature`), and checked here as
//! the Stripe adapter checks Stripe's, then read by the same parser.
//!
//! Items: `SIMPAY#EVENTS` / `EVENT#<evt id>` (the body as sent, and how
//! its delivery goes; kept 30 days, as Stripe keeps events), and
//! `SIMPAY#WEBHOOK` / `SECRET` (the signing secret, made once).

use rand_core::{OsRng, RngCore};
use serde_json::{Value, json};

use hostfront_core::payments::sim_dashboard::{DashboardError, SimulatedEvent};
use hostfront_core::payments::{EventError, PaymentError, PaymentEvent, SavedCard};
use hostfront_core::store::{Condition, Item, ItemExt, Key, Query, SortKey, TTL, TableError, TxOp};

use super::{SimulatedGateway, storage};
use crate::webhook_signature;

/// The API version the simulation's events are shaped after, as the Stripe adapter's.
const API_VERSION: &str = "2024-06-20";
/// How long an event is kept (Stripe: 30 days).
const KEPT_SECS: i64 = 30 * 86_400;
pub(super) const EVENTS: &str = "SIMPAY#EVENTS";

pub(super) fn event_key(id: &str) -> Key {
    Key::new(EVENTS, format!("EVENT#{id}"))
}

fn secret_key() -> Key {
    Key::new("SIMPAY#WEBHOOK", "SECRET")
}

/// A fresh signing secret, as Stripe's `whsec_…`.
fn new_secret() -> String {
    let mut bytes = [0u8; 24];
    OsRng.fill_bytes(&mut bytes);
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!("whsec_sim_{hex}")
}

impl SimulatedGateway {
    /// The signing secret: read from the table, or made there by the first
    /// process that needs it (another one's, made at the same time, wins).
    pub(super) async fn event_secret(&self) -> Result<&str, PaymentError> {
        if let Some(secret) = self.events_secret.get() {
            return Ok(secret);
        }
        let found = self.table.get(&secret_key()).await.map_err(storage)?;
        let secret = match found.as_ref().and_then(|item| item.str_attr("secret")) {
            Some(secret) => secret.to_string(),
            None => {
                let mut item = secret_key().to_item();
                item.insert("kind".into(), json!("simulated_webhook_secret"));
                item.insert("secret".into(), json!(new_secret()));
                match self.table.put(item, Some(Condition::NotExists)).await {
                    Ok(()) | Err(TableError::ConditionFailed) => {}
                    Err(other) => return Err(storage(other)),
                }
                let made = self.table.get(&secret_key()).await.map_err(storage)?;
                made.as_ref()
                    .and_then(|item| item.str_attr("secret"))
                    .map(str::to_string)
                    .ok_or_else(|| PaymentError::Unavailable("no signing secret".into()))?
            }
        };
        Ok(self.events_secret.get_or_init(|| secret))
    }

    /// The event in `body`, if `signature` is the simulation's own, recent.
    pub(super) fn checked_event(
        &self,
        signature: &str,
        body: &[u8],
        now: i64,
    ) -> Result<PaymentEvent, EventError> {
        let secret = self.events_secret.get().ok_or_else(|| {
            EventError::BadSignature("the simulated provider has sent no events".into())
        })?;
        webhook_signature::verify(
            secret,
            signature,
            body,
            now,
            webhook_signature::TOLERANCE_SECS,
        )
        .map_err(|e| EventError::BadSignature(e.to_string()))?;
        let mut event = crate::stripe::event_of(body)?;
        // The simulation keeps no Customers: a saved card is its payment method.
        let parsed: Value = serde_json::from_slice(body).unwrap_or_default();
        event.card = event.card.or_else(|| card_of(&parsed["data"]["object"]));
        Ok(event)
    }

    /// The entry that queues event `kind` about `object`, made now: written
    /// in the transaction of the change it reports.
    pub(super) fn event_op(&self, kind: &str, object: Value) -> TxOp {
        let now = self.clock.now_secs();
        let id = format!("evt_{}", ulid::Ulid::new());
        let body = json!({
            "id": id, "object": "event", "api_version": API_VERSION, "created": now,
            "data": {"object": object}, "livemode": false, "pending_webhooks": 1,
            "request": {"id": null, "idempotency_key": null}, "type": kind,
        });
        let mut item = event_key(&id).to_item();
        item.insert("kind".into(), json!("simulated_event"));
        item.insert("event_id".into(), json!(id));
        item.insert("type".into(), json!(kind));
        item.insert("object".into(), body["data"]["object"]["id"].clone());
        item.insert("created".into(), json!(now));
        item.insert("body".into(), json!(body.to_string()));
        item.insert("state".into(), json!("pending"));
        item.insert("attempts".into(), json!(0));
        item.insert("next_attempt".into(), json!(now));
        item.insert(TTL.into(), json!(now + KEPT_SECS));
        TxOp::Put {
            item,
            condition: Some(Condition::NotExists),
        }
    }

    /// Every event kept, newest first.
    pub(super) async fn events(&self) -> Result<Vec<Item>, TableError> {
        let query = Query::partition(EVENTS)
            .sort(SortKey::BeginsWith("EVENT#".into()))
            .backward();
        Ok(self.table.query(query).await?.items)
    }
}

/// An event kept, as the dashboard shows it.
pub(super) fn shown(item: &Item) -> SimulatedEvent {
    let text = |name: &str| item.str_attr(name).unwrap_or_default().to_string();
    let state = text("state");
    SimulatedEvent {
        id: text("event_id"),
        kind: text("type"),
        object: text("object"),
        created: item.i64_attr("created").unwrap_or_default(),
        attempts: item.i64_attr("attempts").unwrap_or_default() as u32,
        next_attempt: item.i64_attr("next_attempt").filter(|_| state == "pending"),
        last_error: item.str_attr("last_error").map(str::to_string),
        state,
    }
}

/// The saved card a `payment_method` object describes: its own id is the token.
fn card_of(object: &Value) -> Option<SavedCard> {
    (object["object"].as_str() == Some("payment_method")).then_some(())?;
    let card = &object["card"];
    Some(SavedCard {
        token: object["id"].as_str()?.to_string(),
        last4: card["last4"].as_str()?.to_string(),
        exp_month: u32::try_from(card["exp_month"].as_i64()?).ok()?,
        exp_year: i32::try_from(card["exp_year"].as_i64()?).ok()?,
    })
}

/// The dashboard's refusal when the simulation's storage does not answer.
pub(super) fn unavailable(error: TableError) -> DashboardError {
    DashboardError::Unavailable(error.to_string())
}
