//! Disputes of a charge (chargebacks), as the card provider reports them
//! (`charge.dispute.created`, `.updated`, `.closed`): kept beside the
//! customer, naming the invoice the charge paid and what that invoice was
//! for (the order or service in dispute), with the reason, the amount and
//! the provider's status, for the console (the customer's file, the order,
//! the dashboard's open disputes). A report older than the one kept
//! changes nothing: events may come out of order.
//!
//! Items (see `docs/data-model.md`): `CUSTOMER#<id>` / `DISPUTE#<dispute id>`,
//! indexed for staff by `gsi2`: `DISPUTES` / `<opened_at>#<dispute id>`.

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use utoipa::ToSchema;

use super::invoice::{self, InvoiceFor};
use crate::CustomerId;
use crate::payments::{DisputeReport, PaymentEvent};
use crate::store::{Condition, Index, Item, Key, Query, SortKey, Table, TableError, TableResult};
use crate::{Billing, Storage};

/// A charge's dispute as last reported.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Dispute {
    /// The provider's id (`dp_…`).
    pub id: String,
    /// The charge disputed.
    pub charge: String,
    pub invoice_number: String,
    pub customer_id: CustomerId,
    /// What the disputed invoice was for: the order or service in dispute.
    pub about: InvoiceFor,
    /// Minor units disputed.
    pub amount: i64,
    pub currency: String,
    /// The provider's reason (`fraudulent`, `product_not_received`, …).
    pub reason: String,
    /// The provider's status: `needs_response`, `under_review`, `won`, `lost`, …
    pub status: String,
    /// False once it is decided (`won`, `lost`) or closed as a warning.
    pub open: bool,
    /// RFC 3339, UTC.
    pub opened_at: String,
}

fn key(customer_id: &CustomerId, id: &str) -> Key {
    Key::new(format!("CUSTOMER#{customer_id}"), format!("DISPUTE#{id}"))
}

fn of(item: &Item) -> TableResult<Dispute> {
    serde_json::from_value(item.get("dispute").cloned().unwrap_or(Value::Null))
        .map_err(|e| TableError::Backend(format!("corrupt dispute: {e}")))
}

/// Keeps the dispute `event` reports, unless a newer report was kept. A
/// dispute of a charge that paid no invoice of ours is logged only.
pub async fn record(ports: &(impl Storage + Billing), event: &PaymentEvent) -> TableResult<()> {
    let Some(report) = &event.dispute else {
        return Ok(());
    };
    let reference = super::charge_reference::of(ports, None, &report.charge).await?;
    let paid = match reference {
        Some(number) => invoice::by_number(ports.table(), &number).await?,
        None => None,
    };
    let Some(bill) = paid.filter(|bill| bill.capture_id.as_deref() == Some(&report.charge)) else {
        tracing::warn!(event = %event.id, charge = %report.charge, "a dispute of a charge that paid no invoice of ours");
        return Ok(());
    };
    let dispute = Dispute {
        id: event.object.clone(),
        charge: report.charge.clone(),
        invoice_number: bill.number.clone(),
        customer_id: bill.customer_id.clone(),
        about: bill.about.clone(),
        amount: report.amount,
        currency: report.currency.clone(),
        reason: report.reason.clone(),
        status: report.status.clone(),
        open: is_open(report),
        opened_at: crate::clock::rfc3339(
            time::OffsetDateTime::from_unix_timestamp(report.opened)
                .unwrap_or(time::OffsetDateTime::UNIX_EPOCH),
        ),
    };
    let mut item = key(&dispute.customer_id, &dispute.id).to_item();
    item.insert("kind".into(), json!("dispute"));
    item.insert("dispute".into(), json!(dispute));
    item.insert("as_of".into(), json!(event.created));
    item.insert("gsi2pk".into(), json!("DISPUTES"));
    item.insert(
        "gsi2sk".into(),
        json!(format!("{}#{}", dispute.opened_at, dispute.id)),
    );
    let not_newer =
        Condition::AttributeNotExists("as_of".into()).or(Condition::le("as_of", event.created));
    match ports.table().put(item, Some(not_newer)).await {
        Err(TableError::ConditionFailed) => {
            tracing::info!(event = %event.id, "an older report of a dispute, arriving late");
            Ok(())
        }
        other => other,
    }
}

fn is_open(report: &DisputeReport) -> bool {
    !matches!(
        report.status.as_str(),
        "won" | "lost" | "warning_closed" | "prevented"
    )
}

/// The customer's disputes.
pub async fn of_customer(table: &dyn Table, customer_id: &CustomerId) -> TableResult<Vec<Dispute>> {
    let query = Query::partition(format!("CUSTOMER#{customer_id}"))
        .sort(SortKey::BeginsWith("DISPUTE#".into()));
    table.query(query).await?.items.iter().map(of).collect()
}

/// The newest `limit` disputes, open or not, newest first.
pub async fn newest(table: &dyn Table, limit: usize) -> TableResult<Vec<Dispute>> {
    let query = Query::index(Index::Gsi2, "DISPUTES")
        .backward()
        .limit(limit);
    table.query(query).await?.items.iter().map(of).collect()
}
