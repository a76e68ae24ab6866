//! What the user typed, turned into a domain name the way a person expects:
//! "https://www.Bäckerei.de/shop" is the domain `bäckerei.de`
//! (`xn--bckerei-5wa.de`), "bakery" is a word to try on every sold TLD.
//! Pure: no I/O. Rejections carry a stable error code.

use std::borrow::Cow;
use std::net::IpAddr;

use idna::uts46::{AsciiDenyList, DnsLength, Hyphens, Uts46};

/// The longest input looked at before anything else; longer is rejected outright.
const MAX_INPUT_CHARS: usize = 1024;
const MAX_LABEL_OCTETS: usize = 63;
const MAX_NAME_OCTETS: usize = 253;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Searched {
    /// A full name: its registrable domain.
    Domain(DomainName),
    /// One label with no TLD, to try on the sold TLDs.
    Word { ascii: String, unicode: String },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DomainName {
    /// The ASCII (punycode) form, e.g. `xn--bckerei-5wa.de`.
    pub ascii: String,
    pub unicode: String,
    /// The label left of the public suffix, ASCII form, e.g. `xn--bckerei-5wa`.
    pub label: String,
    /// The public suffix, e.g. `de` or `co.uk`.
    pub suffix: String,
    /// The subdomain part the user typed and we dropped (`shop` of `shop.example.com`).
    pub dropped_subdomain: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct NameError {
    pub code: &'static str,
    pub message: String,
}

/// The Unicode form of an ASCII name; only punycode labels need converting.
pub fn to_unicode(ascii: &str) -> String {
    if ascii.contains("xn--") {
        idna::domain_to_unicode(ascii).0
    } else {
        ascii.to_string()
    }
}

fn reject(code: &'static str, message: impl Into<String>) -> NameError {
    NameError {
        code,
        message: message.into(),
    }
}

/// `input`, unless it is far too long to be anything a person searches for.
pub fn within_length(input: &str) -> Result<&str, NameError> {
    if input.chars().count() > MAX_INPUT_CHARS {
        return Err(reject(
            "too_long",
            "that is far too long to be a domain name",
        ));
    }
    Ok(input)
}

/// Normalises what a person typed into a search box.
pub fn parse(input: &str) -> Result<Searched, NameError> {
    within_length(input)?;
    let host = strip_decoration(&input.trim().to_lowercase());
    if host.is_empty() {
        return Err(reject(
            "empty",
            "type a domain name or a word to search for",
        ));
    }
    if is_ip_address(&host) {
        return Err(reject(
            "ip_address",
            "that is an IP address; search for a domain name instead",
        ));
    }
    // ".com" asks about a suffix itself; ".example.com" is just example.com.
    let (host, leading_dot) = match host.strip_prefix('.') {
        Some(rest) => (rest.to_string(), true),
        None => (host, false),
    };
    let ascii = to_ascii(&host)?;
    check_lengths(&ascii)?;
    if leading_dot && psl::suffix_str(&ascii) == Some(ascii.as_str()) {
        return Err(reject(
            "public_suffix",
            format!(".{host} alone cannot be registered; put a name in front of it"),
        ));
    }
    let unicode = to_unicode(&ascii);
    if !ascii.contains('.') {
        return Ok(Searched::Word { ascii, unicode });
    }
    let suffix = psl::suffix(ascii.as_bytes()).expect("a name with a dot has a suffix");
    let suffix = std::str::from_utf8(suffix.as_bytes())
        .expect("ASCII")
        .to_string();
    if suffix == ascii {
        return Err(reject(
            "public_suffix",
            format!(
                ".{} alone cannot be registered; put a name in front of it",
                to_unicode(&suffix)
            ),
        ));
    }
    let registrable =
        psl::domain_str(&ascii).expect("a name longer than its suffix has a registrable domain");
    let dropped = ascii
        .strip_suffix(registrable)
        .and_then(|s| s.strip_suffix('.'))
        .map(str::to_string);
    let label = registrable
        .strip_suffix(&suffix)
        .and_then(|l| l.strip_suffix('.'))
        .expect("domain ends in suffix");
    Ok(Searched::Domain(DomainName {
        ascii: registrable.to_string(),
        unicode: to_unicode(registrable),
        label: label.to_string(),
        suffix,
        dropped_subdomain: dropped,
    }))
}

/// Drops what people paste around a name: a scheme, user info, `www.`, a path,
/// query or fragment, a port and a trailing dot.
fn strip_decoration(input: &str) -> String {
    let mut host = input;
    if let Some((scheme, rest)) = host.split_once("://")
        && !scheme.is_empty()
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "+.-".contains(c))
    {
        host = rest;
    }
    host = host.split(['/', '?', '#']).next().unwrap_or_default();
    if let Some((_, after)) = host.rsplit_once('@') {
        host = after;
    }
    if host.parse::<IpAddr>().is_ok() {
        return host.to_string();
    }
    if host.starts_with('[') {
        // A bracketed IPv6 literal keeps its colons.
        return host
            .split(']')
            .next()
            .unwrap_or_default()
            .trim_start_matches('[')
            .to_string();
    }
    if let Some((name, port)) = host.rsplit_once(':')
        && port.chars().all(|c| c.is_ascii_digit())
    {
        host = name;
    }
    let host = host.trim_end_matches('.');
    host.strip_prefix("www.")
        .filter(|rest| !rest.is_empty())
        .unwrap_or(host)
        .to_string()
}

fn is_ip_address(host: &str) -> bool {
    host.parse::<IpAddr>().is_ok()
        || (host.split('.').count() == 4
            && host
                .split('.')
                .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit())))
}

