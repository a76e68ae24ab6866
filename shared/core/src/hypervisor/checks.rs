//! What a hypervisor refuses before making anything: a hostname that is not
//! a DNS name, an SSH key that is not an OpenSSH public key line, a VM with
//! no way in, a template it does not have, sizes of zero.

use base64::Engine as _;
use secrecy::ExposeSecret;

use super::{HypervisorError, NewVm, OsTemplate};

/// The key types OpenSSH's `authorized_keys` takes.
const KEY_TYPES: &[&str] = &[
    "ssh-ed25519",
    "ssh-rsa",
    "ecdsa-sha2-nistp256",
    "ecdsa-sha2-nistp384",
    "ecdsa-sha2-nistp521",
    "sk-ssh-ed25519@openssh.com",
    "sk-ecdsa-sha2-nistp256@openssh.com",
];

/// A DNS name of letters, digits and hyphens (RFC 1123 labels), at most
/// 253 characters, with at least two labels.
pub fn is_valid_hostname(name: &str) -> bool {
    let labels: Vec<&str> = name.split('.').collect();
    name.len() <= 253
        && labels.len() >= 2
        && labels.iter().all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        })
}

/// One line `<type> <base64> [comment]` whose blob is base64, names the
/// same key type, as the SSH wire format starts with it, and holds a key
/// after it. No control character nor Unicode line break anywhere: the key
/// is written into cloud-init's YAML, where those would end the line.
pub fn is_openssh_public_key(line: &str) -> bool {
    if line
        .chars()
        .any(|c| c.is_control() || matches!(c, '\u{2028}' | '\u{2029}'))
    {
        return false;
    }
    let mut parts = line.split_whitespace();
    let (Some(kind), Some(blob)) = (parts.next(), parts.next()) else {
        return false;
    };
    if !KEY_TYPES.contains(&kind) {
        return false;
    }
    let Ok(bytes) = base64::engine::general_purpose::STANDARD.decode(blob) else {
        return false;
    };
    let Some(length) = bytes
        .get(..4)
        .map(|b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
    else {
        return false;
    };
    let named = 4 + length as usize;
    bytes.get(4..named) == Some(kind.as_bytes()) && bytes.len() > named
}

/// Refuses what a hypervisor would refuse of `request`, given the
/// templates it has.
pub fn check_new_vm(request: &NewVm, templates: &[OsTemplate]) -> Result<(), HypervisorError> {
    if !is_valid_hostname(&request.name) {
        return Err(HypervisorError::refused(
            "invalid_hostname",
            format!("{:?} is not a valid DNS hostname", request.name),
        ));
    }
    if !templates.iter().any(|t| t.id == request.os_template) {
        return Err(HypervisorError::refused(
            "unknown_template",
            format!("there is no OS template {:?}", request.os_template),
        ));
    }
    if let Some(key) = &request.ssh_public_key
        && !is_openssh_public_key(key)
    {
        return Err(HypervisorError::refused(
            "invalid_ssh_key",
            "the SSH key is not one OpenSSH public key line",
        ));
    }
    let password = request
        .root_password
        .as_ref()
        .map(|p| p.expose_secret().len());
    if request.ssh_public_key.is_none() && password.unwrap_or(0) == 0 {
        return Err(HypervisorError::refused(
            "no_credentials",
            "a VM needs a root password or an SSH key",
        ));
    }
    if request.vcpus == 0 || request.memory_mb == 0 || request.disk_gb == 0 {
        return Err(HypervisorError::refused(
            "invalid_size",
            "a VM needs at least one vCPU, some memory and some disk",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A real ed25519 public key (its blob starts with its type).
    pub const KEY: &str = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIJdD7y3aLq454yWBdwLWbieU1ebz9/cu7/QEXn9OIeZJ user@host";

    #[test]
    fn hostnames_are_dns_names() {
        assert!(is_valid_hostname("vps1.example.net"));
        assert!(!is_valid_hostname("vps1"));
        assert!(!is_valid_hostname("-vps.example.net"));
        assert!(!is_valid_hostname("vps_1.example.net"));
        assert!(!is_valid_hostname("VPS.example.net"));
        assert!(!is_valid_hostname("a..example.net"));
    }

    #[test]
    fn keys_are_openssh_lines_whose_blob_names_their_type() {
        assert!(is_openssh_public_key(KEY));
        assert!(!is_openssh_public_key(
            "ssh-rsa AAAAC3NzaC1lZDI1NTE5AAAAIJdD7y3aLq454yWBdwLWbieU1ebz9/cu7/QEXn9OIeZJ"
        ));
        assert!(!is_openssh_public_key("ssh-ed25519 not-base64!"));
        assert!(!is_openssh_public_key(
            "-----BEGIN OPENSSH PRIVATE KEY-----"
        ));
        assert!(!is_openssh_public_key(&format!("{KEY}\n{KEY}")));
    }
}
