//! Upgrading a service to a larger plan of the same kind, for a prorated
//! invoice paid at once.
//!
//! One upgrade of a service at a time: the request that makes the invoice
//! takes a lease on the service (`SERVICE#<id>` / `UPGRADING`, held by the
//! invoice's number) in the same transaction, so a second request meanwhile
//! is refused (409 `upgrade_in_progress`) having written and charged
//! nothing. A retry under the first request's key takes the lease again.
//! The payment is recorded only while the invoice still holds the lease and
//! the service still has the plan it was priced from; should that no longer
//! hold, the capture is refunded and the invoice voided, so that no capture
//! is ever left unrecorded. The customer is at hand: a card whose bank asks
//! its holder to confirm the payment keeps the lease while they are at the
//! bank (`bank`).

pub mod bank;
mod charge;

use super::addons::AddonError;
use super::{Subscription, SubscriptionStatus, find};
use crate::CustomerId;
use crate::billing::declines::{self, Paying};
use crate::billing::invoice::{self, Invoice, InvoiceFor, InvoiceLine, InvoiceStatus};
use crate::billing::lease;
use crate::billing::terms::Terms;
use crate::idempotency::{Earlier, IdempotencyRecord};
use crate::payments::PaymentSource;
use crate::store::{Key, TableError, Tx, TxError};
use crate::{Billing, Catalogs, Queueing, Settings, Storage};
use bank::Upgraded;
use charge::charge;

/// Tries at claiming the next invoice number before giving up as busy.
const NUMBER_ATTEMPTS: usize = 20;

/// Why an upgrade's first write may be refused.
#[derive(Debug, Clone, Copy)]
enum Refusal {
    CounterMoved,
    KeyTaken,
    /// Another upgrade of the service holds the lease.
    Busy,
}

fn lease_key(service_id: &str) -> Key {
    Key::new(format!("SERVICE#{service_id}"), "UPGRADING")
}

fn in_progress() -> AddonError {
    AddonError::Conflict {
        code: "upgrade_in_progress",
        message: "this service is being upgraded right now; look at it again in a moment".into(),
    }
}

/// Moves the service to the larger plan `plan_id` of the same kind, for a
/// prorated invoice paid now: the difference in price for the days left of
/// the period. The same `Idempotency-Key` repeats nothing. Returns the
/// service, or, while its holder is at their bank, also the bank's page.
pub async fn upgrade(
    ports: &(impl Storage + Settings + Billing + Catalogs + Queueing),
    customer_id: &CustomerId,
    service_id: &str,
    plan_id: &str,
    source: PaymentSource,
    key_given: &str,
) -> Result<Upgraded, AddonError> {
    let service = find(ports.table(), customer_id, service_id)
        .await?
        .ok_or(AddonError::NotFound)?;
    let fingerprint = format!("upgrade:{service_id}:{plan_id}");
    let earlier = IdempotencyRecord::earlier(
        ports.table(),
        customer_id,
        key_given,
        "upgrade",
        &fingerprint,
    )
    .await?;
    let paying = Paying::upgrade(service_id);
    let bill = match earlier {
        Some(Earlier::Other) => {
            return Err(AddonError::Invalid {
                code: "idempotency_key_reused",
                message: "this Idempotency-Key was used for a different request; use a new key"
                    .into(),
            });
        }
        Some(Earlier::Same(number)) => resume(ports, &service, &number, &paying).await?,
        None => {
            bank::end_lapsed(ports, &service).await?;
            declines::may_try::<AddonError>(ports, customer_id, &paying).await?;
            invoice_upgrade(ports, &service, plan_id, key_given, &fingerprint).await?
        }
    };
    let at_bank = match bill.status {
        InvoiceStatus::Open => charge(ports, &service, &bill, plan_id, source, &paying).await?,
        _ => None,
    };
    let service = find(ports.table(), customer_id, service_id)
        .await?
        .ok_or(AddonError::NotFound)?;
    Ok(Upgraded {
        service,
        payment_action_url: at_bank,
    })
}

/// The invoice an earlier request under the same key made, its lease taken
/// again while it is still owed (the same request, sent again, pays it).
async fn resume(
    ports: &(impl Storage + Settings),
    service: &Subscription,
    number: &str,
    paying: &Paying,
) -> Result<Invoice, AddonError> {
    let customer_id = &service.customer_id;
    let bill = invoice::find(ports.table(), customer_id, number)
        .await?
        .ok_or_else(|| TableError::Backend(format!("upgrade invoice {number} is missing")))?;
    if bill.status == InvoiceStatus::Open {
        declines::may_try::<AddonError>(ports, customer_id, paying).await?;
        let now = ports.clock().now_secs();
        let held = lease::hold_op(&lease_key(&service.id), &bill.number, now);
        match ports.table().transact(vec![held]).await {
            Ok(()) => {}
            Err(TableError::TransactionConflict { .. }) => return Err(in_progress()),
            Err(other) => return Err(other.into()),
        }
    }
    Ok(bill)
}

