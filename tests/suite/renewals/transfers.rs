//! Transfers in that complete, and one the losing registrar refuses, on
//! both engines with the manual clock.

use hostfront::Ports;
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
async fn transferring(ports: &Ports, name: &str) -> hostfront::accounts::Customer {
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
        server: None,
        zone: None,
        registrar_account: None,
    };
    hostfront_tests::customer_with_live_order(ports, request)
        .await
        .0
}

async fn transfers_complete_or_are_refused_in_plain_words(clock: &ManualClock, ports: &Ports) {
    let ada = transferring(ports, "facebook.com").await;
    let bob = transferring(ports, "nackbakery.com").await;
    assert_eq!(
        transfers::follow_up(ports).await.unwrap(),
        FollowedUp::default(),
        "the registry has not answered yet"
    );
    clock.advance_secs(120);
    let (first, second) = tokio::join!(transfers::follow_up(ports), transfers::follow_up(ports));
    let (first, second) = (first.unwrap(), second.unwrap());
    assert_eq!(
        (
            first.completed + second.completed,
            first.failed + second.failed
        ),
        (1, 1)
    );
    let moved = owned::find(ports.table.as_ref(), &ada.id, "facebook.com")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(moved.status, OwnedStatus::Active);
    let expiry = ports
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

    let refused = owned::find(ports.table.as_ref(), &bob.id, "nackbakery.com")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(refused.status, OwnedStatus::TransferFailed);
    assert_eq!(
        mails_of(ports, MailKind::TransferFailed, &bob.email).await,
        1
    );
    assert_eq!(
        transfers::follow_up(ports).await.unwrap(),
        FollowedUp::default()
    );
}

with_clock_on_both_engines!(transfers_complete_or_are_refused_in_plain_words: transfers_embedded, transfers_cloud);
