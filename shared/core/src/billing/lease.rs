//! One payment at a time on one thing (an invoice paid by hand, a refund):
//! a lease item holds `lease_until` while the gateway is called, and an
//! `attempt` number the gateway keys are made from. The number moves on
//! only when an attempt ended for good (declined, or done), so a request
//! cut off after the gateway answered is, when sent again, answered from
//! the gateway's record of that answer rather than charging again. A lease
//! may also name its `holder` (the invoice of a service's upgrade), so that
//! only the holder's own retry takes it again while it runs.

use crate::store::{Condition, ItemExt, Key, Table, TableError, TxOp, Update};

/// How long one payment holds its lease.
pub const LEASE_SECS: i64 = 60;

/// Takes the lease at `key`: the attempt to make, or None while another holds it.
pub async fn take(table: &dyn Table, key: &Key, now: i64) -> Result<Option<i64>, TableError> {
    let free =
        Condition::AttributeNotExists("lease_until".into()).or(Condition::lt("lease_until", now));
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
