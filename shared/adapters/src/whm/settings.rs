//! How to reach the WHM API of each cPanel server, and where the backups
//! of removed accounts go.

use std::time::Duration;

use secrecy::{ExposeSecret, SecretString};

/// The WHM API of each server (`HOSTFRONT_WHM_*`).
#[derive(Debug, Clone)]
pub struct WhmSettings {
    /// `HOSTFRONT_WHM_URL` (`https://{server}:2087`): a server's API, with
    /// `{server}` its full host name (`web1.example.net`).
    pub url: String,
    /// `HOSTFRONT_WHM_USER` (`root`): the user the API tokens belong to.
    pub user: String,
    /// `HOSTFRONT_WHM_TOKENS`: `web1=TOKEN,web2=TOKEN`, each server's API
    /// token; `*=TOKEN` serves every server not named. None in a process
    /// that only reads the panel's inventory (a call to a server without its
    /// token is refused).
    pub tokens: Vec<(String, SecretString)>,
    /// `HOSTFRONT_WHM_TIMEOUT_MS` (25000): for each call; making an
    /// account takes seconds.
    pub timeout: Duration,
    /// `HOSTFRONT_WHM_BACKUP_TARGET`: `scp://user@host[:port]/directory`,
    /// where a removed account's last backup is copied.
    pub backup_target: String,
    /// `HOSTFRONT_WHM_BACKUP_PASSWORD`: that SSH user's password; empty in
    /// a process that tears no account down (a backup is then refused).
    pub backup_password: SecretString,
    /// `HOSTFRONT_WHM_BACKUP_DAYS` (30): how long that host keeps a backup.
    pub backup_days: u32,
}

impl WhmSettings {
    /// The API token for server `name` (`web1`).
    pub fn token(&self, name: &str) -> Option<&str> {
        let named = |n: &str| self.tokens.iter().find(|(s, _)| s == n);
        named(name)
            .or_else(|| named("*"))
            .map(|(_, t)| t.expose_secret())
    }
}

/// `web1=TOKEN,web2=TOKEN` as pairs, or what is wrong with it.
pub fn server_tokens(value: &str) -> Result<Vec<(String, SecretString)>, String> {
    value
        .split(',')
        .filter(|pair| !pair.trim().is_empty())
        .map(|pair| match pair.trim().split_once('=') {
            Some((server, token)) if !server.is_empty() && !token.is_empty() => {
                Ok((server.to_string(), token.into()))
            }
            _ => Err("HOSTFRONT_WHM_TOKENS is server=token pairs, such as web1=…,web2=…".into()),
        })
        .collect()
}
