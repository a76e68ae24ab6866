//! Where VIES is, and who asks it.

use std::time::Duration;

use hostfront_core::tax_ids::VatNumber;

/// The Commission's REST API.
pub const DEFAULT_URL: &str = "https://ec.europa.eu/taxation_customs/vies/rest-api";

/// VIES's REST API (`HOSTFRONT_VIES_*`).
#[derive(Debug, Clone)]
pub struct ViesSettings {
    /// `HOSTFRONT_VIES_URL` ([`DEFAULT_URL`]): the API, without the
    /// operation's path.
    pub url: String,
    /// `HOSTFRONT_VIES_REQUESTER`: our own VAT number; with it, VIES gives
    /// each answer a consultation number.
    pub requester: Option<VatNumber>,
    /// `HOSTFRONT_VIES_TIMEOUT_MS` (10000): for each request.
    pub timeout: Duration,
}
