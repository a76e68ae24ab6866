//! The `Sealer` conformance suite, run against the local key file and
//! against AWS KMS (moto): what one process seals, another opens; nothing
//! opens for another item or secret, or after tampering.

use std::sync::Arc;

use hostfront::adapters::aws::KmsSealer;
use hostfront::adapters::embedded::LocalSealer;
use hostfront::secrets::{SealContext, SealError, Sealer};
use hostfront::store::Key;
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

/// The context of `secret` in order `order`'s secrets item.
fn of_order(order: &str, secret: &str) -> SealContext {
    SealContext::new(&Key::new(format!("ORDER#{order}"), "SECRETS"), secret)
}

async fn conformance(first: &dyn Sealer, second: &dyn Sealer) {
    let one = of_order("1", "panel_password");
    let sealed = first.seal("sourdough starter rises", &one).await.unwrap();
    assert!(!sealed.contains("sourdough"), "{sealed}");
    assert_eq!(
        second.open(&sealed, &one).await.unwrap(),
        "sourdough starter rises"
    );
    for elsewhere in [of_order("2", "panel_password"), of_order("1", "auth_code")] {
        assert_eq!(
            first.open(&sealed, &elsewhere).await,
            Err(SealError::Corrupt),
            "moved to {elsewhere:?}"
        );
    }
    let mut tampered = sealed.clone();
    let last = tampered.pop().unwrap();
    tampered.push(if last == 'A' { 'B' } else { 'A' });
    assert_eq!(first.open(&tampered, &one).await, Err(SealError::Corrupt));
    assert_eq!(
        first.open("not sealed", &one).await,
        Err(SealError::Corrupt)
    );
    let again = first.seal("sourdough starter rises", &one).await.unwrap();
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
    let context = of_order("3", "auth_code");
    let sealed = first.seal("x", &context).await.unwrap();
    assert!(
        other.open(&sealed, &context).await.is_err(),
        "another KMS key does not open it"
    );
}

/// KMS itself refuses a data key asked for under another item's context:
/// the binding does not rest on the sealer's own check alone.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kms_unwraps_a_data_key_only_for_its_own_item() {
    use aws_sdk_kms::primitives::Blob;
    use base64::Engine as _;
    let client = kms_client();
    let key = KmsSealer::create_key(&client).await.unwrap();
    let sealer = KmsSealer::new(client.clone(), key.clone());
    let sealed = sealer
        .seal("sourdough starter rises", &of_order("1", "panel_password"))
        .await
        .unwrap();
    let wrapped = sealed
        .strip_prefix("kms.v2.")
        .and_then(|rest| rest.split('.').next())
        .expect("a wrapped data key");
    let blob = base64::engine::general_purpose::STANDARD_NO_PAD
        .decode(wrapped)
        .unwrap();
    let unwrap = |item: &'static str| {
        client
            .decrypt()
            .key_id(&key)
            .ciphertext_blob(Blob::new(blob.clone()))
            .encryption_context("item", item)
            .encryption_context("secret", "panel_password")
            .send()
    };
    assert!(unwrap("ORDER#1/SECRETS").await.is_ok());
    let refused = unwrap("ORDER#2/SECRETS").await.unwrap_err();
    assert!(
        refused
            .as_service_error()
            .is_some_and(|e| e.is_invalid_ciphertext_exception()),
        "{refused:?}"
    );
    let bare = client
        .decrypt()
        .key_id(&key)
        .ciphertext_blob(Blob::new(blob.clone()))
        .send()
        .await;
    assert!(bare.is_err(), "nor without a context");
}

/// A value sealed before seals named their item (bound to its legacy
/// context) still opens where it was, and only there.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn values_sealed_the_old_way_still_open_in_place() {
    let dir = tempfile::TempDir::new().unwrap();
    let file = dir.path().join("secret.key");
    let sealer = LocalSealer::open_or_create(&file).unwrap();
    let key: [u8; 32] = std::fs::read(&file).unwrap().try_into().unwrap();
    let old = format!(
        "local.{}",
        hostfront::secrets::encrypt(&key, "sourdough", "order/1/panel_password")
    );
    let here = of_order("1", "panel_password").formerly("order/1/panel_password".into());
    assert_eq!(sealer.open(&old, &here).await.unwrap(), "sourdough");
    let there = of_order("2", "panel_password").formerly("order/2/panel_password".into());
    assert_eq!(sealer.open(&old, &there).await, Err(SealError::Corrupt));
    assert_eq!(
        sealer.open(&old, &of_order("1", "panel_password")).await,
        Err(SealError::Corrupt),
        "only where a legacy context is named"
    );
}
