//! An open invoice paid by hand, its customer at hand in the portal, with
//! a card or the saved one, whatever the invoice is for (`Owed`): a
//! hosting service's period left unpaid after dunning
//! (`subscriptions::pay`), or a tracked client service's period
//! (`agency::paid`). Invoices of orders and renewals are paid from those
//! (`pay_elsewhere`).
//!
//! Every one is paid the same way: one payment at a time per invoice (a
//! `billing::lease` at `Owed::lease_key`) taken before the card is charged,
//! declines counted (`billing::declines`), the gateway keys made from the
//! invoice and the attempt (`billing::by_hand`), which moves on only once
//! an attempt ended for good, so a retry never charges twice; then the
//! capture, recorded as `Owed::settle` says for what was paid.
//!
//! The customer is at hand, so a card whose bank asks its holder to confirm
//! the payment (3-D Secure) sends them to the bank: the lease is kept while
//! they are there, and `bank::confirmed_at_bank` finishes the payment once
//! they are back, as a payment that needed no check is finished (`finish`).

pub mod bank;

pub use crate::billing::by_hand::{InvoicePayment, PayError};

use crate::agency::paid::{self as client, OwedClientPeriod};
use crate::billing::by_hand::attempt_key;
use crate::billing::invoice::{self, Invoice, InvoiceFor, InvoiceStatus};
use crate::payments::{Authorization, PaymentSource};
use crate::store::{Key, TableError};
use crate::subscriptions::pay::{self as period, OwedPeriod};
use crate::{Billing, CustomerId, Mailing, Queueing, Settings, Storage};
use bank::Taken;

/// What an open invoice paid by hand pays for.
#[derive(Debug, Clone)]
pub enum Owed {
    /// A hosting service's period.
    Period(Box<OwedPeriod>),
    /// A tracked client service's period.
    ClientService(Box<OwedClientPeriod>),
}

impl Owed {
    /// The lease that one payment of it at a time holds.
    pub fn lease_key(&self) -> Key {
        match self {
            Owed::Period(owed) => owed.lease_key(),
            Owed::ClientService(owed) => owed.lease_key(),
        }
    }

    /// The lease of a payment by hand of an invoice for `about`, if such an
    /// invoice is paid by hand.
    pub fn lease_key_of(about: &InvoiceFor) -> Option<Key> {
        match about {
            InvoiceFor::Period {
                service_id, from, ..
            } => Some(period::paying_key(service_id, from)),
            InvoiceFor::ClientService {
                service_id, from, ..
            } => Some(client::paying_key(service_id, from)),
            _ => None,
        }
    }

    /// Refused while the billing run charges it by itself.
    fn may_pay_by_hand(&self) -> Result<(), PayError> {
        match self {
            Owed::Period(owed) => owed.may_pay_by_hand(),
            Owed::ClientService(_) => Ok(()),
        }
    }

    /// True when the billing run tried it since it was read.
    async fn tried_meanwhile(&self, ports: &impl Storage) -> Result<bool, TableError> {
        match self {
            Owed::Period(owed) => owed.tried_meanwhile(ports).await,
            Owed::ClientService(_) => Ok(false),
        }
    }

    /// Records the payment of `bill` by `capture_id`, as what it paid
    /// for has it; the lease ends with it.
    async fn settle(
        &self,
        ports: &(impl Storage + Settings + Billing + Mailing + Queueing),
        bill: &Invoice,
        capture_id: &str,
    ) -> Result<(), PayError> {
        match self {
            Owed::Period(owed) => owed.settle(ports, bill, capture_id).await,
            Owed::ClientService(owed) => owed.settle(ports, bill, capture_id).await,
        }
    }
}

/// Pays the customer's invoice `number` from `source`; returns it paid, or
/// still open with the bank's page its holder must confirm the payment on.
pub async fn pay_invoice(
    ports: &(impl Storage + Settings + Billing + Mailing + Queueing),
    customer_id: &CustomerId,
    number: &str,
    source: PaymentSource,
) -> Result<InvoicePayment, PayError> {
    let Some((bill, owed)) = owed(ports, customer_id, number).await? else {
        return reread(ports, customer_id, number).await;
    };
    owed.may_pay_by_hand()?;
    match bank::take_payment(ports, &bill, &owed, source).await? {
        Taken::Held(attempt, authorization) => {
            finish(ports, (&owed, &bill), attempt, authorization).await
        }
        Taken::AtBank(url) => Ok(InvoicePayment {
            invoice: bill,
            payment_action_url: Some(url),
        }),
    }
}

/// The customer's open invoice `number` and what it is for; None when it
/// is paid already.
async fn owed(
    ports: &impl Storage,
    customer_id: &CustomerId,
    number: &str,
) -> Result<Option<(Invoice, Owed)>, PayError> {
    let bill = invoice::find(ports.table(), customer_id, number)
        .await?
        .ok_or(PayError::NotFound)?;
    match bill.status {
        InvoiceStatus::Paid => return Ok(None),
        InvoiceStatus::Open => {}
        _ => return Err(not_owed(ports, &bill).await?),
    }
    let owed = match &bill.about {
        InvoiceFor::Period {
            service_id, from, ..
        } => period::owed(ports, customer_id, (service_id, from), number)
            .await?
            .map(|owed| Owed::Period(Box::new(owed))),
        InvoiceFor::ClientService {
            site_id,
            service_id,
            from,
            to,
        } => {
            let about = (
                site_id.as_str(),
                service_id.as_str(),
                from.as_str(),
                to.as_str(),
            );
            let owed = client::owed(ports, number, about).await?;
            Some(Owed::ClientService(Box::new(owed)))
        }
        _ => {
            return Err(PayError::Conflict {
                code: "pay_elsewhere",
                message: "this invoice is paid from its order or its domain's renewal".into(),
            });
        }
    };
    Ok(owed.map(|owed| (bill, owed)))
}

/// Captures what `authorization` holds for the invoice, under its lease,
/// and records the payment: how every payment by hand ends, whether its
/// bank asked its holder or not.
async fn finish(
    ports: &(impl Storage + Settings + Billing + Mailing + Queueing),
    (owed, bill): (&Owed, &Invoice),
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
        Err(error) => return Err(bank::refused(ports, bill, owed, attempt, error).await),
    };
    owed.settle(ports, bill, &capture.id).await?;
    reread(ports, &bill.customer_id, &bill.number).await
}

/// Why an invoice that is not open cannot be paid: voided when its
/// service ended, or otherwise not owed.
async fn not_owed(ports: &impl Storage, bill: &Invoice) -> Result<PayError, TableError> {
    let ended = match &bill.about {
        InvoiceFor::Period { service_id, .. } if bill.status == InvoiceStatus::Void => {
            period::ended_with_service(ports, &bill.customer_id, service_id).await?
        }
        InvoiceFor::ClientService {
            site_id,
            service_id,
            ..
        } if bill.status == InvoiceStatus::Void => {
            client::ended(ports, site_id, service_id).await?
        }
        _ => false,
    };
    Ok(match ended {
        true => PayError::ended(&bill.number),
        false => PayError::Conflict {
            code: "not_payable",
            message: format!("invoice {} is not owed", bill.number),
        },
    })
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
