//! Refunds by staff: all or part of what paid an invoice, given back to the
//! card, never more than was paid all refunds together, and within the
//! role's limit (the billing role up to `staff_refund_limit` per invoice,
//! all its refunds together; admins without one). One refund at a time per
//! invoice (a `lease`), whose gateway key is made from the invoice and the
//! refund's number, so a refund cut off after the gateway answered is
//! recorded, when asked again, without giving back twice. The invoice, its
//! running totals (`refunded`, and `limited_refunded` by roles with a
//! limit, beside the invoice on its item) and the audit entry change in one
//! write, guarded by the total read: no refund's record is ever lost.

use serde::Deserialize;
use serde_json::json;
use utoipa::ToSchema;

use super::invoice::{self, Invoice, InvoiceStatus, REFUNDED, unrefunded_since};
use super::lease;
use crate::audit::Role;
use crate::audit::{Actor, AuditEntry};
use crate::money::Money;
use crate::payments::PaymentError;
use crate::store::{Item, ItemExt, Key, TableError, TxOp, Update};
use crate::{Billing, Settings, Storage};

#[derive(Debug, Deserialize, ToSchema)]
pub struct RefundRequest {
    /// Minor units; all that is left to give back when absent.
    #[serde(default, deserialize_with = "crate::input::optional_whole_number")]
    pub amount: Option<i64>,
    /// Why, in 1 to 500 characters, for the audit log.
    pub why: String,
}

