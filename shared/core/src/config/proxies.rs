//! `HOSTFRONT_TRUSTED_PROXIES`: addresses and CIDR ranges, comma-separated;
//! `HOSTFRONT_CLIENT_COUNTRY_HEADER`: the header in which they (or the CDN)
//! say the client's country.

use std::net::IpAddr;

use ipnet::IpNet;

use super::{ConfigError, Env};

pub(super) fn trusted(env: &Env) -> Result<Vec<IpNet>, ConfigError> {
    env.get("HOSTFRONT_TRUSTED_PROXIES")
        .unwrap_or_default()
        .split(',')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(|p| {
            p.parse::<IpNet>()
                .or_else(|_| p.parse::<IpAddr>().map(IpNet::from))
                .map_err(|_| {
                    ConfigError::new(format!(
                        "HOSTFRONT_TRUSTED_PROXIES: {p:?} is not an address or CIDR range"
                    ))
                })
        })
        .collect()
}

/// The header, lower-cased, in which the proxy or CDN in front of the API
/// says the client's country (CloudFront: `CloudFront-Viewer-Country`).
pub(super) fn client_country_header(env: &Env) -> Result<Option<String>, ConfigError> {
    let Some(name) = env
        .get("HOSTFRONT_CLIENT_COUNTRY_HEADER")
        .filter(|n| !n.trim().is_empty())
    else {
        return Ok(None);
    };
    let name = name.trim().to_ascii_lowercase();
    let token = |c: char| c.is_ascii_alphanumeric() || "!#$%&'*+-.^_`|~".contains(c);
    if !name.chars().all(token) {
        return Err(ConfigError::new(format!(
            "HOSTFRONT_CLIENT_COUNTRY_HEADER: {name:?} is not a header name"
        )));
    }
    Ok(Some(name))
}
