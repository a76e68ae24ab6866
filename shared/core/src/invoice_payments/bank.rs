//! An invoice paid by hand whose card's bank asks its holder to confirm the
//! payment (3-D Secure): the holder is sent to their bank with the
//! invoice's lease kept (`lease::wait_at_bank`), and comes back to the
//! portal, which asks how it went. Whoever goes on with the payment first
//! takes the lease over from the bank (`lease::take_from_bank`): the
//! holder back from the bank, the holder paying again, or, once their time
//! there is over, the billing run. So one payment at a time is still made,
//! and a confirmed authorisation is captured once, under its own keys.

use super::{InvoicePayment, Owed, PayError, finish, owed, reread};
use crate::CustomerId;
use crate::billing::by_hand::{attempt_key, let_go};
use crate::billing::declines::{self, Paying};
use crate::billing::invoice::{self, Invoice, InvoiceStatus};
use crate::billing::lease;
use crate::payments::{Authorization, Authorized, Charge, PaymentError, PaymentSource};
use crate::store::TableError;
use crate::{Billing, Mailing, Queueing, Settings, Storage};

/// How many of the customer's newest invoices are looked through for a
/// check at the bank: only an open one's payment can wait there.
const LOOKED_THROUGH: usize = 100;

/// How a payment by hand's authorisation came out.
pub(super) enum Taken {
    /// Held on the card by attempt `.0`: to capture.
    Held(i64, Authorization),
    /// The holder's bank asks them to confirm the payment: its page.
    AtBank(String),
}

/// What a payment by hand starts from, once it holds the invoice's lease.
enum Lease {
    /// A new attempt, this one.
    Free(i64),
    /// The attempt left at the bank, which its holder confirmed meanwhile.
    Confirmed(i64, Authorization),
}

/// Authorises the invoice's total on `source` with its holder at hand,
/// under the invoice's lease and within the customer's declined cards; a
/// decline is counted and told.
pub(super) async fn take_payment(
    ports: &(impl Storage + Settings + Billing),
    bill: &Invoice,
    owed: &Owed,
    source: PaymentSource,
) -> Result<Taken, PayError> {
    let paying = Paying::invoice(&bill.number);
    declines::may_try::<PayError>(ports, &bill.customer_id, &paying).await?;
    let attempt = match take_lease(ports, bill, owed).await? {
        Lease::Free(attempt) => attempt,
        Lease::Confirmed(attempt, held) => return Ok(Taken::Held(attempt, held)),
    };
    // The billing run may have tried a period waiting for its holder
    // between our read and the lease, which it takes to charge one.
    if owed.tried_meanwhile(ports).await? {
        lease::release(ports.table(), &owed.lease_key(), attempt).await?;
        return Err(PayError::busy());
    }
    let request = Charge {
        keep_for_later: false,
        amount: crate::money::Money::new(bill.total, &bill.currency),
        source,
        reference: bill.number.clone(),
        idempotency_key: format!("{}-authorize", attempt_key(&bill.number, attempt)),
    };
    let back = return_url(ports, &bill.number);
    match ports
        .payments()
        .authorize_with_holder(&request, &back)
        .await
    {
        Ok(Authorized::Held(held)) => Ok(Taken::Held(attempt, held)),
        Ok(Authorized::Authenticate {
            authorization_id,
            url,
        }) => {
            let now = ports.clock().now_secs();
            let key = owed.lease_key();
            if !lease::wait_at_bank(ports.table(), &key, attempt, &authorization_id, now).await? {
                // The lease lapsed and another payment took it: this one ends.
                let_go(ports, &bill.number, attempt, &authorization_id).await;
                return Err(PayError::busy());
            }
            Ok(Taken::AtBank(url))
        }
        Err(error) => Err(refused(ports, bill, owed, attempt, error).await),
    }
}

/// Where the holder's bank sends them back: the portal, which confirms.
fn return_url(ports: &impl Settings, number: &str) -> String {
    format!(
        "{}/portal.html?confirmed={number}",
        ports.config().public_url.trim_end_matches('/')
    )
}

/// The invoice's lease for a new payment. An attempt its holder left at
/// the bank is taken over: settled if they confirmed it, let go if not.
async fn take_lease(
    ports: &(impl Storage + Billing),
    bill: &Invoice,
    owed: &Owed,
) -> Result<Lease, PayError> {
    let (table, key) = (ports.table(), owed.lease_key());
    let now = ports.clock().now_secs();
    let Some(waiting) = lease::at_bank(table, &key).await? else {
        return lease::take(table, &key, now)
            .await?
            .map(Lease::Free)
            .ok_or_else(PayError::busy);
    };
    let answer = ports
        .payments()
        .authenticated(&waiting.authorization_id)
        .await;
    if let Err(PaymentError::Unavailable(message)) = answer {
        return Err(PayError::Unavailable(message));
    }
    if !lease::take_from_bank(table, &key, &waiting, now, true).await? {
        return Err(PayError::busy());
    }
    Ok(match answer {
        Ok(Authorized::Held(held)) => Lease::Confirmed(waiting.attempt, held),
        Ok(Authorized::Authenticate { .. }) => {
            let_go(
                ports,
                &bill.number,
                waiting.attempt,
                &waiting.authorization_id,
            )
            .await;
            Lease::Free(waiting.attempt + 1)
        }
        Err(_) => Lease::Free(waiting.attempt + 1),
    })
}

