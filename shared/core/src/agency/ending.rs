//! What a client service leaves open as it ends: its open invoices are
//! voided, each with its credit note, in the transaction that cancels it,
//! so nothing is owed for a service that has ended (a payment under way
//! finds the invoice voided and gives its capture back).

use super::AgencyError;
use super::services::ClientService;
use super::site::HostedSite;
use crate::billing::invoice::{self, Invoice, InvoiceFor, InvoiceStatus};
use crate::billing::void::void_ops;
use crate::store::Tx;
use crate::{CustomerId, Storage};

/// The customer's newest invoices looked through for those of the services
/// ending: the billing run issues at most one a period, so an open one is
/// among them.
const LOOKED_THROUGH: usize = 200;

/// Adds to `tx` the voids of the open invoices of `ending`, services of
/// `site`.
pub(super) async fn void_what_they_leave_open(
    ports: &impl Storage,
    tx: &mut Tx<()>,
    site: &HostedSite,
    ending: &[&ClientService],
) -> Result<(), AgencyError> {
    let Some(customer) = site.customer_id.as_deref() else {
        return Ok(());
    };
    if ending.is_empty() {
        return Ok(());
    }
    let bills =
        invoice::of_customer(ports.table(), &CustomerId::new(customer), LOOKED_THROUGH).await?;
    let open: Vec<&Invoice> = bills
        .iter()
        .filter(|bill| bill.status == InvoiceStatus::Open && of_any(bill, ending))
        .collect();
    tx.extend(void_ops(ports.table(), &open, ports.clock().now()).await?);
    Ok(())
}

fn of_any(bill: &Invoice, services: &[&ClientService]) -> bool {
    match &bill.about {
        InvoiceFor::ClientService { service_id, .. } => {
            services.iter().any(|s| &s.id == service_id)
        }
        _ => false,
    }
}
