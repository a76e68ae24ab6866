//! `HOSTFRONT_MAAS_*`: the Canonical MAAS region that dedicated and
//! managed servers are taken from, its series and the address pool of the
//! machines' IP sets, with `HOSTFRONT_MACHINES=maas`.

use hostfront_adapters::maas::{MaasSettings, templates};
use hostfront_core::config::{ConfigError, Env};

use super::proxmox::parsed;

const NEEDED: &str = "HOSTFRONT_MACHINES=maas";

pub(super) fn read(env: &Env) -> Result<MaasSettings, ConfigError> {
    let templates = templates(&env.required("HOSTFRONT_MAAS_TEMPLATES", NEEDED)?)
        .map_err(|e| ConfigError::new(format!("HOSTFRONT_MAAS_TEMPLATES: {e}")))?;
    let install_minutes = env.within("HOSTFRONT_MAAS_INSTALL_MINUTES", 30, 1..=1_440)?;
    Ok(MaasSettings {
        url: env
            .required("HOSTFRONT_MAAS_URL", NEEDED)?
            .trim_end_matches('/')
            .to_string(),
        api_key: env.required("HOSTFRONT_MAAS_API_KEY", NEEDED)?.into(),
        templates,
        ipv4_first: parsed(env, "HOSTFRONT_MAAS_IPV4_FIRST", NEEDED)?,
        ipv4_count: parsed(env, "HOSTFRONT_MAAS_IPV4_COUNT", NEEDED)?,
        ipv6_network: parsed(env, "HOSTFRONT_MAAS_IPV6_NETWORK", NEEDED)?,
        install_time: std::time::Duration::from_secs(install_minutes * 60),
        timeout: env.millis("HOSTFRONT_MAAS_TIMEOUT_MS", 25_000, 100..=300_000)?,
    })
}
