//! One payment at a time on one thing (an invoice paid by hand, a refund):
//! a lease item holds `lease_until` while the gateway is called, and an
//! `attempt` number the gateway keys are made from. The number moves on
//! only when an attempt ended for good (declined, or done), so a request
//! cut off after the gateway answered is, when sent again, answered from
//! the gateway's record of that answer rather than charging again. A lease
//! may also name its `holder` (the invoice of a service's upgrade), so that
//! only the holder's own retry takes it again while it runs. A payment
//! whose card's bank asks its holder to confirm keeps the lease while they
//! are at the bank (`bank_check`), for up to `BANK_SECS`.

use crate::store::{Condition, ItemExt, Key, Table, TableError, TxOp, Update};

/// How long one payment holds its lease.
pub const LEASE_SECS: i64 = 60;

/// Takes the lease at `key`: the attempt to make, or None while another
/// holds it, or a payment waits at its holder's bank under it (see
/// `take_from_bank`).
pub async fn take(table: &dyn Table, key: &Key, now: i64) -> Result<Option<i64>, TableError> {
    let free = Condition::AttributeNotExists("lease_until".into())
        .or(Condition::lt("lease_until", now))
        .and(Condition::AttributeNotExists("bank_check".into()));
    let update = Update::new()
        .set("kind", "payment_lease")
        .set("lease_until", now + LEASE_SECS);
    match table.update(key, update, Some(free)).await {
        Ok(item) => Ok(Some(item.i64_attr("attempt").unwrap_or(0))),
        Err(TableError::ConditionFailed) => Ok(None),
        Err(other) => Err(other),
    }
}

/// Gives the lease up; `next` is the attempt the next payment makes.
pub fn release_op(key: &Key, next: i64) -> TxOp {
    TxOp::Update {
        key: key.clone(),
        update: Update::new().set("attempt", next).remove("lease_until"),
        condition: None,
    }
}

/// Gives the lease up on its own.
pub async fn release(table: &dyn Table, key: &Key, next: i64) -> Result<(), TableError> {
    table.transact(vec![release_op(key, next)]).await
}

/// Takes the lease at `key` for `holder` (one upgrade of a service at a
/// time), as part of a transaction: refused while another holder's lease
/// runs; a lapsed one, or `holder`'s own, is taken again.
pub fn hold_op(key: &Key, holder: &str, now: i64) -> TxOp {
    let free = Condition::AttributeNotExists("lease_until".into())
        .or(Condition::lt("lease_until", now))
        .or(Condition::eq("holder", holder));
    TxOp::Update {
        key: key.clone(),
        update: Update::new()
            .set("kind", "payment_lease")
            .set("holder", holder)
            .set("lease_until", now + LEASE_SECS),
        condition: Some(free),
    }
}

/// Gives up `holder`'s lease; refused when another holder took it since.
pub fn let_go_op(key: &Key, holder: &str) -> TxOp {
    TxOp::Update {
        key: key.clone(),
        update: Update::new().remove("holder").remove("lease_until"),
        condition: Some(Condition::eq("holder", holder)),
    }
}

/// How long a payment waiting for its holder's bank (3-D Secure) holds its
/// lease: the holder's time there. After it, the billing run may take the
/// lease over and let the waiting authorisation go.
pub const BANK_SECS: i64 = 15 * 60;

/// The attempt of a payment left waiting at its holder's bank, under a lease.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AtBank {
    /// The authorisation the bank checks.
    pub authorization_id: String,
    /// The attempt it was made in: its gateway keys are made from it.
    pub attempt: i64,
    /// Until when the holder may still come back to it (epoch seconds).
    pub until: i64,
}

/// The attempt waiting at the holder's bank under the lease at `key`, if any.
pub async fn at_bank(table: &dyn Table, key: &Key) -> Result<Option<AtBank>, TableError> {
    let item = table.get(key).await?;
    Ok(item.and_then(|item| {
        Some(AtBank {
            authorization_id: item.str_attr("bank_check")?.to_string(),
            attempt: item.i64_attr("attempt").unwrap_or(0),
            until: item.i64_attr("lease_until").unwrap_or(0),
        })
    }))
}

/// True while a payment holds the lease at `key` (at the bank or not).
pub async fn running(table: &dyn Table, key: &Key, now: i64) -> Result<bool, TableError> {
    let item = table.get(key).await?;
    Ok(item
        .and_then(|item| item.i64_attr("lease_until"))
        .is_some_and(|until| until >= now))
}

/// Keeps the lease held by `attempt` while its holder is at their bank
/// for `authorization_id`; false when the lease is no longer that attempt's.
pub async fn wait_at_bank(
    table: &dyn Table,
    key: &Key,
    attempt: i64,
    authorization_id: &str,
    now: i64,
) -> Result<bool, TableError> {
    let update = Update::new()
        .set("attempt", attempt)
        .set("bank_check", authorization_id)
        .set("lease_until", now + BANK_SECS);
    // A lease taken for the first time has no attempt written yet: it is 0.
    let mut same = Condition::eq("attempt", attempt);
    if attempt == 0 {
        same = same.or(Condition::AttributeNotExists("attempt".into()));
    }
    let held = same.and(Condition::AttributeExists("lease_until".into()));
    match table.update(key, update, Some(held)).await {
        Ok(_) => Ok(true),
        Err(TableError::ConditionFailed) => Ok(false),
        Err(other) => Err(other),
    }
}

/// Takes over the lease from `waiting`, a payment left at the bank: at any
/// time for its holder, who pays again (`holder`), else once its time at
/// the bank is over. That attempt ends: the next is the one after it.
/// False when the lease is no longer `waiting`'s.
pub async fn take_from_bank(
    table: &dyn Table,
    key: &Key,
    waiting: &AtBank,
    now: i64,
    holder: bool,
) -> Result<bool, TableError> {
    let mut guard = Condition::eq("bank_check", waiting.authorization_id.as_str())
        .and(Condition::eq("attempt", waiting.attempt));
    if !holder {
        guard = guard.and(Condition::lt("lease_until", now));
    }
    let update = Update::new()
        .set("attempt", waiting.attempt + 1)
        .set("lease_until", now + LEASE_SECS)
        .remove("bank_check");
    match table.update(key, update, Some(guard)).await {
        Ok(_) => Ok(true),
        Err(TableError::ConditionFailed) => Ok(false),
        Err(other) => Err(other),
    }
}

/// Gives up the lease of `waiting`, whose bank did not confirm it: the next
/// payment makes the attempt after it. Nothing when it was given up already.
pub async fn leave_bank(table: &dyn Table, key: &Key, waiting: &AtBank) -> Result<(), TableError> {
    let update = Update::new()
        .set("attempt", waiting.attempt + 1)
        .remove("lease_until")
        .remove("bank_check");
    let guard = Condition::eq("bank_check", waiting.authorization_id.as_str());
    match table.update(key, update, Some(guard)).await {
        Ok(_) | Err(TableError::ConditionFailed) => Ok(()),
        Err(other) => Err(other),
    }
}
