//! A customer's record's value, checked for its type: an address, an
//! absolute host name, or a TXT record's text, plain or quoted as zones
//! write it (RFC 1035, sections 3.3 and 5.1).

use std::net::{Ipv4Addr, Ipv6Addr};

use super::customer::{MAX_TEXT, RecordInput, Refused, refused};
use super::txt;

/// The value of `input`, a record of `kind` at `name`, as the zone writes
/// it, and its MX priority.
pub(super) fn checked(
    kind: &str,
    name: &str,
    input: &RecordInput,
) -> Result<(String, Option<u16>), Refused> {
    let value = input.value.trim();
    let bad_value = |what: &str| refused("invalid_record_value", format!("{what}, not {value:?}"));
    Ok(match kind {
        "A" => (
            value
                .parse::<Ipv4Addr>()
                .map_err(|_| bad_value("an A record holds an IPv4 address"))?
                .to_string(),
            None,
        ),
        "AAAA" => (
            value
                .parse::<Ipv6Addr>()
                .map_err(|_| bad_value("an AAAA record holds an IPv6 address"))?
                .to_string(),
            None,
        ),
        "CNAME" if name == "@" => {
            return Err(refused(
                "cname_at_apex",
                "the zone's own name holds its SOA and NS records, so it cannot be a CNAME (RFC 1034, 3.6.2)",
            ));
        }
        "CNAME" => (
            host(value).ok_or_else(|| bad_value("a CNAME record holds a host name"))?,
            None,
        ),
        "MX" => {
            let priority = input
                .priority
                .ok_or_else(|| refused("priority_required", "an MX record needs a priority"))?;
            (
                host(value)
                    .ok_or_else(|| bad_value("an MX record holds a mail server's host name"))?,
                Some(priority),
            )
        }
        "TXT" if let Some(text) = quoted_strings(value) => (txt(&text), None),
        "TXT" if value.is_empty() || value.len() > MAX_TEXT || !value.chars().all(printable) => {
            return Err(bad_value(&format!(
                "a TXT record holds 1 to {MAX_TEXT} printable ASCII characters"
            )));
        }
        "TXT" => (txt(value), None),
        _ => {
            return Err(refused(
                "unsupported_record_type",
                format!(
                    "the record types offered are A, AAAA, CNAME, MX and TXT, not {:?}",
                    input.kind
                ),
            ));
        }
    })
}

/// The text of a TXT value written as the zone answers it: one or more
/// quoted strings, `\"` and `\\` escaped; `None` for any other value.
fn quoted_strings(value: &str) -> Option<String> {
    let mut text = String::new();
    let mut chars = value.chars().peekable();
    while chars.peek().is_some() {
        if chars.next()? != '"' {
            return None;
        }
        loop {
            match chars.next()? {
                '"' => break,
                '\\' => text.push(chars.next()?),
                c => text.push(c),
            }
        }
        while chars.next_if(|c| *c == ' ').is_some() {}
    }
    (!text.is_empty() && text.len() <= MAX_TEXT && text.chars().all(printable)).then_some(text)
}

fn printable(c: char) -> bool {
    c.is_ascii() && !c.is_ascii_control()
}

/// A host name as the zone writes it, with its final dot; `.` alone is
/// the null MX of RFC 7505.
fn host(value: &str) -> Option<String> {
    if value == "." {
        return Some(value.into());
    }
    let bare = value
        .strip_suffix('.')
        .unwrap_or(value)
        .to_ascii_lowercase();
    let ok = !bare.is_empty() && bare.len() <= 253 && bare.split('.').all(label);
    // No top-level domain is all digits: `1.2.3.4` is an address, not a name.
    let numeric = bare
        .rsplit('.')
        .next()
        .is_some_and(|l| l.chars().all(|c| c.is_ascii_digit()));
    (ok && !numeric).then(|| format!("{bare}."))
}

/// One label of a name in a zone: 1 to 63 letters, digits, hyphens and
/// underscores (`_dmarc`, `default._domainkey`), no hyphen at either end.
pub(super) fn label(label: &str) -> bool {
    !label.is_empty()
        && label.len() <= 63
        && !label.starts_with('-')
        && !label.ends_with('-')
        && label
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}
