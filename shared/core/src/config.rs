//! Configuration from environment variables, every one with a sane default.
//! The table in README.md lists them; keep the two in step.

use std::net::SocketAddr;
use std::path::PathBuf;

use ipnet::IpNet;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    /// SQLite and simulated services in one process.
    Embedded,
    /// DynamoDB and SQS.
    Aws,
}

/// Which adapter serves each port that reaches outside the system. Each is
/// `simulated` (or, for DNS and mail, the table's own) until a real adapter
/// exists; on AWS the simulated registrar and payment gateway run only with
/// `HOSTFRONT_DEMO=true`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Adapters {
    /// `HOSTFRONT_REGISTRAR`: `simulated` or `epp` (a registry over EPP,
    /// reached as `epp` says).
    pub registrar: String,
    /// `HOSTFRONT_EPP_*`: the registry, with `HOSTFRONT_REGISTRAR=epp`.
    pub epp: Option<EppSettings>,
    /// `HOSTFRONT_PAYMENTS`: `simulated` or `stripe`.
    pub payments: String,
    /// `HOSTFRONT_STRIPE_*`: the account, with `HOSTFRONT_PAYMENTS=stripe`.
    pub stripe: Option<StripeSettings>,
    /// `HOSTFRONT_PANEL`: `simulated` or `whm` (cPanel & WHM servers).
    pub panel: String,
    /// `HOSTFRONT_WHM_*`: the servers' API, with `HOSTFRONT_PANEL=whm`.
    pub whm: Option<WhmSettings>,
    /// `HOSTFRONT_DNS`: `table` (zones in the table, exported as BIND) or
    /// `route53` (hosted zones on Amazon Route 53; AWS engine only).
    pub dns: String,
    /// `HOSTFRONT_ROUTE53_DELEGATION_SET`: the reusable delegation set whose
    /// nameservers serve every zone, if any.
    pub route53_delegation_set: Option<String>,
    /// `HOSTFRONT_MAIL`: `outbox` (the development mailbox, files in the
    /// data directory; the default with `HOSTFRONT_DEV_TOOLS`), `record` (the
    /// table's record only, secrets withheld) or `ses` (Amazon SES; AWS
    /// engine only).
    pub mail: String,
    /// `HOSTFRONT_MAIL_FROM`: the address mail is sent from, with `ses`.
    pub mail_from: Option<String>,
    /// `HOSTFRONT_SES_CONFIGURATION_SET`: the configuration set that
    /// publishes bounces and complaints, with `ses`.
    pub ses_configuration_set: Option<String>,
    /// `HOSTFRONT_DEMO`: this is a demonstration; simulations may run on AWS.
    pub demo: bool,
}

/// How to reach and log in to an EPP registry.
#[derive(Clone, PartialEq, Eq)]
pub struct EppSettings {
    /// `HOSTFRONT_EPP_HOST` and `HOSTFRONT_EPP_PORT` (700).
    pub host: String,
    pub port: u16,
    /// `HOSTFRONT_EPP_CLIENT_ID`: our registrar id at the registry.
    pub client_id: String,
    /// `HOSTFRONT_EPP_PASSWORD`: empty in a process that never asks the
    /// registry (each secret reaches only the functions that use it); the
    /// adapter refuses to start without it.
    pub password: String,
    /// `HOSTFRONT_EPP_SESSIONS` (2): the most sessions the registry lets us
    /// hold at once, shared by every process.
    pub sessions: usize,
    /// `HOSTFRONT_EPP_CHECK_BATCH` (5): the most names one `<check>` may carry.
    pub check_batch: usize,
    /// `HOSTFRONT_EPP_TIMEOUT_MS` (10000): for each connect and command.
    pub timeout: std::time::Duration,
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
        if !fits(&self.password, 6) {
            return Err(format!(
                "HOSTFRONT_EPP_PASSWORD must be 6 to 16 characters without leading, trailing or doubled spaces (RFC 5730 pwType); it has {}",
                self.password.chars().count()
            ));
        }
        Ok(())
    }
}

impl std::fmt::Debug for EppSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EppSettings")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("client_id", &self.client_id)
            .field("sessions", &self.sessions)
            .field("check_batch", &self.check_batch)
            .finish_non_exhaustive()
    }
}

/// A Stripe account's API.
#[derive(Clone, PartialEq, Eq)]
pub struct StripeSettings {
    /// `HOSTFRONT_STRIPE_API` (`https://api.stripe.com`).
    pub api_base: String,
    /// `HOSTFRONT_STRIPE_SECRET_KEY`: empty in a process that takes no
    /// payments; the adapter refuses to start without it.
    pub secret_key: String,
    /// `HOSTFRONT_STRIPE_WEBHOOK_SECRET`: the signing secret of the webhook
    /// endpoint, if one is set up.
    pub webhook_secret: Option<String>,
    /// `HOSTFRONT_STRIPE_TIMEOUT_MS` (20000): for each request.
    pub timeout: std::time::Duration,
}

