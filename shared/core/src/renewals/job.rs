//! The renewal job: renew at the registrar (naming the expiry it extends, so
//! a repeat can never add a second period), capture the authorised amount,
//! then record the new expiry, the paid invoice and the receipt in one
//! transaction. A registrar that is down is retried with backoff; on the
//! last try, or on a refusal, the authorisation is released, the invoice
//! voided, and the customer mailed. Every external call carries a key made
//! from the renewal, so a job delivered twice or cut off half-way repeats
//! nothing.

use super::{Renewal, RenewalError, RenewalStatus};
use crate::CustomerId;
use crate::accounts::Customer;
use crate::audit::Actor;
use crate::billing::invoice::Invoice;
use crate::billing::letter::{addressed, with_invoice};
use crate::clock::mail_day_of as day;
use crate::domains::owned::{self, OwnedStatus};
use crate::lifecycle::MovedOn;
use crate::mail::{self, Letter, Mail, MailKind};
use crate::payments::PaymentError;
use crate::registrar::{self, RegistrarError};
use crate::store::{TableError, Tx, TxError, Update};
use crate::{Billing, Mailing, Registry, Settings, Storage};

/// How a renewal job ended, when it did not.
#[derive(Debug, thiserror::Error)]
pub enum JobFailure {
    /// Worth another try after a backoff.
    #[error("{0}")]
    Retry(String),
    #[error(transparent)]
    Table(#[from] TableError),
}

impl From<RenewalError> for JobFailure {
    fn from(error: RenewalError) -> Self {
        match error {
            RenewalError::Table(table) => table.into(),
            other => JobFailure::Retry(other.to_string()),
        }
    }
}

/// Runs the renewal of `domain` that extends `current_expiry`. `last_try`
/// says that the queue will not deliver this job again.
pub async fn run(
    ports: &(impl Storage + Settings + Billing + Registry + Mailing),
    domain: &str,
    current_expiry: i64,
    last_try: bool,
) -> Result<(), JobFailure> {
    let Some(renewal) = super::find(ports.table(), domain, current_expiry).await? else {
        return Ok(());
    };
    match renewal.status {
        RenewalStatus::Queued => {}
        // A delivery that failed it may have been cut off before releasing
        // the card; releasing again is answered from the gateway's record.
        RenewalStatus::Failed => return release(ports, &renewal).await,
        _ => return Ok(()),
    }
    let request = registrar::Renewal {
        domain: renewal.domain.clone(),
        years: renewal.years,
        current_expiry,
        idempotency_key: renewal.id.clone(),
    };
    match ports.registrar().renew(&request).await {
        Ok(info) => finish(ports, &renewal, info.expires_at).await,
        Err(error @ (RegistrarError::Unavailable(_) | RegistrarError::QuotaSpent)) if !last_try => {
            Err(JobFailure::Retry(error.to_string()))
        }
        Err(error) => give_up(ports, &renewal, &error.to_string()).await,
    }
}

/// The letter of a renewal's mail to `name`.
pub(super) fn letter(
    ports: &impl Settings,
    renewal: &Renewal,
    bill: &Invoice,
    name: &str,
) -> Letter {
    let to = Letter {
        domain: crate::domains::name::to_unicode(&renewal.domain),
        card_last4: renewal.card_last4.clone().unwrap_or_default(),
        ..addressed(ports, name, "portal.html#domains")
    };
    with_invoice(to, bill)
}

/// The mail of `kind` to the renewal's owner about it, once per
/// `occasion`; `write` fills in what its letter says.
pub(super) async fn renewal_mail(
    ports: &(impl Storage + Settings),
    (renewal, bill, customer): (&Renewal, &Invoice, &Customer),
    kind: MailKind,
    occasion: &str,
    write: impl FnOnce(&mut Letter),
) -> Result<Mail, TableError> {
    let mut letter = letter(ports, renewal, bill, &customer.name);
    write(&mut letter);
    let to = (customer.email.as_str(), &letter);
    domain_mail(ports, kind, to, &renewal.domain, occasion).await
}

/// The mail of `kind` about `domain`, sent once per `occasion` (an
/// expiry, and its try or reminder).
pub(super) async fn domain_mail(
    ports: &impl Storage,
    kind: MailKind,
    to: (&str, &Letter),
    domain: &str,
    occasion: &str,
) -> Result<Mail, TableError> {
    crate::billing::letter::mail(ports, kind, to, &format!("domain:{domain}"), occasion).await
}

/// The customer `customer_id`, from their profile.
pub(super) async fn customer_of(
    ports: &impl Storage,
    customer_id: &CustomerId,
) -> Result<crate::accounts::Customer, TableError> {
    crate::accounts::load_customer(ports.table(), customer_id).await
}

/// Captures and records a renewal the registry made.
async fn finish(
    ports: &(impl Storage + Settings + Billing + Mailing),
    renewal: &Renewal,
    new_expiry: i64,
) -> Result<(), JobFailure> {
    let capture_id = capture(ports, renewal).await?;
    let bill = renewal.invoice(ports.table()).await?;
    let domain = owned::find(ports.table(), &renewal.customer_id, &renewal.domain).await?;
    let customer = customer_of(ports, &renewal.customer_id).await?;
    let receipt = renewal_mail(
        ports,
        (renewal, &bill, &customer),
        MailKind::RenewalReceipt,
        &renewal.current_expiry.to_string(),
        |letter| {
            letter.paid = true;
            letter.action = format!("{} now runs until {}.", letter.domain, day(new_expiry));
        },
    )
    .await?;
    let now = ports.clock().now();
    let mut renewed = Update::new().set("new_expiry", new_expiry);
    if let Some(id) = &capture_id {
        renewed = renewed.set("capture_id", id.clone());
    }
    let mut tx = Tx::new();
    renewal
        .change(
            RenewalStatus::Renewed,
            renewed,
            Actor::system("renewals"),
            &format!("renewed to {}", day(new_expiry)),
            ports.clock().now_millis(),
        )
        .add_to(&mut tx, Moved::Renewal, now)
        .map_err(|e| TableError::Backend(e.to_string()))?;
    tx.push(bill.paid_op(&crate::clock::rfc3339(now), capture_id.as_deref()))
        .push(receipt.put_op(now.unix_timestamp()));
    if let Some(domain) = domain {
        record_renewed(&mut tx, &domain, new_expiry, now)?;
    }
    match tx.commit(ports.table()).await {
        Ok(()) => {
            mail::deliver(ports, &receipt).await;
            tracing::info!(domain = %renewal.domain, new_expiry, "domain renewed");
            Ok(())
        }
        // Another delivery of this job recorded it first.
        Err(TxError::Refused(Moved::Renewal)) => Ok(()),
        // The registry sync moved the domain meanwhile: read it again.
        Err(TxError::Refused(Moved::Domain)) => Err(JobFailure::Retry(format!(
            "{} changed while its renewal was recorded",
            renewal.domain
        ))),
        Err(TxError::Table(error)) => Err(error.into()),
    }
}

/// Captures the renewal's authorised amount; none to capture when account
/// credit paid all of it.
async fn capture(ports: &impl Billing, renewal: &Renewal) -> Result<Option<String>, JobFailure> {
    if renewal.paid_by_credit() {
        return Ok(None);
    }
    let authorization = renewal.authorization_id.clone().unwrap_or_default();
    let capture = ports
        .payments()
        .capture(
            &authorization,
            renewal.total,
            &format!("{}-capture", renewal.id),
        )
        .await
        .map_err(|error| match error {
            PaymentError::Unavailable(message) => JobFailure::Retry(message),
            other => JobFailure::Retry(format!("capture refused: {other}")),
        })?;
    Ok(Some(capture.id))
}

/// Which record another writer moved on first.
#[derive(Debug, Clone, Copy)]
enum Moved {
    Renewal,
    Domain,
}

/// Adds the domain's new expiry to `tx`, in one write of its record (a
/// transaction may write an item once): an expired domain becomes active in
/// the same write, with its audit entry.
fn record_renewed(
    tx: &mut Tx<Moved>,
    domain: &owned::OwnedDomain,
    new_expiry: i64,
    now: time::OffsetDateTime,
) -> Result<(), TableError> {
    if domain.status != OwnedStatus::Expired {
        tx.push(domain.renewed_op(new_expiry));
        return Ok(());
    }
    domain
        .change(
            OwnedStatus::Active,
            domain.renewed(new_expiry),
            Actor::system("renewals"),
            &format!("renewed to {}", day(new_expiry)),
        )
        .add_to(tx, Moved::Domain, now)
        .map_err(|e| TableError::Backend(e.to_string()))
}

/// Ends a renewal the registry did not make: the authorisation is released,
/// the invoice voided, the customer told; staff find it filed as failed.
async fn give_up(
    ports: &(impl Storage + Settings + Billing + Mailing),
    renewal: &Renewal,
    why: &str,
) -> Result<(), JobFailure> {
    tracing::error!(domain = %renewal.domain, %why, "renewal failed");
    let bill = renewal.invoice(ports.table()).await?;
    let customer = customer_of(ports, &renewal.customer_id).await?;
    let notice = renewal_mail(
        ports,
        (renewal, &bill, &customer),
        MailKind::RenewalFailed,
        &renewal.current_expiry.to_string(),
        |letter| {
            letter.action = format!(
                "The registry did not renew {} ({why}). {} Our team has been told, and you can try again from your portal.",
                letter.domain,
                if renewal.paid_by_credit() {
                    "Your account credit is given back."
                } else {
                    "Your card was not charged."
                }
            );
        },
    )
    .await?;
    let now = ports.clock().now();
    let mut tx = Tx::new();
    renewal
        .change(
            RenewalStatus::Failed,
            Update::new().set("failure", why),
            Actor::system("renewals"),
            why,
            ports.clock().now_millis(),
        )
        .add_to(&mut tx, MovedOn, now)
        .map_err(|e| TableError::Backend(e.to_string()))?;
    tx.extend(crate::billing::void::void_op(ports.table(), &bill, now).await?);
    tx.push(notice.put_op(now.unix_timestamp()));
    // Failed first, released after: a delivery that renewed it meanwhile
    // keeps its authorisation to capture.
    match tx.commit(ports.table()).await {
        Ok(()) => mail::deliver(ports, &notice).await,
        Err(TxError::Refused(MovedOn)) => return Ok(()),
        Err(TxError::Table(error)) => return Err(error.into()),
    }
    release(ports, renewal).await
}

/// Releases the renewal's authorisation, once however often it is asked.
async fn release(ports: &impl Billing, renewal: &Renewal) -> Result<(), JobFailure> {
    if let Some(authorization) = &renewal.authorization_id {
        ports
            .payments()
            .void(authorization, &format!("{}-void", renewal.id))
            .await
            .map_err(|e| JobFailure::Retry(format!("could not release the authorisation: {e}")))?;
    }
    Ok(())
}
