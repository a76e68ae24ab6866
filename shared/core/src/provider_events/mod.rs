//! What a payment event the provider sent changes in our records, once it
//! has been taken (`payments::events::take`, once per event id): the card
//! updater's new expiry or number on a saved card, and refunds made at the
//! provider (`charge.refunded`), payments settled at the provider that our
//! records lack (`payment_intent.*`, `payments`), disputes (`charge.dispute.*`, kept
//! with the invoice and what it paid for; the audit entry is written where
//! the event is taken), and cards set up for a request of ours that was cut
//! off (`setup_intent.succeeded`, `billing::card_setup`); every other event
//! is only kept. Above billing and
//! orders: a payment event may settle either.

mod payments;

use crate::payments::PaymentEvent;
use crate::store::{TableError, TableResult};
use crate::{Billing, Mailing, Queueing, Sealing, Settings, Storage};

use crate::billing::provider_refund::{self, Settled};
use crate::billing::refund::RefundError;
use crate::billing::{card_setup, card_updater, charge_reference, disputes};

/// Applies `event` to our records; applying it again changes nothing more.
pub async fn apply(
    ports: &(impl Storage + Settings + Mailing + Billing + Queueing + Sealing),
    event: &PaymentEvent,
) -> TableResult<()> {
    if event.kind == "charge.refunded" {
        return refunded_at_provider(ports, event).await;
    }
    if payments::is_payment_outcome(&event.kind) {
        return payments::reconcile(ports, event).await;
    }
    if event.kind.starts_with("charge.dispute.") {
        return disputes::record(ports, event).await;
    }
    if event.kind == "setup_intent.succeeded" {
        return card_setup::succeeded(ports, event).await;
    }
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

/// Records a refund made at the provider that our records do not have. An
/// event about a charge that paid no invoice of ours is kept and logged:
/// the provider would otherwise send it again for days.
async fn refunded_at_provider(
    ports: &(impl Storage + Settings + Mailing + Billing),
    event: &PaymentEvent,
) -> TableResult<()> {
    let reference = charge_reference::of(ports, event.reference.as_deref(), &event.object).await?;
    let (Some(reference), Some(refunded)) = (reference, event.refunded) else {
        tracing::warn!(event = %event.id, charge = %event.object, "a refund of a charge that names no invoice");
        return Ok(());
    };
    match provider_refund::settle(ports, &event.object, &reference, refunded).await {
        Ok(Settled::UnknownCharge) => {
            tracing::warn!(event = %event.id, charge = %event.object, %reference, "a refund of a charge that paid no invoice of ours");
            Ok(())
        }
        Ok(Settled::Recorded) => Ok(()),
        Ok(Settled::Credited(note)) => {
            tracing::info!(event = %event.id, note = %note.number, "a refund made at the provider, recorded");
            Ok(())
        }
        Err(RefundError::Table(error)) => Err(error),
        Err(other) => {
            tracing::error!(event = %event.id, error = %other, "a refund made at the provider could not be recorded");
            Err(TableError::Busy)
        }
    }
}
