//! The `Hypervisor` port: what Hostfront asks of the virtualization platform
//! that runs VPS plans as virtual machines (Proxmox VE, …). A VM is made on
//! demand: placed on a node with room, given an IPv4 and an IPv6 address
//! from the pool, its reverse DNS (PTR) set to its hostname, and started.
//! Every call that creates something carries an idempotency key, so a
//! replayed provisioning job never makes a second VM.

mod checks;

use async_trait::async_trait;
use secrecy::SecretString;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

pub use checks::{check_new_vm, is_openssh_public_key, is_valid_hostname};

/// A virtual machine to make. The root password never prints
/// (`SecretString`); at least one of it and the SSH key is given.
#[derive(Debug, Clone)]
pub struct NewVm {
    /// The VM's hostname, a DNS name: its PTRs point to it.
    pub name: String,
    pub plan_id: String,
    pub vcpus: u32,
    pub memory_mb: u32,
    pub disk_gb: u32,
    /// What is installed, one of [`Hypervisor::os_templates`]: `debian-12`.
    pub os_template: String,
    pub root_password: Option<SecretString>,
    /// One OpenSSH public key line: `ssh-ed25519 AAAA… comment`.
    pub ssh_public_key: Option<String>,
    pub idempotency_key: String,
}

/// A virtual machine as the hypervisor holds it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Vm {
    /// The hypervisor's id of the VM.
    pub id: String,
    pub name: String,
    pub plan_id: String,
    /// The node (physical host) it runs on.
    pub node: String,
    pub vcpus: u32,
    pub memory_mb: u32,
    pub disk_gb: u32,
    pub os_template: String,
    pub ipv4: String,
    pub ipv6: String,
    /// Running, or stopped (suspended).
    pub running: bool,
}

impl Vm {
    /// The VM `request` asked for, made as `id` on `node` with its
    /// addresses, running.
    pub fn made(request: &NewVm, id: String, node: String, (ipv4, ipv6): (String, String)) -> Vm {
        Vm {
            id,
            name: request.name.clone(),
            plan_id: request.plan_id.clone(),
            node,
            vcpus: request.vcpus,
            memory_mb: request.memory_mb,
            disk_gb: request.disk_gb,
            os_template: request.os_template.clone(),
            ipv4,
            ipv6,
            running: true,
        }
    }
}

/// An operating system a VM can be made with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct OsTemplate {
    /// The name a [`NewVm`] gives: `debian-12`.
    pub id: String,
    pub label: String,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HypervisorError {
    /// No node has room for the VM, or no address is left. Staff must add
    /// capacity; retrying soon will not help.
    #[error("{0}")]
    NoCapacity(String),
    /// The hypervisor refused the request; retrying the same request will not help.
    #[error("the hypervisor refused: {message}")]
    Refused { code: String, message: String },
    /// Timeouts and outages: worth retrying with the same idempotency key.
    #[error("the hypervisor is unavailable: {0}")]
    Unavailable(String),
}

impl HypervisorError {
    pub fn refused(code: &str, message: impl Into<String>) -> Self {
        HypervisorError::Refused {
            code: code.into(),
            message: message.into(),
        }
    }
}

#[async_trait]
pub trait Hypervisor: Send + Sync {
    fn name(&self) -> &'static str;

    /// Makes the VM on a node with room, with addresses from the pool and
    /// their PTRs set to its name, and starts it. The same idempotency key
    /// answers the same VM, however many calls and at whatever time.
    async fn create_vm(&self, request: &NewVm) -> Result<Vm, HypervisorError>;

    /// The VM `id`, if it exists.
    async fn vm(&self, id: &str) -> Result<Option<Vm>, HypervisorError>;

    /// Starts the VM, or stops it (a suspension: its disk is kept);
    /// setting what it is does nothing.
    async fn set_power(&self, id: &str, running: bool) -> Result<(), HypervisorError>;

    /// Deletes the VM with its disk, its addresses returning to the pool
    /// and their PTRs removed; deleting one that is gone does nothing.
    async fn delete_vm(&self, id: &str) -> Result<(), HypervisorError>;

    /// What can be installed.
    async fn os_templates(&self) -> Result<Vec<OsTemplate>, HypervisorError>;

    /// The name the PTR record of `ip` points to, if any.
    async fn reverse_dns(&self, ip: &str) -> Result<Option<String>, HypervisorError>;
}