fn to_ascii(host: &str) -> Result<String, NameError> {
    let converted = Uts46::new().to_ascii(
        host.as_bytes(),
        AsciiDenyList::STD3,
        Hyphens::Check,
        DnsLength::Ignore,
    );
    match converted {
        Ok(Cow::Borrowed(ascii)) => Ok(ascii.to_string()),
        Ok(Cow::Owned(ascii)) => Ok(ascii),
        Err(_) => Err(diagnose(host)),
    }
}

/// Says which rule a name that UTS-46 refused breaks.
fn diagnose(host: &str) -> NameError {
    for label in host.split(['.', '。', '．', '｡']) {
        if label.is_empty() {
            return reject("empty_label", "a domain name cannot have two dots in a row");
        }
        if let Some(encoded) = label.strip_prefix("xn--") {
            let decoded = idna::punycode::decode_to_string(encoded);
            if decoded.is_none_or(|d| d.is_empty() || d.is_ascii()) {
                return reject("invalid_punycode", format!("{label} is not valid punycode"));
            }
        }
        if label.starts_with('-') || label.ends_with('-') {
            return reject(
                "hyphen_position",
                "a domain name cannot start or end with a hyphen",
            );
        }
        if label.get(2..4) == Some("--") {
            return reject(
                "hyphen_position",
                "two hyphens in the third and fourth places are reserved",
            );
        }
    }
    reject(
        "invalid_characters",
        "use letters, digits and hyphens (and letters of any language)",
    )
}

fn check_lengths(ascii: &str) -> Result<(), NameError> {
    if ascii.split('.').any(str::is_empty) {
        return Err(reject(
            "empty_label",
            "a domain name cannot have two dots in a row",
        ));
    }
    if ascii.len() > MAX_NAME_OCTETS {
        return Err(reject(
            "name_too_long",
            format!("a domain name has at most {MAX_NAME_OCTETS} characters"),
        ));
    }
    if ascii.split('.').any(|label| label.len() > MAX_LABEL_OCTETS) {
        return Err(reject(
            "label_too_long",
            format!("each part of a domain name has at most {MAX_LABEL_OCTETS} characters"),
        ));
    }
    Ok(())
}

