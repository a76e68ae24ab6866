//! `HOSTFRONT_TRUSTED_PROXIES`: addresses and CIDR ranges, comma-separated.

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
