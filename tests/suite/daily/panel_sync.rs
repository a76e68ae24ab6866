//! What the panel's admins do reaches Hostfront: a suspension, a package
//! change, a domain added and use over the plan's limits, each an exception
//! for staff, kept on the service and shown to staff and its owner; the
//! panel and billing are left alone.

use std::sync::Arc;

use super::{day_run, run_today};
use crate::renewals::{DAY, first_service, live_domain};
use hostfront::CustomerId;
use hostfront::Ports;
use hostfront::audit::Actor;
use hostfront::clock::{Clock, ManualClock};
use hostfront::daily::{self, Check};
use hostfront::panel::PanelAdmin;
use hostfront::scheduler::Task;
use hostfront::staff::Role;
use hostfront::subscriptions::panel_state::{PanelState, shown_of_customer};
use hostfront::subscriptions::{self, SubscriptionStatus};
use hostfront_tests::App;
use hostfront_tests::shopper::{Shopper, fresh_domain, fresh_username, hosting};
use hostfront_tests::staff::Clerk;
use serde_json::json;

const ADDED: &str = "added-in-the-panel.example.org";

/// The simulated panel as its admins reach it.
fn panel_admin(ports: &Ports) -> Arc<dyn PanelAdmin> {
    ports.simulated_panel.clone().expect("a simulated panel")
}

async fn panel_state(ports: &Ports, customer: &CustomerId) -> PanelState {
    let shown = shown_of_customer(ports.table.as_ref(), customer)
        .await
        .unwrap();
    shown[0].panel_state.clone().expect("read from the panel")
}

async fn what_the_panel_admins_do_is_raised_and_shown(clock: &ManualClock, ports: &Ports) {
    let (customer, _) = live_domain(ports).await;
    let service = first_service(ports, &customer.id).await;
    let username = service.hosting.account.username.clone();
    let catalog = ports
        .catalog
        .get(ports.table.as_ref(), clock)
        .await
        .unwrap();
    let disk_gb = catalog.plan(&service.plan_id).unwrap().limits["disk_gb"];

    run_today(ports, Check::PanelSync).await;
    let run = day_run(ports, Check::PanelSync).await;
    assert_eq!(run.counts.get("checked"), Some(&1), "{run:?}");
    assert!(run.exceptions.is_empty(), "as sold: {run:?}");
    let read = panel_state(ports, &customer.id).await;
    assert_eq!(
        (
            read.suspended,
            read.plan_id.as_str(),
            read.unknown_sites.len()
        ),
        (false, service.plan_id.as_str(), 0)
    );
    assert_eq!(
        read.disk_used_mb, 50,
        "a new account, by the simulation's model"
    );
    assert_eq!(read.disk_limit_mb, Some(u64::from(disk_gb) * 1024));

    // The panel's admins act behind Hostfront's back.
    let other_plan = if service.plan_id == "web-pro" {
        "web-business"
    } else {
        "web-pro"
    };
    ports.panel.set_suspended(&username, true).await.unwrap();
    ports.panel.set_plan(&username, other_plan).await.unwrap();
    ports
        .panel
        .set_sites(&username, &[ADDED.to_string()])
        .await
        .unwrap();
    let admin = panel_admin(ports);
    let over = u64::from(disk_gb) * 1024 + 1;
    admin.set_usage(&username, over, 42).await.unwrap();

    clock.advance_secs(DAY);
    run_today(ports, Check::PanelSync).await;
    let run = day_run(ports, Check::PanelSync).await;
    for count in [
        "suspended_on_panel",
        "other_package",
        "unknown_domains",
        "over_disk",
        "differing",
    ] {
        assert_eq!(run.counts.get(count), Some(&1), "{count}: {run:?}");
    }
    assert_eq!(run.exceptions.len(), 1, "one per service: {run:?}");
    let what = &run.exceptions[0].what;
    for said in [
        "suspended on the panel",
        other_plan,
        ADDED,
        &format!("{over} MB of disk"),
    ] {
        assert!(what.contains(said), "{said}: {what}");
    }
    let read = panel_state(ports, &customer.id).await;
    assert_eq!(
        (
            read.suspended,
            read.plan_id.as_str(),
            read.unknown_sites.clone()
        ),
        (true, other_plan, vec![ADDED.to_string()])
    );
    assert_eq!((read.disk_used_mb, read.bandwidth_used_mb), (over, 42));
    assert_eq!(read.read_at, hostfront::clock::rfc3339(clock.now()));
    // Nothing changed here: the record is what was sold.
    let now = subscriptions::find(ports.table.as_ref(), &customer.id, &service.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (now.status, now.plan_id, now.v),
        (
            SubscriptionStatus::Active,
            service.plan_id.clone(),
            service.v
        )
    );

    // Staff look again by hand: the run's batch delivered a second time
    // is counted, and raised, once.
    Task::Daily(Check::PanelSync)
        .run_by_hand(ports)
        .await
        .unwrap();
    hostfront_tests::work_off_queue(ports).await;
    let by_hand = day_run(ports, Check::PanelSync).await;
    assert_ne!(by_hand.run, by_hand.day, "a run of its own");
    let keys = vec![subscriptions::key(&customer.id, &service.id)];
    daily::run_batch(ports, Check::PanelSync, &by_hand.run, &keys)
        .await
        .unwrap();
    let again = day_run(ports, Check::PanelSync).await;
    assert_eq!(
        (again.batches_done, again.counts.get("checked")),
        (1, Some(&1)),
        "{again:?}"
    );
    assert_eq!(again.exceptions.len(), 1, "{again:?}");

    // The panel's admins put it back: nothing to raise.
    ports.panel.set_suspended(&username, false).await.unwrap();
    ports
        .panel
        .set_plan(&username, &service.plan_id)
        .await
        .unwrap();
    ports.panel.set_sites(&username, &[]).await.unwrap();
    admin.set_usage(&username, 10, 0).await.unwrap();
    clock.advance_secs(DAY);
    run_today(ports, Check::PanelSync).await;
    let run = day_run(ports, Check::PanelSync).await;
    assert!(run.exceptions.is_empty(), "{run:?}");
    assert!(!panel_state(ports, &customer.id).await.suspended);

    // Staff suspend it here, the panel follows; its admins lift it there.
    let staff = Actor::Staff("stf-grace".into());
    hostfront::staff::subscriptions::set_status(
        ports,
        (&staff, Role::Support, "127.0.0.1"),
        (&customer.id, &service.id),
        SubscriptionStatus::Suspended,
        "abuse report",
    )
    .await
    .unwrap();
    hostfront_tests::work_off_queue(ports).await;
    clock.advance_secs(DAY);
    run_today(ports, Check::PanelSync).await;
    assert!(day_run(ports, Check::PanelSync).await.exceptions.is_empty());
    ports.panel.set_suspended(&username, false).await.unwrap();
    clock.advance_secs(DAY);
    run_today(ports, Check::PanelSync).await;
    let run = day_run(ports, Check::PanelSync).await;
    assert_eq!(run.counts.get("active_on_panel"), Some(&1), "{run:?}");
    assert!(
        run.exceptions[0]
            .what
            .contains("active on the panel but suspended here"),
        "{run:?}"
    );
}

