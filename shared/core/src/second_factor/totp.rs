//! Time-based one-time codes (RFC 6238: HMAC-SHA1, six digits, 30-second
//! steps, one step of clock drift either way), as every authenticator app
//! makes them. A code is good once: the step it was made in is returned so
//! the caller can refuse that step again.

use totp_rs::{Algorithm, Secret, TOTP};

const DIGITS: usize = 6;
const STEP_SECS: u64 = 30;
/// Steps of drift allowed either way.
const SKEW: u8 = 1;

/// A fresh secret of 160 bits, as RFC 4226 recommends, in base32.
pub fn new_secret() -> String {
    let mut bytes = [0u8; 20];
    rand_core::RngCore::fill_bytes(&mut rand_core::OsRng, &mut bytes);
    Secret::Raw(bytes.to_vec()).to_encoded().to_string()
}

fn totp(secret: &str) -> Option<TOTP> {
    let bytes = Secret::Encoded(secret.to_string()).to_bytes().ok()?;
    Some(TOTP::new_unchecked(
        Algorithm::SHA1,
        DIGITS,
        SKEW,
        STEP_SECS,
        bytes,
    ))
}

/// The `otpauth://` address an authenticator app enrols from.
pub fn enrolment_url(secret: &str, issuer: &str, account: &str) -> String {
    let encode = |text: &str| -> String {
        text.bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                    (b as char).to_string()
                }
                _ => format!("%{b:02X}"),
            })
            .collect()
    };
    format!(
        "otpauth://totp/{}:{}?secret={secret}&issuer={}&algorithm=SHA1&digits={DIGITS}&period={STEP_SECS}",
        encode(issuer),
        encode(account),
        encode(issuer)
    )
}

/// The step `code` was made in, if it is the secret's code at `now` (epoch
/// seconds) or one step either side.
pub fn step_of(secret: &str, code: &str, now: i64) -> Option<i64> {
    let code = code.trim();
    if code.len() != DIGITS || !code.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let totp = totp(secret)?;
    let now = now.max(0) as u64;
    let current = now / STEP_SECS;
    [current.saturating_sub(1), current, current + 1]
        .into_iter()
        .find(|step| {
            let made = totp.generate(step * STEP_SECS);
            constant_time_eq(made.as_bytes(), code.as_bytes())
        })
        .map(|step| step as i64)
}

/// The code of `secret` at `now`: for tests and the first enrolment check.
pub fn code_at(secret: &str, now: i64) -> String {
    totp(secret)
        .map(|t| t.generate(now.max(0) as u64))
        .unwrap_or_default()
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc_6238_vectors_and_drift() {
        // RFC 6238 appendix B, SHA-1, the 20-byte secret "12345678901234567890".
        let secret = Secret::Raw(b"12345678901234567890".to_vec())
            .to_encoded()
            .to_string();
        assert_eq!(code_at(&secret, 59), "287082");
        assert_eq!(code_at(&secret, 1_111_111_109), "081804");
        assert_eq!(code_at(&secret, 2_000_000_000), "279037");
        let now = 1_111_111_109;
        assert_eq!(step_of(&secret, "081804", now), Some(now / 30));
        assert_eq!(
            step_of(&secret, "081804", now + 30),
            Some(now / 30),
            "one step late"
        );
        assert_eq!(
            step_of(&secret, "081804", now + 90),
            None,
            "three steps late"
        );
        assert_eq!(step_of(&secret, "08180", now), None);
        assert_eq!(step_of(&secret, "abcdef", now), None);
    }

    #[test]
    fn secrets_are_fresh_and_enrol_by_url() {
        let (a, b) = (new_secret(), new_secret());
        assert_ne!(a, b);
        assert_eq!(a.len(), 32, "160 bits in base32");
        let url = enrolment_url(&a, "Hostfront Demo", "ada@example.com");
        assert!(url.starts_with("otpauth://totp/Hostfront%20Demo:ada%40example.com?secret="));
    }
}
