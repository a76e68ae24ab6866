//! Account credit: money the company owes a customer (a goodwill gesture,
//! an outage), granted by staff within their role's limit (the billing role
//! up to `staff_refund_limit` per customer per UTC day, all its grants
//! together, kept on the credit item and moved with its version) and taken off the
//! customer's next service invoices when the billing run makes them, before
//! any card is charged. An invoice credit pays in full is paid at once.
//!
//! Item: `CUSTOMER#<id>` / `CREDIT`, with `balance` (minor units), `v`,
//! and `granted_day` / `granted_today`: what roles with a limit granted on
//! that UTC day.

use serde::Serialize;
use utoipa::ToSchema;

use crate::CustomerId;
use crate::audit::Role;
use crate::audit::{Actor, AuditEntry};
use crate::money::{Currency, Money};
use crate::store::{Condition, Item, ItemExt, Key, Table, TableError, TableResult, TxOp, Update};
use crate::{Settings, Storage};

pub(super) fn key(customer_id: &CustomerId) -> Key {
    Key::new(format!("CUSTOMER#{customer_id}"), "CREDIT")
}

/// A customer's credit as staff see it.
#[derive(Debug, Serialize, ToSchema)]
pub struct Credit {
    /// Minor units.
    pub balance: i64,
}

const DAY: &str = "granted_day";
const GRANTED: &str = "granted_today";

/// The balance and version of a stored credit (0 and 0: none yet).
fn totals(item: Option<&Item>) -> (i64, i64) {
    item.map_or((0, 0), |i| {
        (
            i.i64_attr("balance").unwrap_or(0),
            i.i64_attr("v").unwrap_or(0),
        )
    })
}

/// The customer's credit, and the version it was read at (0: none yet).
pub async fn balance(table: &dyn Table, customer_id: &CustomerId) -> TableResult<(i64, i64)> {
    Ok(totals(table.get(&key(customer_id)).await?.as_ref()))
}

/// What roles with a limit granted on `day`, by a stored credit.
fn granted_on(item: Option<&Item>, day: &str) -> i64 {
    item.filter(|i| i.str_attr(DAY) == Some(day))
        .and_then(|i| i.i64_attr(GRANTED))
        .unwrap_or(0)
}

/// Takes `amount` of the customer's credit, read at version `v`; for the
/// transaction of the invoice it goes on (refused when the credit moved).
pub fn use_op(customer_id: &CustomerId, amount: i64, v: i64) -> TxOp {
    TxOp::Update {
        key: key(customer_id),
        update: Update::new().add("balance", -amount).bump_version(),
        condition: Some(Condition::VersionIs(v)),
    }
}

/// Adds `amount` to the customer's credit, whatever its version (moving
/// it, so that a concurrent use of the credit reads it again).
pub fn add_op(customer_id: &CustomerId, amount: i64) -> TxOp {
    TxOp::Update {
        key: key(customer_id),
        update: Update::new()
            .set("kind", "credit")
            .add("balance", amount)
            .bump_version(),
        condition: None,
    }
}

#[derive(Debug, thiserror::Error)]
pub enum CreditError {
    #[error("{0}")]
    Invalid(String),
    #[error(
        "your role grants one customer at most {limit} a day ({given} granted today); ask an admin"
    )]
    OverLimit { limit: String, given: String },
    #[error("the credit changed meanwhile; try again")]
    Busy,
    #[error(transparent)]
    Table(#[from] TableError),
}

/// Grants `amount` of credit to the customer as `staff` with `role`, from
/// `client`, because of `why`; returns the new balance.
pub async fn grant(
    ports: &(impl Storage + Settings),
    (staff, role, client): (&Actor, Role, &str),
    (customer_id, currency): (&CustomerId, &Currency),
    amount: i64,
    why: &str,
) -> Result<i64, CreditError> {
    let why = why.trim();
    if why.is_empty() || why.chars().count() > 500 {
        return Err(CreditError::Invalid(
            "say why, in 1 to 500 characters".into(),
        ));
    }
    if !(1..=100_000_000).contains(&amount) {
        return Err(CreditError::Invalid(
            "grant 1 to 100,000,000 (minor units)".into(),
        ));
    }
    let limit = ports.config().staff_refund_limit;
    let limited = role < Role::Admin;
    for _ in 0..5 {
        let item = ports.table().get(&key(customer_id)).await?;
        let (before, v) = totals(item.as_ref());
        let today = ports.clock().now().date().to_string();
        let granted = granted_on(item.as_ref(), &today);
        if limited && granted.saturating_add(amount) > limit {
            return Err(CreditError::OverLimit {
                limit: Money::new(limit, currency).to_string(),
                given: Money::new(granted, currency).to_string(),
            });
        }
        let mut update = Update::new()
            .set("kind", "credit")
            .add("balance", amount)
            .bump_version();
        if limited {
            update = update.set(DAY, today).set(GRANTED, granted + amount);
        }
        let guard = match v {
            0 => Condition::NotExists,
            v => Condition::VersionIs(v),
        };
        let entry = AuditEntry {
            at: crate::clock::rfc3339_millis(ports.clock().now()),
            actor: staff.clone(),
            subject: format!("credit:{customer_id}"),
            customer_id: Some(customer_id.clone()),
            action: "credit_granted".into(),
            from: Some(before.to_string()),
            to: Some((before + amount).to_string()),
            why: why.into(),
            client: Some(client.into()),
            role: Some(role.as_str().into()),
        };
        let ops = vec![
            TxOp::Update {
                key: key(customer_id),
                update,
                condition: Some(guard),
            },
            entry.put_op(),
        ];
        match ports.table().transact(ops).await {
            Ok(()) => return Ok(before + amount),
            Err(TableError::TransactionConflict { .. }) => continue,
            Err(other) => return Err(other.into()),
        }
    }
    Err(CreditError::Busy)
}
