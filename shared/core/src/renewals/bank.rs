//! A renewal asked for in the portal whose card's bank asks its holder to
//! confirm the payment (3-D Secure). The renewal waits at the bank
//! (`AtBank`, with the authorisation and until when) while the holder is on
//! its page; back in the portal, `confirmed_at_bank` asks the gateway how it
//! went: confirmed, it is queued exactly as a renewal authorised at once
//! (the status guards the move, so it is queued, and later captured, once
//! however often it is asked); refused, it is declined and its invoice
//! voided. One left there past `BANK_SECS` is ended by the sweep of cut-off
//! renewals, which lets go of the authorisation.

use super::request::{carry_out, declined_error};
use super::{Renewal, RenewalError, RenewalStatus};
use crate::CustomerId;
use crate::audit::Actor;
use crate::billing::declines::{self, Paying};
use crate::lifecycle::{MovedOn, Status};
use crate::payments::{Authorization, Authorized, PaymentError};
use crate::store::{Index, Pages, Query, TableError, Tx, TxError, Update};
use crate::{Billing, Queueing, Settings, Storage};

/// How long a renewal waits for its holder at the bank, as a payment by
/// hand of an invoice does.
pub const BANK_SECS: i64 = crate::billing::lease::BANK_SECS;

/// Where the holder's bank sends them back: the portal, which confirms
/// the renewal of `domain`.
pub(super) fn return_url(ports: &impl Settings, domain: &str) -> String {
    format!(
        "{}/portal.html?confirmed_renewal={domain}",
        ports.config().public_url.trim_end_matches('/')
    )
}

/// Records the renewal as waiting at the bank for `authorization_id`, with
/// the bank's page, and returns it as it now stands (a request under the
/// same key at the same time may have recorded it first).
pub(super) async fn sent_to_bank(
    ports: &impl Storage,
    renewal: &Renewal,
    authorization_id: &str,
    url: &str,
) -> Result<Renewal, RenewalError> {
    let update = Update::new()
        .set("authorization_id", authorization_id)
        .set("payment_action_url", url)
        .set("bank_until", ports.clock().now_secs() + BANK_SECS);
    let actor = Actor::Customer(renewal.customer_id.clone());
    let why = "the card's bank asks its holder to confirm the payment";
    renewal
        .change(
            RenewalStatus::AtBank,
            update,
            actor,
            why,
            ports.clock().now_millis(),
        )
        .apply(ports.table(), ports.clock().now())
        .await?;
    super::find(ports.table(), &renewal.domain, renewal.current_expiry)
        .await?
        .ok_or(RenewalError::NotFound)
}

/// Finishes the customer's renewal of `domain` its holder went to confirm
/// at their bank, once they are back: queued when the bank confirmed it
/// (and the same renewal answered however often this is asked), declined
/// when it did not, and still waiting, with the bank's page, while they
/// have not answered.
pub async fn confirmed_at_bank(
    ports: &(impl Storage + Queueing + Billing),
    customer_id: &CustomerId,
    domain: &str,
) -> Result<Renewal, RenewalError> {
    let renewal = newest(ports, customer_id, domain)
        .await?
        .ok_or(RenewalError::NotFound)?;
    match renewal.status {
        RenewalStatus::AtBank => {}
        // Confirmed before: a replay, or a return at the same time.
        RenewalStatus::Queued | RenewalStatus::Renewed | RenewalStatus::Failed => {
            return Ok(renewal);
        }
        _ => return Err(RenewalError::NothingToConfirm),
    }
    let id = renewal
        .authorization_id
        .clone()
        .ok_or(RenewalError::NothingToConfirm)?;
    match ports.payments().authenticated(&id).await {
        Ok(Authorized::Held(held)) => confirmed(ports, &renewal, &held).await,
        Ok(Authorized::Authenticate { .. }) => Ok(renewal),
        Err(PaymentError::Declined { code, message }) => {
            refused(ports, &renewal, (code, message)).await
        }
        Err(PaymentError::Invalid(message)) => Err(RenewalError::Invalid {
            code: "invalid_payment",
            message,
        }),
        Err(PaymentError::Unavailable(message)) => {
            tracing::warn!(%message, "payment gateway unavailable for a renewal's bank check");
            Err(RenewalError::Unavailable(
                "the payment provider is not answering; ask again in a minute, you will not be charged twice".into(),
            ))
        }
    }
}

/// Queues the renewal its holder confirmed, as one authorised at once is.
async fn confirmed(
    ports: &(impl Storage + Queueing),
    renewal: &Renewal,
    held: &Authorization,
) -> Result<Renewal, RenewalError> {
    let actor = Actor::Customer(renewal.customer_id.clone());
    let mut tx = Tx::new();
    renewal
        .queued(
            held,
            actor,
            "confirmed at the card's bank",
            ports.clock().now_millis(),
        )
        .add_to(&mut tx, MovedOn, ports.clock().now())?;
    carry_out(ports, renewal, tx, None).await
}

/// Declines the renewal its holder did not confirm, its invoice voided,
/// and counts the decline once: a return at the same time that ended it
/// first is told the same.
async fn refused(
    ports: &impl Storage,
    renewal: &Renewal,
    told: (String, String),
) -> Result<Renewal, RenewalError> {
    let why = format!("not confirmed at the card's bank: {}", told.0);
    // Told in our words: the decline's own adds that nothing happened.
    let told = match told.0.as_str() {
        "authentication_failed" => (told.0, "Your bank did not confirm the payment".into()),
        _ => told,
    };
    let actor = Actor::Customer(renewal.customer_id.clone());
    let mut tx = Tx::new();
    let end = (RenewalStatus::Declined, actor, why.as_str());
    renewal.end_in(ports, &mut tx, end).await?;
    match tx.commit(ports.table()).await {
        Ok(()) => {}
        Err(TxError::Refused(MovedOn)) => return Err(declined_error(told)),
        Err(TxError::Table(error)) => return Err(error.into()),
    }
    let paying = Paying::renewal(&renewal.domain, renewal.current_expiry);
    let told = declines::declined(ports, &renewal.customer_id, &paying, told).await?;
    Err(declined_error(told))
}

/// The newest renewal of `domain`, when it is the customer's.
async fn newest(
    ports: &impl Storage,
    customer_id: &CustomerId,
    domain: &str,
) -> Result<Option<Renewal>, TableError> {
    let query = Query::partition(super::key(domain, 0).pk)
        .backward()
        .limit(1);
    let page = ports.table().query(query).await?;
    let renewal = page.items.first().map(Renewal::of).transpose()?;
    Ok(renewal.filter(|r| r.customer_id == *customer_id))
}

/// True when a renewal of the customer's waits for the bank's check of
/// `authorization_id`: whose check the simulated bank may answer. Few
/// renewals wait at a bank at once, each for minutes.
pub async fn awaits_check(
    ports: &impl Storage,
    customer_id: &CustomerId,
    authorization_id: &str,
) -> Result<bool, TableError> {
    let at_bank = format!("RENEWALS#{}", RenewalStatus::AtBank.as_str());
    let mut pages = Pages::new(Query::index(Index::Gsi1, at_bank), 100);
    while let Some(items) = pages.next(ports.table()).await? {
        for item in &items {
            let renewal = Renewal::of(item)?;
            if renewal.customer_id == *customer_id
                && renewal.authorization_id.as_deref() == Some(authorization_id)
            {
                return Ok(true);
            }
        }
    }
    Ok(false)
}
