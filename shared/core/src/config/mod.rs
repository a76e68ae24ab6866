//! The settings the use cases and the routes read, from environment
//! variables, every one with a sane default: business policy (limits,
//! rates, tax, review, renewals, dunning), what customers see (the site's
//! address, the company's name) and what every route applies (the largest
//! body, the cookie, the trusted proxies, the development tools). The rest
//! is the composition root's (`hostfront::settings`): which engine and
//! which adapters run, the adapters' own settings, how the local process
//! serves (its address, site, bounds, workers) and where it keeps its
//! files, and the password hashing pool. The composition root hands this
//! module the two things it derives from those: the default site address
//! and the development mailbox's folder. The table in README.md lists
//! every variable; keep the two in step.

mod env;
mod proxies;
mod seller;
#[cfg(test)]
mod tests;

use std::path::PathBuf;

use ipnet::IpNet;

pub use env::Env;

#[derive(Debug, Clone)]
pub struct Config {
    /// The development mailbox's folder (`outbox` in the process's data
    /// folder): where `HOSTFRONT_MAIL=outbox` delivers mail whole, and what
    /// the development routes show. The composition root, which knows the
    /// process's files, decides it.
    pub mailbox_folder: PathBuf,
    pub max_body_bytes: usize,
    /// How many times a job is received before it goes to the dead letters.
    /// The dispatcher reads it too: the last delivery takes the job's
    /// failure path (its order names the failed step) instead of a retry.
    pub queue_max_receives: u32,
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
    /// The header in which a trusted proxy or the CDN says the client's
    /// country (lower-cased), kept as evidence of where a buyer is.
    pub client_country_header: Option<String>,
    pub check_cache_available_secs: u64,
    pub check_cache_taken_secs: u64,
    /// How many suggestions a domain check returns.
    pub suggestions: usize,
    /// The company's own zone for free subdomains.
    pub subdomain_zone: String,
    /// The company's zone for the proofs of concept of client sites.
    pub preview_zone: String,
    /// The web server of parked domains: a cancelled service's domain the
    /// customer keeps parked points there.
    pub parking_ipv4: std::net::Ipv4Addr,
    pub parking_ipv6: std::net::Ipv6Addr,
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
    /// The seller, as invoices name it.
    pub seller: crate::party::Party,
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
    /// Development only: the outbox of every customer's mail at `/api/outbox`
    /// and the simulated DNS at `/api/dev/dns/{name}`, for callers on this
    /// machine. Off by default, and always off on the AWS engine (the
    /// composition root turns it off there).
    pub dev_tools: bool,
}

#[derive(Debug, thiserror::Error)]
#[error("configuration: {0}")]
pub struct ConfigError(String);

impl ConfigError {
    pub fn new(message: impl Into<String>) -> Self {
        ConfigError(message.into())
    }
}

