//! Orders: a plan and a domain choice, an invoice, a payment, and the
//! provisioning saga that makes them a live service.
//!
//! Items (see `docs/data-model.md`):
//! - `CUSTOMER#<id>` / `ORDER#<order id>`: the order, owner-scoped by its key;
//!   indexed by status in `gsi1` (`ORDERS#<status>`) for staff and the sweeper;
//! - `ORDER#<order id>` / `INVOICE` and `STEP#<n>#<name>`: its invoice and the
//!   record of each provisioning step, all read by one query;
//! - markers that keep names unique: `DOMAIN#`, `SUBDOMAIN#`, `PANELUSER#`;
//! - `CUSTOMER#<id>` / `IDEMPOTENCY#<key>`: what a retried POST returns.

pub mod bank;
pub mod checkout;
pub mod create;
pub mod decisions;
mod domain_choice;
pub(crate) mod letters;
pub mod lifecycle;
pub mod migrate;
pub mod ownership;
pub mod provision;
pub(crate) mod repo;
pub mod review;
pub mod secrets;
pub mod unpaid;
pub mod username;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::Storage;
use crate::billing::invoice::{self, Invoice};
use crate::catalog::PlanKind;
use crate::dns::Record;
use crate::domains::subdomains;
use crate::panel::HostingSetup;
pub use crate::records::{children_partition, domain_marker, order_key};
use crate::store::{Item, ItemExt, Key, Query, TableError};
pub use repo::{
    FiledBefore, HeldName, hold_markers, load, marker_op, orders_since, release_markers_ops,
    status_index,
};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum OrderStatus {
    /// Placed; the invoice is open.
    AwaitingPayment,
    /// Paid, held by a review rule until staff approve it.
    PendingReview,
    /// Paid; the provisioning saga is running.
    Provisioning,
    /// Live.
    Active,
    /// Stopped for something only staff (or the customer) can fix.
    OnHold,
    /// A step kept failing; staff have been told.
    Failed,
    /// Cancelled before payment, by the customer or because it lapsed.
    Cancelled,
    /// Turned down by staff after review; the payment was refunded.
    Rejected,
}

impl OrderStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            OrderStatus::AwaitingPayment => "awaiting_payment",
            OrderStatus::PendingReview => "pending_review",
            OrderStatus::Provisioning => "provisioning",
            OrderStatus::Active => "active",
            OrderStatus::OnHold => "on_hold",
            OrderStatus::Failed => "failed",
            OrderStatus::Cancelled => "cancelled",
            OrderStatus::Rejected => "rejected",
        }
    }

    /// The status, in plain words for the customer.
    pub fn explain(self) -> &'static str {
        match self {
            OrderStatus::AwaitingPayment => "Waiting for your payment.",
            OrderStatus::PendingReview => {
                "Paid. Our team checks orders like this one before setting them up; expect to hear from us within one working day."
            }
            OrderStatus::Provisioning => "Paid. We are setting everything up now.",
            OrderStatus::Active => "Live.",
            OrderStatus::OnHold => "On hold: see the message below.",
            OrderStatus::Failed => {
                "Setting up hit a problem we could not fix automatically. Our team has been told and will finish it."
            }
            OrderStatus::Cancelled => "Cancelled before payment; nothing was charged.",
            OrderStatus::Rejected => {
                "We could not accept this order and refunded your payment in full; our mail explains why."
            }
        }
    }
}

/// How the order's domain is obtained.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DomainAction {
    /// Register a new domain.
    Register,
    /// Transfer a domain in from another registrar (auth code required).
    Transfer,
    /// Use a domain registered elsewhere; the customer points it at us.
    External,
    /// A free subdomain of the company's zone.
    Subdomain,
}

/// The order's domain, as stored and shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct OrderDomain {
    pub action: DomainAction,
    /// ASCII form; for a subdomain, the full name under the company's zone.
    pub name: String,
    pub unicode: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Payment {
    pub card_last4: String,
    pub amount: i64,
    pub authorization_id: String,
    pub capture_id: String,
    /// RFC 3339, UTC.
    pub paid_at: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct PaymentProblem {
    /// `card_declined`, `insufficient_funds`, `expired_card`, `invalid_card`.
    pub code: String,
    pub message: String,
}

/// A payment attempt waiting for the cardholder to confirm it at their bank.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaymentAction {
    pub authorization_id: String,
    /// The bank's page where the holder confirms the payment.
    pub url: String,
    /// The card's billing country, for the review once it is held.
    pub billing_country: String,
}