impl std::fmt::Debug for StripeSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StripeSettings")
            .field("api_base", &self.api_base)
            .finish_non_exhaustive()
    }
}

/// How to reach the WHM API of each cPanel server, and where the backups
/// of removed accounts go.
#[derive(Clone, PartialEq, Eq)]
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
    pub tokens: Vec<(String, String)>,
    /// `HOSTFRONT_WHM_TIMEOUT_MS` (25000): for each call; making an
    /// account takes seconds.
    pub timeout: std::time::Duration,
    /// `HOSTFRONT_WHM_BACKUP_TARGET`: `scp://user@host[:port]/directory`,
    /// where a removed account's last backup is copied.
    pub backup_target: String,
    /// `HOSTFRONT_WHM_BACKUP_PASSWORD`: that SSH user's password; empty in
    /// a process that tears no account down (a backup is then refused).
    pub backup_password: String,
    /// `HOSTFRONT_WHM_BACKUP_DAYS` (30): how long that host keeps a backup.
    pub backup_days: u32,
}

impl WhmSettings {
    /// The API token for server `name` (`web1`).
    pub fn token(&self, name: &str) -> Option<&str> {
        let named = |n: &str| self.tokens.iter().find(|(s, _)| s == n);
        named(name).or_else(|| named("*")).map(|(_, t)| t.as_str())
    }
}

impl std::fmt::Debug for WhmSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WhmSettings")
            .field("url", &self.url)
            .field("user", &self.user)
            .field("backup_target", &self.backup_target)
            .finish_non_exhaustive()
    }
}

/// `web1=TOKEN,web2=TOKEN` as pairs.
fn server_tokens(value: &str) -> Result<Vec<(String, String)>, ConfigError> {
    value
        .split(',')
        .filter(|pair| !pair.trim().is_empty())
        .map(|pair| match pair.trim().split_once('=') {
            Some((server, token)) if !server.is_empty() && !token.is_empty() => {
                Ok((server.to_string(), token.to_string()))
            }
            _ => Err(ConfigError(
                "HOSTFRONT_WHM_TOKENS is server=token pairs, such as web1=…,web2=…".into(),
            )),
        })
        .collect()
}

impl Adapters {
    /// The simulations that would take real money or names on AWS.
    pub fn unsafe_in_production(&self) -> Vec<&'static str> {
        let mut found = Vec::new();
        if self.registrar == "simulated" {
            found.push("HOSTFRONT_REGISTRAR=simulated (any name \"registers\")");
        }
        if self.payments == "simulated" {
            found.push("HOSTFRONT_PAYMENTS=simulated (any Luhn-valid card \"pays\")");
        }
        if self.panel == "simulated" {
            found.push("HOSTFRONT_PANEL=simulated (hosting accounts exist only in the table)");
        }
        found
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    Text,
    Json,
}

