//! A plan upgrade paid in the portal with a card whose bank asks its
//! holder to confirm the payment (3-D Secure, the simulation's 4000 0025
//! 0000 3155): the upgrade waits at the bank with the service on its plan,
//! and coming back makes it once, captured once however often and however
//! many at once ask; a refusal voids its invoice and leaves the service
//! upgradable; one left at the bank past its time is ended by the next
//! upgrade, nothing of it captured. On both engines, with the gateway watched.

use hostfront::Ports;
use hostfront::accounts::Customer;
use hostfront::adapters::sim::{APPROVED, AUTHENTICATES};
use hostfront::billing::lease::BANK_SECS;
use hostfront::billing::{InvoiceFor, InvoiceStatus, invoice};
use hostfront::clock::ManualClock;
use hostfront::payments::PaymentSource;
use hostfront::subscriptions::Subscription;
use hostfront::subscriptions::addons::{self, AddonError, Upgraded, upgrade_bank};
use hostfront_tests::App;
use hostfront_tests::shopper::{fresh_username, test_method};
use serde_json::{Value, json};

use super::card_testing::log_in;
use super::watched_gateway::watched;
use crate::renewals::services::card;
use crate::renewals::{first_service, live_domain};

/// Upgrades the customer's `service` to Web Business with `number`, under `key`.
async fn upgrade(
    ports: &Ports,
    (customer, service): (&Customer, &Subscription),
    number: &str,
    key: &str,
) -> Result<Upgraded, AddonError> {
    let with = PaymentSource::Method(card(number));
    addons::upgrade(ports, &customer.id, &service.id, "web-business", with, key).await
}

/// The check at the bank an upgrade waiting there sends its holder to.
fn check_of(waiting: &Upgraded) -> String {
    assert_eq!(waiting.service.plan_id, "web-starter", "not upgraded yet");
    super::watched_gateway::bank_check(waiting.payment_action_url.as_deref())
}

/// The customer's upgrade invoices' statuses, oldest first.
async fn upgrade_invoices(ports: &Ports, customer: &Customer) -> Vec<InvoiceStatus> {
    let mut bills = invoice::of_customer(ports.table.as_ref(), &customer.id, 20)
        .await
        .unwrap();
    bills.retain(|b| matches!(b.about, InvoiceFor::Upgrade { .. }));
    bills.sort_by(|a, b| a.number.cmp(&b.number));
    bills.into_iter().map(|b| b.status).collect()
}

async fn confirming_at_the_bank_upgrades_once(_clock: &ManualClock, ports: &Ports) {
    let (ports, seen) = watched(ports.clone());
    let ports = &ports;
    let (customer, _) = live_domain(ports).await;
    let service = first_service(ports, &customer.id).await;
    let owner = (&customer, &service);
    let before = seen.captures.lock().unwrap().len();
    let waiting = upgrade(ports, owner, AUTHENTICATES, "k-3ds").await.unwrap();
    let check = check_of(&waiting);
    let again = upgrade(ports, owner, AUTHENTICATES, "k-3ds").await.unwrap();
    assert_eq!(
        again.payment_action_url, waiting.payment_action_url,
        "the same key"
    );
    let other = upgrade(ports, owner, APPROVED, "k-other").await;
    assert!(
        matches!(
            other,
            Err(AddonError::Conflict {
                code: "upgrade_in_progress",
                ..
            })
        ),
        "{other:?}"
    );

    let confirm = || upgrade_bank::confirmed_at_bank(ports, &customer.id, &service.id);
    let still = confirm().await.unwrap();
    assert_eq!(
        still.payment_action_url, waiting.payment_action_url,
        "not answered yet"
    );
    let back = super::watched_gateway::answer_bank(ports, &check, true).await;
    assert!(
        back.ends_with(&format!("/portal.html?confirmed_upgrade={}", service.id)),
        "{back}"
    );
    let (first, second) = tokio::join!(confirm(), confirm());
    for answer in [first, second] {
        let done = answer.unwrap();
        assert_eq!(done.service.plan_id, "web-business");
        assert_eq!(done.payment_action_url, None);
    }
    let replay = confirm().await.unwrap();
    assert_eq!(replay.service.plan_id, "web-business", "a replay");
    let captures = seen.captured_since(before);
    assert_eq!(captures.len(), 1, "captured once: {captures:?}");
    assert_eq!(
        upgrade_invoices(ports, &customer).await,
        [InvoiceStatus::Paid]
    );
}

