//! What a machine pool refuses before taking or installing anything: a
//! hostname that is not a DNS name, sizes of zero, an IP set of no address
//! or more than a pool hands one machine, a template it does not have, an
//! SSH key that is not an OpenSSH public key line.

use super::{Installation, MachineError, MachineRequest, OsTemplate};
use crate::hypervisor::{is_openssh_public_key, is_valid_hostname};

/// The most IPv4 addresses one machine's IP set holds.
pub const MAX_IPV4_ADDRESSES: u32 = 8;

/// Refuses what a pool would refuse of `request`.
pub fn check_request(request: &MachineRequest) -> Result<(), MachineError> {
    if !is_valid_hostname(&request.hostname) {
        return Err(MachineError::refused(
            "invalid_hostname",
            format!("{:?} is not a valid DNS hostname", request.hostname),
        ));
    }
    if request.cores == 0 || request.memory_gb == 0 || request.disk_gb == 0 {
        return Err(MachineError::refused(
            "invalid_size",
            "a machine needs at least one core, some memory and some disk",
        ));
    }
    if !(1..=MAX_IPV4_ADDRESSES).contains(&request.ipv4_addresses) {
        return Err(MachineError::refused(
            "invalid_ip_set",
            format!("an IP set holds 1 to {MAX_IPV4_ADDRESSES} IPv4 addresses"),
        ));
    }
    if request.idempotency_key.is_empty() {
        return Err(MachineError::refused(
            "no_idempotency_key",
            "an allocation needs an idempotency key",
        ));
    }
    Ok(())
}

/// Refuses what a pool would refuse of `installation`, given the
/// templates it has. Neither credential is needed: a managed server has
/// none of the customer's.
pub fn check_installation(
    installation: &Installation,
    templates: &[OsTemplate],
) -> Result<(), MachineError> {
    if !templates.iter().any(|t| t.id == installation.os_template) {
        return Err(MachineError::refused(
            "unknown_template",
            format!("there is no OS template {:?}", installation.os_template),
        ));
    }
    if let Some(key) = &installation.ssh_public_key
        && !is_openssh_public_key(key)
    {
        return Err(MachineError::refused(
            "invalid_ssh_key",
            "the SSH key is not one OpenSSH public key line",
        ));
    }
    Ok(())
}
