//! Charging a due period to the saved card: paid, the service's next due
//! date moves on; refused, the period waits for the next dunning day, or,
//! after the last, is left unpaid and the service suspended. The customer
//! is mailed once per period and try. A card whose bank asks its holder to
//! confirm cannot be charged without them: the customer is mailed a link to
//! pay the invoice in the portal, which they may until the run's next try.

use super::period::{Period, PeriodStatus, day, epoch};
use super::{change_at_panel, customer, letter, move_due_op, receipt_action, service_mail};
use crate::audit::Actor;
use crate::billing::invoice::{self, Invoice};
use crate::billing::{dunning, lease, payment_method, take};
use crate::clock::mail_day_of;
use crate::lifecycle::MovedOn;
use crate::mail::{self, Letter, MailKind};
use crate::payments::{Charge, PaymentError, PaymentSource};
use crate::store::{TableError, Tx, TxError, Update};
use crate::subscriptions::{Subscription, SubscriptionStatus};
use crate::{Billing, Catalogs, Mailing, Queueing, Settings, Storage};

pub(super) enum Charged {
    Paid,
    Declined,
    Suspended,
}

/// What the gateway made of a period's charge.
enum Taken {
    /// Paid, by this capture (none when account credit paid all of it).
    Paid(Option<String>),
    /// Refused: the gateway's code, and the reason in words.
    Refused { code: String, reason: String },
}

/// The decline code of a card whose bank asks for its holder.
const NEEDS_HOLDER: &str = "authentication_required";

/// Charges a due period to the saved card. A period its customer may pay
/// by hand is charged only under its payment lease, so never by both.
pub(super) async fn charge(
    ports: &(impl Storage + Settings + Billing + Mailing + Queueing + Catalogs),
    period: Period,
) -> Result<Option<Charged>, TableError> {
    let now = ports.clock().now_secs();
    if period.status != PeriodStatus::Scheduled || period.next_attempt > now {
        return Ok(None);
    }
    if !period.needs_holder {
        return charge_due(ports, period).await;
    }
    let lease = period.paying_key();
    let Some(attempt) = crate::subscriptions::pay::run::take_for_run(ports, &period).await? else {
        // Being paid by hand right now: the next run looks again.
        return Ok(None);
    };
    let charged = charge_due(ports, period).await;
    lease::release(ports.table(), &lease, attempt).await?;
    charged
}

/// Charges a due period to the saved card, and records and mails the outcome.
async fn charge_due(
    ports: &(impl Storage + Settings + Billing + Mailing + Queueing + Catalogs),
    period: Period,
) -> Result<Option<Charged>, TableError> {
    let now = ports.clock().now_secs();
    let Some(service) =
        crate::subscriptions::find(ports.table(), &period.customer_id, &period.service_id).await?
    else {
        return Ok(None);
    };
    let attempt = period.attempts + 1;
    let Some(taken) = take_due(ports, &period, attempt).await? else {
        return Ok(None);
    };
    let owner = customer(ports, &period.customer_id).await?;
    let bill = period_invoice(ports, &period).await?;
    let mut letter =
        crate::billing::letter::with_invoice(letter(ports, &service, &owner.name), &bill);
    let mut tx = Tx::new();
    let outcome = match taken {
        Taken::Paid(capture_id) => {
            record_paid(ports, &mut tx, (&service, &period, &bill), capture_id);
            letter.paid = true;
            letter.action = receipt_action(&service, &period, false);
            Charged::Paid
        }
        Taken::Refused { code, reason } => {
            let failed = (&service, &period, attempt);
            record_refused(ports, &mut tx, &mut letter, failed, (&code, &reason)).await?
        }
    };
    let kind = match outcome {
        Charged::Paid => MailKind::ServiceReceipt,
        _ => MailKind::ServicePaymentFailed,
    };
    let occasion = format!("{}-{attempt}", period.from);
    let notice = service_mail(ports, kind, (&owner.email, &letter), &service, &occasion).await?;
    tx.push(notice.put_op(now));
    match tx.commit(ports.table()).await {
        Ok(()) => {
            mail::deliver(ports, &notice).await;
            if matches!(outcome, Charged::Suspended) {
                crate::subscriptions::panel::request(ports, &service).await;
            }
            Ok(Some(outcome))
        }
        Err(TxError::Refused(MovedOn)) => Ok(None),
        Err(TxError::Table(error)) => Err(error),
    }
}

