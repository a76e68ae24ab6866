//! The local sealer: one AES-256 key in a file only this user may read,
//! made on first start.

use std::path::Path;

use async_trait::async_trait;
use rand_core::{OsRng, RngCore};
use zeroize::Zeroizing;

use hostfront_core::secrets::{SealContext, SealError, Sealer, decrypt, encrypt};

/// Bound to the item and the secret's name.
const PREFIX: &str = "local.v2.";
/// Sealed before seals named their item: bound to the legacy context.
const LEGACY_PREFIX: &str = "local.";

pub struct LocalSealer {
    key: Zeroizing<[u8; 32]>,
}

impl LocalSealer {
    /// The key in `file`, made (mode 0600) when missing.
    pub fn open_or_create(file: &Path) -> std::io::Result<Self> {
        if let Some(dir) = file.parent() {
            hostfront_core::private_files::create_dir(dir)?;
        }
        let mut key = Zeroizing::new([0u8; 32]);
        match std::fs::read(file) {
            Ok(bytes) if bytes.len() == 32 => key.copy_from_slice(&bytes),
            Ok(_) => {
                return Err(std::io::Error::other(format!(
                    "{} is not a 32-byte key",
                    file.display()
                )));
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                OsRng.fill_bytes(key.as_mut());
                hostfront_core::private_files::write_bytes_new(file, key.as_ref())?;
            }
            Err(e) => return Err(e),
        }
        hostfront_core::private_files::touch(file)?;
        Ok(LocalSealer { key })
    }
}

#[async_trait]
impl Sealer for LocalSealer {
    fn name(&self) -> &'static str {
        "local"
    }

    async fn seal(&self, plaintext: &str, context: &SealContext) -> Result<String, SealError> {
        Ok(format!(
            "{PREFIX}{}",
            encrypt(&self.key, plaintext, &context.aad())
        ))
    }

    async fn open(&self, sealed: &str, context: &SealContext) -> Result<String, SealError> {
        if let Some(body) = sealed.strip_prefix(PREFIX) {
            return decrypt(&self.key, body, &context.aad());
        }
        let body = sealed
            .strip_prefix(LEGACY_PREFIX)
            .ok_or(SealError::Corrupt)?;
        decrypt(&self.key, body, context.legacy().ok_or(SealError::Corrupt)?)
    }
}
