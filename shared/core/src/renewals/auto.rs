//! The daily billing run for domains: invoice each auto-renewing domain
//! ahead of its expiry, charge the saved card on the due date (and again on
//! the dunning days when it fails), and remind the owners of domains that
//! will not renew by themselves. Every step is made exactly once however
//! often the run goes and however many runs overlap: one renewal record per
//! domain and expiry, one charge per renewal (the gateway key is made from
//! it), one mail per domain, expiry and reminder.

use super::job::{customer_of, letter};
use super::{Renewal, RenewalStatus, quote};
use crate::audit::Actor;
use crate::billing::invoice::{self, Invoice, InvoiceFor};
use crate::billing::payment_method;
use crate::clock::mail_day_of as day;
use crate::domains::owned::{OwnedDomain, OwnedStatus};
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
        let (sequence, claim) = invoice::next_number(services.table()).await?;
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
        bill.number = invoice::format_number(sequence);
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
        let mut letter = letter(services, &renewal, &bill, &customer.name);
        letter.action = format!(
            "{} expires on {}. We renew it for a year by itself: your saved card is charged {} on {}.",
            letter.domain,
            day(expiry),
            letter.total,
            day(expiry - DAY)
        );
        let notice = Mail::compose_about(
            services,
            MailKind::RenewalInvoice,
            &customer.email,
            &letter,
            &format!("domain:{}", domain.name),
        )?
        .for_period(&expiry.to_string());
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
    let mut letter = letter(services, renewal, &bill, &customer.name);
    let due = renewal.current_expiry - DAY;
    let next = services
        .config()
        .dunning_days
        .get(attempt as usize)
        .map(|days| due + days * DAY);
    let why = format!("automatic charge {attempt} declined: {code}");
    match next {
        Some(next) => {
            letter.action = format!(
                "We could not charge your saved card {} for renewing {} ({message}). We will try again on {}; to avoid a lapse, update your card or renew by hand.",
                letter.total,
                letter.domain,
                day(next)
            );
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
            tx.guard(
                MovedOn,
                TxOp::Update {
                    key: renewal.key(),
                    update,
                    condition: Some(
                        Condition::eq("status", serde_json::json!(RenewalStatus::Scheduled))
                            .and(Condition::eq("attempts", renewal.attempts)),
                    ),
                },
            );
        }
        None => {
            let expiry = day(renewal.current_expiry);
            letter.action = if services.clock().now_secs() < renewal.current_expiry {
                format!(
                    "We could not charge your saved card for renewing {} ({message}), and have stopped trying. Renew it by hand in your portal before it expires on {expiry}.",
                    letter.domain
                )
            } else {
                format!(
                    "We could not charge your saved card for renewing {} ({message}), and have stopped trying. It expired on {expiry}: renew it by hand in your portal before the registry releases it.",
                    letter.domain
                )
            };
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
    let notice = Mail::compose_about(
        services,
        MailKind::RenewalPaymentFailed,
        &customer.email,
        &letter,
        &format!("domain:{}", renewal.domain),
    )?
    .for_period(&format!("{}-{attempt}", renewal.current_expiry));
    tx.push(notice.put_op(services.clock().now_secs()));
    Ok(notice)
}

/// Which reminder is due `secs_left` seconds before expiry (negative:
/// after): "expired" only once it has, within five days after; before, by
/// the days left counted up (a domain expiring in 6.5 days has 7 left).
fn reminder(secs_left: i64) -> Option<&'static str> {
    if secs_left <= 0 {
        return (secs_left >= -5 * DAY).then_some("expired");
    }
    match (secs_left + DAY - 1).div_euclid(DAY) {
        8..=30 => Some("30d"),
        1..=7 => Some("7d"),
        _ => None,
    }
}

/// Reminds the owner of a domain that will not renew by itself (auto-renew
/// off, or its automatic charge failed), once per expiry and reminder.
async fn remind(
    services: &(impl Storage + Settings + Mailing),
    domain: &OwnedDomain,
    expiry: i64,
    now: i64,
) -> Result<bool, TableError> {
    let Some(which) = reminder(expiry - now) else {
        return Ok(false);
    };
    if domain.status != OwnedStatus::Active && domain.status != OwnedStatus::Expired {
        return Ok(false);
    }
    let renewal = super::find(services.table(), &domain.name, expiry).await?;
    let charge_failed = renewal.as_ref().is_some_and(|r| {
        r.attempts > 0 || matches!(r.status, RenewalStatus::Declined | RenewalStatus::Failed)
    });
    let renews_itself = domain.auto_renew && !charge_failed;
    let renewed = renewal
        .as_ref()
        .is_some_and(|r| matches!(r.status, RenewalStatus::Queued | RenewalStatus::Renewed));
    if renews_itself || renewed {
        return Ok(false);
    }
    let customer = customer_of(services, &domain.customer_id).await?;
    let config = services.config();
    let base = config.public_url.trim_end_matches('/');
    let mut letter = crate::mail::Letter {
        company: config.company_name.clone(),
        name: customer.name.clone(),
        domain: domain.unicode.clone(),
        link: format!("{base}/portal.html#domains"),
        ..Default::default()
    };
    letter.action = if which == "expired" {
        format!(
            "{} expired on {}. Renew it now, before the registry releases it.",
            domain.unicode,
            day(expiry)
        )
    } else {
        format!(
            "{} expires on {} and will not renew by itself. Renew it in your portal.",
            domain.unicode,
            day(expiry)
        )
    };
    let notice = Mail::compose_about(
        services,
        MailKind::RenewalReminder,
        &customer.email,
        &letter,
        &format!("domain:{}", domain.name),
    )?
    .for_period(&format!("{expiry}-{which}"));
    Ok(mail::send(services, &[notice]).await? == 1)
}

#[cfg(test)]
mod tests {
    use super::{DAY, reminder};

    #[test]
    fn reminders_come_about_30_and_7_days_before_and_just_after_expiry() {
        assert_eq!(reminder(30 * DAY + 1), None);
        assert_eq!(reminder(30 * DAY), Some("30d"));
        assert_eq!(reminder(7 * DAY + 1), Some("30d"));
        assert_eq!(reminder(7 * DAY), Some("7d"));
        assert_eq!(
            reminder(1),
            Some("7d"),
            "a second before expiry it has not expired"
        );
        assert_eq!(reminder(DAY - 1), Some("7d"));
        assert_eq!(reminder(0), Some("expired"));
        assert_eq!(reminder(-5 * DAY), Some("expired"));
        assert_eq!(reminder(-5 * DAY - 1), None);
    }
}
