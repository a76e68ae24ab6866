//! Stripe's webhook signatures: `Stripe-Signature: t=<unix time>,v1=<hex>`,
//! where the hex is HMAC-SHA256 of `<t>.<body>` under the endpoint's secret.
//! A signature is good only within the tolerance of its time, so a captured
//! request cannot be replayed later; the same event sent twice within it is
//! the receiver's to notice (by the event's id). The Stripe adapter checks
//! Stripe's signatures with it; the simulated gateway signs the events it
//! sends with it and checks them as Stripe's are checked.

use hmac::{Hmac, Mac};
use sha2::Sha256;

/// How long a signature stays good, in seconds (Stripe's own default).
pub const TOLERANCE_SECS: i64 = 300;

/// The most `v1=` entries a header may carry. Stripe sends one, or two
/// while an endpoint's secret is being rolled; more is not Stripe.
pub const MAX_SIGNATURES: usize = 4;

/// The longest header taken: `t=` and four signatures fit with room.
pub const MAX_HEADER_BYTES: usize = 512;

/// A `v1` signature is HMAC-SHA256 in hex.
const SIGNATURE_HEX_LEN: usize = 64;

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
///
/// The header is read and bounded before anything is hashed, and the body
/// is hashed once however many signatures the header names: a request
/// costs one HMAC of its body, never one per entry.
pub fn verify(
    secret: &str,
    header: &str,
    body: &[u8],
    now: i64,
    tolerance_secs: i64,
) -> Result<(), WebhookError> {
    let (timestamp, signatures) = parse(header)?;
    if (now - timestamp).abs() > tolerance_secs {
        return Err(WebhookError::OutOfTolerance);
    }
    let mut mac = mac(secret);
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    // Each comparison is constant-time; the body's hash is not redone.
    if signatures
        .iter()
        .any(|expected| mac.clone().verify_slice(expected).is_ok())
    {
        Ok(())
    } else {
        Err(WebhookError::Mismatch)
    }
}

/// The header's time and its `v1` signatures, decoded; entries of other
/// schemes are skipped, as Stripe's libraries do.
fn parse(header: &str) -> Result<(i64, Vec<Vec<u8>>), WebhookError> {
    if header.len() > MAX_HEADER_BYTES {
        return Err(WebhookError::Malformed);
    }
    let mut timestamp = None;
    let mut signatures = Vec::new();
    for part in header.split(',') {
        match part.trim().split_once('=') {
            Some(("t", t)) => timestamp = t.parse::<i64>().ok(),
            Some(("v1", hex)) if hex.len() == SIGNATURE_HEX_LEN => {
                if signatures.len() == MAX_SIGNATURES {
                    return Err(WebhookError::Malformed);
                }
                signatures.push(decode_hex(hex).ok_or(WebhookError::Malformed)?);
            }
            _ => {}
        }
    }
    let timestamp = timestamp.ok_or(WebhookError::Malformed)?;
    if signatures.is_empty() {
        return Err(WebhookError::Malformed);
    }
    Ok((timestamp, signatures))
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
            verify(SECRET, &header, body, 1_699_999_699, 300),
            Err(WebhookError::OutOfTolerance),
            "from the future"
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

    #[test]
    fn a_header_names_a_few_signatures_and_each_must_be_a_sha256_in_hex() {
        let body = br#"{"id":"evt_1","type":"charge.refunded"}"#;
        let good = sign(SECRET, body, 1_700_000_000);
        let wrong = format!("v1={}", "ab".repeat(32));
        let four = format!("{good},{wrong},{wrong},{wrong}");
        assert_eq!(verify(SECRET, &four, body, 1_700_000_000, 300), Ok(()));
        let five = format!("{four},{wrong}");
        assert_eq!(
            verify(SECRET, &five, body, 1_700_000_000, 300),
            Err(WebhookError::Malformed)
        );
        let odd = format!("{good},v1={}", "zz".repeat(32));
        assert_eq!(
            verify(SECRET, &odd, body, 1_700_000_000, 300),
            Err(WebhookError::Malformed)
        );
        let short = format!("t=1700000000,v1={}", "ab".repeat(16));
        assert_eq!(
            verify(SECRET, &short, body, 1_700_000_000, 300),
            Err(WebhookError::Malformed),
            "a signature of another length is no v1 signature"
        );
    }

    #[test]
    fn ten_thousand_entries_are_refused_before_any_hashing() {
        let body = vec![b'x'; 64 * 1024];
        let entries = vec![format!("v1={}", "00".repeat(32)); 10_000].join(",");
        let header = format!("t=1700000000,{entries}");
        let started = std::time::Instant::now();
        assert_eq!(
            verify(SECRET, &header, &body, 1_700_000_000, 300),
            Err(WebhookError::Malformed)
        );
        assert!(started.elapsed() < std::time::Duration::from_millis(50));
    }
}
