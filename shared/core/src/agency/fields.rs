//! The checks the pipeline's text fields share: people's names and
//! businesses' names, notes, phone numbers and contact emails.

use super::{AgencyError, invalid};

/// A one-line name of 1 to `most` characters, trimmed.
pub(super) fn name(field: &'static str, value: &str, most: usize) -> Result<String, AgencyError> {
    let value = value.trim();
    let count = value.chars().count();
    if count == 0 || count > most || !crate::input::is_plain_text(value) {
        return Err(invalid(
            "invalid_field",
            format!("{field}: 1 to {most} characters of plain text on one line"),
        ));
    }
    Ok(value.to_string())
}

/// Notes of at most `most` characters: lines of plain text.
pub(super) fn notes(field: &'static str, value: &str, most: usize) -> Result<String, AgencyError> {
    let value = value.trim();
    let plain = value.lines().all(crate::input::is_plain_text);
    if value.chars().count() > most || !plain {
        return Err(invalid(
            "invalid_field",
            format!("{field}: at most {most} characters of plain text"),
        ));
    }
    Ok(value.to_string())
}

/// A phone number as people write one: digits, spaces, `+ - ( ) .`, with
/// 5 to 20 digits.
pub(super) fn phone(value: &str) -> Result<String, AgencyError> {
    let value = value.trim();
    let digits = value.chars().filter(char::is_ascii_digit).count();
    let allowed = value
        .chars()
        .enumerate()
        .all(|(i, c)| c.is_ascii_digit() || " -().".contains(c) || (c == '+' && i == 0));
    if !allowed || !(5..=20).contains(&digits) || value.len() > 30 {
        return Err(invalid(
            "invalid_phone",
            "contact_phone: digits, spaces and - ( ) . only, a + only first, 5 to 20 digits",
        ));
    }
    Ok(value.to_string())
}

/// A contact's email address, lower-cased.
pub(super) fn email(value: &str) -> Result<String, AgencyError> {
    crate::accounts::normalize_email(value).map_err(|_| {
        invalid(
            "invalid_email",
            "contact_email: that does not look like an email address",
        )
    })
}

/// A domain name written as one (`example.com`), in its ASCII form.
pub(super) fn domain(field: &'static str, value: &str) -> Result<String, AgencyError> {
    match crate::domains::name::parse(value) {
        Ok(crate::domains::name::Searched::Domain(domain)) => Ok(domain.ascii),
        _ => Err(invalid(
            "invalid_domain",
            format!("{field}: a domain name such as example.com"),
        )),
    }
}
