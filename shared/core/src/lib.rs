//! Hostfront: the storefront and self-service portal of a web-hosting company.
//!
//! - `store` and `queue`: the `Table` and `Queue` ports with their SQLite and
//!   AWS engines;
//! - `catalog`: plans and domain prices;
//! - `domains`: name rules, suggestions and the availability check;
//! - `registrar`: the `Registrar` port and the simulated registry;
//! - `accounts` and `orders`: customers, orders, invoices, checkout and the
//!   provisioning saga; `payments` and `panel`: the gateway and hosting-panel
//!   ports with their simulations; `dns`: zones; `mail`: templated mail;
//! - `ratelimit`: per-client limits in the process and across processes;
//! - `http`: the axum routers, one per route group;
//! - `jobs` and `scheduler`: queue workers and periodic tasks;
//! - `services`: the ports an entrypoint wires together from `config`.

pub mod accounts;
pub mod audit;
pub mod billing;
pub mod catalog;
pub mod clock;
pub mod config;
pub mod daily;
pub mod dispatch;
pub mod dns;
pub mod dnshost;
pub mod domains;
pub mod hashing;
pub mod idempotency;
pub mod input;
pub mod jobs;
pub mod lifecycle;
pub mod mail;
pub mod mailbox;
pub mod mailer;
pub mod money;
pub mod orders;
pub mod panel;
pub mod payments;
pub mod private_files;
pub mod queue;
pub mod ratelimit;
pub mod records;
pub mod registrar;
pub mod renewals;
pub mod resolver;
pub mod scheduler;
pub mod secrets;
pub mod services;
pub mod staff;
pub mod stats;
pub mod store;
pub mod subscriptions;
pub mod workflow;

pub use services::{
    Billing, Catalogs, Hashing, Hosting, Lookups, Mailing, Provisioning, Queueing, Registry,
    Sealing, Services, Settings, Storage, Zones,
};
