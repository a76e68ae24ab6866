//! Paying an unpaid service invoice by hand: the dunning days have passed,
//! the service was suspended, and the customer pays with a card (or the
//! saved one). The period is paid, the service's next due date moves on,
//! and a service suspended for nothing else comes back, its panel account
//! with it. Invoices the billing run still charges are left to it, so one
//! invoice is never charged by both.
//!
//! One payment at a time per invoice: a `billing::lease` at `SERVICE#<id>` /
//! `PAYING#<first day>` is taken before the card is charged.

use serde_json::json;

use super::billing::{Period, PeriodStatus, customer, day, letter};
use super::{ServiceStatus, Subscription, find, key};
use crate::audit::Actor;
use crate::billing::declines::{self, Paying, TooManyDeclines};
use crate::billing::invoice::{self, Invoice, InvoiceFor, InvoiceStatus};
use crate::billing::lease;
use crate::catalog::cycle_months;
use crate::lifecycle::MovedOn;
use crate::mail::{self, Mail, MailKind};
use crate::payments::{Charge, PaymentError, PaymentSource};
use crate::store::{
    Condition, Key, Query, SortKey, TableError, Tx, TxError, TxOp, Update, all_items,
};
use crate::{Billing, Mailing, Queueing, Settings, Storage};

#[derive(Debug, thiserror::Error)]
pub enum PayError {
    #[error("no such invoice of yours")]
    NotFound,
    #[error("{message}")]
    Conflict { code: &'static str, message: String },
    #[error("{message}")]
    Declined { code: String, message: String },
    #[error(transparent)]
    TooManyDeclines(#[from] TooManyDeclines),
    #[error("{0}")]
    Invalid(String),
    #[error("{0}")]
    Unavailable(String),
    #[error(transparent)]
    Table(#[from] TableError),
}

fn lease_key(period: &Period) -> Key {
    Key::new(
        format!("SERVICE#{}", period.service_id),
        format!("PAYING#{}", period.from),
    )
}

/// Pays the customer's invoice `number` from `source`; returns it paid.
pub async fn pay_invoice(
    services: &(impl Storage + Settings + Billing + Mailing + Queueing),
    customer_id: &str,
    number: &str,
    source: PaymentSource,
) -> Result<Invoice, PayError> {
    let bill = invoice::find(services.table(), customer_id, number)
        .await?
        .ok_or(PayError::NotFound)?;
    match bill.status {
        InvoiceStatus::Paid => return Ok(bill),
        InvoiceStatus::Open => {}
        _ => return Err(not_owed(services, &bill).await?),
    }
    let period = match &bill.about {
        InvoiceFor::Period {
            service_id, from, ..
        } => {
            let key = Key::new(format!("SERVICE#{service_id}"), format!("PERIOD#{from}"));
            let item = services.table().get(&key).await?;
            item.as_ref().map(Period::of).transpose()?
        }
        _ => None,
    }
    .ok_or_else(|| PayError::Conflict {
        code: "pay_elsewhere",
        message: "this invoice is paid from its order or its domain's renewal".into(),
    })?;
    match period.status {
        PeriodStatus::Unpaid => {}
        PeriodStatus::Paid => return reread(services, customer_id, number).await,
        PeriodStatus::Void => return Err(ended(number)),
        PeriodStatus::Scheduled => {
            return Err(PayError::Conflict {
                code: "charged_automatically",
                message: "this invoice is charged to your saved card on its due date; update your card to have it charged to another".into(),
            });
        }
    }
    let service = find(services.table(), customer_id, &period.service_id)
        .await?
        .ok_or(PayError::NotFound)?;
    let paying = Paying::invoice(number);
    declines::may_try::<PayError>(services, customer_id, &paying).await?;
    let attempt = lease::take(
        services.table(),
        &lease_key(&period),
        services.clock().now_secs(),
    )
    .await?
    .ok_or_else(|| PayError::Conflict {
        code: "payment_in_progress",
        message: "this invoice is being paid right now".into(),
    })?;
    let key = format!("{}-pay-{attempt}", bill.number);
    let request = Charge {
        amount: bill.total,
        currency: bill.currency.clone(),
        source,
        reference: bill.number.clone(),
        idempotency_key: format!("{key}-authorize"),
    };
    let taken = async {
        let held = services.payments().authorize(&request).await?;
        services
            .payments()
            .capture(&held.id, bill.total, &format!("{key}-capture"))
            .await
    }
    .await;
    let capture = match taken {
        Ok(capture) => capture,
        Err(error) => {
            // A decline is final for this attempt: the next uses new gateway keys.
            let next = match &error {
                PaymentError::Declined { .. } => attempt + 1,
                _ => attempt,
            };
            lease::release(services.table(), &lease_key(&period), next).await?;
            return Err(match error {
                PaymentError::Declined { code, message } => {
                    let told = (code, message);
                    let (code, message) =
                        declines::declined(services, customer_id, &paying, told).await?;
                    PayError::Declined { code, message }
                }
                PaymentError::Invalid(message) => PayError::Invalid(message),
                PaymentError::Unavailable(message) => PayError::Unavailable(message),
            });
        }
    };
    settle(services, &service, &period, &bill, &capture.id).await?;
    reread(services, customer_id, number).await
}

/// Why an invoice that is not open cannot be paid: voided when its
/// service ended, or otherwise not owed.
async fn not_owed(services: &impl Storage, bill: &Invoice) -> Result<PayError, TableError> {
    let ended = match &bill.about {
        InvoiceFor::Period { service_id, .. } if bill.status == InvoiceStatus::Void => {
            find(services.table(), &bill.customer_id, service_id)
                .await?
                .is_some_and(|service| service.ended_at.is_some())
        }
        _ => false,
    };
    Ok(match ended {
        true => self::ended(&bill.number),
        false => PayError::Conflict {
            code: "not_payable",
            message: format!("invoice {} is not owed", bill.number),
        },
    })
}

fn ended(number: &str) -> PayError {
    PayError::Conflict {
        code: "service_ended",
        message: format!("invoice {number} was voided when its service ended: nothing is owed"),
    }
}

async fn reread(
    services: &impl Storage,
    customer_id: &str,
    number: &str,
) -> Result<Invoice, PayError> {
    invoice::find(services.table(), customer_id, number)
        .await?
        .ok_or(PayError::NotFound)
}

/// Records the payment: period and invoice paid, the next due date moved
/// on, the service back if nothing else holds it suspended, a receipt.
async fn settle(
    services: &(impl Storage + Settings + Billing + Mailing + Queueing),
    service: &Subscription,
    period: &Period,
    bill: &Invoice,
    capture_id: &str,
) -> Result<(), PayError> {
    let now = services.clock().now();
    let mut update = Update::new()
        .set("status", json!(PeriodStatus::Paid))
        .set("capture_id", capture_id)
        .bump_version();
    for (attribute, value) in Period::index(PeriodStatus::Paid, now.unix_timestamp(), &service.id) {
        update = update.set(attribute, value);
    }
    let next = crate::clock::add_months(
        day(&period.from).unwrap_or(now.date()),
        cycle_months(&service.cycle).unwrap_or(1),
    );
    let mut tx = Tx::new();
    tx.guard(
        MovedOn,
        TxOp::Update {
            key: period.key(),
            update,
            condition: Some(Condition::eq("status", json!(PeriodStatus::Unpaid))),
        },
    )
    .push(bill.paid_op(&crate::clock::rfc3339(now), Some(capture_id)))
    .push(TxOp::Delete {
        key: lease_key(period),
        condition: None,
    });
    let resumes = service.status == ServiceStatus::Suspended
        && service.ended_at.is_none()
        && !owes_more(services, service, period).await?;
    let move_due = Update::new()
        .set("next_due", next.to_string())
        .set("gsi1sk", format!("{next}#{}", service.id));
    if resumes {
        service
            .change(
                ServiceStatus::Active,
                move_due,
                Actor::Customer(service.customer_id.clone()),
                &format!("invoice {} paid", bill.number),
            )
            .add_to(&mut tx, MovedOn, now)
            .map_err(|e| TableError::Backend(e.to_string()))?;
        tx.push(super::panel::needed_op(
            service,
            services.clock().now_millis(),
        ));
    } else if service.ended_at.is_none() {
        tx.push(TxOp::Update {
            key: key(&service.customer_id, &service.id),
            update: move_due.bump_version(),
            condition: Some(Condition::eq("next_due", period.from.clone())),
        });
    }
    let owner = customer(services, &service.customer_id).await?;
    let mut letter =
        crate::billing::letter::with_invoice(letter(services, service, &owner.name), bill);
    letter.paid = true;
    letter.action = format!(
        "Thank you: {} on {} is paid until {}.{}",
        service.plan_name,
        service.domain,
        crate::clock::mail_day_text(&period.to),
        if resumes { " It is running again." } else { "" }
    );
    let receipt = Mail::compose_about(
        services,
        MailKind::ServiceReceipt,
        &owner.email,
        &letter,
        &format!("service:{}", service.id),
    )?
    .for_period(&format!("{}-paid", period.from));
    tx.push(receipt.put_op(now.unix_timestamp()));
    match tx.commit(services.table()).await {
        Ok(()) => {
            mail::deliver(services, &receipt).await;
            if resumes {
                super::panel::request(services, service).await;
            }
            Ok(())
        }
        // Paid by a request that held the lease before this one's lapsed,
        // or voided as its service ended while the card was charged.
        Err(TxError::Refused(MovedOn)) => {
            give_back_if_void(services, period, bill, capture_id).await
        }
        Err(TxError::Table(error)) => Err(error.into()),
    }
}

/// Refunds a payment that lost the race with the service's end: the period
/// was voided meanwhile, so nothing was owed.
async fn give_back_if_void(
    services: &(impl Storage + Billing),
    period: &Period,
    bill: &Invoice,
    capture_id: &str,
) -> Result<(), PayError> {
    let now = services.table().get(&period.key()).await?;
    if now.as_ref().map(Period::of).transpose()?.map(|p| p.status) != Some(PeriodStatus::Void) {
        return Ok(());
    }
    let key = format!("{}-ended-refund", bill.number);
    services
        .payments()
        .refund(capture_id, bill.total, &key)
        .await
        .map_err(|error| {
            tracing::error!(invoice = %bill.number, %error, "paid as its service ended; the refund did not go through");
            PayError::Unavailable(format!("the refund did not go through: {error}"))
        })?;
    Err(ended(&bill.number))
}

/// True when another period of the service is unpaid too.
async fn owes_more(
    services: &impl Storage,
    service: &Subscription,
    paid: &Period,
) -> Result<bool, TableError> {
    let query = Query::partition(format!("SERVICE#{}", service.id))
        .sort(SortKey::BeginsWith("PERIOD#".into()));
    for item in &all_items(services.table(), query).await? {
        let period = Period::of(item)?;
        if period.status == PeriodStatus::Unpaid && period.from != paid.from {
            return Ok(true);
        }
    }
    Ok(false)
}