#[derive(Debug, Clone)]
pub struct Config {
    pub engine: Engine,
    pub data_dir: PathBuf,
    pub listen: SocketAddr,
    /// The static site's folder (`HOSTFRONT_SITE_DIR`), when set; see
    /// [`Config::site_dir`].
    pub site_folder: Option<PathBuf>,
    pub table_name: String,
    pub queue_name: String,
    pub queue_url: Option<String>,
    pub dead_letter_queue_url: Option<String>,
    pub aws_endpoint: Option<String>,
    /// The KMS key that seals secrets at rest on AWS.
    pub kms_key_id: Option<String>,
    pub create_resources: bool,
    pub log_format: LogFormat,
    pub log_filter: String,
    pub max_body_bytes: usize,
    pub queue_max_receives: u32,
    pub workers: usize,
    pub shutdown_grace_secs: u64,
    /// Domain checks a client may make per minute in one process (governor)…
    pub check_per_minute: u32,
    /// …in a burst…
    pub check_burst: u32,
    /// …and per minute across every process (a counter in the table).
    pub check_window_limit: u32,
    /// The registrar's quota: calls per second for everybody together.
    pub registrar_calls_per_second: u32,
    /// Of those, the calls per second searches leave for orders, renewals
    /// and domain management.
    pub registrar_reserved_per_second: u32,
    /// Of those, the calls per second kept for customers' domain changes
    /// in the portal, which nothing else may use and they may not exceed.
    pub registrar_portal_per_second: u32,
    /// Domain changes and refreshes a customer may make per minute, in each
    /// process (bursts of half that) and, twice that, across all.
    pub domain_changes_per_minute: u32,
    /// Proxies whose `X-Forwarded-For` is believed.
    pub trusted_proxies: Vec<IpNet>,
    pub check_cache_available_secs: u64,
    pub check_cache_taken_secs: u64,
    /// How many suggestions a domain check returns.
    pub suggestions: usize,
    /// The company's own zone for free subdomains.
    pub subdomain_zone: String,
    pub sim_registrar_latency_ms: u64,
    pub sim_registrar_failure_rate: f64,
    /// Signups and logins a client may try per minute in one process, and across all.
    pub auth_per_minute: u32,
    pub auth_window_limit: u32,
    /// Orders placed and paid per client, and per customer, per minute in each
    /// process (bursts of half that), and across all.
    pub purchase_per_minute: u32,
    pub purchase_window_limit: u32,
    /// Send the session cookie with `Secure` (turn off only for plain-HTTP hosts other than localhost).
    pub cookie_secure: bool,
    /// Where customers reach the site, for links in mails.
    pub public_url: String,
    /// The company's name, as mails sign it.
    pub company_name: String,
    /// Tax on invoices, in basis points (2000 is 20 %).
    pub tax_rate_bps: u32,
    /// Paid orders above this total (minor units) wait for staff review.
    pub review_above: i64,
    /// The most (minor units) a member of staff with the billing role may
    /// refund at once; admins have no limit.
    pub staff_refund_limit: i64,
    /// An account's orders in 24 hours above which each waits for review.
    pub review_orders_per_day: u32,
    /// Orders a customer may have awaiting payment at once (each holds a domain for a week).
    pub max_unpaid_orders: u32,
    /// How many days before its expiry an auto-renewing domain is invoiced.
    pub domain_renewal_lead_days: i64,
    /// How many days before its due date a service's next period is invoiced.
    pub service_renewal_lead_days: i64,
    /// Days after the due date on which a failed automatic charge is tried
    /// again (the first is the due date itself), e.g. `0,3,7`.
    pub dunning_days: Vec<i64>,
    /// Consecutive days a hosted domain must point elsewhere before its
    /// owner is asked and staff are asked to confirm a cancellation.
    pub left_us_after_days: i64,
    /// Cards that may be declined for one thing paid (an order, a renewal, an
    /// invoice, a service's upgrades, the saved card), and for one customer
    /// in a UTC day on every path that charges or saves a card.
    pub declines_per_order: u32,
    pub declines_per_day: u32,
    /// The simulated panel: accounts per server, addresses in its pool, latency, failures.
    pub sim_panel_capacity: u32,
    pub sim_panel_addresses: u32,
    pub sim_panel_latency_ms: u64,
    pub sim_panel_failure_rate: f64,
    /// Development only: the outbox of every customer's mail at `/api/outbox`
    /// and the simulated DNS at `/api/dev/dns/{name}`, for callers on this
    /// machine, on the embedded engine. Off by default.
    pub dev_tools: bool,
    /// Password hashes that may run at once (each takes a core and 19 MiB)…
    pub hash_concurrency: usize,
    /// …and how long a request waits for one before a 503.
    pub hash_wait_ms: u64,
    /// The local server: time to send a request's headers, time a request may
    /// take, time a connection may sit idle, connections and requests served at once.
    pub header_timeout_ms: u64,
    pub request_timeout_ms: u64,
    pub idle_timeout_ms: u64,
    pub max_connections: usize,
    pub max_concurrent_requests: usize,
    pub adapters: Adapters,
}

#[derive(Debug, thiserror::Error)]
#[error("configuration: {0}")]
pub struct ConfigError(String);

