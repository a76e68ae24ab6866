//! Paying an unpaid service invoice by hand: the dunning days have passed,
//! the service was suspended, and the customer pays with a card (or the
//! saved one). The period is paid, the service's next due date moves on,
//! and a service suspended for nothing else comes back, its panel account
//! with it. Invoices the billing run still charges are left to it, so one
//! invoice is never charged by both.
//!
//! One payment at a time per invoice: a `billing::lease` at `SERVICE#<id>` /
//! `PAYING#<first day>` is taken before the card is charged. A period the
//! billing run still charges may be paid here only once its bank asked for
//! the card's holder (`needs_holder`); the run then takes the same lease.
//!
//! The customer is at hand, so a card whose bank asks its holder to confirm
//! the payment (3-D Secure) sends them to the bank: the lease is kept while
//! they are there, and `bank::confirmed_at_bank` finishes the payment once
//! they are back, as a payment that needed no check is finished (`finish`).

pub mod bank;

use super::billing::{
    Period, PeriodStatus, change_at_panel, customer, due_on, letter, move_due_op, period_key,
    periods_of, receipt_action, service_mail,
};
use super::{Subscription, SubscriptionStatus, find};
use crate::CustomerId;
use crate::audit::Actor;
use crate::billing::declines::TooManyDeclines;
use crate::billing::invoice::{self, Invoice, InvoiceFor, InvoiceStatus};
use crate::lifecycle::MovedOn;
use crate::mail::{self, MailKind};
use crate::payments::{Authorization, PaymentSource};
use crate::store::{Key, TableError, Tx, TxError, TxOp};
use crate::{Billing, Mailing, Queueing, Settings, Storage};
use bank::Taken;
use serde::Serialize;
use utoipa::ToSchema;

/// An invoice paid by hand, as the payment left it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct InvoicePayment {
    #[serde(flatten)]
    pub invoice: Invoice,
    /// The card's bank asks its holder to confirm the payment (3-D Secure):
    /// their bank's page, which sends them back to the portal to confirm
    /// it (`POST /api/invoices/{number}/pay/confirm`). The invoice is still
    /// open meanwhile.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payment_action_url: Option<String>,
}

impl InvoicePayment {
    fn done(invoice: Invoice) -> InvoicePayment {
        InvoicePayment {
            invoice,
            payment_action_url: None,
        }
    }
}

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
    period.paying_key()
}

/// Pays the customer's invoice `number` from `source`; returns it paid, or
/// still open with the bank's page its holder must confirm the payment on.
pub async fn pay_invoice(
    ports: &(impl Storage + Settings + Billing + Mailing + Queueing),
    customer_id: &CustomerId,
    number: &str,
    source: PaymentSource,
) -> Result<InvoicePayment, PayError> {
    let Some((bill, period)) = owed(ports, customer_id, number).await? else {
        return reread(ports, customer_id, number).await;
    };
    if period.status == PeriodStatus::Scheduled && !period.needs_holder {
        return Err(PayError::Conflict {
            code: "charged_automatically",
            message: "this invoice is charged to your saved card on its due date; update your card to have it charged to another".into(),
        });
    }
    let service = find(ports.table(), customer_id, &period.service_id)
        .await?
        .ok_or(PayError::NotFound)?;
    match bank::take_payment(ports, &bill, &period, source).await? {
        Taken::Held(attempt, authorization) => {
            finish(ports, (&service, &period, &bill), attempt, authorization).await
        }
        Taken::AtBank(url) => Ok(InvoicePayment {
            invoice: bill,
            payment_action_url: Some(url),
        }),
    }
}

/// The customer's open invoice `number` and the period it is for; None
/// when it is paid already.
async fn owed(
    ports: &impl Storage,
    customer_id: &CustomerId,
    number: &str,
) -> Result<Option<(Invoice, Period)>, PayError> {
    let bill = invoice::find(ports.table(), customer_id, number)
        .await?
        .ok_or(PayError::NotFound)?;
    match bill.status {
        InvoiceStatus::Paid => return Ok(None),
        InvoiceStatus::Open => {}
        _ => return Err(not_owed(ports, &bill).await?),
    }
    let period = invoiced_period(ports, &bill).await?;
    match period.status {
        PeriodStatus::Unpaid | PeriodStatus::Scheduled => Ok(Some((bill, period))),
        PeriodStatus::Paid => Ok(None),
        PeriodStatus::Void => Err(ended(number)),
    }
}

/// Captures what `authorization` holds for the invoice, under its lease,
/// and records the payment: how every payment by hand ends, whether its
/// bank asked its holder or not.
async fn finish(
    ports: &(impl Storage + Settings + Billing + Mailing + Queueing),
    (service, period, bill): (&Subscription, &Period, &Invoice),
    attempt: i64,
    authorization: Authorization,
) -> Result<InvoicePayment, PayError> {
    let capture_key = format!("{}-capture", attempt_key(&bill.number, attempt));
    let captured = ports
        .payments()
        .capture(&authorization.id, bill.total, &capture_key)
        .await;
    let capture = match captured {
        Ok(capture) => capture,
        Err(error) => return Err(bank::refused(ports, bill, period, attempt, error).await),
    };
    settle(ports, service, period, bill, &capture.id).await?;
    reread(ports, &bill.customer_id, &bill.number).await
}

