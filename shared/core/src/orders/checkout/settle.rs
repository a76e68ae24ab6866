//! Settling a held authorisation: capture it, then record the payment in
//! one transaction (the order moves to provisioning or to review, its
//! invoice is paid, its names are kept for good) and send the receipt.

use serde_json::json;

use super::attempt::{close_attempt, payment_error, refused};
use crate::OrderId;
use crate::accounts::Customer;
use crate::audit::Actor;
use crate::billing::evidence::PaymentPlace;
use crate::mail::{self, Mail, MailKind};
use crate::orders::letters::invoice_letter;
use crate::orders::lifecycle::Change;
use crate::orders::review::{self, Rules};
use crate::orders::{
    Invoice, Order, OrderError, OrderStatus, OrderView, Payment, PaymentAction, hold_markers,
    provision,
};
use crate::payments::{Authorization, Authorized, PaymentError};
use crate::store::{Tx, TxError, Update};
use crate::{Billing, Mailing, Queueing, Sealing, Settings, Storage};

/// A concurrent checkout of the same attempt recorded the payment first.
#[derive(Debug, Clone, Copy)]
struct AlreadyRecorded;

/// A captured payment and where it sends the order.
struct Paid {
    payment: Payment,
    /// Why the order is held for review; empty when it is not.
    reasons: Vec<String>,
    status: OrderStatus,
}

/// For an attempt left waiting at the bank when the customer pays again:
/// paid if the bank confirmed it meanwhile; otherwise released and closed,
/// so that the new card gets an attempt of its own (`None`).
pub(super) async fn settle_or_close(
    ports: &(impl Storage + Settings + Queueing + Billing + Mailing + Sealing),
    customer: &Customer,
    order: &Order,
    attempt: u32,
    action: &PaymentAction,
) -> Result<Option<OrderView>, OrderError> {
    let payments = ports.payments();
    match payments.authenticated(&action.authorization_id).await {
        Ok(Authorized::Held(authorization)) => {
            let paid = settle_confirmed(ports, customer, order, attempt, authorization, action);
            return paid.await.map(Some);
        }
        Ok(Authorized::Authenticate { .. }) => payments
            .void(
                &action.authorization_id,
                &format!("{}-void-{attempt}", order.id),
            )
            .await
            .map_err(payment_error)?,
        Err(PaymentError::Declined { .. }) => {}
        Err(other) => return Err(payment_error(other)),
    }
    close_attempt(ports, &customer.id, &order.id, attempt, None).await?;
    Ok(None)
}

/// Settles an attempt whose holder confirmed it at their bank.
pub(super) async fn settle_confirmed(
    ports: &(impl Storage + Settings + Queueing + Billing + Mailing + Sealing),
    customer: &Customer,
    order: &Order,
    attempt: u32,
    authorization: Authorization,
    action: &PaymentAction,
) -> Result<OrderView, OrderError> {
    let invoice = Invoice::read(ports.table(), &order.id).await?;
    let place = PaymentPlace {
        billing_country: action.billing_country.clone(),
        card_country: None,
        client_country: action.client_country.clone(),
    };
    settle(
        ports,
        customer,
        order,
        &invoice,
        attempt,
        authorization,
        place,
    )
    .await
}

/// Captures a held authorisation and records the payment: the order goes
/// to provisioning, or to review.
pub(super) async fn settle(
    ports: &(impl Storage + Settings + Queueing + Billing + Mailing + Sealing),
    customer: &Customer,
    order: &Order,
    invoice: &Invoice,
    attempt: u32,
    authorization: Authorization,
    place: PaymentPlace,
) -> Result<OrderView, OrderError> {
    let order_id = &order.id;
    // The card's country is evidence too, once the provider tells it.
    let place = PaymentPlace {
        card_country: authorization.card_country.clone(),
        ..place
    };
    let captured = ports
        .payments()
        .capture(
            &authorization.id,
            invoice.total,
            &format!("{order_id}-capture-{attempt}"),
        )
        .await;
    let capture = match captured {
        Ok(capture) => capture,
        Err(error) => return Err(refused(ports, customer, order_id, attempt, error).await),
    };
    let payment = Payment {
        card_last4: authorization.card_last4.clone(),
        amount: capture.amount,
        authorization_id: authorization.id.clone(),
        capture_id: capture.id.clone(),
        paid_at: crate::clock::rfc3339(ports.clock().now()),
    };
    record(ports, customer, (order, invoice, attempt), payment, place).await
}

/// Records an attempt that account credit paid in full, when the invoice
/// was issued: no card, no gateway; the order goes on as any paid one.
pub(super) async fn settle_by_credit(
    ports: &(impl Storage + Settings + Queueing + Billing + Mailing + Sealing),
    customer: &Customer,
    order: &Order,
    invoice: &Invoice,
    attempt: u32,
    place: PaymentPlace,
) -> Result<OrderView, OrderError> {
    let payment = Payment::by_credit(crate::clock::rfc3339(ports.clock().now()));
    record(ports, customer, (order, invoice, attempt), payment, place).await
}

