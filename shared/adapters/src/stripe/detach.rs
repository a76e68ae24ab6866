//! Forgetting a saved card: its PaymentMethod is detached from the Stripe
//! customer it was saved on (`POST /v1/payment_methods/<id>/detach`), after
//! which Stripe refuses to charge it again.

use super::{StripePayments, path_segment};
use hostfront_core::payments::PaymentError;

impl StripePayments {
    /// Detaches the payment method of `token` (`<customer>.<method>`); one
    /// attached to nobody any more, or gone, is forgotten already.
    pub(super) async fn detach(&self, token: &str) -> Result<(), PaymentError> {
        let method = token.split_once('.').map_or(token, |(_, method)| method);
        if !method.starts_with("pm_") {
            return Err(PaymentError::Invalid(format!("no saved card {token}")));
        }
        let path = format!("/v1/payment_methods/{}/detach", path_segment(method));
        let key = format!("detach-{}", path_segment(method));
        match self.post(&path, &[], &key).await {
            Ok(_) => Ok(()),
            Err(PaymentError::Invalid(message))
                if message.contains("not attached") || message.starts_with("No such") =>
            {
                Ok(())
            }
            Err(other) => Err(other),
        }
    }
}