impl Config {
    /// The static site's folder: `HOSTFRONT_SITE_DIR`, else `./site` when run
    /// from the repository, else the site beside the sources. Only the local
    /// server serves it, so only it looks.
    pub fn site_dir(&self) -> PathBuf {
        self.site_folder.clone().unwrap_or_else(default_site_dir)
    }

    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Reads every setting through `lookup`, so tests need not touch the environment.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let get = |name: &str| {
            lookup(name)
                .map(|v| v.trim().to_string())
                .filter(|v| !v.is_empty())
        };
        let parse = |name: &str, default: &str| -> Result<String, ConfigError> {
            Ok(get(name).unwrap_or_else(|| default.to_string()))
        };
        // A default that takes a system call to know is asked for only when needed.
        let number_or = |name: &str, default: &dyn Fn() -> u64| -> Result<u64, ConfigError> {
            get(name)
                .map(|v| {
                    v.parse::<u64>().map_err(|_| {
                        ConfigError(format!("{name} must be a whole number, not {v:?}"))
                    })
                })
                .unwrap_or_else(|| Ok(default()))
        };
        let number = |name: &str, default: u64| number_or(name, &|| default);
        let fraction = |name: &str, default: f64| -> Result<f64, ConfigError> {
            match get(name) {
                None => Ok(default),
                Some(v) => v
                    .parse::<f64>()
                    .ok()
                    .filter(|f| (0.0..=1.0).contains(f))
                    .ok_or_else(|| {
                        ConfigError(format!("{name} must be a number from 0 to 1, not {v:?}"))
                    }),
            }
        };
        // Days after a due date, ascending, the first 0 or more, at most 60.
        let days_list = |name: &str, default: &str| -> Result<Vec<i64>, ConfigError> {
            let text = get(name).unwrap_or_else(|| default.to_string());
            let days: Option<Vec<i64>> = text
                .split(',')
                .map(|d| {
                    d.trim()
                        .parse::<i64>()
                        .ok()
                        .filter(|d| (0..=60).contains(d))
                })
                .collect();
            days.filter(|d| !d.is_empty() && d.windows(2).all(|w| w[0] < w[1]))
                .ok_or_else(|| {
                    ConfigError(format!(
                        "{name} must be ascending days from 0 to 60, comma-separated, not {text:?}"
                    ))
                })
        };
        let registrar_calls_per_second =
            number("HOSTFRONT_REGISTRAR_CALLS_PER_SECOND", 20)?.clamp(1, 100_000) as u32;
        let trusted_proxies = get("HOSTFRONT_TRUSTED_PROXIES")
            .unwrap_or_default()
            .split(',')
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .map(|p| {
                p.parse::<IpNet>()
                    .or_else(|_| p.parse::<std::net::IpAddr>().map(IpNet::from))
                    .map_err(|_| {
                        ConfigError(format!(
                            "HOSTFRONT_TRUSTED_PROXIES: {p:?} is not an address or CIDR range"
                        ))
                    })
            })
            .collect::<Result<Vec<_>, _>>()?;
        let engine = match parse("HOSTFRONT_ENGINE", "embedded")?.as_str() {
            "embedded" => Engine::Embedded,
            "aws" => Engine::Aws,
            other => {
                return Err(ConfigError(format!(
                    "HOSTFRONT_ENGINE is embedded or aws, not {other:?}"
                )));
            }
        };
        let log_format = match get("HOSTFRONT_LOG_FORMAT").as_deref() {
            None if lookup("AWS_LAMBDA_FUNCTION_NAME").is_some() => LogFormat::Json,
            None | Some("text") => LogFormat::Text,
            Some("json") => LogFormat::Json,
            Some(other) => {
                return Err(ConfigError(format!(
                    "HOSTFRONT_LOG_FORMAT is text or json, not {other:?}"
                )));
            }
        };
        let listen = parse("HOSTFRONT_LISTEN", "127.0.0.1:8080")?;
        let listen: SocketAddr = listen.parse().map_err(|_| {
            ConfigError(format!(
                "HOSTFRONT_LISTEN must be an address like 127.0.0.1:8080, not {listen:?}"
            ))
        })?;
        let flag = |name: &str, default: bool| -> Result<bool, ConfigError> {
            match get(name).as_deref() {
                None => Ok(default),
                Some("1" | "true" | "yes") => Ok(true),
                Some("0" | "false" | "no") => Ok(false),
                Some(other) => Err(ConfigError(format!(
                    "{name} is true or false, not {other:?}"
                ))),
            }
        };
        let create_resources = flag("HOSTFRONT_CREATE_RESOURCES", false)?;
        let choice = |name: &str, default: &str, allowed: &[&str]| -> Result<String, ConfigError> {
            let value = parse(name, default)?;
            if allowed.contains(&value.as_str()) {
                Ok(value)
            } else {
                Err(ConfigError(format!(
                    "{name} is {}, not {value:?}",
                    allowed.join(" or ")
                )))
            }
        };
        // The outbox folder is a development mailbox: it holds mails whole,
        // links' tokens included, so it is the default only with the
        // development tools on.
        let default_mail = if engine == Engine::Embedded && flag("HOSTFRONT_DEV_TOOLS", false)? {
            "outbox"
        } else {
            "record"
        };
        let registrar = choice("HOSTFRONT_REGISTRAR", "simulated", &["simulated", "epp"])?;
        let epp = if registrar == "epp" {
            let required = |name: &str| {
                get(name)
                    .ok_or_else(|| ConfigError(format!("HOSTFRONT_REGISTRAR=epp needs {name}")))
            };
            let settings = EppSettings {
                host: required("HOSTFRONT_EPP_HOST")?,
                port: number("HOSTFRONT_EPP_PORT", 700)?.clamp(1, 65_535) as u16,
                client_id: required("HOSTFRONT_EPP_CLIENT_ID")?,
                password: get("HOSTFRONT_EPP_PASSWORD").unwrap_or_default(),
                sessions: number("HOSTFRONT_EPP_SESSIONS", 2)?.clamp(1, 100) as usize,
                check_batch: number("HOSTFRONT_EPP_CHECK_BATCH", 5)?.clamp(1, 100) as usize,
                timeout: std::time::Duration::from_millis(
                    number("HOSTFRONT_EPP_TIMEOUT_MS", 10_000)?.clamp(100, 120_000),
                ),
                ca_file: get("HOSTFRONT_EPP_CA_FILE").map(PathBuf::from),
            };
            settings.check().map_err(ConfigError)?;
            Some(settings)
        } else {
            None
        };
        let payments = choice("HOSTFRONT_PAYMENTS", "simulated", &["simulated", "stripe"])?;
        let stripe = if payments == "stripe" {
            Some(StripeSettings {
                api_base: parse("HOSTFRONT_STRIPE_API", "https://api.stripe.com")?,
                secret_key: get("HOSTFRONT_STRIPE_SECRET_KEY").unwrap_or_default(),
                webhook_secret: get("HOSTFRONT_STRIPE_WEBHOOK_SECRET"),
                timeout: std::time::Duration::from_millis(
                    number("HOSTFRONT_STRIPE_TIMEOUT_MS", 20_000)?.clamp(100, 120_000),
                ),
            })
        } else {
            None
        };
        let panel = choice("HOSTFRONT_PANEL", "simulated", &["simulated", "whm"])?;
        let whm = if panel == "whm" {
            let required = |name: &str| {
                get(name).ok_or_else(|| ConfigError(format!("HOSTFRONT_PANEL=whm needs {name}")))
            };
            let tokens = server_tokens(&get("HOSTFRONT_WHM_TOKENS").unwrap_or_default())?;
            Some(WhmSettings {
                url: parse("HOSTFRONT_WHM_URL", "https://{server}:2087")?,
                user: parse("HOSTFRONT_WHM_USER", "root")?,
                tokens,
                timeout: std::time::Duration::from_millis(
                    number("HOSTFRONT_WHM_TIMEOUT_MS", 25_000)?.clamp(100, 300_000),
                ),
                backup_target: required("HOSTFRONT_WHM_BACKUP_TARGET")?,
                backup_password: get("HOSTFRONT_WHM_BACKUP_PASSWORD").unwrap_or_default(),
                backup_days: number("HOSTFRONT_WHM_BACKUP_DAYS", 30)?.clamp(1, 3650) as u32,
            })
        } else {
            None
        };
        let adapters = Adapters {
            registrar,
            epp,
            payments,
            stripe,
            panel,
            whm,
            dns: choice("HOSTFRONT_DNS", "table", &["table", "route53"])?,
            mail: choice("HOSTFRONT_MAIL", default_mail, &["outbox", "record", "ses"])?,
            mail_from: get("HOSTFRONT_MAIL_FROM"),
            ses_configuration_set: get("HOSTFRONT_SES_CONFIGURATION_SET"),
            demo: flag("HOSTFRONT_DEMO", false)?,
            route53_delegation_set: get("HOSTFRONT_ROUTE53_DELEGATION_SET"),
        };
        if adapters.mail == "ses" && (engine != Engine::Aws || adapters.mail_from.is_none()) {
            return Err(ConfigError(
                "HOSTFRONT_MAIL=ses needs HOSTFRONT_ENGINE=aws and HOSTFRONT_MAIL_FROM".to_string(),
            ));
        }
        if adapters.dns == "route53" && engine != Engine::Aws {
            return Err(ConfigError(
                "HOSTFRONT_DNS=route53 needs HOSTFRONT_ENGINE=aws".to_string(),
            ));
        }
        Ok(Config {
            engine,
            data_dir: parse("HOSTFRONT_DATA_DIR", "data")?.into(),
            listen,
            site_folder: get("HOSTFRONT_SITE_DIR").map(PathBuf::from),
            table_name: parse("HOSTFRONT_TABLE", "hostfront")?,
            queue_name: parse("HOSTFRONT_QUEUE", "hostfront-jobs")?,
            queue_url: get("HOSTFRONT_QUEUE_URL"),
            dead_letter_queue_url: get("HOSTFRONT_DLQ_URL"),
            aws_endpoint: get("HOSTFRONT_AWS_ENDPOINT"),
            kms_key_id: get("HOSTFRONT_KMS_KEY_ID"),
            create_resources,
            log_format,
            log_filter: parse("HOSTFRONT_LOG", "info")?,
            max_body_bytes: number("HOSTFRONT_MAX_BODY_BYTES", 64 * 1024)? as usize,
            queue_max_receives: number("HOSTFRONT_QUEUE_MAX_RECEIVES", 5)?.clamp(1, 1000) as u32,
            workers: number("HOSTFRONT_WORKERS", 2)?.clamp(0, 64) as usize,
            shutdown_grace_secs: number("HOSTFRONT_SHUTDOWN_GRACE_SECS", 20)?,
            check_per_minute: number("HOSTFRONT_CHECK_PER_MINUTE", 60)?.clamp(1, u32::MAX as u64)
                as u32,
            check_burst: number("HOSTFRONT_CHECK_BURST", 20)?.clamp(1, u32::MAX as u64) as u32,
            check_window_limit: number("HOSTFRONT_CHECK_WINDOW_LIMIT", 120)?
                .clamp(1, u32::MAX as u64) as u32,
            registrar_calls_per_second,
            registrar_reserved_per_second: number(
                "HOSTFRONT_REGISTRAR_RESERVED_PER_SECOND",
                u64::from(registrar_calls_per_second / 4),
            )?
            .min(u64::from(registrar_calls_per_second))
                as u32,
            registrar_portal_per_second: number(
                "HOSTFRONT_REGISTRAR_PORTAL_PER_SECOND",
                u64::from(registrar_calls_per_second / 10),
            )?
            .min(u64::from(registrar_calls_per_second))
                as u32,
            domain_changes_per_minute: number("HOSTFRONT_DOMAIN_CHANGES_PER_MINUTE", 10)?
                .clamp(1, u32::MAX as u64) as u32,
            trusted_proxies,
            check_cache_available_secs: number("HOSTFRONT_CHECK_CACHE_AVAILABLE_SECS", 300)?,
            check_cache_taken_secs: number("HOSTFRONT_CHECK_CACHE_TAKEN_SECS", 6 * 3600)?,
            domain_renewal_lead_days: number("HOSTFRONT_DOMAIN_RENEWAL_LEAD_DAYS", 30)?.clamp(1, 90)
                as i64,
            dunning_days: days_list("HOSTFRONT_DUNNING_DAYS", "0,3,7")?,
            left_us_after_days: number("HOSTFRONT_LEFT_US_AFTER_DAYS", 7)?.clamp(1, 90) as i64,
            service_renewal_lead_days: number("HOSTFRONT_SERVICE_RENEWAL_LEAD_DAYS", 14)?
                .clamp(1, 60) as i64,
            suggestions: number("HOSTFRONT_SUGGESTIONS", 20)?.clamp(1, 100) as usize,
            subdomain_zone: parse("HOSTFRONT_SUBDOMAIN_ZONE", "example.net")?,
            sim_registrar_latency_ms: number("HOSTFRONT_SIM_REGISTRAR_LATENCY_MS", 40)?,
            sim_registrar_failure_rate: fraction("HOSTFRONT_SIM_REGISTRAR_FAILURE_RATE", 0.0)?,
            auth_per_minute: number("HOSTFRONT_AUTH_PER_MINUTE", 10)?.clamp(1, u32::MAX as u64)
                as u32,
            auth_window_limit: number("HOSTFRONT_AUTH_WINDOW_LIMIT", 30)?.clamp(1, u32::MAX as u64)
                as u32,
            purchase_per_minute: number("HOSTFRONT_PURCHASE_PER_MINUTE", 10)?
                .clamp(1, u32::MAX as u64) as u32,
            purchase_window_limit: number("HOSTFRONT_PURCHASE_WINDOW_LIMIT", 20)?
                .clamp(1, u32::MAX as u64) as u32,
            cookie_secure: flag("HOSTFRONT_COOKIE_SECURE", true)?,
            public_url: parse("HOSTFRONT_PUBLIC_URL", &format!("http://{listen}"))?,
            company_name: parse("HOSTFRONT_COMPANY_NAME", "Hostfront Hosting")?,
            tax_rate_bps: number("HOSTFRONT_TAX_RATE_BPS", 0)?.clamp(0, 10_000) as u32,
            review_above: number("HOSTFRONT_REVIEW_ABOVE", 50_000)?.min(i64::MAX as u64) as i64,
            staff_refund_limit: number("HOSTFRONT_STAFF_REFUND_LIMIT", 50_000)?.min(i64::MAX as u64)
                as i64,
            review_orders_per_day: number("HOSTFRONT_REVIEW_ORDERS_PER_DAY", 3)?
                .clamp(1, u32::MAX as u64) as u32,
            max_unpaid_orders: number("HOSTFRONT_MAX_UNPAID_ORDERS", 5)?.clamp(1, u32::MAX as u64)
                as u32,
            declines_per_order: number("HOSTFRONT_DECLINES_PER_ORDER", 5)?.clamp(1, 1000) as u32,
            declines_per_day: number("HOSTFRONT_DECLINES_PER_DAY", 10)?.clamp(1, 10_000) as u32,
            sim_panel_capacity: number("HOSTFRONT_SIM_PANEL_CAPACITY", 200)?
                .clamp(0, u32::MAX as u64) as u32,
            sim_panel_addresses: number("HOSTFRONT_SIM_PANEL_ADDRESSES", 200)?.clamp(0, 240) as u32,
            sim_panel_latency_ms: number("HOSTFRONT_SIM_PANEL_LATENCY_MS", 150)?,
            sim_panel_failure_rate: fraction("HOSTFRONT_SIM_PANEL_FAILURE_RATE", 0.0)?,
            dev_tools: flag("HOSTFRONT_DEV_TOOLS", false)?,
            hash_concurrency: number_or("HOSTFRONT_HASH_CONCURRENCY", &|| cores() as u64)?
                .clamp(1, 256) as usize,
            hash_wait_ms: number("HOSTFRONT_HASH_WAIT_MS", 2000)?,
            header_timeout_ms: number("HOSTFRONT_HEADER_TIMEOUT_MS", 10_000)?.max(1),
            request_timeout_ms: number("HOSTFRONT_REQUEST_TIMEOUT_MS", 30_000)?.max(1),
            idle_timeout_ms: number("HOSTFRONT_IDLE_TIMEOUT_MS", 10_000)?.max(1),
            max_connections: number("HOSTFRONT_MAX_CONNECTIONS", 1024)?.clamp(1, 1 << 20) as usize,
            max_concurrent_requests: number("HOSTFRONT_MAX_CONCURRENT_REQUESTS", 256)?
                .clamp(1, 1 << 20) as usize,
            adapters,
        })
    }
}

fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

fn default_site_dir() -> PathBuf {
    let here = PathBuf::from("site");
    if here.join("index.html").exists() {
        return here;
    }
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../site")
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    fn config(pairs: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Config::from_lookup(|k| map.get(k).cloned())
    }

    #[test]
    fn defaults_run_embedded_on_loopback() {
        let c = config(&[]).unwrap();
        assert_eq!(c.engine, Engine::Embedded);
        assert_eq!(c.listen.to_string(), "127.0.0.1:8080");
        assert_eq!(c.data_dir, PathBuf::from("data"));
        assert_eq!(c.log_format, LogFormat::Text);
        assert_eq!(c.queue_max_receives, 5);
    }

    #[test]
    fn lambda_logs_json_by_default() {
        let c = config(&[
            ("AWS_LAMBDA_FUNCTION_NAME", "api"),
            ("HOSTFRONT_ENGINE", "aws"),
        ])
        .unwrap();
        assert_eq!(c.log_format, LogFormat::Json);
        assert_eq!(c.engine, Engine::Aws);
    }

    #[test]
    fn dunning_days_are_ascending() {
        assert_eq!(config(&[]).unwrap().dunning_days, [0, 3, 7]);
        assert_eq!(
            config(&[("HOSTFRONT_DUNNING_DAYS", "1, 5")])
                .unwrap()
                .dunning_days,
            [1, 5]
        );
        for bad in ["3,1", "x", "0,99", "1,,2"] {
            assert!(config(&[("HOSTFRONT_DUNNING_DAYS", bad)]).is_err(), "{bad}");
        }
    }

    #[test]
    fn bad_values_are_named() {
        let e = config(&[("HOSTFRONT_ENGINE", "mongo")]).unwrap_err();
        assert!(e.to_string().contains("HOSTFRONT_ENGINE"));
        let e = config(&[("HOSTFRONT_WORKERS", "many")]).unwrap_err();
        assert!(e.to_string().contains("HOSTFRONT_WORKERS"));
        let e = config(&[("HOSTFRONT_LISTEN", "port 80")]).unwrap_err();
        assert!(e.to_string().contains("HOSTFRONT_LISTEN"));
        let e = config(&[("HOSTFRONT_SIM_REGISTRAR_FAILURE_RATE", "2")]).unwrap_err();
        assert!(e.to_string().contains("FAILURE_RATE"));
        let e = config(&[("HOSTFRONT_TRUSTED_PROXIES", "10.0.0.0/8, nonsense")]).unwrap_err();
        assert!(e.to_string().contains("nonsense"));
    }

    #[test]
    fn adapters_are_chosen_by_name() {
        let local = config(&[]).unwrap().adapters;
        assert_eq!((local.mail.as_str(), local.demo), ("record", false));
        let developing = config(&[("HOSTFRONT_DEV_TOOLS", "true")]).unwrap().adapters;
        assert_eq!(developing.mail, "outbox", "the development mailbox");
        assert_eq!(local.unsafe_in_production().len(), 3);
        let aws = config(&[("HOSTFRONT_ENGINE", "aws")]).unwrap().adapters;
        assert_eq!(aws.mail, "record");
        let e = config(&[("HOSTFRONT_PAYMENTS", "stripe-ish")]).unwrap_err();
        assert!(
            e.to_string().contains("HOSTFRONT_PAYMENTS is simulated"),
            "{e}"
        );
        let e = config(&[("HOSTFRONT_MAIL", "pigeon")]).unwrap_err();
        assert!(e.to_string().contains("outbox or record or ses"), "{e}");
        let e = config(&[("HOSTFRONT_ENGINE", "aws"), ("HOSTFRONT_MAIL", "ses")]).unwrap_err();
        assert!(e.to_string().contains("HOSTFRONT_MAIL_FROM"), "{e}");
        let route53 = config(&[
            ("HOSTFRONT_ENGINE", "aws"),
            ("HOSTFRONT_DNS", "route53"),
            ("HOSTFRONT_ROUTE53_DELEGATION_SET", "N1PA6795SAMPLE"),
        ])
        .unwrap()
        .adapters;
        assert_eq!(
            (
                route53.dns.as_str(),
                route53.route53_delegation_set.as_deref()
            ),
            ("route53", Some("N1PA6795SAMPLE"))
        );
        let e = config(&[("HOSTFRONT_DNS", "route53")]).unwrap_err();
        assert!(e.to_string().contains("HOSTFRONT_ENGINE=aws"), "{e}");
        let e = config(&[("HOSTFRONT_REGISTRAR", "epp")]).unwrap_err();
        assert!(e.to_string().contains("HOSTFRONT_EPP_HOST"), "{e}");
        let epp = config(&[
            ("HOSTFRONT_REGISTRAR", "epp"),
            ("HOSTFRONT_EPP_HOST", "epp.registry.example"),
            ("HOSTFRONT_EPP_CLIENT_ID", "hostfront"),
            ("HOSTFRONT_EPP_PASSWORD", "secret"),
            ("HOSTFRONT_EPP_SESSIONS", "4"),
        ])
        .unwrap()
        .adapters;
        let settings = epp.epp.clone().expect("EPP settings");
        assert_eq!(
            (settings.port, settings.sessions, settings.check_batch),
            (700, 4, 5)
        );
        assert!(
            !format!("{settings:?}").contains("secret"),
            "the password is never logged"
        );
        assert_eq!(
            epp.unsafe_in_production().len(),
            2,
            "the payments and the panel remain simulated"
        );
        let e = config(&[("HOSTFRONT_PANEL", "whm")]).unwrap_err();
        assert!(e.to_string().contains("HOSTFRONT_WHM_BACKUP_TARGET"), "{e}");
        let whm = |tokens: &str| {
            config(&[
                ("HOSTFRONT_PANEL", "whm"),
                ("HOSTFRONT_WHM_TOKENS", tokens),
                (
                    "HOSTFRONT_WHM_BACKUP_TARGET",
                    "scp://b@vault.example/backups",
                ),
                ("HOSTFRONT_WHM_BACKUP_PASSWORD", "vault secret"),
            ])
        };
        let settings = whm("web1=ONE, *=ALL")
            .unwrap()
            .adapters
            .whm
            .expect("WHM settings");
        assert_eq!(
            (settings.token("web1"), settings.token("web2")),
            (Some("ONE"), Some("ALL"))
        );
        assert_eq!(settings.url, "https://{server}:2087");
        let logged = format!("{settings:?}");
        assert!(
            !logged.contains("ONE") && !logged.contains("vault secret"),
            "{logged}"
        );
        let only_web1 = whm("web1=ONE").unwrap().adapters.whm.unwrap();
        assert_eq!(only_web1.token("web2"), None);
        let e = whm("web1").unwrap_err();
        assert!(e.to_string().contains("server=token"), "{e}");
    }

    #[test]
    fn trusted_proxies_take_addresses_and_ranges() {
        let c = config(&[("HOSTFRONT_TRUSTED_PROXIES", "10.0.0.0/8, 127.0.0.1,::1")]).unwrap();
        let proxies: Vec<String> = c.trusted_proxies.iter().map(ToString::to_string).collect();
        assert_eq!(proxies, ["10.0.0.0/8", "127.0.0.1/32", "::1/128"]);
    }
}