with_clock_on_both_engines!(confirming_at_the_bank_upgrades_once: confirmed_embedded, confirmed_cloud);

async fn refusing_at_the_bank_leaves_the_plan(_clock: &ManualClock, ports: &Ports) {
    let (ports, seen) = watched(ports.clone());
    let ports = &ports;
    let (customer, _) = live_domain(ports).await;
    let service = first_service(ports, &customer.id).await;
    let owner = (&customer, &service);
    let before = seen.captures.lock().unwrap().len();
    let waiting = upgrade(ports, owner, AUTHENTICATES, "k-3ds").await.unwrap();
    let check = check_of(&waiting);
    super::watched_gateway::answer_bank(ports, &check, false).await;
    let confirm = || upgrade_bank::confirmed_at_bank(ports, &customer.id, &service.id);
    match confirm().await {
        Err(AddonError::Declined { code, .. }) => assert_eq!(code, "authentication_failed"),
        other => panic!("{other:?}"),
    }
    let told_once = confirm().await;
    assert!(
        matches!(
            told_once,
            Err(AddonError::Conflict {
                code: "nothing_to_confirm",
                ..
            })
        ),
        "{told_once:?}"
    );
    assert_eq!(
        first_service(ports, &customer.id).await.plan_id,
        "web-starter"
    );
    let upgraded = upgrade(ports, owner, APPROVED, "k-new").await.unwrap();
    assert_eq!(upgraded.service.plan_id, "web-business");
    assert_eq!(
        upgrade_invoices(ports, &customer).await,
        [InvoiceStatus::Void, InvoiceStatus::Paid]
    );
    assert_eq!(seen.captured_since(before).len(), 1, "only the new card");
}

with_clock_on_both_engines!(refusing_at_the_bank_leaves_the_plan: refused_embedded, refused_cloud);

async fn an_upgrade_left_at_the_bank_is_ended_by_the_next(clock: &ManualClock, ports: &Ports) {
    let (ports, seen) = watched(ports.clone());
    let ports = &ports;
    let (customer, _) = live_domain(ports).await;
    let service = first_service(ports, &customer.id).await;
    let owner = (&customer, &service);
    let before = seen.captures.lock().unwrap().len();
    let waiting = upgrade(ports, owner, AUTHENTICATES, "k-3ds").await.unwrap();
    let check = check_of(&waiting);
    let early = upgrade(ports, owner, APPROVED, "k-early").await;
    assert!(
        matches!(early, Err(AddonError::Conflict { .. })),
        "{early:?}"
    );
    clock.advance_secs(BANK_SECS + 1);
    let upgraded = upgrade(ports, owner, APPROVED, "k-later").await.unwrap();
    assert_eq!(upgraded.service.plan_id, "web-business");
    assert_eq!(
        upgrade_invoices(ports, &customer).await,
        [InvoiceStatus::Void, InvoiceStatus::Paid],
        "the one left at the bank voided"
    );
    super::watched_gateway::answer_bank(ports, &check, true).await;
    let late = upgrade_bank::confirmed_at_bank(ports, &customer.id, &service.id).await;
    assert!(
        matches!(
            late,
            Err(AddonError::Conflict {
                code: "nothing_to_confirm",
                ..
            })
        ),
        "{late:?}"
    );
    let probe = ports.payments.capture(&check, 1, "late").await;
    assert!(probe.is_err(), "let go of: {probe:?}");
    assert_eq!(seen.captured_since(before).len(), 1, "only the new card");
}

with_clock_on_both_engines!(an_upgrade_left_at_the_bank_is_ended_by_the_next: lapsed_embedded, lapsed_cloud);

