//! A customer manages their domain, on both engines: nameservers, the
//! transfer lock, the registrant, and the auth code with its rules.

use hostfront::Services;
use hostfront::adapters::sim::auth_code_for;
use hostfront::audit::{self, AuditQuery};
use hostfront::clock::ManualClock;
use hostfront::domains::manage::{self, ManageError};
use hostfront::registrar::Contact;

use super::{DAY, live_domain};

async fn a_customer_manages_their_domain(clock: &ManualClock, services: &Services) {
    let (customer, domain) = live_domain(services).await;
    let name = domain.name.as_str();
    let bad =
        manage::set_nameservers(services, &customer.id, name, &["ns1.example.org".into()]).await;
    assert!(matches!(
        bad,
        Err(ManageError::Invalid {
            code: "invalid_nameservers",
            ..
        })
    ));
    let ns = vec![
        "NS1.Example.org.".to_string(),
        "ns2.example.org".to_string(),
    ];
    let changed = manage::set_nameservers(services, &customer.id, name, &ns)
        .await
        .unwrap();
    assert_eq!(changed.nameservers, ["ns1.example.org", "ns2.example.org"]);
    assert_eq!(
        services.registrar.info(name).await.unwrap().nameservers,
        changed.nameservers
    );

    // Each change a second apart, so the audit log has an order to show.
    clock.advance_secs(1);
    let registrant = Contact {
        name: "Bakery Ltd".into(),
        email: "Owner@Bakery.example".into(),
    };
    let changed = manage::set_registrant(services, &customer.id, name, registrant)
        .await
        .unwrap();
    assert_eq!(changed.registrant.unwrap().email, "owner@bakery.example");

    // The auth code: not within 60 days, not while locked, then once asked.
    let early = manage::auth_code(services, &customer.id, name).await;
    assert!(
        matches!(&early, Err(ManageError::Refused { code, .. }) if code == "too_recent"),
        "{early:?}"
    );
    clock.advance_secs(61 * DAY);
    let locked = manage::auth_code(services, &customer.id, name).await;
    assert!(
        matches!(&locked, Err(ManageError::Refused { code, .. }) if code == "locked"),
        "{locked:?}"
    );
    let unlocked = manage::set_lock(services, &customer.id, name, false)
        .await
        .unwrap();
    assert!(!unlocked.locked);
    clock.advance_secs(1);
    assert!(!services.registrar.info(name).await.unwrap().locked);
    let code = manage::auth_code(services, &customer.id, name)
        .await
        .unwrap();
    assert_eq!(code, auth_code_for(name));

    let subject = format!("domain:{name}");
    let mut actions: Vec<String> =
        audit::read(services.table.as_ref(), AuditQuery::Subject(&subject), 20)
            .await
            .unwrap()
            .into_iter()
            .map(|e| e.action)
            .collect();
    actions.reverse();
    assert_eq!(
        actions,
        [
            "nameservers_changed",
            "registrant_changed",
            "unlocked",
            "auth_code_shown"
        ]
    );

    let (eve, _) =
        hostfront_tests::customer(services, &hostfront_tests::shopper::fresh_username()).await;
    assert!(matches!(
        manage::auth_code(services, &eve.id, name).await,
        Err(ManageError::NotFound)
    ));
    assert!(matches!(
        manage::set_lock(services, &eve.id, name, true).await,
        Err(ManageError::NotFound)
    ));
}

with_clock_on_both_engines!(a_customer_manages_their_domain: manage_embedded, manage_cloud);
