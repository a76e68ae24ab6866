//! How the local process serves: its address, its site, the server's
//! bounds, its queue workers and the grace period of its shutdown. Only the
//! local process (`hostfront`) reads them: the Lambda functions are served
//! by API Gateway and fed by SQS.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use hostfront_core::config::{ConfigError, Env};
use hostfront_http::server::Limits;

/// The local process's address, site, server bounds, workers and grace
/// period, which `local::serve` takes.
#[derive(Debug, Clone)]
pub struct ServerSettings {
    /// `HOSTFRONT_LISTEN`: the address it serves on.
    pub listen: SocketAddr,
    /// `HOSTFRONT_SITE_DIR`, when set; see [`ServerSettings::site_dir`].
    pub site_folder: Option<PathBuf>,
    /// The server's timeouts (`HOSTFRONT_HEADER_TIMEOUT_MS`,
    /// `HOSTFRONT_REQUEST_TIMEOUT_MS`, `HOSTFRONT_IDLE_TIMEOUT_MS`) and the
    /// connections and requests it serves at once
    /// (`HOSTFRONT_MAX_CONNECTIONS`, `HOSTFRONT_MAX_CONCURRENT_REQUESTS`).
    pub limits: Limits,
    /// `HOSTFRONT_WORKERS`: the queue workers in the process.
    pub workers: usize,
    /// `HOSTFRONT_SHUTDOWN_GRACE_SECS`: how long a shutdown waits for the
    /// jobs under way.
    pub shutdown_grace: Duration,
}

/// Connections and requests at once: at least one, at most 2^20.
const BOUND: std::ops::RangeInclusive<u64> = 1..=1 << 20;

impl ServerSettings {
    pub(super) fn read(env: &Env) -> Result<Self, ConfigError> {
        let timeout = |name, default| env.millis(name, default, 1..=u64::MAX);
        let at_once =
            |name, default| Ok::<_, ConfigError>(env.within(name, default, BOUND)? as usize);
        Ok(ServerSettings {
            listen: listen(env)?,
            site_folder: env.get("HOSTFRONT_SITE_DIR").map(PathBuf::from),
            limits: Limits {
                header_timeout: timeout("HOSTFRONT_HEADER_TIMEOUT_MS", 10_000)?,
                request_timeout: timeout("HOSTFRONT_REQUEST_TIMEOUT_MS", 30_000)?,
                idle_timeout: timeout("HOSTFRONT_IDLE_TIMEOUT_MS", 10_000)?,
                max_connections: at_once("HOSTFRONT_MAX_CONNECTIONS", 1024)?,
                max_requests: at_once("HOSTFRONT_MAX_CONCURRENT_REQUESTS", 256)?,
            },
            workers: env.within("HOSTFRONT_WORKERS", 2, 0..=64)? as usize,
            shutdown_grace: Duration::from_secs(env.number("HOSTFRONT_SHUTDOWN_GRACE_SECS", 20)?),
        })
    }

    /// The static site's folder: `HOSTFRONT_SITE_DIR`, else `./site` when run
    /// from the repository, else the site beside the sources.
    pub fn site_dir(&self) -> PathBuf {
        self.site_folder.clone().unwrap_or_else(default_site_dir)
    }
}

fn listen(env: &Env) -> Result<SocketAddr, ConfigError> {
    let listen = env.text("HOSTFRONT_LISTEN", "127.0.0.1:8080");
    listen.parse().map_err(|_| {
        ConfigError::new(format!(
            "HOSTFRONT_LISTEN must be an address like 127.0.0.1:8080, not {listen:?}"
        ))
    })
}

fn default_site_dir() -> PathBuf {
    let here = PathBuf::from("site");
    if here.join("index.html").exists() {
        return here;
    }
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../site")
}
