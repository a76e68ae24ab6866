//! What a customer gives that must have a form: an email address, a new
//! password; and the random tokens their links and sessions are made of.

use std::collections::HashSet;
use std::sync::LazyLock;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand_core::{OsRng, RngCore};

use super::{AccountError, MAX_PASSWORD, MIN_PASSWORD, invalid};

static COMMON_PASSWORDS: LazyLock<HashSet<&'static str>> = LazyLock::new(|| {
    include_str!("../../data/common-passwords.txt")
        .lines()
        .filter(|p| !p.is_empty())
        .collect()
});

/// Lower-cases and checks an email address (the shape, not the mailbox).
pub fn normalize_email(email: &str) -> Result<String, AccountError> {
    let email = email.trim().to_lowercase();
    let bad = || invalid("invalid_email", "that does not look like an email address");
    let (local, domain) = email.split_once('@').ok_or_else(bad)?;
    let plausible = !local.is_empty()
        && local.len() <= 64
        && email.len() <= 254
        && !domain.contains('@')
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        // A host name: labels of letters, digits and inner hyphens, nothing
        // a link would read as its query, fragment or path.
        && domain.split('.').all(|label| {
            !label.is_empty()
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.chars().all(|c| c.is_alphanumeric() || c == '-')
        })
        && crate::input::is_plain_text(&email)
        // Nothing that hides, reorders or marks up: an address is shown to
        // staff beside others, and lookalikes must not pass for each other.
        && !email.chars().any(|c| c.is_whitespace() || "<>()[]\\,;:\"".contains(c));
    if plausible { Ok(email) } else { Err(bad()) }
}

/// Refuses passwords that are short, very long, common, or the email itself.
pub fn check_password(password: &str, email: &str) -> Result<(), AccountError> {
    let length = password.chars().count();
    if length < MIN_PASSWORD {
        return Err(invalid(
            "weak_password",
            format!("use at least {MIN_PASSWORD} characters"),
        ));
    }
    if length > MAX_PASSWORD {
        return Err(invalid(
            "invalid_password",
            format!("use at most {MAX_PASSWORD} characters"),
        ));
    }
    let lowered = password.to_lowercase();
    let mut chars = lowered.chars();
    let first = chars.next();
    let one_character_repeated = chars.all(|c| Some(c) == first);
    if COMMON_PASSWORDS.contains(lowered.as_str()) || lowered == email || one_character_repeated {
        return Err(invalid(
            "weak_password",
            "that password is too easy to guess; the generator can make one for you",
        ));
    }
    Ok(())
}

/// A fresh random token of 32 bytes, URL-safe.
pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    OsRng.fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}
