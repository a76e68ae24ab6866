//! Refunds made at the payment provider, not by us (in its dashboard): its
//! `charge.refunded` event tells all it has given back of a charge, and
//! what our records do not have yet is recorded as staff refunds are (a
//! credit note, the invoice's running total, an audit entry, the mail),
//! without calling the provider again. A refund we made ourselves is
//! recorded already, so it is not counted twice; the refund's lease keeps
//! a staff refund under way from being counted by both.

use super::credit_note::CreditNote;
use super::invoice::{self, Invoice, InvoiceStatus};
use super::lease;
use super::refund::{self, Given, RefundError};
use crate::audit::Actor;
use crate::store::TableError;
use crate::{Mailing, Settings, Storage};

/// What a provider's refund event changed in our records.
#[derive(Debug)]
pub enum Settled {
    /// No invoice of ours was paid by that charge.
    UnknownCharge,
    /// All it says was given back is recorded already.
    Recorded,
    /// What was missing is recorded now, with this credit note.
    Credited(CreditNote),
}

/// Records, on the invoice `reference` that charge `charge` paid, what
/// the provider has given back of it (`gateway_refunded`, in all) beyond
/// what we recorded. While a staff refund of that invoice is under way
/// this is `Busy`: the provider sends the event again later.
pub async fn settle(
    ports: &(impl Storage + Settings + Mailing),
    charge: &str,
    reference: &str,
    gateway_refunded: i64,
) -> Result<Settled, RefundError> {
    let Some(found) = invoice::by_number(ports.table(), reference).await? else {
        return Ok(Settled::UnknownCharge);
    };
    if found.capture_id.as_deref() != Some(charge) {
        return Ok(Settled::UnknownCharge);
    }
    let key = refund::lease_key(&found.number);
    let attempt = lease::take(ports.table(), &key, ports.clock().now_secs())
        .await?
        .ok_or(TableError::Busy)?;
    // Read again under the lease, by its key: a refund that ended meanwhile counts.
    let read = ports.table().get(&found.key()).await;
    let bill = match read.map(|item| item.map(|item| Invoice::of(&item))) {
        Ok(Some(Ok(bill))) if unrecorded(&bill, gateway_refunded) > 0 => bill,
        other => {
            lease::release(ports.table(), &key, attempt).await?;
            return match other {
                Ok(Some(Err(error))) | Err(error) => Err(error.into()),
                _ => Ok(Settled::Recorded),
            };
        }
    };
    let given = Given {
        amount: unrecorded(&bill, gateway_refunded),
        attempt,
        role: None,
    };
    let why = format!("given back at the card provider (charge {charge})");
    let by = Actor::system("payment-events");
    let refunded = refund::record(ports, (&by, None, &why), &key, &bill, given).await?;
    refund::tell_customer(ports, &refunded.credit_note).await;
    Ok(Settled::Credited(refunded.credit_note))
}

/// What the provider gave back of `bill` that is not recorded on it: never
/// more than is left to give back of a paid invoice.
fn unrecorded(bill: &Invoice, gateway_refunded: i64) -> i64 {
    match bill.status {
        InvoiceStatus::Paid => (gateway_refunded - bill.refunded).clamp(0, bill.refundable()),
        _ => 0,
    }
}
