//! Free subdomains under the company's own zone, for shared hosting: a name is
//! taken when it is reserved or a hosting order holds its marker item
//! (`SUBDOMAIN#<label>`), written with the order.

use serde::Serialize;
use utoipa::ToSchema;

use super::name::{NameError, parse_label};
use crate::store::{Key, TableError};
use crate::{Hosting, Settings, Storage};

/// Names the company uses itself, or that mail and browsers look up by
/// convention; with the numbered host names below and the panel's server
/// names, no customer may have them.
const RESERVED: &[&str] = &[
    "www",
    "mail",
    "email",
    "smtp",
    "imap",
    "pop",
    "pop3",
    "ftp",
    "sftp",
    "ns",
    "dns",
    "mx",
    "admin",
    "administrator",
    "root",
    "api",
    "app",
    "webmail",
    "cpanel",
    "whm",
    "webdisk",
    "plesk",
    "directadmin",
    "panel",
    "portal",
    "billing",
    "support",
    "help",
    "status",
    "staff",
    "login",
    "account",
    "accounts",
    "secure",
    "ssl",
    "vpn",
    "git",
    "cdn",
    "static",
    "assets",
    "hostmaster",
    "postmaster",
    "abuse",
    "noc",
    "security",
    "webmaster",
    "autodiscover",
    "autoconfig",
    "mta-sts",
    "wpad",
    "isatap",
    "localhost",
    "server",
    "host",
    "vmhost",
    "vps",
    "hypervisor",
    "proxmox",
    "pve",
    "kvm",
    "cpcalendars",
    "cpcontacts",
    "hostfront",
];
/// Families the company numbers its hosts in: each with digits, with or
/// without a hyphen (`web3`, `mail-2`, `ns-1`), is kept for servers and mail
/// hosts not built yet, so no customer holds a name one of them will need.
const NUMBERED: &[&str] = &[
    "web", "www", "mail", "email", "webmail", "smtp", "imap", "pop", "mx", "mta", "relay", "ns",
    "dns", "host", "vmhost", "server", "srv", "vps", "vm", "node", "pve", "kvm", "rack", "cpanel",
    "whm", "cp", "panel", "ftp", "db", "mysql", "backup", "proxy",
];
const SUFFIXES: &[&str] = &["site", "web", "online", "hq", "home"];
const PREFIXES: &[&str] = &["my", "the"];
const MIN_LABEL: usize = 3;
const SUGGESTIONS: usize = 5;

