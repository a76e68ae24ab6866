//! Renewals account credit pays in full: queued with no card and no
//! gateway call, then renewed, paid and mailed as any other (`job`).

use super::{Renewal, RenewalError};
use crate::audit::Actor;
use crate::billing::{Invoice, credit_pays};
use crate::lifecycle::MovedOn;
use crate::payments::PaymentSource;
use crate::store::{Table, Tx, TxError, TxOp};
use crate::{Queueing, Storage};

/// The writes of a renewal's credit: those beside it that it counted in,
/// and the one that takes the credit.
pub(super) struct Taken {
    beside: Vec<TxOp>,
    credit: Option<TxOp>,
}

impl Taken {
    /// Adds them to `tx`, the credit's refused for `credit_moved`.
    pub(super) fn add_to<R: Copy>(self, tx: &mut Tx<R>, credit_moved: R) {
        tx.extend(self.beside);
        if let Some(credit) = self.credit {
            tx.guard(credit_moved, credit);
        }
    }
}

/// Takes the customer's account credit off the renewal's `bill`, counting
/// in what the writes `beside` it (if any) give back (`credit_pays::take`).
/// Refuses, before anything is written, a bill that leaves something to
/// pay when no card was given or saved.
pub(super) async fn take(
    table: &dyn Table,
    bill: &mut Invoice,
    beside: Option<Vec<TxOp>>,
    source: &Option<PaymentSource>,
) -> Result<Taken, RenewalError> {
    let mut beside = beside.unwrap_or_default();
    let credit = credit_pays::take(table, bill, &mut beside).await?;
    if bill.total > 0 && source.is_none() {
        return Err(card_required());
    }
    Ok(Taken { beside, credit })
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