/// Records a payment of the order's invoice: the order goes to
/// provisioning, or to review.
async fn record(
    ports: &(impl Storage + Settings + Queueing + Billing + Mailing + Sealing),
    customer: &Customer,
    (order, invoice, attempt): (&Order, &Invoice, u32),
    payment: Payment,
    place: PaymentPlace,
) -> Result<OrderView, OrderError> {
    let order_id = &order.id;
    // Weighed against the country the invoice was taxed for, not the
    // account's now: a country changed between ordering and paying must not
    // slip past the review.
    let taxed_for = invoice
        .taxation
        .as_ref()
        .and_then(|taxation| taxation.evidence.as_ref())
        .map_or(customer.country.as_str(), |evidence| {
            evidence.account_country.as_str()
        });
    let reasons = review_reasons(ports, customer, order, taxed_for, &place).await?;
    let paid = Paid::new(payment, reasons);
    // What the payment showed of where the buyer is: kept with the tax.
    let mut invoice = invoice.clone();
    if let Some(taxation) = invoice.taxation.as_mut() {
        taxation.note_payment(&place);
    }
    let invoice = &invoice;
    let receipt = receipt(ports, order, invoice, &paid).await?;
    let tx = record_payment(ports, customer, order, invoice, attempt, &paid, &receipt)?;
    match tx.commit(ports.table()).await {
        Ok(()) => after_payment(ports, customer, order_id, paid.status, &receipt).await,
        Err(TxError::Refused(AlreadyRecorded)) => {}
        Err(TxError::Table(other)) => return Err(other.into()),
    }
    let order = crate::orders::load(ports, &customer.id, order_id).await?;
    crate::orders::view(ports, order).await
}

/// Why the review rules hold this paid order for staff; empty when they do not.
async fn review_reasons(
    ports: &(impl Storage + Settings),
    customer: &Customer,
    order: &Order,
    account_country: &str,
    place: &PaymentPlace,
) -> Result<Vec<String>, OrderError> {
    let rules = Rules {
        value_above: ports.config().review_above,
        orders_per_day: ports.config().review_orders_per_day,
    };
    let recent = review::recent_orders(ports, &customer.id).await?;
    Ok(review::reasons(
        rules,
        order,
        recent,
        account_country,
        place,
    ))
}

impl Paid {
    fn new(payment: Payment, reasons: Vec<String>) -> Paid {
        let status = if reasons.is_empty() {
            OrderStatus::Provisioning
        } else {
            OrderStatus::PendingReview
        };
        Paid {
            payment,
            reasons,
            status,
        }
    }

    /// Why the order changed status, for the audit log.
    fn why(&self) -> String {
        if !self.reasons.is_empty() {
            format!("paid; held for review: {}", self.reasons.join("; "))
        } else if self.payment.by_card() {
            format!("paid by card ending {}", self.payment.card_last4)
        } else {
            "paid by account credit".into()
        }
    }
}

/// The payment receipt, saying whether the order waits for review.
async fn receipt(
    ports: &(impl Storage + Settings),
    order: &Order,
    invoice: &Invoice,
    paid: &Paid,
) -> Result<Mail, OrderError> {
    let mut letter = invoice_letter(ports, order, invoice);
    letter.card_last4 = paid.payment.card_last4.clone();
    letter.paid = true;
    letter.in_review = paid.status == OrderStatus::PendingReview;
    Ok(Mail::compose(ports, MailKind::PaymentReceipt, &order.email, &letter).await?)
}

/// The transaction that records the payment: the order's change of status
/// (refused if another checkout recorded it first), the paid invoice, the
/// receipt, the released unpaid-order count, the secrets kept for
/// provisioning and the names held for good.
fn record_payment(
    ports: &(impl Storage + Settings),
    customer: &Customer,
    order: &Order,
    invoice: &Invoice,
    attempt: u32,
    paid: &Paid,
    receipt: &Mail,
) -> Result<Tx<AlreadyRecorded>, OrderError> {
    let update = Update::new()
        .set("payment", json!(paid.payment))
        .set("payment_attempts", attempt)
        .set("review_reasons", json!(paid.reasons))
        .remove("payment_pending")
        .remove("payment_action")
        .remove("payment_problem");
    let mut tx = Tx::new();
    Change {
        order,
        to: paid.status,
        update,
        actor: Actor::Customer(customer.id.clone()),
        why: paid.why(),
        unchanged_since: None,
        client: None,
        role: None,
    }
    .add_to(&mut tx, AlreadyRecorded, ports.clock().now())?;
    let now_secs = ports.clock().now_secs();
    let capture_id = paid
        .payment
        .by_card()
        .then_some(paid.payment.capture_id.as_str());
    tx.push(invoice.paid_op(&paid.payment.paid_at, capture_id))
        .push(receipt.put_op(now_secs))
        .push(crate::orders::unpaid::release_op(&customer.id))
        .push(crate::orders::secrets::keep_for_provisioning_op(
            &order.id, now_secs,
        ))
        .extend(
            hold_markers(order, &ports.config().subdomain_zone, None)
                .into_iter()
                .map(|(_, op)| op),
        );
    Ok(tx)
}

/// Once the payment is recorded: mails the receipt and, unless the order
/// waits for review, starts provisioning it.
async fn after_payment(
    ports: &(impl Storage + Settings + Queueing + Mailing),
    customer: &Customer,
    order_id: &OrderId,
    status: OrderStatus,
    receipt: &Mail,
) {
    mail::deliver(ports, receipt).await;
    tracing::info!(order = %order_id, status = status.as_str(), "order paid");
    if status == OrderStatus::Provisioning {
        // Should this fail, the sweeper finds the order and enqueues it.
        if let Err(error) = provision::enqueue(ports, &customer.id, order_id).await {
            tracing::error!(order = %order_id, %error, "could not enqueue provisioning");
        }
    }
}