/// The order as stored, in the attributes of its item.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Order {
    pub id: String,
    pub customer_id: String,
    pub email: String,
    pub customer_name: String,
    pub status: OrderStatus,
    pub plan_id: String,
    pub plan_name: String,
    pub plan_kind: PlanKind,
    pub cycle: String,
    pub domain: OrderDomain,
    pub username: String,
    pub currency: String,
    pub total: i64,
    pub invoice_number: String,
    pub created_at: String,
    #[serde(default)]
    pub payment_attempts: u32,
    /// Cards declined for this order.
    #[serde(default)]
    pub declines: u32,
    #[serde(default)]
    pub payment_pending: Option<u32>,
    #[serde(default)]
    pub payment_problem: Option<PaymentProblem>,
    /// The pending attempt's check at the cardholder's bank, if it has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payment_action: Option<PaymentAction>,
    #[serde(default)]
    pub payment: Option<Payment>,
    #[serde(default)]
    pub review_reasons: Vec<String>,
    /// For staff: why the order stopped.
    #[serde(default)]
    pub hold_reason: Option<String>,
    /// For the customer: the same, in plain words.
    #[serde(default)]
    pub customer_message: Option<String>,
    #[serde(default)]
    pub failed_step: Option<String>,
    /// The hosting service the order created, once live.
    #[serde(default)]
    pub service_id: Option<String>,
    /// Orders that went live before services were records of their own kept
    /// the service here; the `migrate-records` task moves it to a service.
    #[serde(default)]
    pub service: Option<HostingSetup>,
    /// The plan's price per cycle when the order was placed.
    #[serde(default)]
    pub plan_price: Option<i64>,
    /// Placed by a member of staff for the customer: `staff:<id>`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub placed_by: Option<String>,
    /// For a domain registered elsewhere: the proof asked of the customer.
    #[serde(default)]
    pub ownership: Option<ownership::Challenge>,
    /// Epoch seconds until which an unpaid order holds its names; fixed when placed.
    #[serde(default)]
    pub hold_until: Option<i64>,
    /// Rejected, and its payment not yet given back.
    #[serde(default)]
    pub refund_pending: bool,
    /// What was given back of the payment.
    #[serde(default)]
    pub refund: Option<crate::payments::Refund>,
    #[serde(default)]
    pub v: i64,
}

/// How long an unpaid order holds its domain and username for its customer.
pub const UNPAID_HOLD_DAYS: i64 = 7;

impl Order {
    /// Until when (epoch seconds) the unpaid order holds its names.
    pub fn hold_until(&self) -> i64 {
        self.hold_until.unwrap_or_else(|| {
            time::OffsetDateTime::parse(
                &self.created_at,
                &time::format_description::well_known::Rfc3339,
            )
            .map(|t| t.unix_timestamp())
            .unwrap_or(0)
                + UNPAID_HOLD_DAYS * 86_400
        })
    }

    /// The markers that keep this order's domain and username unique.
    pub fn marker_keys(&self, subdomain_zone: &str) -> [Key; 2] {
        let domain = match self.domain.action {
            DomainAction::Subdomain => {
                let zone = format!(".{subdomain_zone}");
                subdomains::marker_key(
                    self.domain
                        .name
                        .strip_suffix(&zone)
                        .unwrap_or(&self.domain.name),
                )
            }
            _ => domain_marker(&self.domain.name),
        };
        [domain, username::marker_key(&self.username)]
    }
}

pub use crate::workflow::StepStatus;

/// One provisioning step as the customer sees it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct StepView {
    pub name: String,
    pub title: String,
    pub status: StepStatus,
    pub attempts: u32,
    /// What the step did, in plain words, once done.
    pub detail: Option<String>,
    /// RFC 3339, UTC.
    pub finished_at: Option<String>,
}

