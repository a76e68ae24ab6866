//! Upgrading a service to a larger plan of the same kind, for a prorated
//! invoice paid at once.
//!
//! One upgrade of a service at a time: the request that makes the invoice
//! takes a lease on the service (`SERVICE#<id>` / `UPGRADING`, held by the
//! invoice's number) in the same transaction, so a second request meanwhile
//! is refused (409 `upgrade_in_progress`) having written and charged
//! nothing. A retry under the first request's key takes the lease again.
//! The payment is recorded only while the invoice still holds the lease and
//! the service still has the plan it was priced from; should that no longer
//! hold, the capture is refunded and the invoice voided, so that no capture
//! is ever left unrecorded.

use super::addons::AddonError;
use super::{ServiceStatus, Subscription, find, key};
use crate::audit::{Actor, AuditEntry};
use crate::billing::declines::{self, Paying};
use crate::billing::invoice::{self, Invoice, InvoiceFor, InvoiceLine, InvoiceStatus};
use crate::billing::lease;
use crate::idempotency::{Earlier, IdempotencyRecord};
use crate::payments::{Capture, Charge, PaymentError, PaymentSource};
use crate::store::{Condition, Key, TableError, Tx, TxError, TxOp, Update};
use crate::{Billing, Catalogs, Queueing, Settings, Storage};

/// Why an upgrade's first write may be refused.
#[derive(Debug, Clone, Copy)]
enum Refusal {
    CounterMoved,
    KeyTaken,
    /// Another upgrade of the service holds the lease.
    Busy,
}

fn lease_key(service_id: &str) -> Key {
    Key::new(format!("SERVICE#{service_id}"), "UPGRADING")
}

fn in_progress() -> AddonError {
    AddonError::Conflict {
        code: "upgrade_in_progress",
        message: "this service is being upgraded right now; look at it again in a moment".into(),
    }
}

/// Moves the service to the larger plan `plan_id` of the same kind, for a
/// prorated invoice paid now: the difference in price for the days left of
/// the period. The same `Idempotency-Key` repeats nothing.
pub async fn upgrade(
    services: &(impl Storage + Settings + Billing + Catalogs + Queueing),
    customer_id: &str,
    service_id: &str,
    plan_id: &str,
    source: PaymentSource,
    key_given: &str,
) -> Result<Subscription, AddonError> {
    let service = find(services.table(), customer_id, service_id)
        .await?
        .ok_or(AddonError::NotFound)?;
    let fingerprint = format!("upgrade:{service_id}:{plan_id}");
    let earlier = IdempotencyRecord::earlier(
        services.table(),
        customer_id,
        key_given,
        "upgrade",
        &fingerprint,
    )
    .await?;
    let paying = Paying::upgrade(service_id);
    let bill = match earlier {
        Some(Earlier::Other) => {
            return Err(AddonError::Invalid {
                code: "idempotency_key_reused",
                message: "this Idempotency-Key was used for a different request; use a new key"
                    .into(),
            });
        }
        Some(Earlier::Same(number)) => {
            let bill = invoice::find(services.table(), customer_id, &number)
                .await?
                .ok_or_else(|| {
                    TableError::Backend(format!("upgrade invoice {number} is missing"))
                })?;
            if bill.status == InvoiceStatus::Open {
                declines::may_try::<AddonError>(services, customer_id, &paying).await?;
                let now = services.clock().now_secs();
                let held = lease::hold_op(&lease_key(service_id), &bill.number, now);
                match services.table().transact(vec![held]).await {
                    Ok(()) => {}
                    Err(TableError::TransactionConflict { .. }) => return Err(in_progress()),
                    Err(other) => return Err(other.into()),
                }
            }
            bill
        }
        None => {
            declines::may_try::<AddonError>(services, customer_id, &paying).await?;
            invoice_upgrade(services, &service, plan_id, key_given, &fingerprint).await?
        }
    };
    if bill.status == InvoiceStatus::Open {
        charge(services, &service, &bill, plan_id, source, &paying).await?;
    }
    find(services.table(), customer_id, service_id)
        .await?
        .ok_or(AddonError::NotFound)
}

