//! The daily billing run for domains: invoice each auto-renewing domain
//! ahead of its expiry, charge the saved card on the due date (and again on
//! the dunning days when it fails), and remind the owners of domains that
//! will not renew by themselves. Every step is made exactly once however
//! often the run goes and however many runs overlap: one renewal record per
//! domain and expiry, one charge per renewal (the gateway key is made from
//! it), one mail per domain, expiry and reminder.

use super::dunning::declined;
use super::job::{customer_of, renewal_mail};
use super::remind::remind;
use super::{Renewal, RenewalStatus, quote};
use crate::accounts::Customer;
use crate::audit::Actor;
use crate::billing::credit_pays;
use crate::billing::invoice::{self, Invoice, InvoiceFor};
use crate::billing::payment_method;
use crate::billing::terms::Terms;
use crate::clock::mail_day_of as day;
use crate::domains::owned::OwnedDomain;
use crate::lifecycle::MovedOn;
use crate::mail::{self, Mail, MailKind};
use crate::payments::{Authorization, Charge, PaymentError, PaymentSource};
use crate::store::{Index, Pages, Query, SortKey, TableError, Tx, TxError};
use crate::{Billing, Catalogs, Mailing, Queueing, Registry, Settings, Storage};

const DAY: i64 = 86_400;
/// Tries at claiming the next invoice number before leaving it to the next run.
const NUMBER_ATTEMPTS: usize = 20;

/// What one run did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct BillingRun {
    /// Services whose cancellation took effect.
    pub ended: usize,
    pub invoiced: usize,
    pub charged: usize,
    pub declined: usize,
    pub reminded: usize,
}

/// Runs the domains' billing for today.
pub async fn run_billing(
    ports: &(impl Storage + Settings + Queueing + Billing + Registry + Mailing + Catalogs),
) -> Result<BillingRun, TableError> {
    let mut run = BillingRun {
        ended: crate::subscriptions::cancel::end_due(ports).await?,
        ..BillingRun::default()
    };
    let now = ports.clock().now_secs();
    let lead = ports.config().domain_renewal_lead_days * DAY;
    // Domains expiring soon, and those expired within the last five days
    // (they are reminded once more).
    let mut domains = Pages::new(expiring(now - 5 * DAY, now + lead), 100);
    while let Some(items) = domains.next(ports.table()).await? {
        for item in &items {
            let Some(domain) = super::trusted::owned_domain(item)? else {
                continue;
            };
            let Some(expiry) = domain.expires_at else {
                continue;
            };
            if domain.auto_renew && expiry > now && invoice_ahead(ports, &domain, expiry).await? {
                run.invoiced += 1;
            }
            if remind(ports, &domain, expiry, now).await? {
                run.reminded += 1;
            }
        }
    }
    let due = Query::index(Index::Gsi1, "RENEWALS#scheduled")
        .sort(SortKey::Le(format!("{:015}~", now * 1000)));
    let mut scheduled = Pages::new(due, 100);
    while let Some(items) = scheduled.next(ports.table()).await? {
        for item in &items {
            let Some(renewal) = super::trusted::renewal(item)? else {
                continue;
            };
            match charge(ports, renewal).await? {
                Some(true) => run.charged += 1,
                Some(false) => run.declined += 1,
                None => {}
            }
        }
    }
    Ok(run)
}

/// Domains whose expiry is in `from..=to`, by expiry.
fn expiring(from: i64, to: i64) -> Query {
    Query::index(Index::Gsi1, "DOMAINS#EXPIRY").sort(SortKey::Between(
        format!("{from:012}"),
        format!("{to:012}~"),
    ))
}

