//! Payment events the provider sends (webhooks), each taken once: a
//! provider delivers again until it is answered, and an attacker may replay
//! a request within its signature's life. Disputes are recorded in the
//! audit log of the payment, for staff; every other event is only kept.

use serde_json::json;

use super::PaymentEvent;
use crate::audit::{Actor, AuditEntry};
use crate::clock::Clock;
use crate::store::{Condition, Key, Table, TableError, TableResult};

/// How long an event's id is remembered: longer than providers retry (Stripe: 3 days).
const REMEMBER_SECS: i64 = 30 * 86_400;

fn key_of(event: &PaymentEvent) -> Key {
    Key::new(format!("PAYEVENT#{}", event.id), "EVENT")
}

/// Forgets that `event` was taken, when what it changes could not be
/// applied: the provider delivers it again, and it is taken then.
pub async fn forget(table: &dyn Table, event: &PaymentEvent) -> TableResult<()> {
    table.delete(&key_of(event), None).await.map(|_| ())
}

/// Takes `event` once; false when it was taken before.
pub async fn take(table: &dyn Table, clock: &dyn Clock, event: &PaymentEvent) -> TableResult<bool> {
    let now = clock.now_secs();
    let mut item = key_of(event).to_item();
    item.insert("kind".into(), json!(event.kind));
    item.insert("object".into(), json!(event.object));
    item.insert("received_at".into(), json!(now));
    item.insert(crate::store::TTL.into(), json!(now + REMEMBER_SECS));
    match table.put(item, Some(Condition::NotExists)).await {
        Ok(()) => {}
        Err(TableError::ConditionFailed) => return Ok(false),
        Err(other) => return Err(other),
    }
    if event.kind.starts_with("charge.dispute.") {
        tracing::warn!(event = %event.id, kind = %event.kind, object = %event.object, "payment dispute");
        let entry = AuditEntry {
            at: crate::clock::rfc3339_millis(clock.now()),
            actor: Actor::system("payment-events"),
            subject: format!("payment:{}", event.object),
            customer_id: None,
            action: event.kind.clone(),
            from: None,
            to: None,
            why: format!("the card provider reported {} ({})", event.kind, event.id),
            client: None,
            role: None,
        };
        table.transact(vec![entry.put_op()]).await?;
    }
    Ok(true)
}
