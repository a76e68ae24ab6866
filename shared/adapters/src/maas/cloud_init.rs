//! The cloud-init user data a deployment carries: the way in the customer
//! chose, for root. The password travels as its SHA-512 crypt hash (what
//! `chpasswd` takes with `type: hash`), never itself; an SSH key is
//! installed for root (`disable_root: false`). A managed server gets no
//! user data: staff come in with the keys MAAS installs.

use base64::Engine as _;
use secrecy::ExposeSecret;
use sha_crypt::{PasswordHasher, ShaCrypt};

use hostfront_core::machines::{Installation, MachineError};

/// The base64 user data of `installation`, if it has a way in.
pub fn user_data(installation: &Installation) -> Result<Option<String>, MachineError> {
    let mut lines = Vec::new();
    if let Some(password) = &installation.root_password {
        let salt: [u8; 12] = std::array::from_fn(|_| fastrand::u8(..));
        let hash = ShaCrypt::default()
            .hash_password_with_salt(password.expose_secret().as_bytes(), &salt)
            .map_err(|e| MachineError::Unavailable(format!("hashing the password: {e}")))?;
        lines.push("ssh_pwauth: true".to_string());
        lines.push("chpasswd:".to_string());
        lines.push("  expire: false".to_string());
        lines.push("  users:".to_string());
        // JSON strings are YAML's double-quoted scalars.
        let hash = serde_json::to_string(hash.as_str()).unwrap_or_default();
        lines.push(format!(
            "    - {{name: root, password: {hash}, type: hash}}"
        ));
    }
    if let Some(key) = &installation.ssh_public_key {
        let key = serde_json::to_string(key).unwrap_or_default();
        lines.push(format!("ssh_authorized_keys: [{key}]"));
    }
    if lines.is_empty() {
        return Ok(None);
    }
    let document = format!("#cloud-config\ndisable_root: false\n{}\n", lines.join("\n"));
    Ok(Some(
        base64::engine::general_purpose::STANDARD.encode(document),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use sha_crypt::PasswordVerifier;

    fn decoded(data: &str) -> String {
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(data)
            .unwrap();
        String::from_utf8(bytes).unwrap()
    }

    #[test]
    fn the_password_travels_as_its_hash() {
        let installation = Installation {
            os_template: "ubuntu-24.04".into(),
            root_password: Some("correct horse battery staple".to_string().into()),
            ssh_public_key: Some("ssh-ed25519 AAAA admin@example.net".into()),
        };
        let document = decoded(&user_data(&installation).unwrap().unwrap());
        assert!(document.starts_with("#cloud-config\n"), "{document}");
        assert!(!document.contains("correct horse"), "{document}");
        let hash = document
            .split('"')
            .find(|part| part.starts_with("$6$"))
            .expect("a SHA-512 crypt hash");
        ShaCrypt::default()
            .verify_password(b"correct horse battery staple", hash)
            .expect("the hash is the password's");
        assert!(
            document.contains(r#"ssh_authorized_keys: ["ssh-ed25519 AAAA admin@example.net"]"#)
        );
    }

    #[test]
    fn a_managed_server_gets_no_user_data() {
        let installation = Installation {
            os_template: "ubuntu-24.04".into(),
            root_password: None,
            ssh_public_key: None,
        };
        assert_eq!(user_data(&installation).unwrap(), None);
    }
}
