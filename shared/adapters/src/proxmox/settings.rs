//! The Proxmox VE adapter's settings, read from `HOSTFRONT_PROXMOX_*`.

use std::net::{Ipv4Addr, Ipv6Addr};
use std::time::Duration;

use secrecy::SecretString;

#[derive(Debug, Clone)]
pub struct ProxmoxSettings {
    /// The API's base, `https://pve.example.net:8006` (without `/api2/json`).
    pub url: String,
    /// `USER@REALM!TOKENID`.
    pub token_id: String,
    pub token_secret: SecretString,
    /// The nodes VMs may be placed on.
    pub nodes: Vec<String>,
    /// OS template name → the vmid of the template VM cloned for it.
    pub templates: Vec<(String, u32)>,
    /// The disk a template boots from, which is grown to the plan's size.
    pub disk: String,
    /// The address pool: `ipv4_count` addresses from `ipv4_first`, in a
    /// network of `ipv4_prefix` bits routed by `ipv4_gateway`.
    pub ipv4_first: Ipv4Addr,
    pub ipv4_count: u32,
    pub ipv4_prefix: u8,
    pub ipv4_gateway: Ipv4Addr,
    /// The /64 whose last 32 bits each VM's IPv4 address fills.
    pub ipv6_network: Ipv6Addr,
    pub ipv6_gateway: Ipv6Addr,
    pub timeout: Duration,
    /// How long a task (clone, start, …) may take.
    pub task_timeout: Duration,
}

/// Reads `debian-12=9000, ubuntu-24.04=9001`.
pub fn templates(text: &str) -> Result<Vec<(String, u32)>, String> {
    text.split(',')
        .map(str::trim)
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (name, vmid) = pair
                .split_once('=')
                .ok_or_else(|| format!("{pair:?} is not <template>=<vmid>"))?;
            let vmid = vmid
                .trim()
                .parse()
                .map_err(|_| format!("{vmid:?} is not a vmid"))?;
            Ok((name.trim().to_string(), vmid))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_are_names_and_vmids() {
        assert_eq!(
            templates("debian-12=9000, ubuntu-24.04=9001").unwrap(),
            vec![("debian-12".into(), 9000), ("ubuntu-24.04".into(), 9001)]
        );
        assert!(templates("debian-12").is_err());
        assert!(templates("debian-12=x").is_err());
    }
}