/// Invoices the prorated difference, numbered, with the key's record and
/// the service's upgrade lease.
async fn invoice_upgrade(
    services: &(impl Storage + Settings + Catalogs),
    service: &Subscription,
    plan_id: &str,
    key_given: &str,
    fingerprint: &str,
) -> Result<Invoice, AddonError> {
    if service.status != ServiceStatus::Active {
        return Err(AddonError::Conflict {
            code: "service_not_active",
            message: "only an active service can be changed".into(),
        });
    }
    let catalog = services
        .catalog()
        .get(services.table(), services.clock())
        .await?;
    let plan = catalog.plan(plan_id).ok_or_else(|| AddonError::Invalid {
        code: "unknown_plan",
        message: format!("there is no plan {plan_id:?}"),
    })?;
    let price = plan.prices.get(&service.cycle).copied().unwrap_or(0);
    if plan.kind != service.plan_kind || price <= service.price {
        return Err(AddonError::Conflict {
            code: "not_an_upgrade",
            message: format!("{} is not a larger plan of the same kind", plan.name),
        });
    }
    let today = services.clock().now().date();
    let due = time::Date::parse(
        &service.next_due,
        time::macros::format_description!("[year]-[month]-[day]"),
    )
    .unwrap_or(today);
    let months = crate::catalog::cycle_months(&service.cycle).unwrap_or(1);
    let period_days = (due - sub_months(due, months)).whole_days().max(1);
    let days_left = (due - today).whole_days().clamp(0, period_days);
    let amount = (price - service.price) * days_left / period_days;
    let lines = vec![InvoiceLine {
        description: format!(
            "Upgrade to {}, {days_left} of {period_days} days until {}",
            plan.name,
            crate::clock::mail_day(due)
        ),
        amount,
    }];
    for _ in 0..20 {
        let (sequence, claim) = invoice::next_number(services.table()).await?;
        let mut bill = Invoice::new(
            &service.customer_id,
            InvoiceFor::Upgrade {
                service_id: service.id.clone(),
                plan_id: plan_id.into(),
            },
            crate::clock::rfc3339(services.clock().now()),
            &service.currency,
            lines.clone(),
            services.config().tax_rate_bps,
        );
        bill.number = invoice::format_number(sequence);
        let record = IdempotencyRecord {
            customer_id: &service.customer_id,
            key: key_given,
            made: ("upgrade", &bill.number),
            fingerprint,
        };
        let now = services.clock().now_secs();
        let until = now + crate::idempotency::KEEP_DAYS * 86_400;
        let held = lease::hold_op(&lease_key(&service.id), &bill.number, now);
        let mut tx = Tx::new();
        tx.guard(Refusal::CounterMoved, claim)
            .guard(Refusal::KeyTaken, record.create_op(until))
            .guard(Refusal::Busy, held)
            .push(bill.put_op(sequence));
        match tx.commit(services.table()).await {
            Ok(()) => return Ok(bill),
            Err(TxError::Refused(Refusal::CounterMoved)) => {}
            Err(TxError::Refused(Refusal::KeyTaken | Refusal::Busy)) => {
                return Err(in_progress());
            }
            Err(TxError::Table(error)) => return Err(error.into()),
        }
    }
    Err(AddonError::Unavailable(
        "please try again in a moment".into(),
    ))
}

fn sub_months(date: time::Date, months: u32) -> time::Date {
    // The same day `months` earlier, clamped as `add_months` clamps.
    let index = date.year() * 12 + (date.month() as i32 - 1) - months as i32;
    let (year, month) = (index.div_euclid(12), index.rem_euclid(12) as u8 + 1);
    let month = time::Month::try_from(month).expect("a month index modulo 12 is a month");
    time::Date::from_calendar_date(year, month, date.day().min(month.length(year)))
        .expect("the day is clamped to the month")
}

