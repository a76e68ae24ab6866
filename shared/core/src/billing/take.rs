//! Taking a payment at once: the card is authorised, then captured, each
//! call with its own gateway key so that a retry is answered from the
//! gateway's record rather than charging again.

use crate::payments::{Authorized, Capture, Charge, PaymentError, Payments};

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
    capture_held(
        payments,
        (&held.id, charge.amount.minor(), &charge.reference),
        capture_key,
        void_key,
    )
    .await
}

/// How a payment taken with its card's holder at hand came out.
#[derive(Debug)]
pub enum Taken {
    Captured(Capture),
    /// The card's bank asks its holder to confirm the payment (3-D Secure):
    /// the authorisation it checks, and its page; `capture_held` takes it
    /// once they confirmed.
    AtBank {
        authorization_id: String,
        url: String,
    },
}

/// As `take`, with the card's holder at hand: sent to their bank, which
/// sends them back to `return_url`, when it asks them to confirm.
pub async fn take_with_holder(
    payments: &dyn Payments,
    charge: &Charge,
    return_url: &str,
    (capture_key, void_key): (&str, Option<&str>),
) -> Result<Taken, PaymentError> {
    match payments.authorize_with_holder(charge, return_url).await? {
        Authorized::Held(held) => {
            let held = (
                held.id.as_str(),
                charge.amount.minor(),
                charge.reference.as_str(),
            );
            capture_held(payments, held, capture_key, void_key)
                .await
                .map(Taken::Captured)
        }
        Authorized::Authenticate {
            authorization_id,
            url,
        } => Ok(Taken::AtBank {
            authorization_id,
            url,
        }),
    }
}

/// Captures `amount` of what `authorization_id` holds for `reference`;
/// see `take`.
pub async fn capture_held(
    payments: &dyn Payments,
    (authorization_id, amount, reference): (&str, i64, &str),
    capture_key: &str,
    void_key: Option<&str>,
) -> Result<Capture, PaymentError> {
    let captured = payments
        .capture(authorization_id, amount, capture_key)
        .await;
    let refused = matches!(
        captured,
        Err(PaymentError::Declined { .. } | PaymentError::Invalid(_))
    );
    if let Some(void_key) = void_key.filter(|_| refused)
        && let Err(error) = payments.void(authorization_id, void_key).await
    {
        tracing::warn!(%reference, %error, "could not let a refused capture's authorisation go");
    }
    captured
}
