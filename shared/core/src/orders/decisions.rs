//! Decisions staff make on orders that wait for a person: approve or reject
//! an order held for review, and resume an order that stopped (on hold, or
//! failed) once its cause is fixed. Each is a move of the order's lifecycle,
//! recorded with who decided and why.
//!
//! A rejection refunds the payment in full before it records anything, with
//! a refund key made from the order: a retry after a crash gets the same
//! refund back from the gateway, so an order is never refunded twice. The
//! refund is recorded with the credit note that documents it, which also
//! gives back the account credit the invoice took.

use serde_json::json;

use super::letters::invoice_letter;
use super::lifecycle::{Change, MovedOn};
use super::order::Payment;
use super::{Invoice, Order, OrderError, OrderStatus, conflict, invalid, order_key};
use crate::OrderId;
use crate::audit::Actor;
use crate::audit::Role;
use crate::billing::credit_note::Crediting;
use crate::billing::invoice::unrefunded_since;
use crate::mail::{self, Mail, MailKind};
use crate::payments::{PaymentError, Refund};
use crate::store::{Condition, TableError, Tx, TxError, TxOp, Update};
use crate::{Billing, Mailing, Queueing, Sealing, Settings, Storage};

/// The order `order_id`, whoever's it is: its invoice names the customer.
pub async fn locate(ports: &impl Storage, order_id: &OrderId) -> Result<Order, OrderError> {
    if !order_id.is_ulid() {
        return Err(OrderError::NotFound);
    }
    let invoice = ports
        .table()
        .get(&Invoice::order_key(order_id))
        .await?
        .map(|item| Invoice::of(&item))
        .transpose()?
        .ok_or(OrderError::NotFound)?;
    super::load(ports, &invoice.customer_id, order_id).await
}

fn reason(why: &str) -> Result<String, OrderError> {
    let why = why.trim();
    if why.is_empty() || why.chars().count() > 500 {
        return Err(invalid("invalid_reason", "say why, in 1 to 500 characters"));
    }
    Ok(why.to_string())
}

/// Why a decision to provision was refused at its write.
#[derive(Debug, Clone, Copy)]
enum Refused {
    OrderMoved,
    InvoiceRefunded,
}

fn invoice_refunded() -> OrderError {
    conflict(
        "invoice_refunded",
        "the order's invoice was refunded in full: it cannot go live; place a new order",
    )
}

/// Moves the order to provisioning as `staff` decided, with `update`, and
/// starts provisioning it; a race lost to another request is a conflict,
/// and so is an order whose invoice was given back in full (checked again
/// in the write, against a refund recorded meanwhile).
async fn provision(
    ports: &(impl Storage + Queueing),
    (staff, role, client): (&Actor, Role, &str),
    order_id: &OrderId,
    why: &str,
    update: Update,
) -> Result<Order, OrderError> {
    let why = reason(why)?;
    let order = locate(ports, order_id).await?;
    let change = Change {
        order: &order,
        to: OrderStatus::Provisioning,
        update,
        actor: staff.clone(),
        why,
        unchanged_since: None,
        client: Some(client.into()),
        role: Some(role.as_str().into()),
    };
    let mut tx = Tx::new();
    // A move the order's state refuses is refused as such, before its invoice is read.
    change.add_to(&mut tx, Refused::OrderMoved, ports.clock().now())?;
    let invoice_key = Invoice::order_key(order_id);
    let item = ports
        .table()
        .get(&invoice_key)
        .await?
        .ok_or(OrderError::NotFound)?;
    if Invoice::of(&item)?.refunded_in_full() {
        return Err(invoice_refunded());
    }
    tx.guard(
        Refused::InvoiceRefunded,
        TxOp::Check {
            key: invoice_key,
            condition: unrefunded_since(&item),
        },
    );
    match tx.commit(ports.table()).await {
        Ok(()) => {}
        Err(TxError::Refused(Refused::OrderMoved)) => return Err(moved_on()),
        Err(TxError::Refused(Refused::InvoiceRefunded)) => {
            return Err(conflict(
                "invoice_refunded",
                "the order's invoice was refunded meanwhile; look at it again",
            ));
        }
        Err(TxError::Table(error)) => return Err(error.into()),
    }
    start_provisioning(ports, &order).await;
    super::load(ports, &order.customer_id, order_id).await
}

