//! Billing: invoices, numbered without gaps and kept by customer; taking
//! payments, dunning, declines, credit and refunds.

pub mod credit;
pub mod credit_note;
pub mod declines;
pub mod document;
pub mod dunning;
pub mod invoice;
pub mod lease;
pub mod letter;
pub mod line;
pub mod numbering;
pub mod payment_method;
pub mod refund;
pub mod take;
pub mod tax_report;
pub mod terms;

pub use credit_note::CreditNote;
pub use invoice::{Invoice, InvoiceFor, InvoiceLine, InvoiceStatus};
pub use terms::{Party, TaxScheme, TaxTreatment, Terms};
