//! A customer changes a service's mailboxes and sites within the plan's
//! limits, and upgrades it, on both engines; the panel follows each.

use hostfront::Ports;
use hostfront::clock::{Clock, ManualClock};
use hostfront::subscriptions::{
    self,
    addons::{self, AddonError},
    sites,
};

use super::{first_service, live_domain};

async fn mailboxes_change_within_the_plans_limit(_: &ManualClock, ports: &Ports) {
    let (customer, domain) = live_domain(ports).await;
    let table = ports.table.as_ref();
    let service = first_service(ports, &customer.id).await;
    let names: Vec<String> = [
        "info",
        "Sales",
        &format!("info@{}", domain.name),
        "postmaster",
    ]
    .map(String::from)
    .to_vec();
    let changed = addons::set_mailboxes(ports, &customer.id, &service.id, &names)
        .await
        .unwrap();
    let expected: Vec<String> = ["info", "sales", "postmaster"]
        .iter()
        .map(|n| format!("{n}@{}", domain.name))
        .collect();
    assert_eq!(changed.hosting.mail.unwrap().mailboxes, expected);
    let account = &service.hosting.account.username;
    let at_panel = ports.panel.state(account).await.unwrap().unwrap();
    assert_eq!(at_panel.mailboxes, expected, "the panel has them");

    let without_postmaster = ["info".to_string()];
    let refused =
        addons::set_mailboxes(ports, &customer.id, &service.id, &without_postmaster).await;
    assert!(
        matches!(
            refused,
            Err(AddonError::Invalid {
                code: "postmaster_required",
                ..
            })
        ),
        "{refused:?}"
    );
    let six: Vec<String> = (0..6)
        .map(|i| format!("box{i}"))
        .chain(["postmaster".to_string()])
        .collect();
    let over = addons::set_mailboxes(ports, &customer.id, &service.id, &six).await;
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
        addons::set_mailboxes(ports, &customer.id, &service.id, &["x@evil.com".into()]).await;
    assert!(matches!(
        foreign,
        Err(AddonError::Invalid {
            code: "invalid_mailbox",
            ..
        })
    ));
    let (eve, _) =
        hostfront_tests::customer(ports, &hostfront_tests::shopper::fresh_username()).await;
    assert!(matches!(
        addons::set_mailboxes(ports, &eve.id, &service.id, &names).await,
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

async fn an_upgrade_is_prorated_and_paid_once(clock: &ManualClock, ports: &Ports) {
    use hostfront::adapters::sim::{APPROVED, DECLINED};
    use hostfront::billing::{InvoiceFor, InvoiceStatus, invoice};
    use hostfront::payments::PaymentSource;

    let card = |number: &str| PaymentSource::Method(hostfront_tests::shopper::method(number));
    let (customer, _) = live_domain(ports).await;
    let table = ports.table.as_ref();
    let service = first_service(ports, &customer.id).await;
    clock.advance_secs(10 * super::DAY);
    let today = clock.now().date();
    let due = time::Date::parse(
        &service.next_due,
        time::macros::format_description!("[year]-[month]-[day]"),
    )
    .unwrap();
    let started = time::Date::parse(
        &service.started_at[..10],
        time::macros::format_description!("[year]-[month]-[day]"),
    )
    .unwrap();
    let (left, days) = ((due - today).whole_days(), (due - started).whole_days());

    let down = addons::upgrade(
        ports,
        &customer.id,
        &service.id,
        "web-starter",
        card(APPROVED),
        "same",
    )
    .await;
    assert!(
        matches!(
            down,
            Err(AddonError::Conflict {
                code: "not_an_upgrade",
                ..
            })
        ),
        "{down:?}"
    );
    let declined = addons::upgrade(
        ports,
        &customer.id,
        &service.id,
        "web-business",
        card(DECLINED),
        "d",
    )
    .await;
    assert!(
        matches!(declined, Err(AddonError::Declined { .. })),
        "{declined:?}"
    );
    assert_eq!(
        subscriptions::find(table, &customer.id, &service.id)
            .await
            .unwrap()
            .unwrap()
            .plan_id,
        "web-starter"
    );

    let (first, second) = tokio::join!(
        addons::upgrade(
            ports,
            &customer.id,
            &service.id,
            "web-business",
            card(APPROVED),
            "up"
        ),
        addons::upgrade(
            ports,
            &customer.id,
            &service.id,
            "web-business",
            card(APPROVED),
            "up"
        ),
    );
    let upgraded = first.or(second).unwrap().service;
    assert_eq!(
        (upgraded.plan_id.as_str(), upgraded.price),
        ("web-business", 1299)
    );
    let again = addons::upgrade(
        ports,
        &customer.id,
        &service.id,
        "web-business",
        card(APPROVED),
        "up",
    )
    .await
    .unwrap()
    .service;
    assert_eq!(again.plan_id, "web-business");
    let upgrades: Vec<_> = invoice::of_customer(table, &customer.id, 20)
        .await
        .unwrap()
        .into_iter()
        .filter(|i| matches!(i.about, InvoiceFor::Upgrade { .. }))
        .collect();
    let paid: Vec<_> = upgrades
        .iter()
        .filter(|i| i.status == InvoiceStatus::Paid)
        .collect();
    assert_eq!(paid.len(), 1, "one paid upgrade, however often asked");
    assert_eq!(
        paid[0].subtotal,
        (1299 - 499) * left / days,
        "{left} of {days} days"
    );
    let last = due - time::Duration::days(1);
    assert_eq!(
        paid[0].lines[0].description,
        format!(
            "Upgrade of Web Starter to {}, {today} to {last} ({left} of {days} days)",
            upgraded.plan_name
        ),
        "the line names both plans and the days it pays for"
    );
    assert_eq!(paid[0].supplied_on, Some(today.to_string()));
    assert!(
        upgrades.iter().any(|i| i.status == InvoiceStatus::Void),
        "the declined one"
    );
    // The panel enforces the new plan once its job has run.
    let username = &service.hosting.account.username;
    subscriptions::panel::sync(ports, &customer.id, &service.id)
        .await
        .unwrap();
    let at_panel = ports.panel.state(username).await.unwrap().unwrap();
    assert_eq!(at_panel.plan_id, "web-business");
}

async fn sites_are_the_customers_names_within_the_plan(_: &ManualClock, ports: &Ports) {
    use hostfront::adapters::sim::APPROVED;
    use hostfront::domains::owned::OwnedDomain;
    use hostfront::payments::PaymentSource;

    let (customer, domain) = live_domain(ports).await;
    let (_, someone_elses) = live_domain(ports).await;
    let table = ports.table.as_ref();
    let service = first_service(ports, &customer.id).await;
    let set = |names: &[&str]| {
        let names: Vec<String> = names.iter().map(|n| n.to_string()).collect();
        let (customer_id, service_id) = (customer.id.clone(), service.id.clone());
        async move { sites::set_sites(ports, &customer_id, &service_id, &names).await }
    };
    let refused = |result: Result<subscriptions::Subscription, AddonError>, code: &str| {
        assert!(
            matches!(&result, Err(AddonError::Invalid { code: c, .. }) if *c == code),
            "{code}: {result:?}"
        );
    };
    let shop = format!("shop.{}", domain.name);
    refused(set(&[&shop]).await, "over_plan_limit");

    addons::upgrade(
        ports,
        &customer.id,
        &service.id,
        "web-business",
        PaymentSource::Method(hostfront_tests::shopper::method(APPROVED)),
        "to-business",
    )
    .await
    .unwrap();
    // A second domain the customer holds with us.
    let second = format!("second-{}", domain.name);
    table
        .transact(vec![
            OwnedDomain {
                name: second.clone(),
                unicode: second.clone(),
                ..domain.clone()
            }
            .create_op(),
        ])
        .await
        .unwrap();
    let blog = format!("Blog.{}", domain.name);
    let changed = set(&[&shop, &blog, &second, &shop]).await.unwrap();
    let expected = vec![
        shop.clone(),
        format!("blog.{}", domain.name),
        second.clone(),
    ];
    assert_eq!(changed.sites, expected);
    let username = &service.hosting.account.username;
    assert_eq!(
        ports.panel.state(username).await.unwrap().unwrap().sites,
        expected
    );

    refused(set(&[&someone_elses.name]).await, "site_not_yours");
    refused(set(&["shop.example.org"]).await, "site_not_yours");
    refused(set(&[&domain.name]).await, "invalid_site");
    refused(set(&["just-a-word"]).await, "invalid_site");
    refused(set(&["10.0.0.1"]).await, "invalid_site");
    let ten_more: Vec<String> = (0..10).map(|i| format!("s{i}.{}", domain.name)).collect();
    let ten_more: Vec<&str> = ten_more.iter().map(String::as_str).collect();
    refused(set(&ten_more).await, "over_plan_limit");
    let kept = subscriptions::find(table, &customer.id, &service.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(kept.sites, expected, "refused changes change nothing");
    assert_eq!(
        ports.panel.state(username).await.unwrap().unwrap().sites,
        expected
    );
    let none = set(&[]).await.unwrap();
    assert!(none.sites.is_empty());
}

with_clock_on_both_engines!(sites_are_the_customers_names_within_the_plan: sites_embedded, sites_cloud);

with_clock_on_both_engines!(an_upgrade_is_prorated_and_paid_once: upgrade_embedded, upgrade_cloud);