/// Invoices a year's renewal of `domain`, due on its expiry, unless a
/// renewal of that expiry exists; true when it made one.
async fn invoice_ahead(
    ports: &(impl Storage + Settings + Billing + Registry + Mailing + Catalogs),
    domain: &OwnedDomain,
    expiry: i64,
) -> Result<bool, TableError> {
    if super::find(ports.table(), &domain.name, expiry)
        .await?
        .is_some()
    {
        return Ok(false);
    }
    let Ok(quote) = quote(ports, domain, 1).await else {
        // Not renewable now (or the registry did not answer): the reminders speak.
        return Ok(false);
    };
    if quote.current_expiry != expiry {
        return Ok(false);
    }
    let customer = customer_of(ports, &domain.customer_id).await?;
    let terms = Terms::for_sale(ports, &customer).await?;
    for _ in 0..NUMBER_ATTEMPTS {
        let mut bill = Invoice::new(
            &domain.customer_id,
            InvoiceFor::Renewal {
                domain: domain.name.clone(),
                years: 1,
            },
            crate::clock::rfc3339(ports.clock().now()),
            &quote.currency,
            quote.lines.clone(),
            &terms,
        );
        let (sequence, claim) = invoice::claim_number(ports.table(), &mut bill).await?;
        let credit = credit_pays::take(ports.table(), &mut bill, &mut Vec::new()).await?;
        let renewal = Renewal {
            automatic: true,
            next_attempt: Some(expiry - DAY),
            ..Renewal::new(
                &bill,
                &domain.name,
                1,
                expiry,
                RenewalStatus::Scheduled,
                crate::clock::rfc3339(ports.clock().now()),
            )
        };
        let notice = invoice_notice(ports, &renewal, &bill, &customer).await?;
        let mut tx = Tx::new();
        tx.guard(
            Refusal::Exists,
            renewal.create_op(ports.clock().now_millis()),
        )
        .guard(Refusal::CounterMoved, claim)
        .push(bill.put_op(sequence))
        .push(notice.put_op(ports.clock().now_secs()));
        if let Some(credit) = credit {
            tx.guard(Refusal::CreditMoved, credit);
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

/// The mail of an automatic renewal's invoice: what is charged, and when.
async fn invoice_notice(
    ports: &(impl Storage + Settings),
    renewal: &Renewal,
    bill: &Invoice,
    customer: &Customer,
) -> Result<Mail, TableError> {
    let expiry = renewal.current_expiry;
    renewal_mail(
        ports,
        (renewal, bill, customer),
        MailKind::RenewalInvoice,
        &expiry.to_string(),
        |letter| {
            letter.action = if renewal.paid_by_credit() {
                format!(
                    "{} expires on {}. We renew it for a year by itself: your account credit pays all of it.",
                    letter.domain,
                    day(expiry),
                )
            } else {
                format!(
                    "{} expires on {}. We renew it for a year by itself: your saved card is charged {} on {}.",
                    letter.domain,
                    day(expiry),
                    letter.total,
                    day(expiry - DAY)
                )
            };
        },
    )
    .await
}

/// Why a scheduled renewal was not made.
#[derive(Debug, Clone, Copy)]
enum Refusal {
    /// A renewal of that expiry exists (another run made it).
    Exists,
    CounterMoved,
    CreditMoved,
}

/// Charges a scheduled renewal whose attempt is due to the saved card: Some(true)
/// when charged, Some(false) when declined, None when it was not due after all.
async fn charge(
    ports: &(impl Storage + Settings + Queueing + Billing + Mailing),
    renewal: Renewal,
) -> Result<Option<bool>, TableError> {
    let now = ports.clock().now_secs();
    if renewal.status != RenewalStatus::Scheduled || renewal.next_attempt.is_none_or(|at| at > now)
    {
        return Ok(None);
    }
    let attempt = renewal.attempts + 1;
    let outcome = if renewal.paid_by_credit() {
        Ok(None)
    } else {
        match authorize_saved(ports, &renewal, attempt).await? {
            Some(outcome) => outcome.map(Some),
            // Left scheduled: the next run tries the same attempt again.
            None => return Ok(None),
        }
    };
    let system = Actor::system("billing");
    let now_ms = ports.clock().now_millis();
    let mut tx = Tx::new();
    let charged = match outcome {
        Ok(authorization) => {
            match authorization {
                Some(held) => renewal.queued(&held, system, "charged to the saved card", now_ms),
                None => renewal.queued_by_credit(system, now_ms),
            }
            .add_to(&mut tx, MovedOn, ports.clock().now())
            .map_err(|e| TableError::Backend(e.to_string()))?;
            None
        }
        Err((code, message)) => {
            Some(declined(ports, &renewal, attempt, &code, &message, &mut tx).await?)
        }
    };
    match tx.commit(ports.table()).await {
        Ok(()) => {}
        Err(TxError::Refused(MovedOn)) => return Ok(None),
        Err(TxError::Table(error)) => return Err(error),
    }
    match charged {
        None => {
            super::enqueue(ports, &renewal).await;
            Ok(Some(true))
        }
        Some(notice) => {
            mail::deliver(ports, &notice).await;
            Ok(Some(false))
        }
    }
}

/// Authorises try `attempt` of the renewal's total on the saved card: the
/// authorisation, or the decline's code and reason; none when the gateway
/// did not answer.
async fn authorize_saved(
    ports: &(impl Storage + Billing),
    renewal: &Renewal,
    attempt: u32,
) -> Result<Option<Result<Authorization, (String, String)>>, TableError> {
    let Some(card) = payment_method::find(ports.table(), &renewal.customer_id).await? else {
        return Ok(Some(Err((
            "no_payment_method".to_string(),
            "no card is saved".to_string(),
        ))));
    };
    let charge = Charge {
        keep_for_later: false,
        amount: crate::money::Money::new(renewal.total, &renewal.currency),
        source: PaymentSource::Saved(card.token.clone()),
        reference: renewal.invoice_number.clone(),
        idempotency_key: format!("{}-authorize-{attempt}", renewal.id),
    };
    Ok(match ports.payments().authorize(&charge).await {
        Ok(authorization) => Some(Ok(authorization)),
        Err(PaymentError::Declined { code, message }) => Some(Err((code, message))),
        Err(PaymentError::Invalid(message)) => Some(Err(("invalid_payment".into(), message))),
        Err(PaymentError::Unavailable(_)) => None,
    })
}