/// Gives up the lease after the gateway refused attempt `attempt`, and
/// says why. A decline is final for the attempt: the next uses new keys.
pub(super) async fn refused(
    ports: &(impl Storage + Billing),
    bill: &Invoice,
    owed: &Owed,
    attempt: i64,
    error: PaymentError,
) -> PayError {
    let next = match &error {
        PaymentError::Declined { .. } => attempt + 1,
        _ => attempt,
    };
    match lease::release(ports.table(), &owed.lease_key(), next).await {
        Ok(()) => told(ports, bill, error).await,
        Err(failed) => failed.into(),
    }
}

/// The gateway's refusal as the customer is told it; a decline is counted.
async fn told(ports: &impl Storage, bill: &Invoice, error: PaymentError) -> PayError {
    match error {
        PaymentError::Declined { code, message } => {
            let paying = Paying::invoice(&bill.number);
            let told = (code, message);
            match declines::declined(ports, &bill.customer_id, &paying, told).await {
                Ok((code, message)) => PayError::Declined { code, message },
                Err(failed) => failed.into(),
            }
        }
        PaymentError::Invalid(message) => PayError::Invalid(message),
        PaymentError::Unavailable(message) => PayError::Unavailable(message),
    }
}

/// Finishes the payment of invoice `number` its holder went to confirm at
/// their bank, once they are back: paid when the bank confirmed it (once,
/// however often this is asked), declined when it did not, and still
/// waiting, with the bank's page, while they have not answered.
pub async fn confirmed_at_bank(
    ports: &(impl Storage + Settings + Billing + Mailing + Queueing),
    customer_id: &CustomerId,
    number: &str,
) -> Result<InvoicePayment, PayError> {
    let Some((bill, owed)) = owed(ports, customer_id, number).await? else {
        return reread(ports, customer_id, number).await;
    };
    let (table, key) = (ports.table(), owed.lease_key());
    let Some(waiting) = lease::at_bank(table, &key).await? else {
        // Another return from the bank may be finishing it right now.
        let now = ports.clock().now_secs();
        let error = match lease::running(table, &key, now).await? {
            true => PayError::busy(),
            false => PayError::Conflict {
                code: "nothing_to_confirm",
                message: "this invoice is not waiting for your bank; pay it with a card".into(),
            },
        };
        return paid_meanwhile_or(ports, customer_id, number, error).await;
    };
    let payments = ports.payments();
    match payments.authenticated(&waiting.authorization_id).await {
        Ok(Authorized::Held(held)) => {
            let now = ports.clock().now_secs();
            if !lease::take_from_bank(table, &key, &waiting, now, true).await? {
                return paid_meanwhile_or(ports, customer_id, number, PayError::busy()).await;
            }
            finish(ports, (&owed, &bill), waiting.attempt, held).await
        }
        Ok(Authorized::Authenticate { url, .. }) => Ok(InvoicePayment {
            invoice: bill,
            payment_action_url: Some(url),
        }),
        Err(error) => {
            if matches!(error, PaymentError::Declined { .. }) {
                lease::leave_bank(table, &key, &waiting).await?;
            }
            Err(told(ports, &bill, error).await)
        }
    }
}

/// The invoice, if a return from the bank at the same time as this one
/// paid it meanwhile; else `error`.
async fn paid_meanwhile_or(
    ports: &impl Storage,
    customer_id: &CustomerId,
    number: &str,
    error: PayError,
) -> Result<InvoicePayment, PayError> {
    let now = reread(ports, customer_id, number).await?;
    match now.invoice.status {
        InvoiceStatus::Paid => Ok(now),
        _ => Err(error),
    }
}

/// True when an open invoice of the customer's waits for the bank's check
/// of `authorization_id`: whose check the simulated bank may answer.
pub async fn awaits_check(
    ports: &impl Storage,
    customer_id: &CustomerId,
    authorization_id: &str,
) -> Result<bool, TableError> {
    let bills = invoice::of_customer(ports.table(), customer_id, LOOKED_THROUGH).await?;
    for bill in bills.iter().filter(|b| b.status == InvoiceStatus::Open) {
        let Some(key) = Owed::lease_key_of(&bill.about) else {
            continue;
        };
        let waiting = lease::at_bank(ports.table(), &key).await?;
        if waiting.is_some_and(|w| w.authorization_id == authorization_id) {
            return Ok(true);
        }
    }
    Ok(false)
}
