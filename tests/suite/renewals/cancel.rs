//! Cancelling a service, on both engines with the manual clock: at the end
//! of the term, withdrawn, asked again and taking effect in the daily run;
//! the teardown removes the account and the zone once; the domain stays.

use hostfront::Services;
use hostfront::clock::ManualClock;
use hostfront::domains::owned::{self, OwnedStatus};
use hostfront::subscriptions::cancel::{self, CancelError, When};
use hostfront::subscriptions::{self, ServiceStatus};

use super::{DAY, live_domain};

async fn a_service_ends_when_asked_and_is_torn_down_once(clock: &ManualClock, services: &Services) {
    let (customer, domain) = live_domain(services).await;
    let table = services.table.as_ref();
    let service = subscriptions::of_customer(table, &customer.id)
        .await
        .unwrap()
        .remove(0);
    let id = service.id.as_str();

    let pending = cancel::request(services, &customer.id, id, When::EndOfTerm)
        .await
        .unwrap();
    assert_eq!(
        pending.cancel_at.as_deref(),
        Some(service.next_due.as_str())
    );
    assert_eq!(pending.status, ServiceStatus::Active);
    let withdrawn = cancel::withdraw(services, &customer.id, id).await.unwrap();
    assert_eq!(withdrawn.cancel_at, None);
    assert!(matches!(
        cancel::withdraw(services, &customer.id, id).await,
        Err(CancelError::Conflict {
            code: "nothing_to_withdraw",
            ..
        })
    ));
    cancel::request(services, &customer.id, id, When::EndOfTerm)
        .await
        .unwrap();

    // The day before the term ends nothing happens; on the day it ends.
    clock.advance_secs(25 * DAY);
    assert_eq!(
        hostfront::renewals::run_billing(services)
            .await
            .unwrap()
            .ended,
        0
    );
    clock.advance_secs(10 * DAY);
    let (first, second) = tokio::join!(
        hostfront::renewals::run_billing(services),
        hostfront::renewals::run_billing(services)
    );
    assert_eq!(first.unwrap().ended + second.unwrap().ended, 1);
    let ended = subscriptions::find(table, &customer.id, id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(ended.status, ServiceStatus::Cancelled);

    let username = &ended.hosting.account.username;
    assert!(services.panel.account(username).await.unwrap().is_some());
    cancel::tear_down(services, &customer.id, id).await.unwrap();
    cancel::tear_down(services, &customer.id, id).await.unwrap();
    assert!(services.panel.account(username).await.unwrap().is_none());
    assert!(
        services
            .dns_host
            .zone(&domain.name)
            .await
            .unwrap()
            .is_none()
    );
    let gone = subscriptions::find(table, &customer.id, id)
        .await
        .unwrap()
        .unwrap();
    assert!(gone.torn_down_at.is_some());
    // The domain stays the customer's, renewing as before.
    let kept = owned::find(table, &customer.id, &domain.name)
        .await
        .unwrap()
        .unwrap();
    assert_eq!((kept.status, kept.auto_renew), (OwnedStatus::Active, true));
    assert!(matches!(
        cancel::request(services, &customer.id, id, When::Now).await,
        Err(CancelError::Conflict {
            code: "already_cancelled",
            ..
        })
    ));
}

with_clock_on_both_engines!(a_service_ends_when_asked_and_is_torn_down_once: cancel_embedded, cancel_cloud);

async fn a_service_cancelled_now_ends_at_once(_: &ManualClock, services: &Services) {
    let (customer, _) = live_domain(services).await;
    let table = services.table.as_ref();
    let service = subscriptions::of_customer(table, &customer.id)
        .await
        .unwrap()
        .remove(0);
    let (eve, _) =
        hostfront_tests::customer(services, &hostfront_tests::shopper::fresh_username()).await;
    assert!(matches!(
        cancel::request(services, &eve.id, &service.id, When::Now).await,
        Err(CancelError::NotFound)
    ));
    let ended = cancel::request(services, &customer.id, &service.id, When::Now)
        .await
        .unwrap();
    assert_eq!(
        ended.status,
        ServiceStatus::Cancelled,
        "web hosting needs no notice"
    );
}

with_clock_on_both_engines!(a_service_cancelled_now_ends_at_once: cancel_now_embedded, cancel_now_cloud);
