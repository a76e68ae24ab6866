//! The `Machines` port: the pool of physical servers that dedicated and
//! managed plans are served from (Canonical MAAS, …). A machine is
//! allocated from the pool with an IP set and its reverse DNS, then its
//! operating system is installed, which takes a while (the customer is
//! told when to expect it); when the service ends the machine is wiped and
//! returns to the pool with its addresses. Allocation carries an
//! idempotency key, so a replayed provisioning job never takes two.

mod checks;

use std::time::Duration;

use async_trait::async_trait;
use secrecy::SecretString;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

pub use crate::hypervisor::OsTemplate;
pub use checks::{MAX_IPV4_ADDRESSES, check_installation, check_request};

/// A machine to take from the pool: the least it must have, and how many
/// IPv4 addresses its IP set holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MachineRequest {
    /// The machine's hostname, a DNS name: its PTRs point to it.
    pub hostname: String,
    pub plan_id: String,
    pub cores: u32,
    pub memory_gb: u32,
    pub disk_gb: u32,
    /// The IPv4 addresses of its IP set (at least 1); it also gets an IPv6 address.
    pub ipv4_addresses: u32,
    pub idempotency_key: String,
}

/// The operating system to install, and the way in. Neither credential
/// prints (`SecretString`); a managed server is installed with neither,
/// staff's own keys being the pool's.
#[derive(Debug, Clone)]
pub struct Installation {
    /// One of [`Machines::os_templates`]: `debian-12`.
    pub os_template: String,
    pub root_password: Option<SecretString>,
    /// One OpenSSH public key line.
    pub ssh_public_key: Option<String>,
}

/// Where a machine is in its life with a customer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum MachineState {
    /// Taken from the pool for a customer; nothing installed yet.
    Allocated,
    /// Its operating system is being installed.
    Installing,
    /// Installed and running.
    Ready,
    /// The installation failed; staff must look at it.
    InstallFailed,
}

/// A machine as the pool holds it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Machine {
    /// The pool's id of the machine.
    pub id: String,
    pub hostname: String,
    pub plan_id: String,
    pub cores: u32,
    pub memory_gb: u32,
    pub disk_gb: u32,
    /// The IP set: the first is the main address.
    pub ipv4: Vec<String>,
    pub ipv6: String,
    pub state: MachineState,
    /// What is installed or being installed.
    #[serde(default)]
    pub os_template: Option<String>,
    /// Powered on; off while the service is suspended.
    pub powered: bool,
}

/// The machine a dedicated or managed service runs on, with what its
/// plan promised at the sale.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ServiceMachine {
    pub machine: Machine,
    /// Its disks are copied before it is wiped when the service ends.
    pub back_up_on_cancel: bool,
    /// Run by the company: the customer has no root access.
    pub managed: bool,
    /// When it was taken from the pool (unix seconds): its installation
    /// starts then.
    pub allocated_at: i64,
}

/// A machine of the pool as staff see it: its size, and the machine as a
/// customer holds it, when one does.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct PoolMachine {
    pub id: String,
    pub cores: u32,
    pub memory_gb: u32,
    pub disk_gb: u32,
    /// Absent while the machine is free.
    pub held: Option<Machine>,
}

/// A copy of a machine's disks, taken before it is wiped.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct MachineBackup {
    pub id: String,
    /// The day it is deleted, `YYYY-MM-DD`.
    pub kept_until: String,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MachineError {
    /// No free machine matches, or no address is left: staff must add
    /// machines or addresses; the order waits for them.
    #[error("{0}")]
    NoCapacity(String),
    /// The pool refused the request; retrying the same request will not help.
    #[error("the machine pool refused: {message}")]
    Refused { code: String, message: String },
    /// Timeouts and outages: worth retrying.
    #[error("the machine pool is unavailable: {0}")]
    Unavailable(String),
}

impl MachineError {
    pub fn refused(code: &str, message: impl Into<String>) -> Self {
        MachineError::Refused {
            code: code.into(),
            message: message.into(),
        }
    }
}

#[async_trait]
pub trait Machines: Send + Sync {
    fn name(&self) -> &'static str;

    /// How long an installation usually takes: what the customer is told
    /// to expect once it starts.
    fn install_time(&self) -> Duration;

    /// Takes a free machine with at least the request's cores, memory and
    /// disk, gives it its IP set and an IPv6 address with their PTRs set
    /// to its hostname. The same idempotency key answers the same machine,
    /// however many calls and at whatever time. No machine or no address:
    /// `NoCapacity`, and nothing is taken.
    async fn allocate(&self, request: &MachineRequest) -> Result<Machine, MachineError>;

    /// Starts installing `installation` on an allocated machine and
    /// answers it `Installing`; a machine installing or ready is answered
    /// as it is, so a repeated call installs once.
    async fn install(&self, id: &str, installation: &Installation)
    -> Result<Machine, MachineError>;

    /// The machine `id` as it is now, if it is allocated.
    async fn machine(&self, id: &str) -> Result<Option<Machine>, MachineError>;

    /// Powers the machine on, or off (a suspension: its disks are kept);
    /// setting what it is does nothing.
    async fn set_power(&self, id: &str, on: bool) -> Result<(), MachineError>;

    /// Copies the machine's disks to the pool's backup store, once per
    /// key, and says where and until when it is kept. A pool that keeps no
    /// backups answers `Refused` with code `no_backups`.
    async fn back_up(&self, id: &str, key: &str) -> Result<MachineBackup, MachineError>;

    /// Wipes its disks and returns the machine to the pool, its addresses
    /// freed and their PTRs removed; releasing one that is back already
    /// does nothing.
    async fn release(&self, id: &str) -> Result<(), MachineError>;

    /// Every machine of the pool, free or held, for staff.
    async fn pool(&self) -> Result<Vec<PoolMachine>, MachineError>;

    /// What can be installed.
    async fn os_templates(&self) -> Result<Vec<OsTemplate>, MachineError>;

    /// The name the PTR record of `ip` points to, if any.
    async fn reverse_dns(&self, ip: &str) -> Result<Option<String>, MachineError>;
}
