//! The order as stored: its status, its domain choice, its payment, and
//! the names it holds while unpaid.

use crate::money::Currency;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{domain_marker, ownership, username};
use crate::catalog::PlanKind;
use crate::domains::subdomains;
use crate::panel::HostingSetup;
use crate::store::Key;
use crate::{CustomerId, OrderId};

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
    /// The status's wire name (`awaiting_payment`), from its serde name.
    pub fn as_str(self) -> &'static str {
        crate::lifecycle::Status::as_str(self)
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

/// How the order's invoice was paid: by card (what the card paid), or by
/// account credit alone (no card: `card_last4`, `authorization_id` and
/// `capture_id` empty, `amount` 0; the invoice's `credit` says how much).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Payment {
    pub card_last4: String,
    pub amount: i64,
    pub authorization_id: String,
    pub capture_id: String,
    /// RFC 3339, UTC.
    pub paid_at: String,
}

impl Payment {
    /// A payment account credit made in full, at `paid_at`.
    pub fn by_credit(paid_at: String) -> Payment {
        Payment {
            card_last4: String::new(),
            amount: 0,
            authorization_id: String::new(),
            capture_id: String::new(),
            paid_at,
        }
    }

    /// True when a card paid (some of) it.
    pub fn by_card(&self) -> bool {
        !self.capture_id.is_empty()
    }
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
    /// The client's country when it paid, when the CDN said.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_country: Option<String>,
}

/// The order as stored, in the attributes of its item.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Order {
    pub id: OrderId,
    pub customer_id: CustomerId,
    pub email: String,
    pub customer_name: String,
    pub status: OrderStatus,
    pub plan_id: String,
    pub plan_name: String,
    pub plan_kind: PlanKind,
    pub cycle: String,
    pub domain: OrderDomain,
    pub username: String,
    /// A VPS's operating system and SSH key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub server: Option<crate::orders::create::ServerChoice>,
    /// A DNS-only or domain-only order's zone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub zone: Option<crate::zone::customer::ZoneUse>,
    pub currency: Currency,
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
    /// The customer's client account at the registrar the domain is
    /// registered or transferred under, where the registrar keeps them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub registrar_account_id: Option<crate::ids::RegistrarAccountId>,
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

    /// The markers that keep this order's domain and username unique: the
    /// domain's first, then the username's unless the plan has no login.
    pub fn marker_keys(&self, subdomain_zone: &str) -> Vec<Key> {
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
        let mut keys = vec![domain];
        if !self.username.is_empty() {
            keys.push(username::marker_key(&self.username));
        }
        keys
    }
}
