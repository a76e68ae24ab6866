//! A domain renewed in the portal with a card whose bank asks its holder to
//! confirm the payment (3-D Secure, the simulation's 4000 0025 0000 3155):
//! the renewal waits at the bank, and coming back queues it once, renewed
//! and captured once however often and however many at once ask; a refusal
//! declines it and leaves the domain renewable; a holder who never comes
//! back holds nothing for long. On both engines, with the gateway watched.

use hostfront::Ports;
use hostfront::accounts::Customer;
use hostfront::adapters::sim::{APPROVED, AUTHENTICATES};
use hostfront::billing::{InvoiceStatus, invoice};
use hostfront::clock::{ManualClock, add_years_secs};
use hostfront::domains::owned::OwnedDomain;
use hostfront::renewals::{self, Renewal, RenewalError, RenewalStatus, bank};
use hostfront_tests::App;
use hostfront_tests::shopper::{Shopper, fresh_username, test_method};
use serde_json::{Value, json};

use super::card_testing::log_in;
use super::watched_gateway::watched;
use crate::renewals::{live_domain, paying_with};

/// Asks to renew `domain` for a year with `card`, under `key`.
async fn renew(
    ports: &Ports,
    (customer, domain): (&Customer, &OwnedDomain),
    key: &str,
    card: &str,
) -> Result<(Renewal, bool), RenewalError> {
    renewals::renew(ports, customer, &domain.name, key, paying_with(card, 1)).await
}

/// The check at the bank a renewal waiting there sends its holder to.
fn check_of(waiting: &Renewal) -> String {
    assert_eq!(waiting.status, RenewalStatus::AtBank, "{waiting:?}");
    assert!(waiting.bank_until.is_some(), "until when it waits");
    super::watched_gateway::bank_check(waiting.payment_action_url.as_deref())
}

async fn invoice_status(ports: &Ports, renewal: &Renewal) -> InvoiceStatus {
    let table = ports.table.as_ref();
    invoice::find(table, &renewal.customer_id, &renewal.invoice_number)
        .await
        .unwrap()
        .unwrap()
        .status
}

async fn confirming_at_the_bank_renews_once(_clock: &ManualClock, ports: &Ports) {
    let (ports, seen) = watched(ports.clone());
    let ports = &ports;
    let (customer, domain) = live_domain(ports).await;
    let owner = (&customer, &domain);
    let before = seen.captures.lock().unwrap().len();
    let (waiting, created) = renew(ports, owner, "k-3ds", AUTHENTICATES).await.unwrap();
    assert!(created);
    let check = check_of(&waiting);
    assert_eq!(invoice_status(ports, &waiting).await, InvoiceStatus::Open);
    let (again, created) = renew(ports, owner, "k-3ds", AUTHENTICATES).await.unwrap();
    assert!(!created);
    assert_eq!(
        again.payment_action_url, waiting.payment_action_url,
        "the same key while at the bank: the same bank page"
    );
    let other = renew(ports, owner, "k-other", APPROVED).await;
    assert!(matches!(other, Err(RenewalError::Underway)), "{other:?}");

    let confirm = || bank::confirmed_at_bank(ports, &customer.id, &domain.name);
    let still = confirm().await.unwrap();
    assert_eq!(still.status, RenewalStatus::AtBank, "not answered yet");
    assert_eq!(still.payment_action_url, waiting.payment_action_url);
    let back = super::watched_gateway::answer_bank(ports, &check, true).await;
    assert!(
        back.ends_with(&format!("/portal.html?confirmed_renewal={}", domain.name)),
        "{back}"
    );

    let (first, second) = tokio::join!(confirm(), confirm());
    for answer in [first, second] {
        let queued = answer.unwrap();
        assert_eq!(queued.status, RenewalStatus::Queued, "{queued:?}");
        assert_eq!(queued.payment_action_url, None);
        assert_eq!(queued.authorization_id.as_deref(), Some(check.as_str()));
    }
    let expiry = waiting.current_expiry;
    let (a, b) = tokio::join!(
        renewals::run(ports, &domain.name, expiry, false),
        renewals::run(ports, &domain.name, expiry, false),
    );
    a.unwrap();
    b.unwrap();
    let done = confirm().await.unwrap();
    assert_eq!(done.status, RenewalStatus::Renewed, "a replay: {done:?}");
    assert_eq!(done.new_expiry, Some(add_years_secs(expiry, 1)));
    assert_eq!(invoice_status(ports, &done).await, InvoiceStatus::Paid);
    let captures = seen.captured_since(before);
    assert_eq!(captures.len(), 1, "captured once: {captures:?}");
    let moves = hostfront::audit::read(
        ports.table.as_ref(),
        hostfront::audit::AuditQuery::Subject(&format!("renewal:{}@{expiry}", domain.name)),
        10,
    )
    .await
    .unwrap();
    let moves: Vec<_> = moves.into_iter().rev().map(|e| e.action).collect();
    assert_eq!(moves, ["sent_to_bank", "authorised", "renewed"]);
}

