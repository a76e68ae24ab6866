//! The MAAS adapter's settings, read from `HOSTFRONT_MAAS_*`.

use std::net::{Ipv4Addr, Ipv6Addr};
use std::time::Duration;

use secrecy::SecretString;

#[derive(Debug, Clone)]
pub struct MaasSettings {
    /// The region controller's base, `https://maas.example.net:5443/MAAS`
    /// (without `/api/2.0`).
    pub url: String,
    /// The API key MAAS gives a user: `consumer_key:token_key:token_secret`.
    pub api_key: SecretString,
    /// OS template name → the `distro_series` MAAS deploys for it.
    pub templates: Vec<(String, String)>,
    /// The address pool of the machines' IP sets: `ipv4_count` addresses
    /// from `ipv4_first`.
    pub ipv4_first: Ipv4Addr,
    pub ipv4_count: u32,
    /// The /64 whose last 32 bits each machine's main IPv4 address fills.
    pub ipv6_network: Ipv6Addr,
    /// How long an installation usually takes, as customers are told.
    pub install_time: Duration,
    pub timeout: Duration,
}

/// Reads `ubuntu-24.04=noble, ubuntu-22.04=jammy`.
pub fn templates(text: &str) -> Result<Vec<(String, String)>, String> {
    text.split(',')
        .map(str::trim)
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (name, series) = pair
                .split_once('=')
                .map(|(n, s)| (n.trim(), s.trim()))
                .filter(|(n, s)| !n.is_empty() && !s.is_empty())
                .ok_or_else(|| format!("{pair:?} is not <template>=<distro series>"))?;
            Ok((name.to_string(), series.to_string()))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_are_names_and_series() {
        assert_eq!(
            templates("ubuntu-24.04=noble, debian-12 = custom/debian-12").unwrap(),
            vec![
                ("ubuntu-24.04".to_string(), "noble".to_string()),
                ("debian-12".to_string(), "custom/debian-12".to_string()),
            ]
        );
        assert!(templates("ubuntu-24.04").is_err());
        assert!(templates("=noble").is_err());
    }
}
