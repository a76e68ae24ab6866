//! Hostfront's core: the storefront and self-service portal of a web-hosting
//! company as domain types, rules, ports and use cases, with no web
//! framework, cloud SDK, database driver or Lambda runtime (the adapters
//! crate implements the ports; the http crate serves the use cases).
//!
//! The modules form layers that depend one way (`docs/architecture.md`,
//! "Inside the core"; `tests/module_graph.rs` keeps it so):
//!
//! - foundations: `clock`, `ids` (identifiers as types), `money` (amounts
//!   that carry their currency), `countries` (ISO 3166-1), `party` (a
//!   party to a sale), `input`, `hashing`;
//! - ports and shared records: `store` and `queue` (the `Table` and `Queue`
//!   ports), `registrar`, `payments`, `panel`, `dnshost` and `zone`,
//!   `resolver`, `tax_ids`, `secrets`, `mailer`, `audit`, `records`, `lifecycle`,
//!   `step_ledger`, `catalog`, `config`, and `ports`: the ports bundled, and
//!   the narrow capabilities (`Storage`, `Billing`, ...) a use case names;
//! - `jobs`: the job contract and the worker loop;
//! - use cases: `mail`, `accounts`, `billing`, `domains`, `subscriptions`,
//!   `renewals`, `orders` (with the provisioning saga), `daily`;
//! - above them: `staff` (the console), `scheduler` (periodic tasks),
//!   `dispatch` (runs each queued job), `invoice_payments` (an open
//!   invoice paid by hand, whatever it is for) and `provider_events` (what
//!   a payment provider's event settles).

pub mod accounts;
pub mod agency;
pub mod audit;
pub mod billing;
pub mod cart;
pub mod catalog;
pub mod clock;
pub mod config;
pub mod countries;
pub mod daily;
pub mod dispatch;
pub mod dnshost;
pub mod domain_name;
pub mod domains;
pub mod hashing;
pub mod hypervisor;
pub mod idempotency;
pub mod ids;
pub mod input;
pub mod invoice_payments;
pub mod jobs;
pub mod lifecycle;
pub mod listing;
pub mod machines;
pub mod mail;
pub mod mailbox;
pub mod mailer;
pub mod money;
pub mod orders;
pub mod panel;
pub mod party;
pub mod payments;
pub mod ports;
pub mod privacy;
pub mod private_files;
pub mod provider_events;
pub mod queue;
pub mod ratelimit;
pub mod records;
pub mod registrar;
pub mod registrar_accounts;
pub mod renewals;
pub mod resolver;
pub mod scheduler;
pub mod second_factor;
pub mod secrets;
pub mod staff;
pub mod stats;
pub mod step_ledger;
pub mod store;
pub mod subscriptions;
pub mod tax_ids;
pub mod zone;

pub use ids::{CustomerId, OrderId};
pub use ports::{
    Billing, Catalogs, Hashing, Hosting, Lookups, Mailing, Ports, Provisioning, Queueing, Registry,
    Sealing, Settings, Storage, TaxRegister, Zones,
};
