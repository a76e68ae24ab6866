//! The AWS sealer: envelope encryption with KMS. Each seal asks KMS for a
//! data key of its own (`GenerateDataKey`) under the seal's context (the
//! item and the secret's name) as its encryption context, encrypts locally
//! with it, and stores the key as KMS wrapped it beside the text; opening
//! asks KMS to unwrap it (`Decrypt`) under the same context, so a value
//! copied to another item is refused by KMS itself, and CloudTrail names the
//! item and secret of every unwrap.

use aws_sdk_kms::primitives::Blob;
use aws_sdk_kms::types::DataKeySpec;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD_NO_PAD as B64;
use zeroize::Zeroizing;

use async_trait::async_trait;
use hostfront_core::secrets::{SealContext, SealError, Sealer, decrypt, encrypt};

/// A data key per seal, wrapped under the seal's encryption context.
const PREFIX: &str = "kms.v2.";
/// Sealed before seals named their item: one data key per process, no
/// encryption context, the text bound to the legacy context.
const LEGACY_PREFIX: &str = "kms.";

pub struct KmsSealer {
    client: super::OnFirstUse<aws_sdk_kms::Client>,
    key_id: String,
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

    /// A fresh data key for `context`: in plain text, and wrapped (base64).
    async fn data_key(
        &self,
        context: &SealContext,
    ) -> Result<(Zeroizing<[u8; 32]>, String), SealError> {
        let mut request = self
            .client
            .generate_data_key()
            .key_id(&self.key_id)
            .key_spec(DataKeySpec::Aes256);
        for (name, value) in context.pairs() {
            request = request.encryption_context(name, value);
        }
        let generated = request.send().await.map_err(unavailable)?;
        let wrapped = generated
            .ciphertext_blob()
            .map(|b| B64.encode(b.as_ref()))
            .ok_or(SealError::Corrupt)?;
        Ok((key_bytes(generated.plaintext())?, wrapped))
    }

    /// Unwraps `wrapped` under `context` (none for a legacy value).
    async fn unwrap_key(
        &self,
        wrapped: &str,
        context: Option<&SealContext>,
    ) -> Result<Zeroizing<[u8; 32]>, SealError> {
        let blob = B64.decode(wrapped).map_err(|_| SealError::Corrupt)?;
        let mut request = self
            .client
            .decrypt()
            .key_id(&self.key_id)
            .ciphertext_blob(Blob::new(blob));
        for (name, value) in context.map(SealContext::pairs).into_iter().flatten() {
            request = request.encryption_context(name, value);
        }
        let answer = request
            .send()
            .await
            .map_err(|e| match e.as_service_error() {
                Some(service) if service.is_invalid_ciphertext_exception() => SealError::Corrupt,
                _ => unavailable(e),
            })?;
        key_bytes(answer.plaintext())
    }
}

#[async_trait]
impl Sealer for KmsSealer {
    fn name(&self) -> &'static str {
        "kms"
    }

    async fn seal(&self, plaintext: &str, context: &SealContext) -> Result<String, SealError> {
        let (key, wrapped) = self.data_key(context).await?;
        Ok(format!(
            "{PREFIX}{wrapped}.{}",
            encrypt(&key, plaintext, &context.aad())
        ))
    }

    async fn open(&self, sealed: &str, context: &SealContext) -> Result<String, SealError> {
        if let Some(rest) = sealed.strip_prefix(PREFIX) {
            let (wrapped, body) = rest.split_once('.').ok_or(SealError::Corrupt)?;
            let key = self.unwrap_key(wrapped, Some(context)).await?;
            return decrypt(&key, body, &context.aad());
        }
        let rest = sealed
            .strip_prefix(LEGACY_PREFIX)
            .ok_or(SealError::Corrupt)?;
        let legacy = context.legacy().ok_or(SealError::Corrupt)?;
        let (wrapped, body) = rest.split_once('.').ok_or(SealError::Corrupt)?;
        let key = self.unwrap_key(wrapped, None).await?;
        decrypt(&key, body, legacy)
    }
}
