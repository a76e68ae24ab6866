//! Renewals account credit pays in full: queued with no card and no
//! gateway call, then renewed, paid and mailed as any other (`job`).

use super::{Renewal, RenewalError};
use crate::audit::Actor;
use crate::billing::Invoice;
use crate::lifecycle::MovedOn;
use crate::payments::PaymentSource;
use crate::store::{Tx, TxError};
use crate::{Queueing, Storage};

/// Refuses a renewal whose invoice leaves something to pay when no card
/// was given or saved, before anything is written.
pub(super) fn ensure_payable(
    bill: &Invoice,
    source: Option<&PaymentSource>,
) -> Result<(), RenewalError> {
    if bill.total > 0 && source.is_none() {
        return Err(card_required());
    }
    Ok(())
}

fn card_required() -> RenewalError {
    RenewalError::Invalid {
        code: "payment_method_required",
        message: "give a card (payment_method), or save one as your payment method first".into(),
    }
}

/// Queues a renewal the customer asked for that account credit paid in
/// full; one that leaves something to pay needs a card.
pub(super) async fn queue(
    ports: &(impl Storage + Queueing),
    renewal: Renewal,
) -> Result<Renewal, RenewalError> {
    if !renewal.paid_by_credit() {
        return Err(card_required());
    }
    let customer = Actor::Customer(renewal.customer_id.clone());
    let mut tx = Tx::new();
    renewal
        .queued_by_credit(customer, ports.clock().now_millis())
        .add_to(&mut tx, MovedOn, ports.clock().now())?;
    match tx.commit(ports.table()).await {
        // Another request moved it first: its outcome stands.
        Ok(()) | Err(TxError::Refused(MovedOn)) => {}
        Err(TxError::Table(error)) => return Err(error.into()),
    }
    let recorded = super::find(ports.table(), &renewal.domain, renewal.current_expiry)
        .await?
        .ok_or(RenewalError::NotFound)?;
    super::enqueue(ports, &renewal).await;
    Ok(recorded)
}