/// Takes try `attempt` of the period's total from the saved card; None when
/// the gateway did not answer (the next run tries the same attempt again).
async fn take_due(
    ports: &(impl Storage + Billing),
    period: &Period,
    attempt: u32,
) -> Result<Option<Taken>, TableError> {
    // Account credit paid all of it: nothing to charge.
    if period.total == 0 {
        return Ok(Some(Taken::Paid(None)));
    }
    let Some(card) = payment_method::find(ports.table(), &period.customer_id).await? else {
        return Ok(Some(Taken::Refused {
            code: "no_payment_method".into(),
            reason: "no card is saved".into(),
        }));
    };
    let key = format!("period-{}-{}", period.service_id, period.from);
    let request = Charge {
        keep_for_later: false,
        amount: crate::money::Money::new(period.total, &period.currency),
        source: PaymentSource::Saved(card.token.clone()),
        reference: period.invoice_number.clone(),
        idempotency_key: format!("{key}-authorize-{attempt}"),
    };
    let capture_key = format!("{key}-capture-{attempt}");
    Ok(
        match take::take(ports.payments(), &request, &capture_key, None).await {
            Ok(capture) => Some(Taken::Paid(Some(capture.id))),
            Err(PaymentError::Unavailable(_)) => None,
            Err(PaymentError::Declined { code, message }) => Some(Taken::Refused {
                code,
                reason: message,
            }),
            Err(other) => Some(Taken::Refused {
                code: "invalid_payment".into(),
                reason: other.to_string(),
            }),
        },
    )
}

/// The period's invoice, which the period was written with.
async fn period_invoice(ports: &impl Storage, period: &Period) -> Result<Invoice, TableError> {
    invoice::find(ports.table(), &period.customer_id, &period.invoice_number)
        .await?
        .ok_or_else(|| TableError::Backend(format!("invoice {} is missing", period.invoice_number)))
}

/// Adds to `tx` a paid period: the period and its invoice paid, the
/// service's next due date moved on by a cycle.
fn record_paid(
    ports: &impl Storage,
    tx: &mut Tx<MovedOn>,
    (service, period, bill): (&Subscription, &Period, &Invoice),
    capture_id: Option<String>,
) {
    let now = ports.clock().now();
    let next = period.following(&service.cycle, now.date());
    let update = match &capture_id {
        Some(id) => Update::new().set("capture_id", id.clone()),
        None => Update::new(),
    };
    tx.guard(
        MovedOn,
        period.moved(PeriodStatus::Paid, update, now.unix_timestamp()),
    )
    .push(bill.paid_op(&crate::clock::rfc3339(now), capture_id.as_deref()))
    .push(move_due_op(service, period, next));
}

/// Adds to `tx` a refused try: the period waits for the next dunning day,
/// or, after the last, is unpaid and the service suspended. Says so in
/// `letter`.
async fn record_refused(
    ports: &(impl Storage + Settings + Catalogs),
    tx: &mut Tx<MovedOn>,
    letter: &mut Letter,
    (service, period, attempt): (&Subscription, &Period, u32),
    (code, reason): (&str, &str),
) -> Result<Charged, TableError> {
    let now = ports.clock().now_secs();
    let due = day(&period.from).map_or(now, epoch);
    let catalog = ports.catalog().get(ports.table(), ports.clock()).await?;
    let dunning = match catalog.plan(&service.plan_id) {
        Some(plan) => plan.dunning_days(&ports.config().dunning_days),
        None => ports.config().dunning_days.clone(),
    };
    let update = Update::new()
        .set("attempts", attempt)
        .set("failure", reason.to_string())
        .set("needs_holder", code == NEEDS_HOLDER);
    let Some(next) = dunning::next_try(&dunning, attempt, due) else {
        letter.action = format!(
            "We could not charge your saved card for {} on {} ({reason}), and have suspended it. Pay the invoice in your account to have it back: a new card alone is not charged for it.",
            service.plan_name, service.domain
        );
        tx.guard(MovedOn, period.moved(PeriodStatus::Unpaid, update, now));
        if service.status == SubscriptionStatus::Active {
            let suspended = (SubscriptionStatus::Suspended, Update::new());
            change_at_panel(
                ports,
                tx,
                service,
                suspended,
                (Actor::system("billing"), "unpaid"),
            )?;
        }
        return Ok(Charged::Suspended);
    };
    letter.action = match code {
        NEEDS_HOLDER => format!(
            "Your bank asks you to confirm the payment of {} for {} on {}, which it cannot do while you are away. Pay invoice {} in your portal while you are there: {}?pay={}#invoices. Otherwise we try your saved card again on {}.",
            letter.total,
            service.plan_name,
            service.domain,
            period.invoice_number,
            portal(ports),
            period.invoice_number,
            mail_day_of(next)
        ),
        _ => format!(
            "We could not charge your saved card {} for {} on {} ({reason}). We will try again on {}; update your card to keep the service running.",
            letter.total,
            service.plan_name,
            service.domain,
            mail_day_of(next)
        ),
    };
    tx.guard(
        MovedOn,
        period.moved(
            PeriodStatus::Scheduled,
            update.set("next_attempt", next),
            next,
        ),
    );
    Ok(Charged::Declined)
}

/// The portal's page, where the customer pays by hand.
fn portal(ports: &impl Settings) -> String {
    format!(
        "{}/portal.html",
        ports.config().public_url.trim_end_matches('/')
    )
}
