//! `HOSTFRONT_STRIPE_*`: the account, with `HOSTFRONT_PAYMENTS=stripe`.

use hostfront_adapters::stripe::StripeSettings;
use hostfront_core::config::{ConfigError, Env};

pub(super) fn read(env: &Env) -> Result<StripeSettings, ConfigError> {
    Ok(StripeSettings {
        api_base: env.text("HOSTFRONT_STRIPE_API", "https://api.stripe.com"),
        secret_key: env
            .get("HOSTFRONT_STRIPE_SECRET_KEY")
            .unwrap_or_default()
            .into(),
        webhook_secret: env.get("HOSTFRONT_STRIPE_WEBHOOK_SECRET").map(Into::into),
        publishable_key: env
            .get("HOSTFRONT_STRIPE_PUBLISHABLE_KEY")
            .map(|key| key.to_string()),
        timeout: env.millis("HOSTFRONT_STRIPE_TIMEOUT_MS", 20_000, 100..=120_000)?,
    })
}
