//! A Stripe account's API.

use std::time::Duration;

use secrecy::SecretString;

/// A Stripe account's API (`HOSTFRONT_STRIPE_*`).
#[derive(Debug, Clone)]
pub struct StripeSettings {
    /// `HOSTFRONT_STRIPE_API` (`https://api.stripe.com`).
    pub api_base: String,
    /// `HOSTFRONT_STRIPE_SECRET_KEY`: empty in a process that takes no
    /// payments; the adapter refuses to start without it.
    pub secret_key: SecretString,
    /// `HOSTFRONT_STRIPE_WEBHOOK_SECRET`: the signing secret of the webhook
    /// endpoint, if one is set up.
    pub webhook_secret: Option<SecretString>,
    /// `HOSTFRONT_STRIPE_PUBLISHABLE_KEY`: the key Stripe.js makes payment
    /// methods with in the browser (`pk_…`); none in a process that serves
    /// no pages that take cards.
    pub publishable_key: Option<String>,
    /// `HOSTFRONT_STRIPE_TIMEOUT_MS` (20000): for each request.
    pub timeout: Duration,
}