/// Approves an order held for review: it goes to provisioning.
pub async fn approve(
    ports: &(impl Storage + Queueing),
    staff: (&Actor, Role, &str),
    order_id: &OrderId,
    why: &str,
) -> Result<Order, OrderError> {
    provision(ports, staff, order_id, why, Update::new()).await
}

/// Resumes an order on hold or failed: provisioning runs again from the
/// step that stopped it.
pub async fn resume(
    ports: &(impl Storage + Queueing),
    staff: (&Actor, Role, &str),
    order_id: &OrderId,
    why: &str,
) -> Result<Order, OrderError> {
    let cleared = Update::new()
        .remove("hold_reason")
        .remove("customer_message")
        .remove("failed_step");
    provision(ports, staff, order_id, why, cleared).await
}

/// Should the job not reach the queue, the sweeper finds the order and enqueues it.
async fn start_provisioning(ports: &impl Queueing, order: &Order) {
    if let Err(error) = super::provision::enqueue(ports, &order.customer_id, &order.id).await {
        tracing::error!(order = %order.id, %error, "could not enqueue provisioning");
    }
}

/// Rejects an order held for review: the order is rejected and its names
/// released first, so no approval can pass it; then the payment is refunded
/// in full and the customer is told why. Should the refund fail, the order
/// stays rejected with its refund pending, and rejecting it again finishes
/// the refund.
pub async fn reject(
    ports: &(impl Storage + Settings + Billing + Mailing + Sealing),
    (staff, role, client): (&Actor, Role, &str),
    order_id: &OrderId,
    why: &str,
) -> Result<Order, OrderError> {
    let why = reason(why)?;
    let mut order = locate(ports, order_id).await?;
    if !(order.status == OrderStatus::Rejected && order.refund_pending) {
        let mut tx = Tx::new();
        Change {
            order: &order,
            to: OrderStatus::Rejected,
            update: Update::new()
                .set("refund_pending", true)
                .set("customer_message", why.clone()),
            actor: staff.clone(),
            why: why.clone(),
            unchanged_since: None,
            client: Some(client.into()),
            role: Some(role.as_str().into()),
        }
        .add_to(&mut tx, MovedOn, ports.clock().now())?;
        tx.push(super::secrets::forget_all_op(order_id))
            .extend(super::release_markers_ops(ports, &order).await?);
        match tx.commit(ports.table()).await {
            Ok(()) => {}
            Err(TxError::Refused(MovedOn)) => return Err(moved_on()),
            Err(TxError::Table(error)) => return Err(error.into()),
        }
        order = super::load(ports, &order.customer_id, order_id).await?;
    }
    refund(ports, &order).await?;
    tracing::info!(order = %order_id, "order rejected and refunded");
    super::load(ports, &order.customer_id, order_id).await
}

/// Refunds a rejected order's payment in full, records it with the credit
/// note that documents it, and mails the customer; once, however often it
/// runs.
async fn refund(
    ports: &(impl Storage + Settings + Billing + Mailing + Sealing),
    order: &Order,
) -> Result<(), OrderError> {
    let payment = order
        .payment
        .clone()
        .ok_or_else(|| conflict("not_paid", "the rejected order has no payment to refund"))?;
    // Staff may have given part of it back already: never more than was paid.
    let invoice = Invoice::read(ports.table(), &order.id).await?;
    let left = payment.amount.min(invoice.refundable());
    let refund = give_back(ports, order, &payment, left).await?;
    for _ in 0..10 {
        match record_refund(ports, order, &payment, &refund).await {
            Err(TxError::Refused(Recorded::Meanwhile)) => continue,
            Err(TxError::Refused(Recorded::Before)) => return Ok(()),
            Err(TxError::Table(TableError::Busy)) => continue,
            Err(TxError::Table(error)) => return Err(error.into()),
            Ok(mail) => {
                mail::deliver(ports, &mail).await;
                return Ok(());
            }
        }
    }
    Err(OrderError::Unavailable(
        "the order is rejected and refunded, but its invoice kept changing; reject it again to record the refund".into(),
    ))
}

