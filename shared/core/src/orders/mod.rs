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
pub(crate) mod letters;
pub mod lifecycle;
pub mod list_index;
pub mod migrate;
mod order;
pub mod ownership;
pub mod provision;
pub(crate) mod repo;
pub mod review;
pub mod secrets;
pub mod unpaid;
pub mod username;
mod views;

use crate::billing::invoice::Invoice;
pub use crate::records::{children_partition, domain_marker, order_key};
pub use crate::step_ledger::StepStatus;
use crate::store::TableError;
pub use order::{
    DomainAction, Order, OrderDomain, OrderStatus, Payment, PaymentAction, PaymentProblem,
    UNPAID_HOLD_DAYS,
};
pub use repo::{
    FiledBefore, HeldName, hold_markers, load, marker_op, orders_since, release_markers_ops,
    status_index,
};
pub use views::{OrderView, StepView, assemble, list, view};

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