with_clock_on_both_engines!(
    what_the_panel_admins_do_is_raised_and_shown:
        panel_sync_embedded,
        panel_sync_on_dynamodb
);

/// Over HTTP: what the panel's admins do, through the development tools,
/// reaches the owner's service card and the staff's customer file.
async fn the_panels_word_reaches_the_portal_and_the_console(app: &App) {
    let email = format!("{}@example.com", fresh_username());
    let shopper = Shopper::sign_up(app, &email, "GB").await;
    let (status, order) = shopper
        .order(hosting("register", &fresh_domain(), &fresh_username()))
        .await;
    assert_eq!(status, 201, "{order}");
    let id = order["id"].as_str().unwrap();
    shopper
        .pay(id, hostfront::adapters::sim::APPROVED, "GB")
        .await;
    shopper.wait_for(id, "active").await;
    // Another test's scheduler on a shared table may have read it already.
    let (_, services) = shopper.get("/api/services").await;
    let username = services[0]["hosting"]["account"]["username"]
        .as_str()
        .unwrap();
    let customer = services[0]["customer_id"].as_str().unwrap();

    // The panel's admins, through the development tools: nonsense is
    // refused and changes nothing.
    let client = hostfront_tests::http();
    let change = |user: &str, body: serde_json::Value| {
        client
            .put(app.url(&format!("/api/dev/panel/accounts/{user}")))
            .json(&body)
            .send()
    };
    let half = change(username, json!({"suspended": true, "disk_used_mb": 321}))
        .await
        .unwrap();
    assert_eq!(half.status(), 422);
    let body: serde_json::Value = half.json().await.unwrap();
    assert_eq!(body["error"]["code"], "invalid_usage", "{body}");
    assert!(
        !app.ports
            .panel
            .state(username)
            .await
            .unwrap()
            .unwrap()
            .suspended
    );
    let nobody = change("nobody", json!({"suspended": true})).await.unwrap();
    assert_eq!(nobody.status(), 404);
    let done = change(
        username,
        json!({"suspended": true, "disk_used_mb": 321, "bandwidth_used_mb": 7}),
    )
    .await
    .unwrap();
    assert_eq!(done.status(), 204);
    // The app's scheduler may have run today's already: staff run it by hand.
    Task::Daily(Check::PanelSync)
        .run_by_hand(&app.ports)
        .await
        .unwrap();
    hostfront_tests::work_off_queue(&app.ports).await;

    // The run's batches are jobs: the app's own worker may hold one of
    // them still (on a table shared with other tests, there are many), and
    // a run of another test's scheduler may have read the panel before.
    let mut services = serde_json::Value::Null;
    for _ in 0..120 {
        let (status, now) = shopper.get("/api/services").await;
        assert_eq!(status, 200, "{now}");
        services = now;
        if services[0]["panel_state"]["disk_used_mb"] == 321 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    }
    let seen = &services[0]["panel_state"];
    assert_eq!(seen["suspended"], true, "{services}");
    assert_eq!(
        (
            seen["disk_used_mb"].as_u64(),
            seen["bandwidth_used_mb"].as_u64()
        ),
        (Some(321), Some(7))
    );
    assert_eq!(services[0]["status"], "active", "{services}");

    let clerk = Clerk::log_in(app, Role::Support).await;
    let (status, file) = clerk.get(&format!("/api/admin/customers/{customer}")).await;
    assert_eq!(status, 200, "{file}");
    assert_eq!(file["services"][0]["panel_state"], *seen, "{file}");
    assert_eq!(file["services"][0]["id"], services[0]["id"]);
}

on_both_engines!(
    the_panels_word_reaches_the_portal_and_the_console:
        panel_word_shown_embedded,
        panel_word_shown_cloud,
    |c| c.policy.dev_tools = true
);
