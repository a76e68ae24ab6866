//! A card saved in the portal is set up at the provider by a request of its
//! own (Stripe's SetupIntent), made under the key `<customer>-card-<key>`.
//! The customer's consent is recorded under that key before the provider
//! is asked, so a card the provider reports set up
//! (`setup_intent.succeeded`) after the request that asked for it was cut
//! off (the customer closed the tab) is saved with the consent given, and a
//! card set up without any recorded consent is never saved: staff are told.
//! A setup the request saw through is marked kept with the card, and its
//! event changes nothing; nor does one for a card older than the card the
//! customer keeps now.
//!
//! Item: `CARDSETUP#<key>` / `CONSENT` (`customer_id`, `consent`, `kept`
//! once the card was saved), kept for `KEEP_SECS`.

use serde_json::json;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::consent::{Consent, GivenAt};
use super::payment_method;
use crate::audit::{Actor, AuditEntry};
use crate::payments::PaymentEvent;
use crate::store::{
    Condition, Item, ItemExt, Key, TableError, TableResult, Tx, TxError, TxOp, Update,
};
use crate::{Billing, CustomerId, Storage};

/// Longer than the provider sends an event again (Stripe: 3 days).
const KEEP_SECS: i64 = 30 * 86_400;

fn key(setup_key: &str) -> Key {
    Key::new(format!("CARDSETUP#{setup_key}"), "CONSENT")
}

/// Records the consent `customer_id` gives now to keeping the card set up
/// under `setup_key`; a retry of the same request keeps the first record.
pub(super) async fn record(
    ports: &impl Storage,
    customer_id: &CustomerId,
    setup_key: &str,
) -> TableResult<()> {
    let now = ports.clock().now();
    let consent = Consent::given(crate::clock::rfc3339(now), GivenAt::Portal);
    let mut item = key(setup_key).to_item();
    item.insert("kind".into(), json!("card_setup"));
    item.insert("customer_id".into(), json!(customer_id));
    item.insert("consent".into(), json!(consent));
    let expires = now.unix_timestamp() + KEEP_SECS;
    item.insert(crate::store::TTL.into(), json!(expires));
    match ports.table().put(item, Some(Condition::NotExists)).await {
        Ok(()) | Err(TableError::ConditionFailed) => Ok(()),
        Err(other) => Err(other),
    }
}

/// Marks the setup under `setup_key` kept, with the card it set up.
pub(super) fn kept_op(setup_key: &str) -> TxOp {
    TxOp::Update {
        key: key(setup_key),
        update: Update::new().set("kept", true),
        condition: None,
    }
}

/// Why a card set up is not saved after all.
#[derive(Debug, Clone, Copy)]
enum Skipped {
    /// Kept by another request or event meanwhile.
    Kept,
    /// The customer saved another card since this setup began.
    Newer,
}

/// Applies the provider's report that the card of setup `event.object`,
/// made under `event.setup_key`, is set up: saved for the customer who
/// consented, when no request of ours saved it; otherwise nothing changes.
pub async fn succeeded(ports: &(impl Storage + Billing), event: &PaymentEvent) -> TableResult<()> {
    let Some(setup_key) = event.setup_key.as_deref() else {
        tracing::warn!(event = %event.id, setup = %event.object, "a card set up under no request of ours");
        return Ok(());
    };
    let Some(record) = ports.table().get(&key(setup_key)).await? else {
        return unconsented(ports, event, setup_key).await;
    };
    if record.get("kept").and_then(|v| v.as_bool()) == Some(true) {
        return Ok(());
    }
    let (customer_id, consent) = consent_of(&record)?;
    let card = match ports.payments().card_saved_by(&event.object).await {
        Ok(Some(card)) => card,
        Ok(None) => {
            tracing::warn!(event = %event.id, setup = %event.object, "the provider shows no card set up");
            return Ok(());
        }
        Err(error) => {
            tracing::warn!(event = %event.id, %error, "the card set up could not be read yet");
            return Err(TableError::Busy);
        }
    };
    let Some(older) = replaceable(ports, &customer_id, &consent).await? else {
        tracing::info!(event = %event.id, customer = %customer_id, "a card set up at the provider, not saved: the customer saved another since");
        return Ok(());
    };
    let now = ports.clock().now();
    let (saved, lookup) = payment_method::keep_ops(&customer_id, card, consent, (now, older));
    let mut tx = Tx::new();
    tx.guard(
        Skipped::Kept,
        TxOp::Update {
            key: key(setup_key),
            update: Update::new().set("kept", true),
            condition: Some(Condition::AttributeNotExists("kept".into())),
        },
    )
    .guard(Skipped::Newer, saved)
    .push(lookup);
    match tx.commit(ports.table()).await {
        Ok(()) => {
            tracing::info!(event = %event.id, customer = %customer_id, "a card set up at the provider, saved");
            Ok(())
        }
        Err(TxError::Refused(Skipped::Kept)) => Ok(()),
        Err(TxError::Refused(Skipped::Newer)) => {
            tracing::info!(event = %event.id, customer = %customer_id, "a card set up at the provider, not saved: the customer saved another since");
            Ok(())
        }
        Err(TxError::Table(error)) => Err(error),
    }
}

/// The condition under which the customer's card may be replaced by one
/// they consented to keep at `consent.at`: the card kept now, unchanged, when
/// it was saved before that; None when it was saved since (it stays).
async fn replaceable(
    ports: &impl Storage,
    customer_id: &CustomerId,
    consent: &Consent,
) -> TableResult<Option<Condition>> {
    let Some(current) = payment_method::find(ports.table(), customer_id).await? else {
        return Ok(Some(Condition::AttributeNotExists("token".into())));
    };
    let at = |text: &str| OffsetDateTime::parse(text, &Rfc3339).ok();
    if at(&current.saved_at) >= at(&consent.at) {
        return Ok(None);
    }
    let unchanged =
        Condition::eq("token", current.token).and(Condition::eq("saved_at", current.saved_at));
    Ok(Some(unchanged))
}

fn consent_of(record: &Item) -> TableResult<(CustomerId, Consent)> {
    let customer_id = record
        .str_attr("customer_id")
        .map(CustomerId::new)
        .ok_or_else(|| TableError::Backend("a card setup without its customer".into()))?;
    let consent = record
        .get("consent")
        .cloned()
        .map(serde_json::from_value::<Consent>)
        .transpose()
        .map_err(|e| TableError::Backend(format!("a card setup's consent does not read: {e}")))?
        .ok_or_else(|| TableError::Backend("a card setup without its consent".into()))?;
    Ok((customer_id, consent))
}

/// An audit entry for staff: a card was set up at the provider under a
/// request of ours for which no consent was recorded, and is not saved.
async fn unconsented(
    ports: &impl Storage,
    event: &PaymentEvent,
    setup_key: &str,
) -> TableResult<()> {
    let customer_id = setup_key
        .split_once("-card-")
        .map(|(customer, _)| CustomerId::new(customer));
    tracing::warn!(event = %event.id, setup = %event.object, "a card set up without the customer's consent on record: not saved");
    let entry = AuditEntry {
        at: crate::clock::rfc3339_millis(ports.clock().now()),
        actor: Actor::system("payment-events"),
        subject: format!("payment:{}", event.object),
        customer_id,
        action: "card_not_saved".into(),
        from: None,
        to: None,
        why: format!(
            "the card provider reported {} ({}) with no consent of the customer on record: the card is not saved",
            event.kind, event.id
        ),
        client: None,
        role: None,
    };
    ports.table().transact(vec![entry.put_op()]).await
}
