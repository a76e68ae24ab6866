//! Control-panel usernames: 3 to 16 lower-case letters and digits, starting
//! with a letter and not with `test` (what cPanel and most panels accept). Unique through a marker
//! item `PANELUSER#<name>` written with the order; taken names get suggestions.

use crate::Storage;
use crate::store::{Key, TableError};

pub const MIN: usize = 3;
pub const MAX: usize = 16;
const SUGGESTIONS: usize = 5;
/// Names of system accounts a panel never gives to a customer.
const RESERVED: &[&str] = &[
    "root",
    "admin",
    "administrator",
    "mail",
    "www",
    "ftp",
    "nobody",
    "postmaster",
    "hostmaster",
    "webmaster",
    "abuse",
    "support",
    "system",
    "daemon",
    "mysql",
    "postgres",
    "cpanel",
];

pub fn marker_key(username: &str) -> Key {
    Key::new(format!("PANELUSER#{username}"), "MARKER")
}

/// The username, lower-cased, or why it cannot be one.
pub fn validate(input: &str) -> Result<String, &'static str> {
    let name = input.to_lowercase();
    if name.len() < MIN || name.len() > MAX {
        return Err("a username has 3 to 16 characters");
    }
    if !name.starts_with(|c: char| c.is_ascii_lowercase()) {
        return Err("a username starts with a letter");
    }
    if !name
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
    {
        return Err("a username has only letters a to z and digits");
    }
    // cPanel refuses these, and they read as throwaway accounts anyway.
    if name.starts_with("test") {
        return Err("a username cannot begin with test");
    }
    if RESERVED.contains(&name.as_str()) {
        return Err("that username is reserved; choose another");
    }
    Ok(name)
}

/// A username made from a domain: its first label's letters and digits.
pub fn from_domain(domain: &str) -> String {
    let label = domain.split('.').next().unwrap_or_default();
    let mut name: String = label
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_lowercase())
        .skip_while(|c| c.is_ascii_digit())
        .take(MAX - 2)
        .collect();
    if name.len() < MIN {
        name.push_str("web");
    }
    if name.starts_with("test") {
        name.insert_str(0, "my");
        name.truncate(MAX - 2);
    }
    name
}

/// Free variations of `name`: digits added, or the domain's name; one batch read.
pub async fn suggestions(
    ports: &impl Storage,
    name: &str,
    domain: Option<&str>,
) -> Result<Vec<String>, TableError> {
    let stem: String = name.chars().take(MAX - 2).collect();
    let mut candidates: Vec<String> = (1..=9).map(|n| format!("{stem}{n}")).collect();
    if let Some(domain) = domain {
        let from = from_domain(domain);
        candidates.insert(0, from.clone());
        candidates.extend((1..=3).map(|n| format!("{from}{n}")));
    }
    candidates.retain(|c| c != name && validate(c).is_ok());
    candidates.dedup();
    let keys: Vec<Key> = candidates.iter().map(|c| marker_key(c)).collect();
    let markers = ports.table().get_many(&keys).await?;
    Ok(candidates
        .into_iter()
        .zip(markers)
        .filter(|(_, marker)| marker.is_none())
        .map(|(c, _)| c)
        .take(SUGGESTIONS)
        .collect())
}

/// None when `name` is free; when taken, free alternatives (maybe none).
pub async fn check(ports: &impl Storage, name: &str) -> Result<Option<Vec<String>>, TableError> {
    if ports.table().get(&marker_key(name)).await?.is_none() {
        return Ok(None);
    }
    Ok(Some(suggestions(ports, name, None).await?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usernames_follow_panel_rules() {
        assert_eq!(validate("Bakery42"), Ok("bakery42".into()));
        for bad in [
            " bakery42",
            "ab",
            "1bakery",
            "bak-ery",
            "bäckerei",
            "root",
            "test",
            "testbakery",
            "a234567890123456x",
        ] {
            assert!(validate(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn usernames_come_from_domains() {
        assert_eq!(from_domain("my-bakery.co.uk"), "mybakery");
        assert_eq!(from_domain("42.com"), "web");
        assert_eq!(from_domain("xn--bckerei-5wa.de"), "xnbckerei5wa");
        assert!(validate(&from_domain("a-very-long-domain-name-indeed.com")).is_ok());
        assert_eq!(
            from_domain("testlab.com"),
            "mytestlab",
            "cPanel refuses test…"
        );
        assert!(validate(&from_domain("testing-the-longest-names.com")).is_ok());
    }
}
