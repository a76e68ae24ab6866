//! Billing: invoices, numbered without gaps and kept by customer; taking
//! payments, dunning, declines, credit and refunds.

pub mod by_hand;
pub mod card_backfill;
pub mod card_setup;
pub mod card_updater;
pub mod charge_reference;
pub mod consent;
pub mod credit;
pub mod credit_note;
pub mod credit_pays;
pub mod declines;
pub mod disputes;
pub mod document;
pub mod dunning;
pub mod evidence;
pub mod invoice;
pub mod lease;
pub mod letter;
pub mod line;
pub mod numbering;
pub mod payment_method;
pub mod provider_refund;
pub mod refund;
pub mod take;
pub mod tax;
pub mod tax_report;
pub mod terms;
pub mod vat_correction;
pub mod vat_rates;
pub mod vat_recheck;
pub mod void;

pub use credit_note::CreditNote;
pub use invoice::{Invoice, InvoiceFor, InvoiceLine, InvoiceStatus};
pub use terms::{Party, TaxEvidence, TaxScheme, TaxTreatment, Terms};
