//! `HOSTFRONT_EPP_*`: the registry, with `HOSTFRONT_REGISTRAR=epp`.

use std::path::PathBuf;

use hostfront_adapters::epp::EppSettings;
use hostfront_core::config::{ConfigError, Env};

pub(super) fn read(env: &Env) -> Result<EppSettings, ConfigError> {
    let required = |name: &str| env.required(name, "HOSTFRONT_REGISTRAR=epp");
    let settings = EppSettings {
        host: required("HOSTFRONT_EPP_HOST")?,
        port: env.within("HOSTFRONT_EPP_PORT", 700, 1..=65_535)? as u16,
        client_id: required("HOSTFRONT_EPP_CLIENT_ID")?,
        password: env.get("HOSTFRONT_EPP_PASSWORD").unwrap_or_default().into(),
        sessions: env.within("HOSTFRONT_EPP_SESSIONS", 2, 1..=100)? as usize,
        check_batch: env.within("HOSTFRONT_EPP_CHECK_BATCH", 5, 1..=100)? as usize,
        timeout: env.millis("HOSTFRONT_EPP_TIMEOUT_MS", 10_000, 100..=120_000)?,
        ca_file: env.get("HOSTFRONT_EPP_CA_FILE").map(PathBuf::from),
    };
    settings.check().map_err(ConfigError::new)?;
    Ok(settings)
}
