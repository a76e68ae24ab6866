//! Billing: invoices, numbered without gaps and kept by customer.

pub mod credit;
pub mod declines;
pub mod invoice;
pub mod lease;
pub mod letter;
pub mod payment_method;
pub mod refund;

pub use invoice::{Invoice, InvoiceFor, InvoiceLine, InvoiceStatus};
