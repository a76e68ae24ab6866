//! Taking a payment at once: the card is authorised, then captured, each
//! call with its own gateway key so that a retry is answered from the
//! gateway's record rather than charging again.

use crate::payments::{Capture, Charge, PaymentError, Payments};

/// Authorises `charge` and captures all of it under `capture_key`. With a
/// `void_key`, a capture the gateway refused lets the authorisation go too,
/// so that nothing stays held on the card.
pub async fn take(
    payments: &dyn Payments,
    charge: &Charge,
    capture_key: &str,
    void_key: Option<&str>,
) -> Result<Capture, PaymentError> {
    let held = payments.authorize(charge).await?;
    let captured = payments
        .capture(&held.id, charge.amount.minor(), capture_key)
        .await;
    let refused = matches!(
        captured,
        Err(PaymentError::Declined { .. } | PaymentError::Invalid(_))
    );
    if let Some(void_key) = void_key.filter(|_| refused)
        && let Err(error) = payments.void(&held.id, void_key).await
    {
        tracing::warn!(reference = %charge.reference, %error, "could not let a refused capture's authorisation go");
    }
    captured
}
