//! The `Sealer` conformance suite, run against the local key file and
//! against AWS KMS (moto): what one process seals, another opens; nothing
//! opens in another context or after tampering.

use std::sync::Arc;

use hostfront::adapters::aws::KmsSealer;
use hostfront::adapters::embedded::LocalSealer;
use hostfront::secrets::{SealError, Sealer};
use hostfront_tests::kms_client;

/// Two sealers on one key, as two processes would have.
async fn local() -> (tempfile::TempDir, Arc<dyn Sealer>, Arc<dyn Sealer>) {
    let dir = tempfile::TempDir::new().unwrap();
    let file = dir.path().join("keys/secret.key");
    let first = LocalSealer::open_or_create(&file).unwrap();
    let second = LocalSealer::open_or_create(&file).unwrap();
    use std::os::unix::fs::PermissionsExt as _;
    assert_eq!(
        std::fs::metadata(&file).unwrap().permissions().mode() & 0o777,
        0o600
    );
    (dir, Arc::new(first), Arc::new(second))
}

async fn kms() -> (Arc<dyn Sealer>, Arc<dyn Sealer>) {
    let client = kms_client();
    let key = KmsSealer::create_key(&client).await.unwrap();
    (
        Arc::new(KmsSealer::new(client.clone(), key.clone())),
        Arc::new(KmsSealer::new(client, key)),
    )
}

async fn conformance(first: &dyn Sealer, second: &dyn Sealer) {
    let sealed = first
        .seal("sourdough starter rises", "order/1/panel_password")
        .await
        .unwrap();
    assert!(!sealed.contains("sourdough"), "{sealed}");
    assert_eq!(
        second
            .open(&sealed, "order/1/panel_password")
            .await
            .unwrap(),
        "sourdough starter rises"
    );
    assert_eq!(
        first.open(&sealed, "order/2/panel_password").await,
        Err(SealError::Corrupt)
    );
    let mut tampered = sealed.clone();
    let last = tampered.pop().unwrap();
    tampered.push(if last == 'A' { 'B' } else { 'A' });
    assert_eq!(
        first.open(&tampered, "order/1/panel_password").await,
        Err(SealError::Corrupt)
    );
    assert_eq!(
        first.open("not sealed", "order/1/panel_password").await,
        Err(SealError::Corrupt)
    );
    let again = first
        .seal("sourdough starter rises", "order/1/panel_password")
        .await
        .unwrap();
    assert_ne!(again, sealed, "each seal has its own nonce");
}

#[tokio::test]
async fn local_key_file() {
    let (_dir, first, second) = local().await;
    conformance(first.as_ref(), second.as_ref()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn aws_kms() {
    let (first, second) = kms().await;
    conformance(first.as_ref(), second.as_ref()).await;
    let (other, _) = kms().await;
    let sealed = first.seal("x", "c").await.unwrap();
    assert!(
        other.open(&sealed, "c").await.is_err(),
        "another KMS key does not open it"
    );
}