/// What the gateway keys of payment attempt `attempt` of invoice `number` start with.
fn attempt_key(number: &str, attempt: i64) -> String {
    format!("{number}-pay-{attempt}")
}

/// The period `bill` is for; only a service's period is paid here.
async fn invoiced_period(ports: &impl Storage, bill: &Invoice) -> Result<Period, PayError> {
    let period = match &bill.about {
        InvoiceFor::Period {
            service_id, from, ..
        } => {
            let item = ports.table().get(&period_key(service_id, from)).await?;
            item.as_ref().map(Period::of).transpose()?
        }
        _ => None,
    };
    period.ok_or_else(|| PayError::Conflict {
        code: "pay_elsewhere",
        message: "this invoice is paid from its order or its domain's renewal".into(),
    })
}

/// Why an invoice that is not open cannot be paid: voided when its
/// service ended, or otherwise not owed.
async fn not_owed(ports: &impl Storage, bill: &Invoice) -> Result<PayError, TableError> {
    let ended = match &bill.about {
        InvoiceFor::Period { service_id, .. } if bill.status == InvoiceStatus::Void => {
            find(ports.table(), &bill.customer_id, service_id)
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
    ports: &impl Storage,
    customer_id: &CustomerId,
    number: &str,
) -> Result<InvoicePayment, PayError> {
    invoice::find(ports.table(), customer_id, number)
        .await?
        .map(InvoicePayment::done)
        .ok_or(PayError::NotFound)
}

/// Records the payment: period and invoice paid, the next due date moved
/// on, the service back if nothing else holds it suspended, a receipt.
async fn settle(
    ports: &(impl Storage + Settings + Billing + Mailing + Queueing),
    service: &Subscription,
    period: &Period,
    bill: &Invoice,
    capture_id: &str,
) -> Result<(), PayError> {
    let now = ports.clock().now();
    let next = period.following(&service.cycle, now.date());
    let mut tx = Tx::new();
    tx.guard(
        MovedOn,
        period.paid_by_hand_op(capture_id, now.unix_timestamp()),
    )
    .push(bill.paid_op(&crate::clock::rfc3339(now), Some(capture_id)))
    .push(TxOp::Delete {
        key: lease_key(period),
        condition: None,
    });
    let resumes = service.status == SubscriptionStatus::Suspended
        && service.ended_at.is_none()
        && !owes_more(ports, service, period).await?;
    if resumes {
        let why = format!("invoice {} paid", bill.number);
        let actor = Actor::Customer(service.customer_id.clone());
        let active = (SubscriptionStatus::Active, due_on(service, next));
        change_at_panel(ports, &mut tx, service, active, (actor, &why))?;
    } else if service.ended_at.is_none() {
        tx.push(move_due_op(service, period, next));
    }
    let owner = customer(ports, &service.customer_id).await?;
    let mut letter =
        crate::billing::letter::with_invoice(letter(ports, service, &owner.name), bill);
    letter.paid = true;
    letter.action = receipt_action(service, period, resumes);
    let occasion = format!("{}-paid", period.from);
    let receipt = service_mail(
        ports,
        MailKind::ServiceReceipt,
        (&owner.email, &letter),
        service,
        &occasion,
    )
    .await?;
    tx.push(receipt.put_op(now.unix_timestamp()));
    match tx.commit(ports.table()).await {
        Ok(()) => {
            mail::deliver(ports, &receipt).await;
            if resumes {
                super::panel::request(ports, service).await;
            }
            Ok(())
        }
        // Paid by a request that held the lease before this one's lapsed,
        // or voided as its service ended while the card was charged.
        Err(TxError::Refused(MovedOn)) => give_back_if_void(ports, period, bill, capture_id).await,
        Err(TxError::Table(error)) => Err(error.into()),
    }
}

/// Refunds a payment that lost the race with the service's end: the period
/// was voided meanwhile, so nothing was owed.
async fn give_back_if_void(
    ports: &(impl Storage + Billing),
    period: &Period,
    bill: &Invoice,
    capture_id: &str,
) -> Result<(), PayError> {
    let now = ports.table().get(&period.key()).await?;
    if now.as_ref().map(Period::of).transpose()?.map(|p| p.status) != Some(PeriodStatus::Void) {
        return Ok(());
    }
    let key = format!("{}-ended-refund", bill.number);
    ports
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
    ports: &impl Storage,
    service: &Subscription,
    paid: &Period,
) -> Result<bool, TableError> {
    let periods = periods_of(ports.table(), &service.id).await?;
    Ok(periods
        .iter()
        .any(|period| period.status == PeriodStatus::Unpaid && period.from != paid.from))
}