#[derive(Debug, Serialize, ToSchema)]
pub struct SubdomainCheck {
    pub name: String,
    pub zone: String,
    /// `name.zone`.
    pub fqdn: String,
    pub available: bool,
    /// Why not, when not: `reserved` or `taken`.
    pub reason: Option<String>,
    /// Free alternatives when the name is not available.
    pub suggestions: Vec<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum SubdomainError {
    #[error(transparent)]
    Name(#[from] NameError),
    #[error(transparent)]
    Table(#[from] TableError),
    #[error("{0}")]
    Unavailable(String),
}

pub fn marker_key(label: &str) -> Key {
    Key::new(format!("SUBDOMAIN#{label}"), "MARKER")
}

/// Whether the company keeps `label` for itself; `servers` are the panel's server names.
pub fn is_reserved(label: &str, servers: &[String]) -> bool {
    RESERVED.contains(&label)
        || NUMBERED.iter().any(|family| is_numbered(label, family))
        || servers.iter().any(|s| s == label)
}

/// Whether `label` is `family` and a number, with or without a hyphen.
fn is_numbered(label: &str, family: &str) -> bool {
    let Some(rest) = label.strip_prefix(family) else {
        return false;
    };
    let digits = rest.strip_prefix('-').unwrap_or(rest);
    !digits.is_empty() && digits.chars().all(|c| c.is_ascii_digit())
}

/// The label of a subdomain someone may have: long enough and not reserved.
pub async fn validate(
    ports: &(impl Hosting + Settings),
    input: &str,
) -> Result<String, SubdomainError> {
    let name = parse(input)?;
    if is_reserved(&name, &companys_own(ports).await?) {
        return Err(NameError {
            code: "reserved",
            message: format!("{name} is reserved; choose another name"),
        }
        .into());
    }
    Ok(name)
}

/// The labels of the zone the company uses itself: its servers' names, and
/// the label under which the agency's preview sites live when the preview
/// zone is within this one (whoever held it would be the parent domain of
/// every prospect's preview).
async fn companys_own(ports: &(impl Hosting + Settings)) -> Result<Vec<String>, SubdomainError> {
    let mut labels = ports
        .panel()
        .server_names()
        .await
        .map_err(|e| SubdomainError::Unavailable(e.to_string()))?;
    let config = ports.config();
    labels.extend(label_within(&config.preview_zone, &config.subdomain_zone));
    Ok(labels)
}

/// The label of `zone`'s own zone `within` (`preview` of `preview.example.net`
/// within `example.net`), if `zone` lies within it.
fn label_within(zone: &str, within: &str) -> Option<String> {
    let zone = zone.trim_end_matches('.').to_ascii_lowercase();
    let within = within.trim_end_matches('.').to_ascii_lowercase();
    let inner = zone.strip_suffix(&within)?.strip_suffix('.')?;
    inner.rsplit('.').next().map(str::to_string)
}

/// A label of at least `MIN_LABEL` characters.
fn parse(input: &str) -> Result<String, NameError> {
    let name = parse_label(input)?;
    if name.len() < MIN_LABEL {
        return Err(NameError {
            code: "too_short",
            message: format!("a subdomain has at least {MIN_LABEL} characters"),
        });
    }
    Ok(name)
}

pub async fn check(
    ports: &(impl Storage + Settings + Hosting),
    input: &str,
) -> Result<SubdomainCheck, SubdomainError> {
    let name = parse(input)?;
    let zone = ports.config().subdomain_zone.clone();
    let mut candidates = vec![name.clone()];
    if !name.starts_with("xn--") {
        candidates.extend(SUFFIXES.iter().map(|s| format!("{name}-{s}")));
        candidates.extend(PREFIXES.iter().map(|p| format!("{p}{name}")));
        candidates.extend((1..=3).map(|n| format!("{name}{n}")));
        candidates.retain(|c| c.len() <= 63);
    }
    let keys: Vec<Key> = candidates.iter().map(|c| marker_key(c)).collect();
    let markers = ports.table().get_many(&keys).await?;
    let servers = companys_own(ports).await?;
    let reason = |label: &str, marker: &Option<_>| {
        if is_reserved(label, &servers) {
            Some("reserved")
        } else if marker.is_some() {
            Some("taken")
        } else {
            None
        }
    };
    let reasons: Vec<Option<&str>> = candidates
        .iter()
        .zip(&markers)
        .map(|(c, m)| reason(c, m))
        .collect();
    let available = reasons[0].is_none();
    let suggestions = if available {
        Vec::new()
    } else {
        candidates
            .iter()
            .zip(&reasons)
            .skip(1)
            .filter(|(_, r)| r.is_none())
            .map(|(c, _)| c.clone())
            .take(SUGGESTIONS)
            .collect()
    };
    Ok(SubdomainCheck {
        fqdn: format!("{name}.{zone}"),
        name,
        zone,
        available,
        reason: reasons[0].map(str::to_string),
        suggestions,
    })
}

#[cfg(test)]
mod tests {
    use super::{is_reserved, label_within};

    #[test]
    fn the_preview_zone_within_the_company_zone_is_the_companys() {
        let label = |zone, within| label_within(zone, within);
        assert_eq!(
            label("preview.example.net", "example.net"),
            Some("preview".into())
        );
        assert_eq!(label("a.b.Example.NET.", "example.net"), Some("b".into()));
        assert_eq!(label("preview.example.org", "example.net"), None);
        assert_eq!(label("example.net", "example.net"), None);
        assert_eq!(label("myexample.net", "example.net"), None);
    }

    #[test]
    fn the_company_keeps_its_own_names() {
        let servers = vec!["web1".to_string(), "vmhost1".to_string()];
        for name in [
            "www",
            "mail",
            "hostmaster",
            "postmaster",
            "autodiscover",
            "autoconfig",
            "mta-sts",
            "wpad",
            "cpanel",
            "webmail",
            "ns",
            "ns1",
            "ns42",
            "mx2",
            "web1",
            "vmhost1",
            "web3",
            "vmhost2",
            "vmhost",
            "smtp1",
            "mail2",
            "www2",
            "ns-1",
            "mx-2",
            "imap7",
            "pop3",
            "host12",
            "server4",
            // A hypervisor's nodes and API host.
            "pve",
            "pve2",
            "kvm-1",
            "proxmox",
            "hypervisor",
        ] {
            assert!(is_reserved(name, &servers), "{name}");
        }
        for name in [
            "bakery",
            "nsync",
            "mxplayer",
            "wwwbakery",
            "web3a",
            "webshop",
            "mailbox",
            "hosting",
            "node-red",
        ] {
            assert!(!is_reserved(name, &servers), "{name}");
        }
    }
}
