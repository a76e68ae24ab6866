//! The second factor that staff and customers share: one-time codes from an
//! authenticator app (`totp`) and ten recovery codes, kept only as digests.
//! A code is good once: the step it was made in must come after the last
//! one used, and a recovery code leaves the list when it is used.

pub mod totp;

use serde_json::json;

use crate::hashing::digest;
use crate::store::{Item, ItemExt, Update};

/// How many recovery codes an enrolment makes.
pub const RECOVERY_CODES: usize = 10;

/// A recovery code: 10 characters of base32 (50 bits), grouped for reading aloud.
fn recovery_code() -> String {
    let secret = totp::new_secret();
    format!("{}-{}", &secret[..5], &secret[5..10]).to_ascii_lowercase()
}

/// Fresh recovery codes, to show once, and their digests, to keep.
pub fn recovery_codes() -> (Vec<String>, Vec<String>) {
    let codes: Vec<String> = (0..RECOVERY_CODES).map(|_| recovery_code()).collect();
    let digests = codes.iter().map(|c| digest(c)).collect();
    (codes, digests)
}

/// The digests of the recovery codes still unused on `item`.
pub fn recovery_digests(item: &Item) -> Vec<String> {
    item.get("recovery")
        .cloned()
        .and_then(|r| serde_json::from_value(r).ok())
        .unwrap_or_default()
}

/// A second factor that was good.
pub enum Factor {
    /// A one-time code of this step.
    Code(i64),
    /// The digest of the recovery code used.
    Recovery(String),
}

/// What `code` proves against the `secret` and the recovery codes kept on
/// `item` at `now` (epoch seconds): a code of a step after the last one
/// used (`totp_last_step`), or an unused recovery code (it has a `-`).
pub fn check(secret: &str, item: &Item, code: &str, now: i64) -> Option<Factor> {
    let code = code.trim().to_ascii_lowercase();
    if code.contains('-') {
        let digest = digest(&code);
        return recovery_digests(item)
            .contains(&digest)
            .then_some(Factor::Recovery(digest));
    }
    let last = item.i64_attr("totp_last_step").unwrap_or(-1);
    totp::step_of(secret, &code, now)
        .filter(|step| *step > last)
        .map(Factor::Code)
}

/// `update` spending `used` on `item`, and how many recovery codes are left
/// when a recovery code was used.
pub fn spend(update: Update, item: &Item, used: Factor) -> (Update, Option<usize>) {
    match used {
        Factor::Code(step) => (update.set("totp_last_step", step), None),
        Factor::Recovery(digest) => {
            let left: Vec<String> = recovery_digests(item)
                .into_iter()
                .filter(|d| *d != digest)
                .collect();
            let count = left.len();
            (update.set("recovery", json!(left)), Some(count))
        }
    }
}
