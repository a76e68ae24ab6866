//! How to reach and log in to an EPP registry.

use std::path::PathBuf;
use std::time::Duration;

use secrecy::{ExposeSecret, SecretString};

/// How to reach and log in to an EPP registry (`HOSTFRONT_EPP_*`).
#[derive(Debug, Clone)]
pub struct EppSettings {
    /// `HOSTFRONT_EPP_HOST` and `HOSTFRONT_EPP_PORT` (700).
    pub host: String,
    pub port: u16,
    /// `HOSTFRONT_EPP_CLIENT_ID`: our registrar id at the registry.
    pub client_id: String,
    /// `HOSTFRONT_EPP_PASSWORD`: empty in a process that never asks the
    /// registry (each secret reaches only the functions that use it); the
    /// adapter refuses to start without it.
    pub password: SecretString,
    /// `HOSTFRONT_EPP_SESSIONS` (2): the most sessions the registry lets us
    /// hold at once, shared by every process.
    pub sessions: usize,
    /// `HOSTFRONT_EPP_CHECK_BATCH` (5): the most names one `<check>` may carry.
    pub check_batch: usize,
    /// `HOSTFRONT_EPP_TIMEOUT_MS` (10000): for each connect and command.
    pub timeout: Duration,
    /// `HOSTFRONT_EPP_CA_FILE`: PEM roots to trust instead of the system's.
    pub ca_file: Option<PathBuf>,
}

impl EppSettings {
    /// Refuses a client id or password that RFC 5730 does not allow
    /// (`clIDType`: 3 to 16 characters; `pwType`: 6 to 16, a token without
    /// spaces at its ends or two in a row), which every login would fail.
    pub fn check(&self) -> Result<(), String> {
        let fits = |value: &str, least: usize| {
            let length = value.chars().count();
            (least..=16).contains(&length)
                && value.split_whitespace().collect::<Vec<_>>().join(" ") == value
        };
        if !fits(&self.client_id, 3) {
            return Err(
                "HOSTFRONT_EPP_CLIENT_ID must be 3 to 16 characters (RFC 5730 clIDType)".into(),
            );
        }
        let password = self.password.expose_secret();
        if !fits(password, 6) {
            return Err(format!(
                "HOSTFRONT_EPP_PASSWORD must be 6 to 16 characters without leading, trailing or doubled spaces (RFC 5730 pwType); it has {}",
                password.chars().count()
            ));
        }
        Ok(())
    }
}