/// Takes the invoice's total, then moves the service to the plan.
async fn charge(
    services: &(impl Storage + Billing + Catalogs + Queueing),
    service: &Subscription,
    bill: &Invoice,
    plan_id: &str,
    source: PaymentSource,
    paying: &Paying,
) -> Result<(), AddonError> {
    let request = Charge {
        amount: bill.total,
        currency: bill.currency.clone(),
        source,
        reference: bill.number.clone(),
        idempotency_key: format!("{}-authorize", bill.number),
    };
    let payments = services.payments();
    let taken = match payments.authorize(&request).await {
        Ok(held) => {
            let captured = payments
                .capture(&held.id, bill.total, &format!("{}-capture", bill.number))
                .await;
            if let Err(PaymentError::Declined { .. } | PaymentError::Invalid(_)) = &captured {
                // Nothing was taken: let the authorisation go too.
                let void_key = format!("{}-void", bill.number);
                if let Err(error) = payments.void(&held.id, &void_key).await {
                    tracing::warn!(invoice = %bill.number, %error, "could not void an upgrade's authorisation");
                }
            }
            captured
        }
        Err(error) => Err(error),
    };
    let capture = match taken {
        Ok(capture) => capture,
        Err(error) => return Err(not_taken(services, service, bill, paying, error).await),
    };
    record(services, service, bill, plan_id, &capture).await
}

/// What the customer is told of a payment that took nothing: a declined
/// card voids the invoice and counts against their declined cards; the
/// lease is let go unless the gateway did not answer (then the same
/// request, sent again, carries on under it).
async fn not_taken(
    services: &(impl Storage + Billing),
    service: &Subscription,
    bill: &Invoice,
    paying: &Paying,
    error: PaymentError,
) -> AddonError {
    let outcome = async {
        let lease = lease_key(&service.id);
        match error {
            PaymentError::Declined { code, message } => {
                services.table().transact(vec![bill.void_op()]).await?;
                let_go(services, &lease, bill).await?;
                let told = (code, message);
                let customer_id = &service.customer_id;
                let (code, message) =
                    declines::declined(services, customer_id, paying, told).await?;
                Ok(AddonError::Declined { code, message })
            }
            PaymentError::Unavailable(message) => Ok(AddonError::Unavailable(message)),
            PaymentError::Invalid(message) => {
                let_go(services, &lease, bill).await?;
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
async fn let_go(services: &impl Storage, lease: &Key, bill: &Invoice) -> Result<(), TableError> {
    match services
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
    services: &(impl Storage + Billing + Catalogs + Queueing),
    service: &Subscription,
    bill: &Invoice,
    plan_id: &str,
    capture: &Capture,
) -> Result<(), AddonError> {
    let catalog = services
        .catalog()
        .get(services.table(), services.clock())
        .await?;
    let plan = catalog
        .plan(plan_id)
        .ok_or_else(|| TableError::Backend(format!("plan {plan_id} is gone")))?;
    let price = plan
        .prices
        .get(&service.cycle)
        .copied()
        .unwrap_or(service.price);
    let entry = AuditEntry {
        at: crate::clock::rfc3339_millis(services.clock().now()),
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
    let ops = vec![
        bill.paid_op(
            &crate::clock::rfc3339(services.clock().now()),
            Some(&capture.id),
        ),
        super::panel::needed_op(service, services.clock().now_millis()),
        crate::stats::add_op(
            &crate::stats::mrr(&service.currency),
            &service.id,
            crate::stats::monthly(price, &service.cycle)
                - crate::stats::monthly(service.price, &service.cycle),
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
    match services.table().transact(ops).await {
        Ok(()) => {
            super::panel::request(services, service).await;
            Ok(())
        }
        Err(TableError::TransactionConflict { .. }) => give_back(services, bill, capture).await,
        Err(error) => Err(error.into()),
    }
}

/// For a capture that could not be recorded: nothing, if a retry of the same
/// upgrade recorded it; otherwise refunded, and the invoice voided.
async fn give_back(
    services: &(impl Storage + Billing),
    bill: &Invoice,
    capture: &Capture,
) -> Result<(), AddonError> {
    let now = invoice::find(services.table(), &bill.customer_id, &bill.number).await?;
    if now.is_some_and(|b| b.status == InvoiceStatus::Paid) {
        return Ok(());
    }
    let refund_key = format!("{}-refund", bill.number);
    services
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
    services.table().transact(vec![bill.void_op()]).await?;
    tracing::info!(invoice = %bill.number, "an upgrade lost to another: refunded and voided");
    Err(AddonError::Conflict {
        code: "upgrade_in_progress",
        message: "the service's plan changed while this upgrade was paid; it was not made, and the payment was given back".into(),
    })
}
