//! What a charge at the payment provider paid for (the invoice number it
//! was made with), when an event about it does not say: disputes name only
//! the charge, and a refund's charge may come without the payment's
//! reference. Asked of the provider.

use crate::Billing;
use crate::payments::PaymentError;
use crate::store::{TableError, TableResult};

/// The reference `charge` paid for: `known` when the event carried it, else
/// the provider's answer. None when the provider knows no such charge; busy
/// (so that the event is taken again later) when it cannot answer now.
pub async fn of(
    ports: &impl Billing,
    known: Option<&str>,
    charge: &str,
) -> TableResult<Option<String>> {
    if let Some(reference) = known {
        return Ok(Some(reference.to_string()));
    }
    match ports.payments().reference_of_charge(charge).await {
        Ok(reference) => Ok(reference),
        Err(PaymentError::Unavailable(message)) => {
            tracing::warn!(%charge, %message, "the provider did not say what a charge paid");
            Err(TableError::Busy)
        }
        Err(_) => Ok(None),
    }
}
