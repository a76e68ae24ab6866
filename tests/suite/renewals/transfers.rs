//! Transfers in that complete, and one the losing registrar refuses, on
//! both engines with the manual clock.

use hostfront::Services;
use hostfront::adapters::sim::auth_code_for;
use hostfront::clock::ManualClock;
use hostfront::domains::owned::{self, OwnedStatus};
use hostfront::domains::transfers::{self, FollowedUp};
use hostfront::mail::MailKind;
use hostfront::orders::DomainAction;
use hostfront::orders::create::{DomainRequest, OrderRequest};
use hostfront_tests::shopper::fresh_username;

use super::mails_of;

/// A customer whose order to transfer `name` in went live.
async fn transferring(services: &Services, name: &str) -> hostfront::accounts::Customer {
    let request = OrderRequest {
        plan_id: "web-starter".into(),
        cycle: "monthly".into(),
        domain: DomainRequest {
            action: DomainAction::Transfer,
            name: name.into(),
            auth_code: Some(auth_code_for(name)),
        },
        username: fresh_username(),
        password: None,
        generate_password: true,
    };
    hostfront_tests::customer_with_live_order(services, request)
        .await
        .0
}

async fn transfers_complete_or_are_refused_in_plain_words(
    clock: &ManualClock,
    services: &Services,
) {
    let ada = transferring(services, "facebook.com").await;
    let bob = transferring(services, "nackbakery.com").await;
    assert_eq!(
        transfers::follow_up(services).await.unwrap(),
        FollowedUp::default(),
        "the registry has not answered yet"
    );
    clock.advance_secs(120);
    let (first, second) = tokio::join!(
        transfers::follow_up(services),
        transfers::follow_up(services)
    );
    let (first, second) = (first.unwrap(), second.unwrap());
    assert_eq!(
        (
            first.completed + second.completed,
            first.failed + second.failed
        ),
        (1, 1)
    );
    let moved = owned::find(services.table.as_ref(), &ada.id, "facebook.com")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(moved.status, OwnedStatus::Active);
    let expiry = services
        .registrar
        .info("facebook.com")
        .await
        .unwrap()
        .expires_at;
    assert_eq!(
        moved.expires_at,
        Some(expiry),
        "the new expiry, from the registry"
    );
    assert!(moved.locked);

    let refused = owned::find(services.table.as_ref(), &bob.id, "nackbakery.com")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(refused.status, OwnedStatus::TransferFailed);
    assert_eq!(
        mails_of(services, MailKind::TransferFailed, &bob.email).await,
        1
    );
    assert_eq!(
        transfers::follow_up(services).await.unwrap(),
        FollowedUp::default()
    );
}

with_clock_on_both_engines!(transfers_complete_or_are_refused_in_plain_words: transfers_embedded, transfers_cloud);