#[derive(Debug, thiserror::Error)]
pub enum RefundError {
    #[error("no such invoice")]
    NotFound,
    #[error("{message}")]
    Invalid { code: &'static str, message: String },
    #[error("{message}")]
    Conflict { code: &'static str, message: String },
    /// Above what the role may refund on one invoice.
    #[error(
        "your role refunds at most {limit} on one invoice ({given} given back already); ask an admin"
    )]
    OverLimit { limit: String, given: String },
    #[error("{0}")]
    Unavailable(String),
    #[error(transparent)]
    Table(#[from] TableError),
}

/// Whether refunds by `role` are capped.
fn limited(role: Role) -> bool {
    role < Role::Admin
}

/// The invoice stored in `item`, and what roles with a limit gave back of it.
fn read_totals(item: &Item) -> Result<(Invoice, i64), TableError> {
    Ok((Invoice::of(item)?, item.i64_attr(LIMITED).unwrap_or(0)))
}

/// What roles with a limit gave back, beside the invoice on its item.
const LIMITED: &str = "limited_refunded";

fn lease_key(number: &str) -> Key {
    Key::new(format!("INVOICE#{number}"), "REFUNDING")
}

/// The capture to refund and the amount, if `bill` can give back `asked`
/// (all that is left when None) by a member of staff with `role`, when
/// roles with a limit gave back `limited_before` of it already.
fn what_is_left(
    ports: &impl Settings,
    role: Role,
    (bill, limited_before): (&Invoice, i64),
    asked: Option<i64>,
) -> Result<(String, i64), RefundError> {
    let left = bill.total - bill.refunded;
    let capture = match (&bill.status, &bill.capture_id) {
        (InvoiceStatus::Paid, Some(capture)) if left > 0 => capture.clone(),
        (InvoiceStatus::Paid, None) => {
            return Err(RefundError::Conflict {
                code: "no_capture_recorded",
                message: "this invoice was paid before payments were recorded on invoices; refund it at the gateway".into(),
            });
        }
        _ => {
            return Err(RefundError::Conflict {
                code: "nothing_to_refund",
                message: format!("invoice {} has nothing left to give back", bill.number),
            });
        }
    };
    let amount = asked.unwrap_or(left);
    if !(1..=left).contains(&amount) {
        return Err(RefundError::Invalid {
            code: "invalid_amount",
            message: format!("refund 1 to {left} (minor units)"),
        });
    }
    let limit = ports.config().staff_refund_limit;
    if limited(role) && limited_before.saturating_add(amount) > limit {
        return Err(RefundError::OverLimit {
            limit: Money::new(limit, &bill.currency).to_string(),
            given: Money::new(limited_before, &bill.currency).to_string(),
        });
    }
    Ok((capture, amount))
}

/// Refunds `request.amount` (or all that is left) of invoice `number` as
/// `staff` with `role`, acting from `client`; returns the invoice after it.
pub async fn refund(
    ports: &(impl Storage + Settings + Billing),
    (staff, role, client): (&Actor, Role, &str),
    number: &str,
    request: RefundRequest,
) -> Result<Invoice, RefundError> {
    let why = request.why.trim().to_string();
    if why.is_empty() || why.chars().count() > 500 {
        return Err(RefundError::Invalid {
            code: "invalid_reason",
            message: "say why, in 1 to 500 characters".into(),
        });
    }
    let found = invoice::by_number(ports.table(), number)
        .await?
        .ok_or(RefundError::NotFound)?;
    let key = lease_key(&found.number);
    let attempt = lease::take(ports.table(), &key, ports.clock().now_secs())
        .await?
        .ok_or_else(|| RefundError::Conflict {
            code: "refund_in_progress",
            message: "this invoice is being refunded right now".into(),
        })?;
    // Read again under the lease, by its key (the index may lag): a refund
    // that ended meanwhile counts.
    let checked = match ports.table().get(&found.key()).await {
        Ok(Some(item)) => {
            read_totals(&item)
                .map_err(RefundError::from)
                .and_then(|(bill, limited_before)| {
                    what_is_left(ports, role, (&bill, limited_before), request.amount)
                        .map(|c| (bill, c))
                })
        }
        Ok(None) => Err(RefundError::NotFound),
        Err(error) => Err(error.into()),
    };
    let (bill, (capture, amount)) = match checked {
        Ok(checked) => checked,
        Err(error) => {
            lease::release(ports.table(), &key, attempt).await?;
            return Err(error);
        }
    };
    let gateway_key = format!("{}-staff-refund-{attempt}", bill.number);
    let given = match ports
        .payments()
        .refund(&capture, amount, &gateway_key)
        .await
    {
        Ok(given) => given,
        Err(error) => {
            lease::release(ports.table(), &key, attempt).await?;
            return Err(match error {
                PaymentError::Unavailable(message) => RefundError::Unavailable(message),
                other => RefundError::Conflict {
                    code: "refund_refused",
                    message: other.to_string(),
                },
            });
        }
    };
    let given = Given {
        amount: given.amount,
        attempt,
        role,
    };
    record(ports, (staff, client, &why), &key, &bill, given).await
}

/// A refund the gateway made: its amount, the lease's attempt, the role.
struct Given {
    amount: i64,
    attempt: i64,
    role: Role,
}

/// Records `given` on the invoice `bill` was read from, with its audit
/// entry and the lease's release. Under the lease nothing else refunds it;
/// should the lease have lapsed meanwhile, the guard fails and the invoice
/// is read again, so the refund is added to whatever was recorded since.
async fn record(
    ports: &impl Storage,
    (staff, client, why): (&Actor, &str, &str),
    key: &Key,
    bill: &Invoice,
    given: Given,
) -> Result<Invoice, RefundError> {
    for _ in 0..5 {
        let item = ports
            .table()
            .get(&bill.key())
            .await?
            .ok_or(RefundError::NotFound)?;
        let (before, limited_before) = read_totals(&item)?;
        let mut after = before.clone();
        after.refunded += given.amount;
        if after.refunded >= after.total {
            after.status = InvoiceStatus::Refunded;
        }
        let mut update = Update::new()
            .set("invoice", json!(after))
            .set(REFUNDED, after.refunded);
        if limited(given.role) {
            update = update.set(LIMITED, limited_before + given.amount);
        }
        let entry = AuditEntry {
            at: crate::clock::rfc3339_millis(ports.clock().now()),
            actor: staff.clone(),
            subject: format!("invoice:{}", bill.number),
            customer_id: Some(bill.customer_id.clone()),
            action: "refunded".into(),
            from: Some(format!("{} given back", before.refunded)),
            to: Some(format!("{} given back", after.refunded)),
            why: why.into(),
            client: Some(client.into()),
            role: Some(given.role.as_str().into()),
        };
        let ops = vec![
            TxOp::Update {
                key: bill.key(),
                update,
                condition: Some(unrefunded_since(&item)),
            },
            lease::release_op(key, given.attempt + 1),
            entry.put_op(),
        ];
        match ports.table().transact(ops).await {
            Ok(()) => return Ok(after),
            Err(TableError::TransactionConflict { index: 0 }) => continue,
            Err(other) => return Err(other.into()),
        }
    }
    Err(RefundError::Conflict {
        code: "refund_in_progress",
        message:
            "the refund was made but the invoice kept changing; ask again in a minute to record it"
                .into(),
    })
}
