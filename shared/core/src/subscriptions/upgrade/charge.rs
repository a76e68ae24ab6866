//! Paying for an upgrade: the invoice's total is taken at once, then the
//! service moves to the plan in the same write that records the payment;
//! a payment that cannot be recorded is given back.

use super::lease_key;
use crate::audit::{Actor, AuditEntry};
use crate::billing::declines::{self, Paying};
use crate::billing::invoice::{self, Invoice, InvoiceStatus};
use crate::billing::lease;
use crate::billing::take::{self, Taken};
use crate::payments::{Capture, Charge, PaymentError, PaymentSource};
use crate::store::{Condition, Key, TableError, TxOp, Update};
use crate::subscriptions::addons::AddonError;
use crate::subscriptions::{Subscription, key};
use crate::{Billing, Catalogs, Queueing, Settings, Storage};

/// Takes the invoice's total, then moves the service to the plan; or,
/// when the card's bank asks its holder to confirm the payment, keeps the
/// lease while they are at the bank and returns its page (`bank`).
pub(super) async fn charge(
    ports: &(impl Storage + Settings + Billing + Catalogs + Queueing),
    service: &Subscription,
    bill: &Invoice,
    plan_id: &str,
    source: PaymentSource,
    paying: &Paying,
) -> Result<Option<String>, AddonError> {
    let request = Charge {
        keep_for_later: false,
        amount: crate::money::Money::new(bill.total, &bill.currency),
        source,
        reference: bill.number.clone(),
        idempotency_key: format!("{}-authorize", bill.number),
    };
    let (capture_key, void_key) = keys(bill);
    let back = super::bank::return_url(ports, &service.id);
    let keys = (capture_key.as_str(), Some(void_key.as_str()));
    match take::take_with_holder(ports.payments(), &request, &back, keys).await {
        Ok(Taken::Captured(capture)) => record(ports, service, bill, plan_id, &capture)
            .await
            .map(|()| None),
        Ok(Taken::AtBank {
            authorization_id,
            url,
        }) => super::bank::wait(ports, service, bill, (&authorization_id, &url))
            .await
            .map(Some),
        Err(error) => Err(not_taken(ports, service, bill, paying, error).await),
    }
}

/// The gateway keys of the capture of the invoice's payment, and of letting it go.
fn keys(bill: &Invoice) -> (String, String) {
    (
        format!("{}-capture", bill.number),
        format!("{}-void", bill.number),
    )
}

/// Takes what `authorization_id` holds for the invoice once its holder
/// confirmed it at their bank, then moves the service to the plan, as a
/// payment that needed no check is recorded. A repeat captures nothing
/// more (the same key) and records nothing twice.
pub(super) async fn capture_confirmed(
    ports: &(impl Storage + Billing + Catalogs + Queueing),
    (service, bill, plan_id): (&Subscription, &Invoice, &str),
    authorization_id: &str,
    paying: &Paying,
) -> Result<(), AddonError> {
    let (capture_key, void_key) = keys(bill);
    let held = (authorization_id, bill.total, bill.number.as_str());
    let taken = take::capture_held(ports.payments(), held, &capture_key, Some(&void_key)).await;
    match taken {
        Ok(capture) => record(ports, service, bill, plan_id, &capture).await,
        Err(error) => Err(not_taken(ports, service, bill, paying, error).await),
    }
}

/// What the customer is told of a payment that took nothing: a declined
/// card voids the invoice and counts against their declined cards; the
/// lease is let go unless the gateway did not answer (then the same
/// request, sent again, carries on under it).
pub(super) async fn not_taken(
    ports: &(impl Storage + Billing),
    service: &Subscription,
    bill: &Invoice,
    paying: &Paying,
    error: PaymentError,
) -> AddonError {
    let outcome = async {
        let lease = lease_key(&service.id);
        match error {
            PaymentError::Declined { code, message } => {
                let void =
                    crate::billing::void::void_op(ports.table(), bill, ports.clock().now()).await?;
                ports.table().transact(void).await?;
                let_go(ports, &lease, bill).await?;
                let told = (code, message);
                let customer_id = &service.customer_id;
                let (code, message) = declines::declined(ports, customer_id, paying, told).await?;
                Ok(AddonError::Declined { code, message })
            }
            PaymentError::Unavailable(message) => Ok(AddonError::Unavailable(message)),
            PaymentError::Invalid(message) => {
                let_go(ports, &lease, bill).await?;
                Ok(AddonError::Invalid {
                    code: "invalid_payment",
                    message,
                })
            }
        }
    };
    outcome
        .await
        .unwrap_or_else(|error: TableError| error.into())
}

