//! The `TaxIds` port: whether a VAT number is registered in its member
//! state, asked of the register the EU keeps (VIES) or of a simulation. A
//! business customer whose number is valid in another member state is
//! invoiced under reverse charge, and the answer is the evidence: when it
//! was given, and the register's consultation number for it (VIES gives
//! one when we name our own VAT number as the requester).
//!
//! Three kinds of failure call for three different reactions: a number the
//! register refuses is the customer's to correct (`Malformed`); a register
//! that cannot answer now is asked again later (`Unavailable`); a request
//! the register refuses because of who asks is ours to fix (`Misconfigured`).

mod number;

use async_trait::async_trait;
use time::OffsetDateTime;

pub use number::{MEMBER_STATES, VatNumber, VatNumberError};

/// The register's answer about one number.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct VatCheck {
    pub number: VatNumber,
    /// Registered (an active VAT number) in its member state.
    pub valid: bool,
    /// When the register answered.
    #[serde(with = "time::serde::rfc3339")]
    pub checked_at: OffsetDateTime,
    /// The register's own reference for this consultation (VIES's
    /// `requestIdentifier`), when it gave one.
    pub consultation: Option<String>,
    /// The registered name, when the member state publishes it.
    pub name: Option<String>,
    /// The registered address, when the member state publishes it.
    pub address: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TaxIdError {
    /// The register refuses the number as it was written: the customer's to
    /// correct.
    #[error("not a VAT number the register takes: {0}")]
    Malformed(String),
    /// The register, or the member state's part of it, cannot answer now
    /// (unavailable, busy, timed out, unreachable): ask again later.
    #[error("the VAT register cannot answer now: {0}")]
    Unavailable(String),
    /// The register refuses us (our requester number, our address): staff
    /// must fix the configuration; asking again will not help.
    #[error("the VAT register refuses our request: {0}")]
    Misconfigured(String),
}

impl TaxIdError {
    /// Whether asking again later may get an answer.
    pub fn is_retryable(&self) -> bool {
        matches!(self, TaxIdError::Unavailable(_))
    }
}

#[async_trait]
pub trait TaxIds: Send + Sync {
    fn name(&self) -> &'static str;

    /// Asks the register whether `number` is valid.
    async fn check(&self, number: &VatNumber) -> Result<VatCheck, TaxIdError>;
}

/// A name or address as the register gave it: VIES writes `---` (or
/// nothing) when the member state does not publish it.
pub fn published(text: Option<&str>) -> Option<String> {
    let text = text?.trim();
    (!text.is_empty() && text != "---").then(|| text.to_string())
}
