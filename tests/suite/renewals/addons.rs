//! A customer changes a service's mailboxes within the plan's limit, on
//! both engines.

use hostfront::Services;
use hostfront::clock::ManualClock;
use hostfront::subscriptions::{
    self,
    addons::{self, AddonError},
};

use super::live_domain;

async fn mailboxes_change_within_the_plans_limit(_: &ManualClock, services: &Services) {
    let (customer, domain) = live_domain(services).await;
    let table = services.table.as_ref();
    let service = subscriptions::of_customer(table, &customer.id)
        .await
        .unwrap()
        .remove(0);
    let names: Vec<String> = ["info", "Sales", &format!("info@{}", domain.name), "jobs"]
        .map(String::from)
        .to_vec();
    let changed = addons::set_mailboxes(services, &customer.id, &service.id, &names)
        .await
        .unwrap();
    let expected: Vec<String> = ["info", "sales", "jobs"]
        .iter()
        .map(|n| format!("{n}@{}", domain.name))
        .collect();
    assert_eq!(changed.hosting.mail.unwrap().mailboxes, expected);
    let account = &service.hosting.account.username;
    assert!(services.panel.account(account).await.unwrap().is_some());

    let six: Vec<String> = (0..6).map(|i| format!("box{i}")).collect();
    let over = addons::set_mailboxes(services, &customer.id, &service.id, &six).await;
    assert!(
        matches!(
            over,
            Err(AddonError::Invalid {
                code: "over_plan_limit",
                ..
            })
        ),
        "{over:?}"
    );
    let foreign =
        addons::set_mailboxes(services, &customer.id, &service.id, &["x@evil.com".into()]).await;
    assert!(matches!(
        foreign,
        Err(AddonError::Invalid {
            code: "invalid_mailbox",
            ..
        })
    ));
    let (eve, _) =
        hostfront_tests::customer(services, &hostfront_tests::shopper::fresh_username()).await;
    assert!(matches!(
        addons::set_mailboxes(services, &eve.id, &service.id, &names).await,
        Err(AddonError::NotFound)
    ));
    let kept = subscriptions::find(table, &customer.id, &service.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        kept.hosting.mail.unwrap().mailboxes,
        expected,
        "refused changes change nothing"
    );
}

with_clock_on_both_engines!(mailboxes_change_within_the_plans_limit: mailboxes_embedded, mailboxes_cloud);
