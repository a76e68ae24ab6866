//! Every customer's invoices for staff, a page of the numbering index
//! (`gsi2` `INVOICES` / `<sequence>`) at a time: newest or oldest number
//! first, by status and by what they are for; `q` an invoice number.

use serde::Serialize;
use utoipa::ToSchema;

use crate::billing::invoice::{INVOICES as NUMBERING, Invoice, InvoiceFor};
use crate::listing::csv::{self, CsvRow};
use crate::listing::{self, Asked, Listed, Listing, ListingError, Sort};
use crate::store::{Index, Item, Query, SortKey, TableError};
use crate::{CustomerId, Storage};

pub const INVOICES: Listing = Listing {
    name: "invoices",
    sorts: &[Sort::Newest, Sort::Oldest],
    statuses: &["open", "paid", "void", "refunded"],
    kinds: &["order", "renewal", "period", "upgrade", "client_service"],
    dates: false,
    search: true,
};

/// An invoice in a list: who, how much, where it stands.
#[derive(Debug, Serialize, ToSchema)]
pub struct InvoiceSummary {
    /// `INV-000042`.
    pub number: String,
    pub customer_id: CustomerId,
    /// The buyer as the invoice names them (none on the oldest invoices).
    pub customer_name: Option<String>,
    /// `order`, `renewal`, `period`, `upgrade` or `client_service`.
    pub kind: String,
    /// RFC 3339, UTC.
    pub issued_at: String,
    /// Minor units.
    pub total: i64,
    pub currency: String,
    /// `open`, `paid`, `void` or `refunded`.
    pub status: String,
    /// Given back so far, minor units.
    pub refunded: i64,
}

fn kind_of(about: &InvoiceFor) -> &'static str {
    match about {
        InvoiceFor::Order { .. } => "order",
        InvoiceFor::Renewal { .. } => "renewal",
        InvoiceFor::Period { .. } => "period",
        InvoiceFor::Upgrade { .. } => "upgrade",
        InvoiceFor::ClientService { .. } => "client_service",
    }
}

impl From<Invoice> for InvoiceSummary {
    fn from(invoice: Invoice) -> Self {
        let status = serde_json::to_value(invoice.status)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default();
        InvoiceSummary {
            kind: kind_of(&invoice.about).into(),
            customer_name: invoice.buyer.map(|buyer| buyer.name),
            number: invoice.number,
            customer_id: invoice.customer_id,
            issued_at: invoice.issued_at,
            total: invoice.total,
            currency: invoice.currency.to_string(),
            status,
            refunded: invoice.refunded,
        }
    }
}

/// A page of all invoices as `asked` says.
pub async fn list(
    ports: &impl Storage,
    asked: &Asked,
) -> Result<Listed<InvoiceSummary>, ListingError> {
    let sort = match &asked.q {
        Some(q) => match NUMBERING.sequence_of(q) {
            Some(sequence) => SortKey::Eq(format!("{sequence:012}")),
            None => return Ok(Asked::nothing()),
        },
        None => SortKey::Any,
    };
    let query = Query::index(Index::Gsi2, "INVOICES").sort(sort);
    let keep = |item: &Item| -> Result<Option<InvoiceSummary>, TableError> {
        let summary = InvoiceSummary::from(Invoice::of(item)?);
        let status = asked.status.as_deref().is_none_or(|s| s == summary.status);
        let kind = asked.kind.as_deref().is_none_or(|k| k == summary.kind);
        Ok((status && kind).then_some(summary))
    };
    listing::read(ports.table(), query, asked, keep).await
}

impl CsvRow for InvoiceSummary {
    const HEADER: &'static [&'static str] = &[
        "number", "issued", "customer", "name", "kind", "status", "total", "refunded", "currency",
    ];

    fn cells(&self) -> Vec<String> {
        vec![
            self.number.clone(),
            self.issued_at.clone(),
            self.customer_id.to_string(),
            self.customer_name.clone().unwrap_or_default(),
            self.kind.clone(),
            self.status.clone(),
            csv::amount(self.total),
            csv::amount(self.refunded),
            self.currency.clone(),
        ]
    }
}
