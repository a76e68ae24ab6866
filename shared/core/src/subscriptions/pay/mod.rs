//! A hosting service's period paid by hand (`invoice_payments` makes the
//! payment): the dunning days have passed, the service was suspended, and
//! the customer pays with a card (or the saved one). The period is paid,
//! the service's next due date moves on, and a service suspended for
//! nothing else comes back, its panel account with it. Invoices the
//! billing run still charges are left to it, so one invoice is never
//! charged by both.
//!
//! One payment at a time per invoice: a `billing::lease` at `SERVICE#<id>`
//! / `PAYING#<first day>` is taken before the card is charged. A period
//! the billing run still charges may be paid by hand only once its bank
//! asked for the card's holder (`needs_holder`); the run then takes the
//! same lease (`run::take_for_run`).

pub(super) mod run;

use super::billing::{
    Period, PeriodStatus, change_at_panel, customer, due_on, letter, move_due_op, paying_key_of,
    period_key, periods_of, receipt_action, service_mail,
};
use super::{Subscription, SubscriptionStatus, find};
use crate::CustomerId;
use crate::audit::Actor;
use crate::billing::by_hand::PayError;
use crate::billing::invoice::Invoice;
use crate::lifecycle::MovedOn;
use crate::mail::{self, MailKind};
use crate::store::{Key, TableError, Tx, TxError, TxOp};
use crate::{Billing, Mailing, Queueing, Settings, Storage};

/// The service period an open invoice is for, with its service.
#[derive(Debug, Clone)]
pub struct OwedPeriod {
    pub service: Subscription,
    pub period: Period,
}

/// The payment lease of the period of `service_id` that starts on `from`.
pub fn paying_key(service_id: &str, from: &str) -> Key {
    paying_key_of(service_id, from)
}

/// The period of `service_id` from `from` that the customer's open
/// invoice is for; None when it is paid already.
pub async fn owed(
    ports: &impl Storage,
    customer_id: &CustomerId,
    (service_id, from): (&str, &str),
    number: &str,
) -> Result<Option<OwedPeriod>, PayError> {
    let item = ports.table().get(&period_key(service_id, from)).await?;
    let Some(period) = item.as_ref().map(Period::of).transpose()? else {
        return Err(PayError::Conflict {
            code: "pay_elsewhere",
            message: "this invoice is paid from its order or its domain's renewal".into(),
        });
    };
    match period.status {
        PeriodStatus::Unpaid | PeriodStatus::Scheduled => {}
        PeriodStatus::Paid => return Ok(None),
        PeriodStatus::Void => return Err(PayError::ended(number)),
    }
    let service = find(ports.table(), customer_id, service_id)
        .await?
        .ok_or(PayError::NotFound)?;
    Ok(Some(OwedPeriod { service, period }))
}

/// True when the service of a voided invoice ended: what voided it.
pub async fn ended_with_service(
    ports: &impl Storage,
    customer_id: &CustomerId,
    service_id: &str,
) -> Result<bool, TableError> {
    Ok(find(ports.table(), customer_id, service_id)
        .await?
        .is_some_and(|service| service.ended_at.is_some()))
}

impl OwedPeriod {
    pub fn lease_key(&self) -> Key {
        self.period.paying_key()
    }

    /// Refused while the billing run charges the period by itself.
    pub fn may_pay_by_hand(&self) -> Result<(), PayError> {
        if self.period.status == PeriodStatus::Scheduled && !self.period.needs_holder {
            return Err(PayError::Conflict {
                code: "charged_automatically",
                message: "this invoice is charged to your saved card on its due date; update your card to have it charged to another".into(),
            });
        }
        Ok(())
    }

    /// True when the billing run tried a period waiting for its holder
    /// since it was read (it takes the lease to charge one).
    pub async fn tried_meanwhile(&self, ports: &impl Storage) -> Result<bool, TableError> {
        if self.period.status != PeriodStatus::Scheduled {
            return Ok(false);
        }
        let now = ports.table().get(&self.period.key()).await?;
        Ok(now.as_ref().map(Period::of).transpose()?.as_ref() != Some(&self.period))
    }

    /// Records the payment: period and invoice paid, the next due date
    /// moved on, the service back if nothing else holds it suspended, a
    /// receipt. The invoice's lease ends with it.
    pub async fn settle(
        &self,
        ports: &(impl Storage + Settings + Billing + Mailing + Queueing),
        bill: &Invoice,
        capture_id: &str,
    ) -> Result<(), PayError> {
        let (service, period) = (&self.service, &self.period);
        let now = ports.clock().now();
        let next = period.following(&service.cycle, now.date());
        let mut tx = Tx::new();
        tx.guard(
            MovedOn,
            period.paid_by_hand_op(capture_id, now.unix_timestamp()),
        )
        .push(bill.paid_op(&crate::clock::rfc3339(now), Some(capture_id)))
        .push(TxOp::Delete {
            key: self.lease_key(),
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
            // Paid by a request that held the lease before this one's
            // lapsed, or voided as its service ended while the card was charged.
            Err(TxError::Refused(MovedOn)) => {
                give_back_if_void(ports, period, bill, capture_id).await
            }
            Err(TxError::Table(error)) => Err(error.into()),
        }
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
    Err(PayError::ended(&bill.number))
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
