//! What a payment event the provider sent changes in our records, once it
//! has been taken (`payments::events::take`, once per event id). Today:
//! the card updater's new expiry or number on a saved card. Disputes are
//! recorded for staff where the event is taken; every other event is only
//! kept.

use crate::Storage;
use crate::payments::PaymentEvent;
use crate::store::TableResult;

use super::card_updater;

/// Applies `event` to our records; applying it again changes nothing more.
pub async fn apply(ports: &impl Storage, event: &PaymentEvent) -> TableResult<()> {
    let card_update = matches!(
        event.kind.as_str(),
        "payment_method.updated" | "payment_method.automatically_updated"
    );
    if let (true, Some(card)) = (card_update, &event.card)
        && !card_updater::updated(ports.table(), card, event.created).await?
    {
        tracing::info!(event = %event.id, "a card update for no saved card, or an older one");
    }
    Ok(())
}