impl Config {
    /// Reads the policy from `env`. `served_at` is the site's address unless
    /// `HOSTFRONT_PUBLIC_URL` says otherwise, and `mailbox_folder` the
    /// development mailbox's: both are the composition root's to know.
    pub fn read(env: &Env, served_at: &str, mailbox_folder: PathBuf) -> Result<Self, ConfigError> {
        let registrar_calls =
            env.within("HOSTFRONT_REGISTRAR_CALLS_PER_SECOND", 20, 1..=100_000)?;
        // A share of the registrar's quota, at most all of it.
        let share = |name: &str, default: u64| {
            Ok::<_, ConfigError>(env.number(name, default)?.min(registrar_calls) as u32)
        };
        let days = |name: &str, default: u64, most: u64| {
            Ok::<_, ConfigError>(env.within(name, default, 1..=most)? as i64)
        };
        let amount = |name: &str| {
            Ok::<_, ConfigError>(env.number(name, 50_000)?.min(i64::MAX as u64) as i64)
        };
        let company_name = env.text("HOSTFRONT_COMPANY_NAME", "Hostfront Hosting");
        Ok(Config {
            seller: seller::read(env, &company_name)?,
            mailbox_folder,
            max_body_bytes: env.number("HOSTFRONT_MAX_BODY_BYTES", 64 * 1024)? as usize,
            queue_max_receives: env.within("HOSTFRONT_QUEUE_MAX_RECEIVES", 5, 1..=1000)? as u32,
            check_per_minute: env.count("HOSTFRONT_CHECK_PER_MINUTE", 60)?,
            check_burst: env.count("HOSTFRONT_CHECK_BURST", 20)?,
            check_window_limit: env.count("HOSTFRONT_CHECK_WINDOW_LIMIT", 120)?,
            registrar_calls_per_second: registrar_calls as u32,
            registrar_reserved_per_second: share(
                "HOSTFRONT_REGISTRAR_RESERVED_PER_SECOND",
                registrar_calls / 4,
            )?,
            registrar_portal_per_second: share(
                "HOSTFRONT_REGISTRAR_PORTAL_PER_SECOND",
                registrar_calls / 10,
            )?,
            domain_changes_per_minute: env.count("HOSTFRONT_DOMAIN_CHANGES_PER_MINUTE", 10)?,
            trusted_proxies: proxies::trusted(env)?,
            client_country_header: proxies::client_country_header(env)?,
            check_cache_available_secs: env.number("HOSTFRONT_CHECK_CACHE_AVAILABLE_SECS", 300)?,
            check_cache_taken_secs: env.number("HOSTFRONT_CHECK_CACHE_TAKEN_SECS", 6 * 3600)?,
            suggestions: env.within("HOSTFRONT_SUGGESTIONS", 20, 1..=100)? as usize,
            subdomain_zone: env.text("HOSTFRONT_SUBDOMAIN_ZONE", "example.net"),
            preview_zone: env.text("HOSTFRONT_PREVIEW_ZONE", "preview.example.net"),
            // Documentation addresses (RFC 5737, RFC 3849) until set.
            parking_ipv4: env.address("HOSTFRONT_PARKING_IPV4", [192, 0, 2, 80].into())?,
            parking_ipv6: env.address(
                "HOSTFRONT_PARKING_IPV6",
                std::net::Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, 0x80),
            )?,
            auth_per_minute: env.count("HOSTFRONT_AUTH_PER_MINUTE", 10)?,
            auth_window_limit: env.count("HOSTFRONT_AUTH_WINDOW_LIMIT", 30)?,
            purchase_per_minute: env.count("HOSTFRONT_PURCHASE_PER_MINUTE", 10)?,
            purchase_window_limit: env.count("HOSTFRONT_PURCHASE_WINDOW_LIMIT", 20)?,
            cookie_secure: env.flag("HOSTFRONT_COOKIE_SECURE", true)?,
            public_url: env.text("HOSTFRONT_PUBLIC_URL", served_at),
            company_name,
            tax_rate_bps: env.within("HOSTFRONT_TAX_RATE_BPS", 0, 0..=10_000)? as u32,
            review_above: amount("HOSTFRONT_REVIEW_ABOVE")?,
            staff_refund_limit: amount("HOSTFRONT_STAFF_REFUND_LIMIT")?,
            review_orders_per_day: env.count("HOSTFRONT_REVIEW_ORDERS_PER_DAY", 3)?,
            max_unpaid_orders: env.count("HOSTFRONT_MAX_UNPAID_ORDERS", 5)?,
            domain_renewal_lead_days: days("HOSTFRONT_DOMAIN_RENEWAL_LEAD_DAYS", 30, 90)?,
            service_renewal_lead_days: days("HOSTFRONT_SERVICE_RENEWAL_LEAD_DAYS", 14, 60)?,
            dunning_days: env.days("HOSTFRONT_DUNNING_DAYS", "0,3,7")?,
            left_us_after_days: days("HOSTFRONT_LEFT_US_AFTER_DAYS", 7, 90)?,
            declines_per_order: env.within("HOSTFRONT_DECLINES_PER_ORDER", 5, 1..=1000)? as u32,
            declines_per_day: env.within("HOSTFRONT_DECLINES_PER_DAY", 10, 1..=10_000)? as u32,
            dev_tools: env.flag("HOSTFRONT_DEV_TOOLS", false)?,
        })
    }
}