fn code((status, body): (u16, Value)) -> (u16, String) {
    (
        status,
        body["error"]["code"].as_str().unwrap_or("none").to_string(),
    )
}

async fn the_portal_upgrades_through_the_bank(_clock: &ManualClock, ports: &Ports) {
    let (customer, _) = live_domain(ports).await;
    let service = first_service(ports, &customer.id).await;
    let app = App::serve(ports.clone()).await;
    let ada = log_in(&app, &customer.email).await;
    let confirm = format!("/api/services/{}/upgrade/confirm", service.id);
    assert_eq!(
        code(ada.post(&confirm, json!({}), None).await),
        (409, "nothing_to_confirm".into())
    );
    let body = json!({"plan_id": "web-business", "payment_method": test_method(AUTHENTICATES)});
    let path = format!("/api/services/{}/upgrade", service.id);
    let (status, waiting) = ada.post(&path, body, Some("k-3ds")).await;
    assert_eq!(status, 200, "{waiting}");
    assert_eq!(waiting["plan_id"], "web-starter");
    let url = waiting["payment_action_url"].as_str().unwrap();
    let check = url.split("check=").nth(1).unwrap();
    let answer = format!("/api/payments/simulated-bank/{check}");
    let (eve, _) = hostfront_tests::customer(ports, &fresh_username()).await;
    let eve = log_in(&app, &eve.email).await;
    assert_eq!(
        eve.post(&answer, json!({"confirmed": true}), None).await.0,
        404
    );
    assert_eq!(eve.post(&confirm, json!({}), None).await.0, 404);
    let (status, back) = ada.post(&answer, json!({"confirmed": true}), None).await;
    assert_eq!(status, 200, "{back}");
    for _ in 0..2 {
        let (status, done) = ada.post(&confirm, json!({}), None).await;
        assert_eq!(
            (status, &done["plan_id"]),
            (200, &json!("web-business")),
            "{done}"
        );
        assert!(done.get("payment_action_url").is_none(), "{done}");
    }
}

with_clock_on_both_engines!(the_portal_upgrades_through_the_bank: over_http_embedded, over_http_cloud);

async fn the_sweep_ends_an_upgrade_left_at_the_bank(clock: &ManualClock, ports: &Ports) {
    let (ports, seen) = watched(ports.clone());
    let ports = &ports;
    let (customer, _) = live_domain(ports).await;
    let service = first_service(ports, &customer.id).await;
    let before = seen.captures.lock().unwrap().len();
    let waiting = upgrade(ports, (&customer, &service), AUTHENTICATES, "k-3ds")
        .await
        .unwrap();
    let check = check_of(&waiting);
    let sweep = || hostfront::scheduler::Task::ResumeRenewals.run(ports);
    let early = sweep().await.unwrap();
    assert!(
        !early.contains("upgrades"),
        "still within its time: {early}"
    );
    clock.advance_secs(BANK_SECS + 1);
    let (first, second) = tokio::join!(sweep(), sweep());
    let told = format!("{} / {}", first.unwrap(), second.unwrap());
    let ended = told.matches("ended 1 upgrades left at the bank").count();
    assert_eq!(ended, 1, "ended once: {told}");
    let after = sweep().await.unwrap();
    assert!(
        !after.contains("upgrades"),
        "out of the sweep's file: {after}"
    );
    assert_eq!(
        upgrade_invoices(ports, &customer).await,
        [InvoiceStatus::Void]
    );

    super::watched_gateway::answer_bank(ports, &check, true).await;
    let late = upgrade_bank::confirmed_at_bank(ports, &customer.id, &service.id).await;
    assert!(
        matches!(
            late,
            Err(AddonError::Conflict {
                code: "nothing_to_confirm",
                ..
            })
        ),
        "{late:?}"
    );
    assert_eq!(
        first_service(ports, &customer.id).await.plan_id,
        "web-starter"
    );
    assert!(seen.captured_since(before).is_empty(), "nothing captured");
}

with_clock_on_both_engines!(the_sweep_ends_an_upgrade_left_at_the_bank: swept_embedded, swept_cloud);