with_clock_on_both_engines!(confirming_at_the_bank_renews_once: confirmed_embedded, confirmed_cloud);

async fn refusing_at_the_bank_leaves_the_domain_renewable(_clock: &ManualClock, ports: &Ports) {
    let (ports, seen) = watched(ports.clone());
    let ports = &ports;
    let (customer, domain) = live_domain(ports).await;
    let owner = (&customer, &domain);
    let before = seen.captures.lock().unwrap().len();
    let (waiting, _) = renew(ports, owner, "k-3ds", AUTHENTICATES).await.unwrap();
    super::watched_gateway::answer_bank(ports, &check_of(&waiting), false).await;
    let confirm = || bank::confirmed_at_bank(ports, &customer.id, &domain.name);
    match confirm().await {
        Err(RenewalError::Declined { code, .. }) => assert_eq!(code, "authentication_failed"),
        other => panic!("{other:?}"),
    }
    let told_once = confirm().await;
    assert!(
        matches!(told_once, Err(RenewalError::NothingToConfirm)),
        "{told_once:?}"
    );
    let declined = renewals::find(ports.table.as_ref(), &domain.name, waiting.current_expiry)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(declined.status, RenewalStatus::Declined);
    assert_eq!(declined.payment_action_url, None);
    assert_eq!(invoice_status(ports, &declined).await, InvoiceStatus::Void);

    // Renewable again, with another card.
    let (renewed, created) = renew(ports, owner, "k-new", APPROVED).await.unwrap();
    assert!(created);
    assert_eq!(renewed.status, RenewalStatus::Queued);
    renewals::run(ports, &domain.name, renewed.current_expiry, true)
        .await
        .unwrap();
    assert_eq!(seen.captured_since(before).len(), 1, "only the new card");
}

with_clock_on_both_engines!(refusing_at_the_bank_leaves_the_domain_renewable: refused_embedded, refused_cloud);

async fn a_holder_who_never_comes_back_holds_nothing_for_long(clock: &ManualClock, ports: &Ports) {
    let (ports, seen) = watched(ports.clone());
    let ports = &ports;
    let (customer, domain) = live_domain(ports).await;
    let owner = (&customer, &domain);
    let before = seen.captures.lock().unwrap().len();
    let (waiting, _) = renew(ports, owner, "k-3ds", AUTHENTICATES).await.unwrap();
    let check = check_of(&waiting);
    let sweep = || renewals::abandon_stale(ports, hostfront::scheduler::STALLED_AFTER);
    clock.advance_secs(11 * 60);
    assert_eq!(
        sweep().await.unwrap(),
        0,
        "still within its time at the bank"
    );
    clock.advance_secs(bank::BANK_SECS);
    let (first, second) = tokio::join!(sweep(), sweep());
    assert_eq!(first.unwrap() + second.unwrap(), 1, "ended once");
    let ended = renewals::find(ports.table.as_ref(), &domain.name, waiting.current_expiry)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(ended.status, RenewalStatus::Abandoned);
    assert_eq!(invoice_status(ports, &ended).await, InvoiceStatus::Void);

    // The holder confirms late: nothing is left to take.
    super::watched_gateway::answer_bank(ports, &check, true).await;
    let late = bank::confirmed_at_bank(ports, &customer.id, &domain.name).await;
    assert!(
        matches!(late, Err(RenewalError::NothingToConfirm)),
        "{late:?}"
    );
    let (replay, _) = renew(ports, owner, "k-3ds", AUTHENTICATES).await.unwrap();
    assert_eq!(
        replay.status,
        RenewalStatus::Abandoned,
        "its key finds it ended"
    );
    let capture = ports.payments.capture(&check, waiting.total, "late").await;
    assert!(capture.is_err(), "let go of: {capture:?}");
    assert!(seen.captured_since(before).is_empty(), "nothing captured");
}