/// Everything the customer sees of an order.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct OrderView {
    pub id: String,
    pub status: OrderStatus,
    /// The status in plain words.
    pub status_message: String,
    pub plan_id: String,
    pub plan_name: String,
    pub cycle: String,
    pub domain: OrderDomain,
    pub username: String,
    pub created_at: String,
    pub invoice: Invoice,
    pub payment: Option<Payment>,
    /// Why the last payment attempt failed, while the order awaits payment.
    pub payment_problem: Option<PaymentProblem>,
    /// Where the customer confirms the payment at their bank (3-D Secure),
    /// while it waits for that; they come back to the order's page.
    pub payment_action_url: Option<String>,
    pub steps: Vec<StepView>,
    /// What the customer must do, when the order is on hold.
    pub customer_message: Option<String>,
    pub failed_step: Option<String>,
    pub service: Option<HostingSetup>,
    /// For a domain registered elsewhere: the records to set at its DNS host.
    pub dns_records: Vec<Record>,
    /// For a domain registered elsewhere: the record that proves it is the customer's.
    pub ownership: Option<ownership::OwnershipView>,
    /// Set once, when the API generated the control-panel password.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub generated_password: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum OrderError {
    #[error("{message}")]
    Invalid { code: &'static str, message: String },
    #[error("{message}")]
    Conflict {
        code: &'static str,
        message: String,
        suggestions: Vec<String>,
    },
    #[error("no such order")]
    NotFound,
    #[error("{message}")]
    Declined { code: String, message: String },
    #[error("{0}")]
    Unavailable(String),
    /// Too many tries: come back after `retry_after` seconds.
    #[error("{message}")]
    Limited {
        code: &'static str,
        message: String,
        retry_after: u64,
    },
    /// The order is not in a status the request can move it from.
    #[error(transparent)]
    Transition(#[from] lifecycle::InvalidTransition),
    #[error(transparent)]
    Table(#[from] TableError),
}

impl From<lifecycle::ChangeError> for OrderError {
    fn from(error: lifecycle::ChangeError) -> Self {
        match error {
            lifecycle::ChangeError::Invalid(invalid) => invalid.into(),
            lifecycle::ChangeError::Table(table) => table.into(),
        }
    }
}

pub fn invalid(code: &'static str, message: impl Into<String>) -> OrderError {
    OrderError::Invalid {
        code,
        message: message.into(),
    }
}

pub fn conflict(code: &'static str, message: impl Into<String>) -> OrderError {
    OrderError::Conflict {
        code,
        message: message.into(),
        suggestions: Vec::new(),
    }
}

/// The order as its owner sees it: the order, then one query for its invoice and steps.
pub async fn view(services: &impl Storage, order: Order) -> Result<OrderView, OrderError> {
    let children = services
        .table()
        .query(Query::partition(children_partition(&order.id)))
        .await?;
    let invoice = children
        .items
        .iter()
        .find(|i| i.str_attr("kind") == Some("invoice"))
        .map(Invoice::of)
        .transpose()?
        .ok_or_else(|| TableError::Backend(format!("order {} has no invoice", order.id)))?;
    let records: Vec<&Item> = children
        .items
        .iter()
        .filter(|i| i.str_attr("kind") == Some("step"))
        .collect();
    let hosting = match &order.service_id {
        Some(id) => crate::subscriptions::find(services.table(), &order.customer_id, id)
            .await?
            .map(|s| s.hosting),
        None => order.service.clone(),
    };
    Ok(assemble(order, invoice, &records, hosting))
}

/// The view of `order` from its invoice and step records, already read.
pub fn assemble(
    order: Order,
    invoice: Invoice,
    step_records: &[&Item],
    hosting: Option<HostingSetup>,
) -> OrderView {
    let steps = provision::step_views(&order, step_records);
    let dns_records = provision::records_to_set(&order, hosting.as_ref());
    let ownership = order
        .ownership
        .as_ref()
        .map(|c| ownership::OwnershipView::of(c, &order.domain.unicode));
    OrderView {
        ownership,
        id: order.id.clone(),
        status_message: order.status.explain().into(),
        status: order.status,
        plan_id: order.plan_id,
        plan_name: order.plan_name,
        cycle: order.cycle,
        domain: order.domain,
        username: order.username,
        created_at: order.created_at,
        invoice,
        payment: order.payment,
        payment_problem: order
            .payment_problem
            .filter(|_| order.status == OrderStatus::AwaitingPayment),
        payment_action_url: order
            .payment_action
            .filter(|_| order.status == OrderStatus::AwaitingPayment)
            .map(|action| action.url),
        steps,
        customer_message: order.customer_message,
        failed_step: order.failed_step,
        service: hosting,
        dns_records,
        generated_password: None,
    }
}

/// A customer's orders, newest first (at most 100).
pub async fn list(
    services: &impl Storage,
    customer_id: &str,
) -> Result<Vec<OrderView>, OrderError> {
    let orders = repo::newest(services.table(), customer_id, 100).await?;
    let views = orders.into_iter().map(|o| view(services, o));
    futures::future::try_join_all(views).await
}
