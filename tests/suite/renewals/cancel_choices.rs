//! Cancelling a service when its domain expires, and leaving that domain
//! to lapse, on both engines with the manual clock: the service ends on
//! the domain's last day, the domain stops renewing by itself (audited as
//! the customer's doing), and a service whose domain is not registered
//! here cannot end "when the domain expires" nor be left to lapse; a
//! domain kept parked is served a parked zone once the service is gone.

use hostfront::Ports;
use hostfront::audit::{self, Actor, AuditQuery};
use hostfront::clock::{Clock, ManualClock};
use hostfront::domains::owned;
use hostfront::subscriptions::cancel::{self, Acting, CancelError, DomainChoice, When};
use hostfront::subscriptions::{self, SubscriptionStatus};
use hostfront_tests::shopper::{fresh_username, register};

use super::{DAY, first_service, live_domain};

fn customer(id: &hostfront::CustomerId) -> Acting<'static> {
    Acting {
        actor: Actor::Customer(id.into()),
        client: None,
        role: None,
    }
}

async fn ends_when_the_domain_expires(clock: &ManualClock, ports: &Ports) {
    let (ada, domain) = live_domain(ports).await;
    assert!(domain.auto_renew, "registered to renew by itself");
    let service = first_service(ports, &ada.id).await;
    let wish = (When::DomainExpiry, DomainChoice::Lapse);
    let pending = cancel::request_with(ports, customer(&ada.id), &ada.id, &service.id, wish)
        .await
        .unwrap();
    let expiry = time::OffsetDateTime::from_unix_timestamp(domain.expires_at.unwrap())
        .unwrap()
        .date();
    assert_eq!(
        pending.cancel_at,
        Some(expiry.to_string()),
        "the domain's last day"
    );
    assert_eq!(
        pending.status,
        SubscriptionStatus::Active,
        "it runs until then"
    );
    let table = ports.table.as_ref();
    let lapsing = owned::find(table, &ada.id, &domain.name)
        .await
        .unwrap()
        .unwrap();
    assert!(!lapsing.auto_renew, "left to lapse: no renewal invoiced");
    let subject = format!("domain:{}", domain.name);
    let log = audit::read(table, AuditQuery::Subject(&subject), 20)
        .await
        .unwrap();
    let off = log
        .iter()
        .find(|e| e.action == "auto_renew_off")
        .expect("audited");
    assert_eq!(off.actor, Actor::Customer(ada.id.clone()));

    // Asked again, nothing more changes; on the domain's last day it ends.
    cancel::request_with(ports, customer(&ada.id), &ada.id, &service.id, wish)
        .await
        .unwrap();
    clock.advance_secs((expiry - clock.now().date()).whole_days() * DAY - DAY);
    assert_eq!(
        cancel::end_due(ports).await.unwrap(),
        0,
        "not the day before"
    );
    clock.advance_secs(DAY);
    assert_eq!(cancel::end_due(ports).await.unwrap(), 1);
    let ended = subscriptions::find(table, &ada.id, &service.id)
        .await
        .unwrap()
        .unwrap();
    assert!(ended.ended_at.is_some(), "{ended:?}");
}

with_clock_on_both_engines!(ends_when_the_domain_expires: domain_expiry_embedded, domain_expiry_cloud);

async fn a_domain_from_elsewhere_has_no_expiry_to_end_on(_clock: &ManualClock, ports: &Ports) {
    let mut order = register("", &fresh_username());
    order.domain.action = hostfront::orders::DomainAction::Subdomain;
    order.domain.name = fresh_username();
    let (bob, _) = hostfront_tests::customer_with_live_order(ports, order).await;
    let service = first_service(ports, &bob.id).await;
    let wish = (When::DomainExpiry, DomainChoice::Keep);
    let refused = cancel::request_with(ports, customer(&bob.id), &bob.id, &service.id, wish).await;
    assert!(
        matches!(
            refused,
            Err(CancelError::Conflict {
                code: "no_domain_expiry",
                ..
            })
        ),
        "{refused:?}"
    );
    let lapse = (When::Now, DomainChoice::Lapse);
    let refused = cancel::request_with(ports, customer(&bob.id), &bob.id, &service.id, lapse).await;
    assert!(
        matches!(
            refused,
            Err(CancelError::Conflict {
                code: "no_domain_to_lapse",
                ..
            })
        ),
        "no domain here to let lapse: {refused:?}"
    );
    let unchanged = first_service(ports, &bob.id).await;
    assert_eq!(unchanged.cancel_at, None, "nothing changed");
}

with_clock_on_both_engines!(a_domain_from_elsewhere_has_no_expiry_to_end_on: no_expiry_embedded, no_expiry_cloud);

async fn a_parked_domain_outlives_its_service(_clock: &ManualClock, ports: &Ports) {
    let (ada, domain) = live_domain(ports).await;
    let service = first_service(ports, &ada.id).await;
    let wish = (When::Now, DomainChoice::Park);
    let ended = cancel::request_with(ports, customer(&ada.id), &ada.id, &service.id, wish)
        .await
        .unwrap();
    assert!(ended.park_domain, "{ended:?}");
    cancel::tear_down(ports, &ada.id, &service.id)
        .await
        .unwrap();
    let gone = subscriptions::find(ports.table.as_ref(), &ada.id, &service.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(gone.status, SubscriptionStatus::Cancelled);
    let (zone, _) = ports
        .dns_host
        .zone(&domain.name)
        .await
        .unwrap()
        .expect("the parked zone is served");
    let record = |kind: &str| {
        zone.records
            .iter()
            .find(|r| r.name == "@" && r.kind == kind)
            .map(|r| r.value.clone())
    };
    let config = &ports.config;
    assert_eq!(record("A"), Some(config.parking_ipv4.to_string()));
    assert_eq!(record("AAAA"), Some(config.parking_ipv6.to_string()));
    assert_eq!(record("MX").as_deref(), Some("."), "a null MX: no mail");
    let kept = owned::find(ports.table.as_ref(), &ada.id, &domain.name)
        .await
        .unwrap()
        .unwrap();
    assert!(kept.auto_renew, "a parked domain renews as before");
}

with_clock_on_both_engines!(a_parked_domain_outlives_its_service: parked_embedded, parked_cloud);
