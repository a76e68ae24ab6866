//! Hostfront's adapters: the engines and outside services behind the ports
//! of `hostfront-core`.
//!
//! - `embedded`: one SQLite file holds the table and the queue; the local
//!   sealer's key and the outbox folder sit beside it;
//! - `aws`: DynamoDB, SQS and KMS;
//! - `epp`: a registry over EPP, the real counterpart of the simulated one;
//! - `stripe`: card payments on Stripe, the simulated gateway's counterpart;
//! - `whm`: hosting accounts on cPanel & WHM servers, the simulated panel's
//!   counterpart; `inventory` keeps the servers and addresses of both;
//! - `proxmox`: VMs of VPS plans on Proxmox VE, the simulated hypervisor's
//!   counterpart; `vm_ledger` keeps the addresses and PTRs of both;
//! - `maas`: dedicated and managed servers on Canonical MAAS, the simulated
//!   machine pool's counterpart; `address_pool` keeps the addresses and
//!   PTRs of the machine pools and the hypervisors;
//! - `vies`: VAT numbers checked in the EU's register (VIES, its REST API),
//!   the simulated register's counterpart;
//! - `sim`: stateful simulations of the registry, the payment gateway, the
//!   hosting panel, the hypervisor, the public DNS and the VAT register, named as such,
//!   kept in the table;
//! - `TableZones`: customers' DNS zones kept in the table, on either engine;
//! - `webhook_signature`: Stripe's signature of webhook events, which the
//!   Stripe adapter checks and the simulated gateway both signs and checks.

pub mod address_pool;
pub mod aws;
mod claims;
pub mod embedded;
pub mod epp;
mod https;
pub mod inventory;
pub mod maas;
pub mod proxmox;
pub mod sim;
pub mod stripe;
mod table_zones;
pub mod vies;
pub mod vm_ledger;
pub mod webhook_signature;
pub mod whm;

pub use table_zones::TableZones;