/// Validates one subdomain label under our own zone (ASCII letters, digits, hyphens).
pub fn parse_label(input: &str) -> Result<String, NameError> {
    let label = input.trim().to_lowercase();
    if label.is_empty() {
        return Err(reject("empty", "type the name you want"));
    }
    if label.contains('.') {
        return Err(reject(
            "invalid_characters",
            "a subdomain is one name without dots",
        ));
    }
    match parse(&label)? {
        Searched::Word { ascii, .. } => Ok(ascii),
        Searched::Domain(_) => Err(reject(
            "invalid_characters",
            "a subdomain is one name without dots",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn domain(input: &str) -> DomainName {
        match parse(input) {
            Ok(Searched::Domain(d)) => d,
            other => panic!("{input:?} gave {other:?}"),
        }
    }

    fn code(input: &str) -> &'static str {
        parse(input).expect_err(input).code
    }

    #[test]
    fn strips_what_people_paste_around_a_name() {
        for input in [
            "example.com",
            "  Example.COM  ",
            "https://www.example.com/pricing?x=1#top",
            "http://example.com:8080",
            "example.com.",
            "WWW.EXAMPLE.COM",
            "ftp://user@example.com/",
            "example.com/",
        ] {
            let d = domain(input);
            assert_eq!(
                (d.ascii.as_str(), d.label.as_str(), d.suffix.as_str()),
                ("example.com", "example", "com"),
                "{input}"
            );
        }
    }

    #[test]
    fn unicode_names_get_both_forms() {
        let d = domain("https://www.Bäckerei.de/shop");
        assert_eq!(d.ascii, "xn--bckerei-5wa.de");
        assert_eq!(d.unicode, "bäckerei.de");
        let d = domain("xn--bckerei-5wa.de");
        assert_eq!(d.unicode, "bäckerei.de");
        // Full-width dots and upper case map as UTS-46 says.
        assert_eq!(domain("ＥＸＡＭＰＬＥ。com").ascii, "example.com");
        assert_eq!(domain("münchen.de").ascii, "xn--mnchen-3ya.de");
    }

    #[test]
    fn multi_label_suffixes_and_subdomains() {
        let d = domain("shop.mybakery.co.uk");
        assert_eq!(
            (d.ascii.as_str(), d.label.as_str(), d.suffix.as_str()),
            ("mybakery.co.uk", "mybakery", "co.uk")
        );
        assert_eq!(d.dropped_subdomain.as_deref(), Some("shop"));
        assert_eq!(domain("blog.example.com").ascii, "example.com");
        assert_eq!(domain("example.notarealtld").suffix, "notarealtld");
    }

    #[test]
    fn a_bare_word_is_a_word() {
        assert_eq!(
            parse("Bakery").unwrap(),
            Searched::Word {
                ascii: "bakery".into(),
                unicode: "bakery".into()
            }
        );
        assert_eq!(
            parse("bäckerei").unwrap(),
            Searched::Word {
                ascii: "xn--bckerei-5wa".into(),
                unicode: "bäckerei".into()
            }
        );
    }

    #[test]
    fn rejections_name_the_rule() {
        assert_eq!(code(""), "empty");
        assert_eq!(code("   "), "empty");
        assert_eq!(code("https://"), "empty");
        assert_eq!(code(&"a".repeat(2000)), "too_long");
        assert_eq!(code(&format!("{}.com", "a".repeat(64))), "label_too_long");
        assert!(parse(&format!("{}.com", "a".repeat(63))).is_ok());
        let long = format!("{}.com", vec!["a".repeat(60); 5].join("."));
        assert_eq!(code(&long), "name_too_long");
        assert_eq!(code("bad_name.com"), "invalid_characters");
        assert_eq!(code("hello world.com"), "invalid_characters");
        assert_eq!(code("bake$ry"), "invalid_characters");
        assert_eq!(code("-bakery.com"), "hyphen_position");
        assert_eq!(code("bakery-.com"), "hyphen_position");
        assert_eq!(code("ab--cd.com"), "hyphen_position");
        assert_eq!(code("xn--zz.com"), "invalid_punycode");
        assert_eq!(code("xn--abc-.com"), "invalid_punycode");
        assert_eq!(code("co.uk"), "public_suffix");
        assert_eq!(code(".com"), "public_suffix");
        assert_eq!(code("192.168.1.10"), "ip_address");
        assert_eq!(code("http://10.0.0.1:8080/"), "ip_address");
        assert_eq!(code("[2001:db8::1]"), "ip_address");
        assert_eq!(code("2001:db8::1"), "ip_address");
        assert_eq!(code("example..com"), "empty_label");
    }

    #[test]
    fn subdomain_labels() {
        assert_eq!(parse_label(" MySite ").unwrap(), "mysite");
        assert_eq!(
            parse_label("my.site").unwrap_err().code,
            "invalid_characters"
        );
        assert_eq!(parse_label("-x").unwrap_err().code, "hyphen_position");
        assert_eq!(parse_label("").unwrap_err().code, "empty");
    }
}