/// Invoices the prorated difference, numbered, with the key's record and
/// the service's upgrade lease.
async fn invoice_upgrade(
    ports: &(impl Storage + Settings + Catalogs),
    service: &Subscription,
    plan_id: &str,
    key_given: &str,
    fingerprint: &str,
) -> Result<Invoice, AddonError> {
    let line = prorated(ports, service, plan_id).await?;
    let customer = crate::accounts::load_customer(ports.table(), &service.customer_id).await?;
    let terms = Terms::for_sale(ports, &customer).await?;
    for _ in 0..NUMBER_ATTEMPTS {
        let mut bill = Invoice::new(
            &service.customer_id,
            InvoiceFor::Upgrade {
                service_id: service.id.clone(),
                plan_id: plan_id.into(),
            },
            crate::clock::rfc3339(ports.clock().now()),
            &service.currency,
            vec![line.clone()],
            &terms,
        );
        let (sequence, claim) = invoice::claim_number(ports.table(), &mut bill).await?;
        let record = IdempotencyRecord {
            customer_id: &service.customer_id,
            key: key_given,
            made: ("upgrade", &bill.number),
            fingerprint,
        };
        let now = ports.clock().now_secs();
        let until = now + crate::idempotency::KEEP_DAYS * 86_400;
        let held = lease::hold_op(&lease_key(&service.id), &bill.number, now);
        let mut tx = Tx::new();
        tx.guard(Refusal::CounterMoved, claim)
            .guard(Refusal::KeyTaken, record.create_op(until))
            .guard(Refusal::Busy, held)
            .push(bill.put_op(sequence));
        match tx.commit(ports.table()).await {
            Ok(()) => return Ok(bill),
            Err(TxError::Refused(Refusal::CounterMoved)) => {}
            Err(TxError::Refused(Refusal::KeyTaken | Refusal::Busy)) => {
                return Err(in_progress());
            }
            Err(TxError::Table(error)) => return Err(error.into()),
        }
    }
    Err(AddonError::Unavailable(
        "please try again in a moment".into(),
    ))
}

/// The invoice line of moving the active `service` to the larger plan
/// `plan_id`: the difference in price for the days left of the period.
async fn prorated(
    ports: &(impl Storage + Catalogs),
    service: &Subscription,
    plan_id: &str,
) -> Result<InvoiceLine, AddonError> {
    if service.status != SubscriptionStatus::Active {
        return Err(AddonError::Conflict {
            code: "service_not_active",
            message: "only an active service can be changed".into(),
        });
    }
    if !service.on_panel() {
        return Err(AddonError::Conflict {
            code: "not_resizable",
            message: "a server keeps the size it was made with; order a larger one and move to it"
                .into(),
        });
    }
    let catalog = ports.catalog().get(ports.table(), ports.clock()).await?;
    let plan = catalog.plan(plan_id).ok_or_else(|| AddonError::Invalid {
        code: "unknown_plan",
        message: format!("there is no plan {plan_id:?}"),
    })?;
    let price = plan.prices.get(&service.cycle).copied().unwrap_or(0);
    if plan.kind != service.plan_kind || price <= service.price {
        return Err(AddonError::Conflict {
            code: "not_an_upgrade",
            message: format!("{} is not a larger plan of the same kind", plan.name),
        });
    }
    let today = ports.clock().now().date();
    let due = super::billing::day(&service.next_due).unwrap_or(today);
    let months = crate::catalog::cycle_months(&service.cycle).unwrap_or(1);
    let period_days = (due - sub_months(due, months)).whole_days().max(1);
    let days_left = (due - today).whole_days().clamp(0, period_days);
    let last = due - time::Duration::days(1);
    Ok(InvoiceLine::new(
        format!(
            "Upgrade of {} to {}, {today} to {last} ({days_left} of {period_days} days)",
            service.plan_name, plan.name
        ),
        (price - service.price) * days_left / period_days,
    )
    .over(today, last.max(today)))
}

fn sub_months(date: time::Date, months: u32) -> time::Date {
    // The same day `months` earlier, clamped as `add_months` clamps.
    let index = date.year() * 12 + (date.month() as i32 - 1) - months as i32;
    let (year, month) = (index.div_euclid(12), index.rem_euclid(12) as u8 + 1);
    let month = time::Month::try_from(month).expect("a month index modulo 12 is a month");
    time::Date::from_calendar_date(year, month, date.day().min(month.length(year)))
        .expect("the day is clamped to the month")
}