/// Gives `left` of the order's payment back through the gateway; nothing
/// to ask it when staff gave it all back already. The key names the amount:
/// a retry after a staff refund meanwhile asks for what is left then, and a
/// retry of the same amount is the same refund.
async fn give_back(
    ports: &impl Billing,
    order: &Order,
    payment: &Payment,
    left: i64,
) -> Result<Refund, OrderError> {
    if left <= 0 {
        return Ok(Refund {
            id: String::new(),
            capture_id: payment.capture_id.clone(),
            amount: 0,
        });
    }
    let key = format!("{}-refund-{left}", order.id);
    ports
        .payments()
        .refund(&payment.capture_id, left, &key)
        .await
        .map_err(|error| match error {
            PaymentError::Unavailable(message) => {
                tracing::warn!(order = %order.id, %message, "refund: the gateway is not answering");
                OrderError::Unavailable(
                    "the order is rejected, but the payment provider is not answering; reject it again to finish the refund, which is made once".into(),
                )
            }
            other => {
                tracing::warn!(order = %order.id, error = %other, "refund: the gateway refused");
                conflict(
                    "refund_failed",
                    "the order is rejected, but the payment provider refused the refund (a refund of this invoice may have been made meanwhile); reject it again to give back what is left",
                )
            }
        })
}

/// Why recording a rejection's refund was refused.
#[derive(Debug, Clone, Copy)]
enum Recorded {
    /// Another request recorded the same refund first.
    Before,
    /// A refund was recorded on the invoice, or a note number taken,
    /// since it was read: read again.
    Meanwhile,
}

/// Records `refund` on the rejected `order`, with its credit note (none
/// when nothing was left to give back) and the mail that tells the
/// customer; returns the mail to deliver.
async fn record_refund(
    ports: &(impl Storage + Settings + Mailing + Sealing),
    order: &Order,
    payment: &Payment,
    refund: &Refund,
) -> Result<Mail, TxError<Recorded>> {
    let key = Invoice::order_key(&order.id);
    let item = ports.table().get(&key).await?.ok_or_else(|| {
        TxError::Table(TableError::Backend(format!(
            "order {} has no invoice",
            order.id
        )))
    })?;
    let invoice = Invoice::of(&item)?;
    let mut letter = invoice_letter(ports, order, &invoice);
    letter.card_last4 = payment.card_last4.clone();
    letter.action = order.customer_message.clone().unwrap_or_default();
    let mut tx = Tx::new();
    tx.guard(
        Recorded::Before,
        TxOp::Update {
            key: order_key(&order.customer_id, &order.id),
            update: Update::new()
                .set("refund", json!(refund))
                .remove("refund_pending")
                .bump_version(),
            condition: Some(Condition::eq("refund_pending", true)),
        },
    );
    // The account credit the invoice took comes back to the credit, on the
    // same note as the card's refund.
    let amount = (refund.amount.min(invoice.refundable()) + invoice.credit)
        .min(invoice.subtotal + invoice.tax - invoice.refunded);
    if invoice.credit > 0 {
        tx.push(crate::billing::credit::add_op(
            &order.customer_id,
            invoice.credit,
        ));
    }
    if amount > 0 {
        let crediting = Crediting {
            invoice: &invoice,
            before: invoice.refunded,
            amount,
        };
        let now = crate::clock::rfc3339(ports.clock().now());
        let (note, [claim, put]) = crediting.issue(ports.table(), now).await?;
        letter.credit_note = note.number;
        tx.guard(
            Recorded::Meanwhile,
            invoice.refunds_op(&item, invoice.refunded + amount),
        )
        .guard(Recorded::Meanwhile, claim)
        .push(put);
    }
    let mail = Mail::compose(ports, MailKind::OrderRejected, &order.email, &letter).await?;
    tx.push(mail.put_op(ports.clock().now_secs()));
    tx.commit(ports.table()).await?;
    Ok(mail)
}

fn moved_on() -> OrderError {
    conflict(
        "order_moved_on",
        "the order changed while this was decided; look at it again",
    )
}
