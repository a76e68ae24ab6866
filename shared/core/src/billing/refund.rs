//! Refunds by staff: all or part of what paid an invoice, given back to the
//! card, within the role's limit (the billing role up to
//! `staff_refund_limit` at once; admins without one). One refund at a time
//! per invoice (a `lease`), whose gateway key is made from the invoice and
//! the refund's number, so a refund cut off after the gateway answered is
//! recorded, when asked again, without giving back twice. The invoice, its
//! refunded amount and the audit entry change in one write.

use serde::Deserialize;
use serde_json::json;
use utoipa::ToSchema;

use super::invoice::{self, Invoice, InvoiceStatus};
use super::lease;
use crate::audit::{Actor, AuditEntry};
use crate::payments::PaymentError;
use crate::staff::Role;
use crate::store::{Condition, Key, TableError, TxOp, Update};
use crate::{Billing, Settings, Storage};

#[derive(Debug, Deserialize, ToSchema)]
pub struct RefundRequest {
    /// Minor units; all that is left to give back when absent.
    #[serde(default)]
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
    /// Above what the role may refund.
    #[error("your role refunds at most {limit} at once; ask an admin")]
    OverLimit { limit: String },
    #[error("{0}")]
    Unavailable(String),
    #[error(transparent)]
    Table(#[from] TableError),
}

fn lease_key(number: &str) -> Key {
    Key::new(format!("INVOICE#{number}"), "REFUNDING")
}

/// The capture to refund and the amount, if `bill` can give back `asked`
/// (all that is left when None) by a member of staff with `role`.
fn what_is_left(
    services: &impl Settings,
    role: Role,
    bill: &Invoice,
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
    let limit = services.config().staff_refund_limit;
    if role < Role::Admin && amount > limit {
        return Err(RefundError::OverLimit {
            limit: crate::money::display(limit, &bill.currency),
        });
    }
    Ok((capture, amount))
}

/// Refunds `request.amount` (or all that is left) of invoice `number` as
/// `staff` with `role`, acting from `client`; returns the invoice after it.
pub async fn refund(
    services: &(impl Storage + Settings + Billing),
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
    let found = invoice::by_number(services.table(), number)
        .await?
        .ok_or(RefundError::NotFound)?;
    let key = lease_key(&found.number);
    let attempt = lease::take(services.table(), &key, services.clock().now_secs())
        .await?
        .ok_or_else(|| RefundError::Conflict {
            code: "refund_in_progress",
            message: "this invoice is being refunded right now".into(),
        })?;
    // Read again under the lease, by its key (the index may lag): a refund
    // that ended meanwhile counts.
    let checked = match services.table().get(&found.key()).await {
        Ok(Some(item)) => Invoice::of(&item)
            .map_err(RefundError::from)
            .and_then(|bill| {
                what_is_left(services, role, &bill, request.amount).map(|c| (bill, c))
            }),
        Ok(None) => Err(RefundError::NotFound),
        Err(error) => Err(error.into()),
    };
    let (bill, (capture, amount)) = match checked {
        Ok(checked) => checked,
        Err(error) => {
            lease::release(services.table(), &key, attempt).await?;
            return Err(error);
        }
    };
    let gateway_key = format!("{}-staff-refund-{attempt}", bill.number);
    let given = match services
        .payments()
        .refund(&capture, amount, &gateway_key)
        .await
    {
        Ok(given) => given,
        Err(error) => {
            lease::release(services.table(), &key, attempt).await?;
            return Err(match error {
                PaymentError::Unavailable(message) => RefundError::Unavailable(message),
                other => RefundError::Conflict {
                    code: "refund_refused",
                    message: other.to_string(),
                },
            });
        }
    };
    let mut after = bill.clone();
    after.refunded += given.amount;
    if after.refunded >= after.total {
        after.status = InvoiceStatus::Refunded;
    }
    let entry = AuditEntry {
        at: crate::clock::rfc3339_millis(services.clock().now()),
        actor: staff.clone(),
        subject: format!("invoice:{}", bill.number),
        customer_id: Some(bill.customer_id.clone()),
        action: "refunded".into(),
        from: Some(format!("{} given back", bill.refunded)),
        to: Some(format!("{} given back", after.refunded)),
        why,
        client: Some(client.into()),
        role: Some(role.as_str().into()),
    };
    let ops = vec![
        TxOp::Update {
            key: bill.key(),
            update: Update::new().set("invoice", json!(after)),
            condition: Some(Condition::Exists),
        },
        lease::release_op(&key, attempt + 1),
        entry.put_op(),
    ];
    services.table().transact(ops).await?;
    Ok(after)
}
