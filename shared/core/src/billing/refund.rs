//! Refunds by staff: all or part of what paid an invoice, given back to the
//! card, never more than was paid all refunds together, and within the
//! role's limit (the billing role up to `staff_refund_limit` per invoice,
//! all its refunds together; admins without one). One refund at a time per
//! invoice (a `lease`), whose gateway key is made from the invoice and the
//! refund's number, so a refund cut off after the gateway answered is
//! recorded, when asked again, without giving back twice. Each refund
//! issues a credit note; the note, its number's claim, the invoice's
//! running totals (`refunded`, and `limited_refunded` by roles with a
//! limit, beside the invoice on its item; the invoice as issued does not
//! change) and the audit entry are written at once, guarded by the total
//! read: no refund's record is ever lost, and no note number skipped.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::credit_note::{CreditNote, Crediting};
use super::invoice::{self, Invoice, InvoiceStatus, REFUNDED, unrefunded_since};
use super::lease;
use super::letter::{addressed, with_credit_note};
use crate::accounts::load_customer;
use crate::audit::Role;
use crate::audit::{Actor, AuditEntry};
use crate::mail::{self, Mail, MailKind};
use crate::money::Money;
use crate::payments::PaymentError;
use crate::store::{Item, ItemExt, Key, TableError, TxOp, Update};
use crate::{Billing, Mailing, Settings, Storage};

#[derive(Debug, Deserialize, ToSchema)]
pub struct RefundRequest {
    /// Minor units; all that is left to give back when absent.
    #[serde(default, deserialize_with = "crate::input::optional_whole_number")]
    pub amount: Option<i64>,
    /// Why, in 1 to 500 characters, for the audit log.
    pub why: String,
}

/// A refund made: the invoice, with what was given back of it so far, and
/// the credit note that documents this refund.
#[derive(Debug, Serialize, ToSchema)]
pub struct Refunded {
    #[serde(flatten)]
    pub invoice: Invoice,
    pub credit_note: CreditNote,
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

pub(super) fn lease_key(number: &str) -> Key {
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
    let left = bill.refundable();
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
/// `staff` with `role`, acting from `client`; returns the invoice after it
/// and the refund's credit note.
pub async fn refund(
    ports: &(impl Storage + Settings + Billing + Mailing),
    (staff, role, client): (&Actor, Role, &str),
    number: &str,
    request: RefundRequest,
) -> Result<Refunded, RefundError> {
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
        role: Some(role),
    };
    let refunded = record(ports, (staff, Some(client), &why), &key, &bill, given).await?;
    tell_customer(ports, &refunded.credit_note).await;
    Ok(refunded)
}

/// Mails the customer the credit note of a refund staff made. The refund
/// and its note are recorded whether or not the mail goes out.
pub(super) async fn tell_customer(ports: &(impl Storage + Settings + Mailing), note: &CreditNote) {
    let mail = match refund_mail(ports, note).await {
        Ok(mail) => mail,
        Err(error) => {
            tracing::error!(note = %note.number, %error, "could not write the mail of a refund");
            return;
        }
    };
    if let Err(error) = mail::send(ports, &[mail]).await {
        tracing::error!(note = %note.number, %error, "could not send the mail of a refund");
    }
}

/// The mail that tells the customer of `note`: what was given back, and
/// where to print the note.
async fn refund_mail(
    ports: &(impl Storage + Settings),
    note: &CreditNote,
) -> Result<Mail, TableError> {
    let customer = load_customer(ports.table(), &note.customer_id).await?;
    let page = format!("invoice.html?number={}", note.number);
    let letter = with_credit_note(addressed(ports, &customer.name, &page), note);
    Mail::compose_about(
        ports,
        MailKind::RefundIssued,
        &customer.email,
        &letter,
        &note.number,
    )
    .await
}

/// A refund the gateway made: its amount, the lease's attempt, the role
/// of the member of staff who asked for it (none when it was made at the
/// provider, not by us).
pub(super) struct Given {
    pub amount: i64,
    pub attempt: i64,
    pub role: Option<Role>,
}

/// Records `given` on the invoice `bill` was read from, with its credit
/// note, audit entry and the lease's release. Under the lease nothing else
/// refunds it; should the lease have lapsed meanwhile, the guard fails and
/// the invoice is read again, so the refund is added to whatever was
/// recorded since. A note number taken meanwhile is read again too.
pub(super) async fn record(
    ports: &impl Storage,
    (staff, client, why): (&Actor, Option<&str>, &str),
    key: &Key,
    bill: &Invoice,
    given: Given,
) -> Result<Refunded, RefundError> {
    for _ in 0..10 {
        let item = ports
            .table()
            .get(&bill.key())
            .await?
            .ok_or(RefundError::NotFound)?;
        let (before, limited_before) = read_totals(&item)?;
        let mut after = before.clone();
        after.refunded += given.amount;
        let crediting = Crediting {
            invoice: &before,
            before: before.refunded,
            amount: given.amount,
        };
        let now = crate::clock::rfc3339(ports.clock().now());
        let (note, [claim, put]) = crediting.issue(ports.table(), now).await?;
        let mut update = Update::new().set(REFUNDED, after.refunded);
        if given.role.is_some_and(limited) {
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
            client: client.map(str::to_string),
            role: given.role.map(|role| role.as_str().into()),
        };
        let ops = vec![
            TxOp::Update {
                key: bill.key(),
                update,
                condition: Some(unrefunded_since(&item)),
            },
            claim,
            put,
            lease::release_op(key, given.attempt + 1),
            entry.put_op(),
        ];
        match ports.table().transact(ops).await {
            Ok(()) => {
                return Ok(Refunded {
                    invoice: after,
                    credit_note: note,
                });
            }
            Err(TableError::TransactionConflict { index: 0 | 1 }) | Err(TableError::Busy) => {
                continue;
            }
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
