//! `HOSTFRONT_VIES_*`: the EU's VAT register, with `HOSTFRONT_TAX_IDS=vies`.

use hostfront_adapters::vies::{DEFAULT_URL, ViesSettings};
use hostfront_core::config::{ConfigError, Env};
use hostfront_core::tax_ids::VatNumber;

pub(super) fn read(env: &Env) -> Result<ViesSettings, ConfigError> {
    let requester = env
        .get("HOSTFRONT_VIES_REQUESTER")
        .map(|text| {
            VatNumber::parse(&text)
                .map_err(|e| ConfigError::new(format!("HOSTFRONT_VIES_REQUESTER: {e}")))
        })
        .transpose()?;
    Ok(ViesSettings {
        url: env.text("HOSTFRONT_VIES_URL", DEFAULT_URL),
        requester,
        timeout: env.millis("HOSTFRONT_VIES_TIMEOUT_MS", 10_000, 100..=120_000)?,
    })
}
