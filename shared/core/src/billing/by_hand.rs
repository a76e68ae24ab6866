//! What every payment of an open invoice by hand shares, whatever the
//! invoice is for (a hosting service's period, a client service's period):
//! its answer, its errors, and the gateway keys of its attempts. The
//! payment itself is `invoice_payments`'.

use serde::Serialize;
use utoipa::ToSchema;

use super::declines::TooManyDeclines;
use super::invoice::Invoice;
use crate::Billing;
use crate::store::TableError;

/// An invoice paid by hand, as the payment left it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct InvoicePayment {
    #[serde(flatten)]
    pub invoice: Invoice,
    /// The card's bank asks its holder to confirm the payment (3-D Secure):
    /// their bank's page, which sends them back to the portal to confirm
    /// it (`POST /api/invoices/{number}/pay/confirm`). The invoice is still
    /// open meanwhile.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payment_action_url: Option<String>,
}

impl InvoicePayment {
    pub fn done(invoice: Invoice) -> InvoicePayment {
        InvoicePayment {
            invoice,
            payment_action_url: None,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum PayError {
    #[error("no such invoice of yours")]
    NotFound,
    #[error("{message}")]
    Conflict { code: &'static str, message: String },
    #[error("{message}")]
    Declined { code: String, message: String },
    #[error(transparent)]
    TooManyDeclines(#[from] TooManyDeclines),
    #[error("{0}")]
    Invalid(String),
    #[error("{0}")]
    Unavailable(String),
    #[error(transparent)]
    Table(#[from] TableError),
}

impl PayError {
    /// Another request pays the invoice right now.
    pub fn busy() -> PayError {
        PayError::Conflict {
            code: "payment_in_progress",
            message: "this invoice is being paid right now".into(),
        }
    }

    /// The invoice was voided as its service ended.
    pub fn ended(number: &str) -> PayError {
        PayError::Conflict {
            code: "service_ended",
            message: format!("invoice {number} was voided when its service ended: nothing is owed"),
        }
    }
}

/// What the gateway keys of payment attempt `attempt` of invoice `number` start with.
pub fn attempt_key(number: &str, attempt: i64) -> String {
    format!("{number}-pay-{attempt}")
}

/// Lets go of an authorisation its holder never confirmed, so that nothing
/// of it can be captured even should they confirm it later.
pub async fn let_go(ports: &impl Billing, number: &str, attempt: i64, authorization_id: &str) {
    let key = format!("{}-void", attempt_key(number, attempt));
    if let Err(error) = ports.payments().void(authorization_id, &key).await {
        tracing::warn!(invoice = %number, %error, "could not let go of a payment left at the bank");
    }
}
