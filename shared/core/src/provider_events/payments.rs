//! A payment's outcome as the provider reports it on its own
//! (`payment_intent.amount_capturable_updated` once the cardholder's bank
//! confirmed it, `payment_intent.succeeded` once captured,
//! `payment_intent.payment_failed`), reconciled with our records: when
//! they say so already, nothing changes; an order left at the bank's check
//! (the customer never came back) is settled as their return would settle
//! it (`checkout::confirmed_at_bank`: paid, or the decline recorded), and
//! so are a service's invoice paid in the portal (`invoice_payments::bank`,
//! a hosting or a client service's period) and a domain's
//! renewal asked for there (`renewals::bank`); a success
//! our records do not have and cannot settle is written to the audit log
//! for staff.

use crate::accounts::load_customer;
use crate::audit::{Actor, AuditEntry};
use crate::billing::invoice::{self, Invoice, InvoiceFor, InvoiceStatus};
use crate::orders::OrderError;
use crate::orders::checkout;
use crate::payments::PaymentEvent;
use crate::store::{TableError, TableResult};
use crate::{Billing, Mailing, Queueing, Sealing, Settings, Storage};

/// The payment events reconciled here.
pub fn is_payment_outcome(kind: &str) -> bool {
    matches!(
        kind,
        "payment_intent.amount_capturable_updated"
            | "payment_intent.succeeded"
            | "payment_intent.payment_failed"
    )
}

/// Reconciles the payment `event` reports with our records.
pub async fn reconcile(
    ports: &(impl Storage + Settings + Queueing + Billing + Mailing + Sealing),
    event: &PaymentEvent,
) -> TableResult<()> {
    let found = match &event.reference {
        Some(number) => invoice::by_number(ports.table(), number).await?,
        None => None,
    };
    let Some(bill) = found else {
        tracing::warn!(event = %event.id, payment = %event.object, "a payment that names no invoice of ours");
        return Ok(());
    };
    let succeeded = event.kind != "payment_intent.payment_failed";
    if bill.status != InvoiceStatus::Open {
        // Paid (or void) in our records already: nothing to settle.
        return Ok(());
    }
    if matches!(
        bill.about,
        InvoiceFor::Period { .. } | InvoiceFor::ClientService { .. }
    ) {
        return reconcile_invoice(ports, event, &bill, succeeded).await;
    }
    if let InvoiceFor::Renewal { domain, .. } = &bill.about {
        return reconcile_renewal(ports, event, (&bill, domain), succeeded).await;
    }
    let InvoiceFor::Order { order_id } = &bill.about else {
        return match succeeded {
            true => tell_staff(ports, event, &bill).await,
            false => Ok(()),
        };
    };
    let customer = load_customer(ports.table(), &bill.customer_id).await?;
    match checkout::confirmed_at_bank(ports, &customer, order_id).await {
        Ok(view) => {
            tracing::info!(event = %event.id, order = %order_id, status = ?view.status, "a payment reconciled");
            Ok(())
        }
        // Declined: the decline is recorded, as the customer's return records it.
        Err(OrderError::Declined { .. }) => Ok(()),
        Err(OrderError::Conflict { .. }) if succeeded => tell_staff(ports, event, &bill).await,
        Err(OrderError::Conflict { .. }) => Ok(()),
        Err(OrderError::Table(error)) => Err(error),
        Err(OrderError::Unavailable(message)) => {
            tracing::warn!(event = %event.id, %message, "the payment could not be reconciled yet");
            Err(TableError::Busy)
        }
        Err(other) => {
            tracing::error!(event = %event.id, error = %other, "a payment could not be reconciled");
            tell_staff(ports, event, &bill).await
        }
    }
}

/// A service's invoice paid in the portal and left at the bank's check:
/// settled as the holder's return to the portal would settle it
/// (`invoice_payments::bank::confirmed_at_bank`: paid once, or the decline
/// recorded).
async fn reconcile_invoice(
    ports: &(impl Storage + Settings + Queueing + Billing + Mailing),
    event: &PaymentEvent,
    bill: &Invoice,
    succeeded: bool,
) -> TableResult<()> {
    use crate::invoice_payments::{PayError, bank};
    match bank::confirmed_at_bank(ports, &bill.customer_id, &bill.number).await {
        Ok(now) => {
            tracing::info!(event = %event.id, invoice = %bill.number, status = ?now.invoice.status, "a payment reconciled");
            Ok(())
        }
        Err(PayError::Declined { .. }) => Ok(()),
        // The holder's own return settles it right now: the next delivery finds it paid.
        Err(PayError::Conflict {
            code: "payment_in_progress",
            ..
        })
        | Err(PayError::Unavailable(_)) => Err(TableError::Busy),
        Err(PayError::Table(error)) => Err(error),
        Err(_) if succeeded => tell_staff(ports, event, bill).await,
        Err(_) => Ok(()),
    }
}

/// A domain's renewal asked for in the portal and left at the bank's
/// check: settled as the holder's return would settle it
/// (`renewals::bank::confirmed_at_bank`: queued once, or declined).
async fn reconcile_renewal(
    ports: &(impl Storage + Queueing + Billing),
    event: &PaymentEvent,
    (bill, domain): (&Invoice, &str),
    succeeded: bool,
) -> TableResult<()> {
    use crate::renewals::{RenewalError, bank};
    match bank::confirmed_at_bank(ports, &bill.customer_id, domain).await {
        Ok(now) => {
            tracing::info!(event = %event.id, invoice = %bill.number, status = ?now.status, "a payment reconciled");
            Ok(())
        }
        Err(RenewalError::Declined { .. }) => Ok(()),
        Err(RenewalError::Unavailable(_)) => Err(TableError::Busy),
        Err(RenewalError::Table(error)) => Err(error),
        Err(_) if succeeded => tell_staff(ports, event, bill).await,
        Err(_) => Ok(()),
    }
}

/// An audit entry for staff: the provider reports a payment of `bill` our
/// records do not have and that could not be settled here.
async fn tell_staff(ports: &impl Storage, event: &PaymentEvent, bill: &Invoice) -> TableResult<()> {
    tracing::warn!(event = %event.id, invoice = %bill.number, "a payment the provider reports that our records do not have");
    let entry = AuditEntry {
        at: crate::clock::rfc3339_millis(ports.clock().now()),
        actor: Actor::system("payment-events"),
        subject: format!("invoice:{}", bill.number),
        customer_id: Some(bill.customer_id.clone()),
        action: "payment_unreconciled".into(),
        from: Some("open".into()),
        to: None,
        why: format!(
            "the card provider reported {} for payment {} ({}); our records say the invoice is open: check it",
            event.kind, event.object, event.id
        ),
        client: None,
        role: None,
    };
    ports.table().transact(vec![entry.put_op()]).await
}
