//! The `Sealer` port: encryption at rest for the few secrets Hostfront must
//! keep for a while (a control-panel password until the account exists, a
//! transfer's auth code until the registry has it, a staff member's
//! authenticator secret). Sealed text is bound to its `SealContext`, the item
//! it is stored in and the secret's name, so a sealed value copied to another
//! item, or to another secret of the same item, does not open there.
//!
//! - `local`: AES-256-GCM with a key in a file of its own, created 0600
//!   (`<data dir>/secret.key`), the context authenticated with the text;
//! - `kms`: envelope encryption, AES-256-GCM under a data key that AWS KMS
//!   generates and wraps for this one seal, with the context as the key's
//!   encryption context (KMS unwraps it only for the same context, and its
//!   audit log names the item and secret) and as the text's authenticated data.

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

/// What a sealed value belongs to: the item it is stored in and the name of
/// the secret in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SealContext {
    item: String,
    secret: String,
    legacy: Option<String>,
}

impl SealContext {
    pub fn new(item: &crate::store::Key, secret: &str) -> Self {
        SealContext {
            item: format!("{}/{}", item.pk, item.sk),
            secret: secret.into(),
            legacy: None,
        }
    }

    /// Also opens values sealed before seals named their item, which were
    /// bound to `legacy` alone; nothing is sealed that way any more.
    pub fn formerly(mut self, legacy: String) -> Self {
        self.legacy = Some(legacy);
        self
    }

    pub fn legacy(&self) -> Option<&str> {
        self.legacy.as_deref()
    }

    /// The pairs KMS takes as the encryption context.
    pub fn pairs(&self) -> [(&'static str, &str); 2] {
        [("item", &self.item), ("secret", &self.secret)]
    }

    /// The same pairs as the data AES-GCM authenticates with the text: JSON,
    /// so that no item name can be read as another item and secret.
    pub fn aad(&self) -> String {
        serde_json::json!({"item": self.item, "secret": self.secret}).to_string()
    }
}

#[async_trait]
pub trait Sealer: Send + Sync {
    fn name(&self) -> &'static str;

    /// Encrypts `plaintext` for `context`.
    async fn seal(&self, plaintext: &str, context: &SealContext) -> Result<String, SealError>;

    /// Decrypts what `seal` made for the same `context`.
    async fn open(&self, sealed: &str, context: &SealContext) -> Result<String, SealError>;
}

/// `<nonce>.<ciphertext>` of `plaintext` under `key`, bound to `context`
/// (a `SealContext`'s `aad`, or a legacy context when opening).
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
    fn a_context_names_its_item_and_secret_unambiguously() {
        let key = crate::store::Key::new("ORDER#1", "SECRETS");
        let context = SealContext::new(&key, "panel_password");
        assert_eq!(
            context.pairs(),
            [("item", "ORDER#1/SECRETS"), ("secret", "panel_password")]
        );
        let sneaky = SealContext::new(
            &crate::store::Key::new("ORDER#1", "SECRETS\",\"secret\":\"x"),
            "panel_password",
        );
        assert_ne!(context.aad(), sneaky.aad());
        assert_eq!(context.legacy(), None);
    }

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
