//! Stripe's webhook signatures: `Stripe-Signature: t=<unix time>,v1=<hex>`,
//! where the hex is HMAC-SHA256 of `<t>.<body>` under the endpoint's secret.
//! A signature is good only within the tolerance of its time, so a captured
//! request cannot be replayed later; the same event sent twice within it is
//! the receiver's to notice (by the event's id).

use hmac::{Hmac, Mac};
use sha2::Sha256;

/// How long a signature stays good, in seconds (Stripe's own default).
pub const TOLERANCE_SECS: i64 = 300;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WebhookError {
    #[error("the Stripe-Signature header is missing or malformed")]
    Malformed,
    #[error("no signature matches")]
    Mismatch,
    #[error("the signature is too old or from the future")]
    OutOfTolerance,
}

/// Checks `header` against `body` under `secret`, at `now` (unix seconds).
pub fn verify(
    secret: &str,
    header: &str,
    body: &[u8],
    now: i64,
    tolerance_secs: i64,
) -> Result<(), WebhookError> {
    let mut timestamp = None;
    let mut signatures = Vec::new();
    for part in header.split(',') {
        match part.trim().split_once('=') {
            Some(("t", t)) => timestamp = t.parse::<i64>().ok(),
            Some(("v1", hex)) => signatures.push(hex),
            _ => {}
        }
    }
    let timestamp = timestamp.ok_or(WebhookError::Malformed)?;
    if signatures.is_empty() {
        return Err(WebhookError::Malformed);
    }
    let signed = |signature: &str| {
        let Some(expected) = decode_hex(signature) else {
            return false;
        };
        let mut mac = mac(secret);
        mac.update(timestamp.to_string().as_bytes());
        mac.update(b".");
        mac.update(body);
        mac.verify_slice(&expected).is_ok()
    };
    if !signatures.into_iter().any(signed) {
        return Err(WebhookError::Mismatch);
    }
    if (now - timestamp).abs() > tolerance_secs {
        return Err(WebhookError::OutOfTolerance);
    }
    Ok(())
}

/// The `Stripe-Signature` header for `body` at `timestamp`, as Stripe signs.
pub fn sign(secret: &str, body: &[u8], timestamp: i64) -> String {
    let mut mac = mac(secret);
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    let hex: String = mac
        .finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    format!("t={timestamp},v1={hex}")
}

fn mac(secret: &str) -> Hmac<Sha256> {
    Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes any key")
}

fn decode_hex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "whsec_test";

    #[test]
    fn a_signature_is_good_only_for_its_body_secret_and_time() {
        let body = br#"{"id":"evt_1","type":"charge.refunded"}"#;
        let header = sign(SECRET, body, 1_700_000_000);
        assert_eq!(verify(SECRET, &header, body, 1_700_000_100, 300), Ok(()));
        assert_eq!(
            verify(SECRET, &header, b"{\"id\":\"evt_2\"}", 1_700_000_100, 300),
            Err(WebhookError::Mismatch)
        );
        assert_eq!(
            verify("whsec_other", &header, body, 1_700_000_100, 300),
            Err(WebhookError::Mismatch)
        );
        assert_eq!(
            verify(SECRET, &header, body, 1_700_000_301, 300),
            Err(WebhookError::OutOfTolerance)
        );
        assert_eq!(
            verify(SECRET, "v1=abcd", body, 1_700_000_000, 300),
            Err(WebhookError::Malformed)
        );
        let rolled = format!("{header},v1={}", "00".repeat(32));
        assert_eq!(
            verify(SECRET, &rolled, body, 1_700_000_000, 300),
            Ok(()),
            "any v1 may match"
        );
    }
}