/// Lets the invoice's lease go, unless another upgrade holds it now.
async fn let_go(ports: &impl Storage, lease: &Key, bill: &Invoice) -> Result<(), TableError> {
    match ports
        .table()
        .transact(vec![lease::let_go_op(lease, &bill.number)])
        .await
    {
        Ok(()) | Err(TableError::TransactionConflict { .. }) => Ok(()),
        Err(other) => Err(other),
    }
}

/// Records the captured payment: the invoice paid, the service on the new
/// plan, the lease let go, in one transaction. Refused (the lease lapsed and
/// another upgrade took it, or the plan changed meanwhile), the capture is
/// refunded and the invoice voided, unless a retry of this very upgrade
/// recorded it first.
async fn record(
    ports: &(impl Storage + Billing + Catalogs + Queueing),
    service: &Subscription,
    bill: &Invoice,
    plan_id: &str,
    capture: &Capture,
) -> Result<(), AddonError> {
    let catalog = ports.catalog().get(ports.table(), ports.clock()).await?;
    let plan = catalog
        .plan(plan_id)
        .ok_or_else(|| TableError::Backend(format!("plan {plan_id} is gone")))?;
    let price = plan
        .prices
        .get(&service.cycle)
        .copied()
        .unwrap_or(service.price);
    let entry = AuditEntry {
        at: crate::clock::rfc3339_millis(ports.clock().now()),
        actor: Actor::Customer(service.customer_id.clone()),
        subject: format!("service:{}", service.id),
        customer_id: Some(service.customer_id.clone()),
        action: "upgraded".into(),
        from: Some(service.plan_id.clone()),
        to: Some(plan_id.into()),
        why: format!("invoice {}", bill.number),
        client: None,
        role: None,
    };
    let moved = crate::stats::monthly(price, &service.cycle)
        - crate::stats::monthly(service.price, &service.cycle);
    let ops = vec![
        bill.paid_op(
            &crate::clock::rfc3339(ports.clock().now()),
            Some(&capture.id),
        ),
        crate::subscriptions::panel::needed_op(service, ports.clock().now_millis()),
        crate::stats::add_op(&crate::stats::mrr(&service.currency), &service.id, moved),
        crate::stats::add_op(
            &crate::stats::mrr_moved(
                &crate::stats::month_of(ports.clock().now()),
                &service.currency,
            ),
            &service.id,
            moved,
        ),
        TxOp::Update {
            key: key(&service.customer_id, &service.id),
            update: Update::new()
                .set("plan_id", plan_id)
                .set("plan_name", plan.name.clone())
                .set("price", price)
                .bump_version(),
            condition: Some(Condition::eq("plan_id", service.plan_id.clone())),
        },
        lease::let_go_op(&lease_key(&service.id), &bill.number),
        entry.put_op(),
    ];
    match ports.table().transact(ops).await {
        Ok(()) => {
            crate::subscriptions::panel::request(ports, service).await;
            Ok(())
        }
        Err(TableError::TransactionConflict { .. }) => give_back(ports, bill, capture).await,
        Err(error) => Err(error.into()),
    }
}

/// For a capture that could not be recorded: nothing, if a retry of the same
/// upgrade recorded it; otherwise refunded, and the invoice voided.
async fn give_back(
    ports: &(impl Storage + Billing),
    bill: &Invoice,
    capture: &Capture,
) -> Result<(), AddonError> {
    let now = invoice::find(ports.table(), &bill.customer_id, &bill.number).await?;
    if now.is_some_and(|b| b.status == InvoiceStatus::Paid) {
        return Ok(());
    }
    let refund_key = format!("{}-refund", bill.number);
    ports
        .payments()
        .refund(&capture.id, capture.amount, &refund_key)
        .await
        .map_err(|error| {
            tracing::error!(invoice = %bill.number, %error, "could not refund an upgrade that lost to another");
            AddonError::Unavailable(
                "the payment provider is not answering; send the same request again in a minute"
                    .into(),
            )
        })?;
    let void = crate::billing::void::void_op(ports.table(), bill, ports.clock().now()).await?;
    ports.table().transact(void).await?;
    tracing::info!(invoice = %bill.number, "an upgrade lost to another: refunded and voided");
    Err(AddonError::Conflict {
        code: "upgrade_in_progress",
        message: "the service's plan changed while this upgrade was paid; it was not made, and the payment was given back".into(),
    })
}
