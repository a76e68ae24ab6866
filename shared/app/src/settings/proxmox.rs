//! `HOSTFRONT_PROXMOX_*`: the Proxmox VE cluster, its templates and the
//! address pool of its VMs, with `HOSTFRONT_HYPERVISOR=proxmox`.

use std::str::FromStr;

use hostfront_adapters::proxmox::{ProxmoxSettings, templates};
use hostfront_core::config::{ConfigError, Env};

const NEEDED: &str = "HOSTFRONT_HYPERVISOR=proxmox";

/// The setting `name`, required with `needed`, read as a `T` (an address, a count).
pub(super) fn parsed<T: FromStr>(env: &Env, name: &str, needed: &str) -> Result<T, ConfigError> {
    let text = env.required(name, needed)?;
    text.trim()
        .parse()
        .map_err(|_| ConfigError::new(format!("{name}: {text:?} cannot be read")))
}

pub(super) fn read(env: &Env) -> Result<ProxmoxSettings, ConfigError> {
    let nodes: Vec<String> = env
        .required("HOSTFRONT_PROXMOX_NODES", NEEDED)?
        .split(',')
        .map(|n| n.trim().to_string())
        .filter(|n| !n.is_empty())
        .collect();
    let templates = templates(&env.required("HOSTFRONT_PROXMOX_TEMPLATES", NEEDED)?)
        .map_err(|e| ConfigError::new(format!("HOSTFRONT_PROXMOX_TEMPLATES: {e}")))?;
    Ok(ProxmoxSettings {
        url: env.required("HOSTFRONT_PROXMOX_URL", NEEDED)?,
        token_id: env.required("HOSTFRONT_PROXMOX_TOKEN_ID", NEEDED)?,
        token_secret: env
            .required("HOSTFRONT_PROXMOX_TOKEN_SECRET", NEEDED)?
            .into(),
        nodes,
        templates,
        disk: env.text("HOSTFRONT_PROXMOX_DISK", "scsi0"),
        ipv4_first: parsed(env, "HOSTFRONT_PROXMOX_IPV4_FIRST", NEEDED)?,
        ipv4_count: parsed(env, "HOSTFRONT_PROXMOX_IPV4_COUNT", NEEDED)?,
        ipv4_prefix: env.within("HOSTFRONT_PROXMOX_IPV4_PREFIX", 24, 8..=32)? as u8,
        ipv4_gateway: parsed(env, "HOSTFRONT_PROXMOX_IPV4_GATEWAY", NEEDED)?,
        ipv6_network: parsed(env, "HOSTFRONT_PROXMOX_IPV6_NETWORK", NEEDED)?,
        ipv6_gateway: parsed(env, "HOSTFRONT_PROXMOX_IPV6_GATEWAY", NEEDED)?,
        timeout: env.millis("HOSTFRONT_PROXMOX_TIMEOUT_MS", 25_000, 100..=300_000)?,
        task_timeout: env.millis(
            "HOSTFRONT_PROXMOX_TASK_TIMEOUT_MS",
            600_000,
            1_000..=3_600_000,
        )?,
    })
}
