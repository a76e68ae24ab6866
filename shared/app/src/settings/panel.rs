//! `HOSTFRONT_WHM_*`: the servers' API, with `HOSTFRONT_PANEL=whm`.

use hostfront_adapters::whm::{WhmSettings, server_tokens};
use hostfront_core::config::{ConfigError, Env};

pub(super) fn read(env: &Env) -> Result<WhmSettings, ConfigError> {
    let tokens = server_tokens(&env.get("HOSTFRONT_WHM_TOKENS").unwrap_or_default())
        .map_err(ConfigError::new)?;
    Ok(WhmSettings {
        url: env.text("HOSTFRONT_WHM_URL", "https://{server}:2087"),
        user: env.text("HOSTFRONT_WHM_USER", "root"),
        tokens,
        timeout: env.millis("HOSTFRONT_WHM_TIMEOUT_MS", 25_000, 100..=300_000)?,
        backup_target: env.required("HOSTFRONT_WHM_BACKUP_TARGET", "HOSTFRONT_PANEL=whm")?,
        backup_password: env
            .get("HOSTFRONT_WHM_BACKUP_PASSWORD")
            .unwrap_or_default()
            .into(),
        backup_days: env.within("HOSTFRONT_WHM_BACKUP_DAYS", 30, 1..=3650)? as u32,
    })
}
