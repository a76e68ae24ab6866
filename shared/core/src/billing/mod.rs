//! Billing: invoices, numbered without gaps and kept by customer.

pub mod invoice;
pub mod payment_method;

pub use invoice::{Invoice, InvoiceFor, InvoiceLine, InvoiceStatus};