with_clock_on_both_engines!(a_holder_who_never_comes_back_holds_nothing_for_long: abandoned_embedded, abandoned_cloud);

fn code((status, body): (u16, Value)) -> (u16, String) {
    let code = body["error"]["code"].as_str().unwrap_or("none");
    (status, code.to_string())
}

/// Renews `domain` with the card whose bank asks, over HTTP: the bank's
/// check it is sent to.
async fn to_the_bank(ada: &Shopper<'_>, domain: &str, key: &str) -> String {
    let body = json!({"years": 1, "payment_method": test_method(AUTHENTICATES)});
    let path = format!("/api/domains/{domain}/renew");
    let (status, waiting) = ada.post(&path, body, Some(key)).await;
    assert_eq!(status, 202, "{waiting}");
    assert_eq!(waiting["status"], "at_bank");
    let url = waiting["payment_action_url"].as_str().unwrap();
    url.split("check=").nth(1).unwrap().to_string()
}

async fn the_portal_renews_through_the_bank(_clock: &ManualClock, ports: &Ports) {
    let (customer, domain) = live_domain(ports).await;
    let app = App::serve(ports.clone()).await;
    let ada = log_in(&app, &customer.email).await;
    let name = domain.name.as_str();
    let confirm = format!("/api/domains/{name}/renew/confirm");
    assert_eq!(
        code(ada.post(&confirm, json!({}), None).await),
        (404, "not_found".into()),
        "no renewal of it yet"
    );

    let check = to_the_bank(&ada, name, "k-refused").await;
    let answer = format!("/api/payments/simulated-bank/{check}");
    let (status, back) = ada.post(&answer, json!({"confirmed": false}), None).await;
    assert_eq!(status, 200, "{back}");
    let back = back["return_url"].as_str().unwrap();
    assert!(
        back.ends_with(&format!("/portal.html?confirmed_renewal={name}")),
        "{back}"
    );
    assert_eq!(
        code(ada.post(&confirm, json!({}), None).await),
        (402, "authentication_failed".into())
    );
    assert_eq!(
        code(ada.post(&confirm, json!({}), None).await),
        (409, "nothing_to_confirm".into())
    );

    let check = to_the_bank(&ada, name, "k-confirmed").await;
    let answer = format!("/api/payments/simulated-bank/{check}");
    let (eve, _) = hostfront_tests::customer(ports, &fresh_username()).await;
    let eve = log_in(&app, &eve.email).await;
    let (status, _) = eve.post(&answer, json!({"confirmed": true}), None).await;
    assert_eq!(status, 404, "another customer's check");
    assert_eq!(eve.post(&confirm, json!({}), None).await.0, 404);
    let (status, _) = ada.post(&answer, json!({"confirmed": true}), None).await;
    assert_eq!(status, 200);
    for _ in 0..2 {
        let (status, queued) = ada.post(&confirm, json!({}), None).await;
        assert_eq!(status, 200, "{queued}");
        assert!(
            ["queued", "renewed"].contains(&queued["status"].as_str().unwrap()),
            "{queued}"
        );
        assert!(queued.get("payment_action_url").is_none(), "{queued}");
    }
}

with_clock_on_both_engines!(the_portal_renews_through_the_bank: over_http_embedded, over_http_cloud);
