//! Invoicing a service's next period ahead of its due date, account credit
//! taken off first, with the invoice's mail in the same write.

use time::Date;

use super::period::{Period, PeriodStatus, day, epoch};
use super::{customer, letter, service_mail};
use crate::billing::credit_pays;
use crate::billing::invoice::{self, Invoice, InvoiceFor, InvoiceLine};
use crate::billing::terms::Terms;
use crate::catalog::cycle_months;
use crate::clock::mail_day_text;
use crate::mail::{self, Letter, MailKind};
use crate::store::{Condition, TableError, Tx, TxError, TxOp};
use crate::subscriptions::Subscription;
use crate::{Catalogs, Mailing, Settings, Storage};

/// Tries at claiming the next invoice number before leaving it to the next run.
const NUMBER_ATTEMPTS: usize = 20;

/// Why a period was not made.
#[derive(Debug, Clone, Copy)]
enum Refusal {
    Exists,
    CounterMoved,
    CreditMoved,
}

/// Invoices the service's next period, unless it was; true when it made one.
pub(super) async fn invoice(
    ports: &(impl Storage + Settings + Mailing + Catalogs),
    service: &Subscription,
) -> Result<bool, TableError> {
    let Some(from) = day(&service.next_due) else {
        return Ok(false);
    };
    let to = crate::clock::add_months(from, cycle_months(&service.cycle).unwrap_or(1))
        - time::Duration::days(1);
    let owner = customer(ports, &service.customer_id).await?;
    let terms = Terms::for_sale(ports, &owner).await?;
    for _ in 0..NUMBER_ATTEMPTS {
        let mut bill = period_bill(ports, &terms, service, from, to);
        let (sequence, claim) = invoice::claim_number(ports.table(), &mut bill).await?;
        // Account credit comes off before any card is charged.
        let credit_used = credit_pays::take(ports.table(), &mut bill, &mut Vec::new()).await?;
        let period = Period {
            needs_holder: false,
            service_id: service.id.clone(),
            customer_id: service.customer_id.clone(),
            from: from.to_string(),
            to: to.to_string(),
            status: PeriodStatus::Scheduled,
            invoice_number: bill.number.clone(),
            total: bill.total,
            currency: bill.currency.clone(),
            attempts: 0,
            next_attempt: epoch(from),
        };
        let letter = invoice_letter(letter(ports, service, &owner.name), &bill, service, &period);
        let notice = service_mail(
            ports,
            MailKind::ServiceInvoice,
            (&owner.email, &letter),
            service,
            &period.from,
        )
        .await?;
        let mut tx = Tx::new();
        tx.guard(
            Refusal::Exists,
            TxOp::Put {
                item: period.item(),
                condition: Some(Condition::NotExists),
            },
        )
        .guard(Refusal::CounterMoved, claim)
        .push(bill.put_op(sequence))
        .push(notice.put_op(ports.clock().now_secs()));
        if let Some(credit_used) = credit_used {
            tx.guard(Refusal::CreditMoved, credit_used);
        }
        match tx.commit(ports.table()).await {
            Ok(()) => {
                mail::deliver(ports, &notice).await;
                return Ok(true);
            }
            Err(TxError::Refused(Refusal::Exists)) => return Ok(false),
            Err(TxError::Refused(Refusal::CounterMoved | Refusal::CreditMoved)) => {}
            Err(TxError::Table(error)) => return Err(error),
        }
    }
    Ok(false)
}

/// The invoice of the service's period `from` to `to`, yet unnumbered.
fn period_bill(
    ports: &impl Storage,
    terms: &Terms,
    service: &Subscription,
    from: Date,
    to: Date,
) -> Invoice {
    let lines = vec![
        InvoiceLine::new(
            format!("{}, {}, {from} to {to}", service.plan_name, service.cycle),
            service.price,
        )
        .over(from, to),
    ];
    Invoice::new(
        &service.customer_id,
        InvoiceFor::Period {
            service_id: service.id.clone(),
            from: from.to_string(),
            to: to.to_string(),
        },
        crate::clock::rfc3339(ports.clock().now()),
        &service.currency,
        lines,
        terms,
    )
}

/// The invoice's letter: what is charged, and when.
fn invoice_letter(base: Letter, bill: &Invoice, service: &Subscription, period: &Period) -> Letter {
    let mut letter = crate::billing::letter::with_invoice(base, bill);
    let (from_day, to_day) = (mail_day_text(&period.from), mail_day_text(&period.to));
    letter.action = match bill.total {
        0 => format!(
            "Your invoice for {} on {}, {from_day} to {to_day}: your account credit pays all of it.",
            service.plan_name, service.domain
        ),
        _ => format!(
            "Your invoice for {} on {}, {from_day} to {to_day}: your saved card is charged {} on {from_day}.",
            service.plan_name, service.domain, letter.total
        ),
    };
    letter
}
