//! The daily billing run for domains: invoice each auto-renewing domain
//! ahead of its expiry, charge the saved card on the due date (and again on
//! the dunning days when it fails), and remind the owners of domains that
//! will not renew by themselves. Every step is made exactly once however
//! often the run goes and however many runs overlap: one renewal record per
//! domain and expiry, one charge per renewal (the gateway key is made from
//! it), one mail per domain, expiry and reminder.

use super::job::{customer_of, renewal_mail};
use super::remind::remind;
use super::{Renewal, RenewalStatus, quote};
use crate::accounts::Customer;
use crate::audit::Actor;
use crate::billing::invoice::{self, Invoice, InvoiceFor};
use crate::billing::{dunning, payment_method};
use crate::clock::mail_day_of as day;
use crate::domains::owned::OwnedDomain;
use crate::lifecycle::MovedOn;
use crate::mail::{self, Mail, MailKind};
use crate::payments::{Charge, PaymentError, PaymentSource};
use crate::store::{
    Condition, Index, Pages, Query, SortKey, TableError, Tx, TxError, TxOp, Update,
};
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
    services: &(impl Storage + Settings + Queueing + Billing + Registry + Mailing + Catalogs),
) -> Result<BillingRun, TableError> {
    let mut run = BillingRun {
        ended: crate::subscriptions::cancel::end_due(services).await?,
        ..BillingRun::default()
    };
    let now = services.clock().now_secs();
    let lead = services.config().domain_renewal_lead_days * DAY;
    // Domains expiring soon, and those expired within the last five days
    // (they are reminded once more).
    let mut domains = Pages::new(expiring(now - 5 * DAY, now + lead), 100);
    while let Some(items) = domains.next(services.table()).await? {
        for item in &items {
            let Some(domain) = super::trusted::owned_domain(item)? else {
                continue;
            };
            let Some(expiry) = domain.expires_at else {
                continue;
            };
            if domain.auto_renew && expiry > now && invoice_ahead(services, &domain, expiry).await?
            {
                run.invoiced += 1;
            }
            if remind(services, &domain, expiry, now).await? {
                run.reminded += 1;
            }
        }
    }
    let due = Query::index(Index::Gsi1, "RENEWALS#scheduled")
        .sort(SortKey::Le(format!("{:015}~", now * 1000)));
    let mut scheduled = Pages::new(due, 100);
    while let Some(items) = scheduled.next(services.table()).await? {
        for item in &items {
            let Some(renewal) = super::trusted::renewal(item)? else {
                continue;
            };
            match charge(services, renewal).await? {
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
    services: &(impl Storage + Settings + Billing + Registry + Mailing + Catalogs),
    domain: &OwnedDomain,
    expiry: i64,
) -> Result<bool, TableError> {
    if super::find(services.table(), &domain.name, expiry)
        .await?
        .is_some()
    {
        return Ok(false);
    }
    let Ok(quote) = quote(services, domain, 1).await else {
        // Not renewable now (or the registry did not answer): the reminders speak.
        return Ok(false);
    };
    if quote.current_expiry != expiry {
        return Ok(false);
    }
    let customer = customer_of(services, &domain.customer_id).await?;
    for _ in 0..NUMBER_ATTEMPTS {
        let mut bill = Invoice::new(
            &domain.customer_id,
            InvoiceFor::Renewal {
                domain: domain.name.clone(),
                years: 1,
            },
            crate::clock::rfc3339(services.clock().now()),
            &quote.currency,
            quote.lines.clone(),
            services.config().tax_rate_bps,
        );
        let (sequence, claim) = invoice::claim_number(services.table(), &mut bill).await?;
        let renewal = Renewal {
            automatic: true,
            next_attempt: Some(expiry - DAY),
            ..Renewal::new(
                &bill,
                &domain.name,
                1,
                expiry,
                RenewalStatus::Scheduled,
                crate::clock::rfc3339(services.clock().now()),
            )
        };
        let notice = invoice_notice(services, &renewal, &bill, &customer)?;
        let mut tx = Tx::new();
        tx.guard(
            Refusal::Exists,
            renewal.create_op(services.clock().now_millis()),
        )
        .guard(Refusal::CounterMoved, claim)
        .push(bill.put_op(sequence))
        .push(notice.put_op(services.clock().now_secs()));
        match tx.commit(services.table()).await {
            Ok(()) => {
                mail::deliver(services, &notice).await;
                return Ok(true);
            }
            Err(TxError::Refused(Refusal::Exists)) => return Ok(false),
            Err(TxError::Refused(Refusal::CounterMoved)) => {}
            Err(TxError::Table(error)) => return Err(error),
        }
    }
    Ok(false)
}

/// The mail of an automatic renewal's invoice: what is charged, and when.
fn invoice_notice(
    services: &(impl Storage + Settings),
    renewal: &Renewal,
    bill: &Invoice,
    customer: &Customer,
) -> Result<Mail, TableError> {
    let expiry = renewal.current_expiry;
    renewal_mail(
        services,
        (renewal, bill, customer),
        MailKind::RenewalInvoice,
        &expiry.to_string(),
        |letter| {
            letter.action = format!(
                "{} expires on {}. We renew it for a year by itself: your saved card is charged {} on {}.",
                letter.domain,
                day(expiry),
                letter.total,
                day(expiry - DAY)
            );
        },
    )
}

/// Why a scheduled renewal was not made.
#[derive(Debug, Clone, Copy)]
enum Refusal {
    /// A renewal of that expiry exists (another run made it).
    Exists,
    CounterMoved,
}

/// Charges a scheduled renewal whose attempt is due to the saved card: Some(true)
/// when charged, Some(false) when declined, None when it was not due after all.
async fn charge(
    services: &(impl Storage + Settings + Queueing + Billing + Mailing),
    renewal: Renewal,
) -> Result<Option<bool>, TableError> {
    let now = services.clock().now_secs();
    if renewal.status != RenewalStatus::Scheduled || renewal.next_attempt.is_none_or(|at| at > now)
    {
        return Ok(None);
    }
    let attempt = renewal.attempts + 1;
    let saved = payment_method::find(services.table(), &renewal.customer_id).await?;
    let outcome = match &saved {
        None => Err((
            "no_payment_method".to_string(),
            "no card is saved".to_string(),
        )),
        Some(card) => {
            let charge = Charge {
                amount: renewal.total,
                currency: renewal.currency.clone(),
                source: PaymentSource::Saved(card.token.clone()),
                reference: renewal.invoice_number.clone(),
                idempotency_key: format!("{}-authorize-{attempt}", renewal.id),
            };
            match services.payments().authorize(&charge).await {
                Ok(authorization) => Ok(authorization),
                Err(PaymentError::Declined { code, message }) => Err((code, message)),
                Err(PaymentError::Invalid(message)) => Err(("invalid_payment".into(), message)),
                // Left scheduled: the next run tries the same attempt again.
                Err(PaymentError::Unavailable(_)) => return Ok(None),
            }
        }
    };
    let system = Actor::system("billing");
    let now_ms = services.clock().now_millis();
    let mut tx = Tx::new();
    let charged = match outcome {
        Ok(authorization) => {
            renewal
                .queued(&authorization, system, "charged to the saved card", now_ms)
                .add_to(&mut tx, MovedOn, services.clock().now())
                .map_err(|e| TableError::Backend(e.to_string()))?;
            None
        }
        Err((code, message)) => {
            Some(declined(services, &renewal, attempt, &code, &message, &mut tx).await?)
        }
    };
    match tx.commit(services.table()).await {
        Ok(()) => {}
        Err(TxError::Refused(MovedOn)) => return Ok(None),
        Err(TxError::Table(error)) => return Err(error),
    }
    match charged {
        None => {
            super::enqueue(services, &renewal).await;
            Ok(Some(true))
        }
        Some(notice) => {
            mail::deliver(services, &notice).await;
            Ok(Some(false))
        }
    }
}

/// Adds to `tx` what a declined automatic charge leads to: the next
/// dunning attempt, or, after the last, the end of the renewal; returns the
/// mail that tells the customer.
async fn declined(
    services: &(impl Storage + Settings),
    renewal: &Renewal,
    attempt: u32,
    code: &str,
    message: &str,
    tx: &mut Tx<MovedOn>,
) -> Result<Mail, TableError> {
    let customer = customer_of(services, &renewal.customer_id).await?;
    let bill = renewal.invoice(services.table()).await?;
    let due = renewal.current_expiry - DAY;
    let why = format!("automatic charge {attempt} declined: {code}");
    let next = dunning::next_try(&services.config().dunning_days, attempt, due);
    match next {
        Some(next) => {
            tx.guard(MovedOn, retry_op(renewal, attempt, next, why));
        }
        None => {
            renewal
                .change(
                    RenewalStatus::Declined,
                    Update::new()
                        .set("attempts", attempt)
                        .set("failure", why.clone()),
                    Actor::system("billing"),
                    &why,
                    services.clock().now_millis(),
                )
                .add_to(tx, MovedOn, services.clock().now())
                .map_err(|e| TableError::Backend(e.to_string()))?;
            tx.push(bill.void_op());
        }
    }
    let notice = renewal_mail(
        services,
        (renewal, &bill, &customer),
        MailKind::RenewalPaymentFailed,
        &format!("{}-{attempt}", renewal.current_expiry),
        |letter| {
            letter.action = match next {
                Some(next) => format!(
                    "We could not charge your saved card {} for renewing {} ({message}). We will try again on {}; to avoid a lapse, update your card or renew by hand.",
                    letter.total,
                    letter.domain,
                    day(next)
                ),
                None => stopped_action(services, renewal, &letter.domain, message),
            };
        },
    )?;
    tx.push(notice.put_op(services.clock().now_secs()));
    Ok(notice)
}

/// The scheduled renewal waits for try `attempt + 1` at `next`, unless
/// another run moved it first.
fn retry_op(renewal: &Renewal, attempt: u32, next: i64, why: String) -> TxOp {
    let mut update = Update::new()
        .set("attempts", attempt)
        .set("next_attempt", next)
        .set("failure", why)
        .bump_version();
    for (attribute, value) in
        super::status_index(RenewalStatus::Scheduled, next * 1000, &renewal.domain)
    {
        update = update.set(attribute, value);
    }
    TxOp::Update {
        key: renewal.key(),
        update,
        condition: Some(
            Condition::eq("status", serde_json::json!(RenewalStatus::Scheduled))
                .and(Condition::eq("attempts", renewal.attempts)),
        ),
    }
}

/// What the customer is told once the automatic charges stopped: to renew
/// by hand, before the domain expires or before the registry releases it.
fn stopped_action(
    services: &impl Storage,
    renewal: &Renewal,
    domain: &str,
    message: &str,
) -> String {
    let expiry = day(renewal.current_expiry);
    if services.clock().now_secs() < renewal.current_expiry {
        format!(
            "We could not charge your saved card for renewing {domain} ({message}), and have stopped trying. Renew it by hand in your portal before it expires on {expiry}."
        )
    } else {
        format!(
            "We could not charge your saved card for renewing {domain} ({message}), and have stopped trying. It expired on {expiry}: renew it by hand in your portal before the registry releases it."
        )
    }
}
