//! The AWS sealer: envelope encryption with KMS. Each process asks KMS for
//! one data key (`GenerateDataKey`) when it first seals, encrypts locally
//! with it, and stores the key as KMS wrapped it beside the text; opening
//! asks KMS to unwrap (`Decrypt`) a wrapped key once per process.

use std::collections::HashMap;
use std::sync::Mutex;

use async_trait::async_trait;
use aws_sdk_kms::primitives::Blob;
use aws_sdk_kms::types::DataKeySpec;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD_NO_PAD as B64;
use tokio::sync::OnceCell;
use zeroize::Zeroizing;

use hostfront_core::secrets::{SealError, Sealer, decrypt, encrypt};

const PREFIX: &str = "kms.";

struct DataKey {
    plain: Zeroizing<[u8; 32]>,
    wrapped: String,
}

pub struct KmsSealer {
    client: super::OnFirstUse<aws_sdk_kms::Client>,
    key_id: String,
    current: OnceCell<DataKey>,
    unwrapped: Mutex<HashMap<String, Zeroizing<[u8; 32]>>>,
}

fn unavailable(error: impl std::fmt::Display) -> SealError {
    SealError::Unavailable(error.to_string())
}

fn key_bytes(blob: Option<&Blob>) -> Result<Zeroizing<[u8; 32]>, SealError> {
    let bytes = blob.map(Blob::as_ref).ok_or(SealError::Corrupt)?;
    let mut key = Zeroizing::new([0u8; 32]);
    if bytes.len() != 32 {
        return Err(SealError::Corrupt);
    }
    key.copy_from_slice(bytes);
    Ok(key)
}

impl KmsSealer {
    pub fn new(
        client: impl Into<super::OnFirstUse<aws_sdk_kms::Client>>,
        key_id: impl Into<String>,
    ) -> Self {
        KmsSealer {
            client: client.into(),
            key_id: key_id.into(),
            current: OnceCell::new(),
            unwrapped: Mutex::new(HashMap::new()),
        }
    }

    /// Makes a key to seal with (local development against moto).
    pub async fn create_key(client: &aws_sdk_kms::Client) -> Result<String, SealError> {
        let created = client
            .create_key()
            .description("Hostfront secrets at rest")
            .send()
            .await
            .map_err(unavailable)?;
        created
            .key_metadata()
            .map(|m| m.key_id().to_string())
            .ok_or_else(|| unavailable("KMS made a key without an id"))
    }

    async fn data_key(&self) -> Result<&DataKey, SealError> {
        self.current
            .get_or_try_init(|| async {
                let generated = self
                    .client
                    .generate_data_key()
                    .key_id(&self.key_id)
                    .key_spec(DataKeySpec::Aes256)
                    .send()
                    .await
                    .map_err(unavailable)?;
                let wrapped = generated
                    .ciphertext_blob()
                    .map(|b| B64.encode(b.as_ref()))
                    .ok_or(SealError::Corrupt)?;
                Ok(DataKey {
                    plain: key_bytes(generated.plaintext())?,
                    wrapped,
                })
            })
            .await
    }

    async fn unwrap_key(&self, wrapped: &str) -> Result<Zeroizing<[u8; 32]>, SealError> {
        if let Some(key) = self.unwrapped.lock().expect("not poisoned").get(wrapped) {
            return Ok(key.clone());
        }
        let blob = B64.decode(wrapped).map_err(|_| SealError::Corrupt)?;
        let answer = self
            .client
            .decrypt()
            .key_id(&self.key_id)
            .ciphertext_blob(Blob::new(blob))
            .send()
            .await
            .map_err(|e| match e.as_service_error() {
                Some(service) if service.is_invalid_ciphertext_exception() => SealError::Corrupt,
                _ => unavailable(e),
            })?;
        let key = key_bytes(answer.plaintext())?;
        let mut cache = self.unwrapped.lock().expect("not poisoned");
        if cache.len() > 1000 {
            cache.clear();
        }
        cache.insert(wrapped.to_string(), key.clone());
        Ok(key)
    }
}

#[async_trait]
impl Sealer for KmsSealer {
    fn name(&self) -> &'static str {
        "kms"
    }

    async fn seal(&self, plaintext: &str, context: &str) -> Result<String, SealError> {
        let key = self.data_key().await?;
        Ok(format!(
            "{PREFIX}{}.{}",
            key.wrapped,
            encrypt(&key.plain, plaintext, context)
        ))
    }

    async fn open(&self, sealed: &str, context: &str) -> Result<String, SealError> {
        let rest = sealed.strip_prefix(PREFIX).ok_or(SealError::Corrupt)?;
        let (wrapped, body) = rest.split_once('.').ok_or(SealError::Corrupt)?;
        let key = self.unwrap_key(wrapped).await?;
        decrypt(&key, body, context)
    }
}
