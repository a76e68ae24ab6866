//! The `Sealer` port: encryption at rest for the few secrets Hostfront must
//! keep for a while (a control-panel password until the account exists, a
//! transfer's auth code until the registry has it). Sealed text is bound to
//! a context (the order and the secret's name), so a sealed value copied to
//! another order does not open there.
//!
//! - `local`: AES-256-GCM with a key in a file of its own, created 0600
//!   (`<data dir>/secret.key`);
//! - `kms`: envelope encryption, AES-256-GCM under a data key that AWS KMS
//!   generates and wraps; only the wrapped key is stored beside the text.

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use async_trait::async_trait;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD_NO_PAD as B64;
use rand_core::{OsRng, RngCore};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SealError {
    /// The key service did not answer; worth retrying.
    #[error("the key service is unavailable: {0}")]
    Unavailable(String),
    /// The sealed text is damaged, from another context, or from another key.
    #[error("the sealed value cannot be opened")]
    Corrupt,
}

#[async_trait]
pub trait Sealer: Send + Sync {
    fn name(&self) -> &'static str;

    /// Encrypts `plaintext` for `context`.
    async fn seal(&self, plaintext: &str, context: &str) -> Result<String, SealError>;

    /// Decrypts what `seal` made for the same `context`.
    async fn open(&self, sealed: &str, context: &str) -> Result<String, SealError>;
}

/// `<nonce>.<ciphertext>` of `plaintext` under `key`, bound to `context`.
pub fn encrypt(key: &[u8; 32], plaintext: &str, context: &str) -> String {
    let cipher = Aes256Gcm::new(key.into());
    let mut nonce = [0u8; 12];
    OsRng.fill_bytes(&mut nonce);
    let payload = Payload {
        msg: plaintext.as_bytes(),
        aad: context.as_bytes(),
    };
    let sealed = cipher
        .encrypt(Nonce::from_slice(&nonce), payload)
        .expect("AES-GCM encrypts any message of this size");
    format!("{}.{}", B64.encode(nonce), B64.encode(sealed))
}

pub fn decrypt(key: &[u8; 32], sealed: &str, context: &str) -> Result<String, SealError> {
    let (nonce, body) = sealed.split_once('.').ok_or(SealError::Corrupt)?;
    let nonce = B64.decode(nonce).map_err(|_| SealError::Corrupt)?;
    let body = B64.decode(body).map_err(|_| SealError::Corrupt)?;
    if nonce.len() != 12 {
        return Err(SealError::Corrupt);
    }
    let payload = Payload {
        msg: &body,
        aad: context.as_bytes(),
    };
    let plain = Aes256Gcm::new(key.into())
        .decrypt(Nonce::from_slice(&nonce), payload)
        .map_err(|_| SealError::Corrupt)?;
    String::from_utf8(plain).map_err(|_| SealError::Corrupt)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_text_opens_only_with_its_key_and_context() {
        let key = [7u8; 32];
        let sealed = encrypt(&key, "sourdough starter rises", "order-1/panel_password");
        assert!(!sealed.contains("sourdough"));
        assert_ne!(
            sealed,
            encrypt(&key, "sourdough starter rises", "order-1/panel_password"),
            "a fresh nonce each time"
        );
        assert_eq!(
            decrypt(&key, &sealed, "order-1/panel_password").unwrap(),
            "sourdough starter rises"
        );
        assert_eq!(
            decrypt(&key, &sealed, "order-2/panel_password"),
            Err(SealError::Corrupt)
        );
        assert_eq!(
            decrypt(&[8u8; 32], &sealed, "order-1/panel_password"),
            Err(SealError::Corrupt)
        );
        assert_eq!(
            decrypt(&key, "garbage", "order-1/panel_password"),
            Err(SealError::Corrupt)
        );
    }
}
