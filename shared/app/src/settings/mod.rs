//! Everything a process reads from its environment: the core's settings
//! (`hostfront_core::config::Config`, the policy the use cases and routes
//! read) and, here, what only the composition root knows: the engine, the
//! AWS resources, logging, the simulations, how the local process serves
//! (`server`), where the process keeps its files, the password hashing
//! pool, and which adapter serves each outside port with that adapter's
//! own settings. The README's configuration table lists every variable;
//! keep the two in step.

mod adapters;
mod aws;
mod epp;
mod maas;
#[cfg(test)]
mod maas_tests;
mod panel;
mod proxmox;
mod server;
mod stripe;
#[cfg(test)]
mod tests;
mod vies;

use std::path::{Path, PathBuf};
use std::time::Duration;

use hostfront_core::config::{Config, ConfigError, Env};

pub use adapters::{
    Adapters, DnsChoice, HypervisorChoice, MachinesChoice, MailChoice, PanelChoice, PaymentsChoice,
    RegistrarChoice, SesSettings, TaxIdsChoice,
};
pub use aws::AwsSettings;
pub use server::ServerSettings;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    /// SQLite and simulated services in one process.
    Embedded,
    /// DynamoDB and SQS.
    Aws,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    Text,
    Json,
}

/// `HOSTFRONT_LOG_FORMAT` and `HOSTFRONT_LOG`.
#[derive(Debug, Clone)]
pub struct LogSettings {
    pub format: LogFormat,
    pub filter: String,
}

/// The simulated registry and panel: their latency and failures, and the
/// panel's servers and addresses (`HOSTFRONT_SIM_*`).
#[derive(Debug, Clone)]
pub struct Simulations {
    pub registrar_latency_ms: u64,
    pub registrar_failure_rate: f64,
    /// The simulated registry requires a client account per customer.
    pub registrar_client_accounts: bool,
    pub panel_capacity: u32,
    pub panel_addresses: u32,
    pub panel_latency_ms: u64,
    pub panel_failure_rate: f64,
    /// How long the simulated machine pool takes to install a machine.
    pub machine_install_secs: u64,
}

/// The password hashing pool, in every process.
#[derive(Debug, Clone)]
pub struct HashSettings {
    /// `HOSTFRONT_HASH_CONCURRENCY`: hashes that may run at once (each
    /// takes a core and 19 MiB)…
    pub concurrency: usize,
    /// …and `HOSTFRONT_HASH_WAIT_MS`, how long a request waits for one
    /// before a 503.
    pub wait: Duration,
}

#[derive(Debug, Clone)]
pub struct Settings {
    /// `HOSTFRONT_ENGINE`: `embedded` or `aws`.
    pub engine: Engine,
    /// `HOSTFRONT_QUEUE`: the job queue's name, on either engine.
    pub queue_name: String,
    pub aws: AwsSettings,
    pub log: LogSettings,
    pub sim: Simulations,
    pub adapters: Adapters,
    /// How the local process serves; the Lambda functions read none of it.
    pub server: ServerSettings,
    /// `HOSTFRONT_DATA_DIR`: the folder of the process's own files: the
    /// embedded database, its key file and the development mailbox
    /// (`outbox`, the policy's `mailbox_folder`); see [`Settings::set_data_dir`].
    pub data_dir: PathBuf,
    pub hashing: HashSettings,
    /// What the use cases and the routes read.
    pub policy: Config,
}

impl Settings {
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Reads every setting through `lookup`, so tests need not touch the environment.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let env = Env::new(&lookup);
        let server = ServerSettings::read(&env)?;
        let data_dir = PathBuf::from(env.text("HOSTFRONT_DATA_DIR", "data"));
        let served_at = format!("http://{}", server.listen);
        let mut policy = Config::read(&env, &served_at, mailbox_folder(&data_dir))?;
        let engine = match env.one_of("HOSTFRONT_ENGINE", "embedded", &["embedded", "aws"])? {
            "aws" => Engine::Aws,
            _ => Engine::Embedded,
        };
        // The development routes serve files of this machine: never on AWS.
        policy.dev_tools &= engine == Engine::Embedded;
        Ok(Settings {
            engine,
            queue_name: env.text("HOSTFRONT_QUEUE", "hostfront-jobs"),
            aws: AwsSettings::read(&env)?,
            log: LogSettings::read(&env)?,
            sim: Simulations::read(&env)?,
            adapters: Adapters::read(&env, engine, policy.dev_tools)?,
            server,
            data_dir,
            hashing: HashSettings::read(&env)?,
            policy,
        })
    }

    /// Keeps the process's files in `dir`: the database, its key file and
    /// the development mailbox.
    pub fn set_data_dir(&mut self, dir: &Path) {
        self.data_dir = dir.to_path_buf();
        self.policy.mailbox_folder = mailbox_folder(dir);
    }
}

/// The development mailbox, in the data folder.
fn mailbox_folder(data_dir: &Path) -> PathBuf {
    data_dir.join("outbox")
}

impl HashSettings {
    fn read(env: &Env) -> Result<Self, ConfigError> {
        let cores = || std::thread::available_parallelism().map_or(1, |n| n.get()) as u64;
        Ok(HashSettings {
            concurrency: env
                .number_or("HOSTFRONT_HASH_CONCURRENCY", cores)?
                .clamp(1, 256) as usize,
            wait: Duration::from_millis(env.number("HOSTFRONT_HASH_WAIT_MS", 2000)?),
        })
    }
}

impl LogSettings {
    fn read(env: &Env) -> Result<Self, ConfigError> {
        let format = match env.get("HOSTFRONT_LOG_FORMAT").as_deref() {
            None if env.raw("AWS_LAMBDA_FUNCTION_NAME").is_some() => LogFormat::Json,
            None | Some("text") => LogFormat::Text,
            Some("json") => LogFormat::Json,
            Some(other) => {
                return Err(ConfigError::new(format!(
                    "HOSTFRONT_LOG_FORMAT is text or json, not {other:?}"
                )));
            }
        };
        Ok(LogSettings {
            format,
            filter: env.text("HOSTFRONT_LOG", "info"),
        })
    }
}

impl Simulations {
    fn read(env: &Env) -> Result<Self, ConfigError> {
        Ok(Simulations {
            registrar_latency_ms: env.number("HOSTFRONT_SIM_REGISTRAR_LATENCY_MS", 40)?,
            registrar_failure_rate: env.fraction("HOSTFRONT_SIM_REGISTRAR_FAILURE_RATE", 0.0)?,
            registrar_client_accounts: env
                .flag("HOSTFRONT_SIM_REGISTRAR_CLIENT_ACCOUNTS", false)?,
            panel_capacity: env.within("HOSTFRONT_SIM_PANEL_CAPACITY", 200, 0..=u32::MAX.into())?
                as u32,
            panel_addresses: env.within("HOSTFRONT_SIM_PANEL_ADDRESSES", 200, 0..=240)? as u32,
            panel_latency_ms: env.number("HOSTFRONT_SIM_PANEL_LATENCY_MS", 150)?,
            panel_failure_rate: env.fraction("HOSTFRONT_SIM_PANEL_FAILURE_RATE", 0.0)?,
            machine_install_secs: env.number("HOSTFRONT_SIM_MACHINE_INSTALL_SECONDS", 300)?,
        })
    }
}
