//! A declined automatic charge of a scheduled renewal: it waits for the
//! next dunning day, or, after the last, the renewal ends declined and its
//! invoice is voided. The customer is told either way, once per try; when
//! the card's bank asks for its holder, with a link to renew in the portal
//! while they are there.

use super::job::{customer_of, renewal_mail};
use super::{Renewal, RenewalStatus};
use crate::audit::Actor;
use crate::billing::dunning;
use crate::clock::mail_day_of as day;
use crate::lifecycle::MovedOn;
use crate::mail::{Mail, MailKind};
use crate::store::{Condition, TableError, Tx, TxOp, Update};
use crate::{Settings, Storage};

const DAY: i64 = 86_400;

/// Adds to `tx` what a declined automatic charge leads to: the next
/// dunning attempt, or, after the last, the end of the renewal; returns the
/// mail that tells the customer.
pub(super) async fn declined(
    ports: &(impl Storage + Settings),
    renewal: &Renewal,
    attempt: u32,
    code: &str,
    message: &str,
    tx: &mut Tx<MovedOn>,
) -> Result<Mail, TableError> {
    let customer = customer_of(ports, &renewal.customer_id).await?;
    let bill = renewal.invoice(ports.table()).await?;
    let due = renewal.current_expiry - DAY;
    let why = format!("automatic charge {attempt} declined: {code}");
    let next = dunning::next_try(&ports.config().dunning_days, attempt, due);
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
                    ports.clock().now_millis(),
                )
                .add_to(tx, MovedOn, ports.clock().now())
                .map_err(|e| TableError::Backend(e.to_string()))?;
            tx.extend(
                crate::billing::void::void_op(ports.table(), &bill, ports.clock().now()).await?,
            );
        }
    }
    let notice = renewal_mail(
        ports,
        (renewal, &bill, &customer),
        MailKind::RenewalPaymentFailed,
        &format!("{}-{attempt}", renewal.current_expiry),
        |letter| {
            letter.action = match next {
                Some(next) if code == "authentication_required" => format!(
                    "Your bank asks you to confirm the payment of {} for renewing {}, which it cannot do while you are away. Renew it in your portal while you are there: {}. Otherwise we try your saved card again on {}.",
                    letter.total,
                    letter.domain,
                    letter.link,
                    day(next)
                ),
                Some(next) => format!(
                    "We could not charge your saved card {} for renewing {} ({message}). We will try again on {}; to avoid a lapse, update your card or renew by hand.",
                    letter.total,
                    letter.domain,
                    day(next)
                ),
                None => stopped_action(ports, renewal, &letter.domain, message),
            };
        },
    )
    .await?;
    tx.push(notice.put_op(ports.clock().now_secs()));
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
fn stopped_action(ports: &impl Storage, renewal: &Renewal, domain: &str, message: &str) -> String {
    let expiry = day(renewal.current_expiry);
    if ports.clock().now_secs() < renewal.current_expiry {
        format!(
            "We could not charge your saved card for renewing {domain} ({message}), and have stopped trying. Renew it by hand in your portal before it expires on {expiry}."
        )
    } else {
        format!(
            "We could not charge your saved card for renewing {domain} ({message}), and have stopped trying. It expired on {expiry}: renew it by hand in your portal before the registry releases it."
        )
    }
}
