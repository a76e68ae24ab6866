//! Upgrades of one service at once: one at a time. Two requests under their
//! own keys: one is made and paid, the other refused (409
//! `upgrade_in_progress`) having charged nothing. And should an upgrade's
//! lease lapse while its card is charged, the one of the two that can no
//! longer be recorded is refunded and its invoice voided: every capture is
//! recorded or given back. Over HTTP, on both engines.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use std::time::Duration;

use hostfront::Ports;
use hostfront::adapters::sim::APPROVED;
use hostfront::billing::lease::LEASE_SECS;
use hostfront::billing::{Invoice, InvoiceFor, InvoiceStatus, invoice};
use hostfront::clock::ManualClock;
use hostfront_tests::{App, until};
use serde_json::{Value, json};

use super::card_testing::{card, log_in};
use super::watched_gateway::{Seen, watched};
use crate::renewals::{first_service, live_domain};
use hostfront::CustomerId;

/// How long a test waits for the requests to reach the point it waits for.
const WAIT: Duration = Duration::from_secs(20);

/// Runs a case on each engine, with a clock it moves and a gateway it holds.
macro_rules! on_both_engines_held {
    ($case:ident: $embedded:ident, $cloud:ident) => {
        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn $embedded() {
            let clock = ManualClock::starting_now();
            let (_dir, ports) = hostfront_tests::embedded_ports_with(&clock, |_| {});
            let (ports, seen) = watched(ports);
            $case(&clock, ports, seen).await;
        }

        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn $cloud() {
            let clock = ManualClock::starting_now();
            let (_dir, ports) = hostfront_tests::cloud_ports_with(&clock, |_| {}).await;
            let (ports, seen) = watched(ports);
            $case(&clock, ports, seen).await;
        }
    };
}

fn outcome((status, body): (u16, Value)) -> (u16, String) {
    let code = body["error"]["code"].as_str().unwrap_or("").to_string();
    (status, code)
}

async fn upgrade_invoices(ports: &Ports, customer_id: &CustomerId) -> Vec<Invoice> {
    invoice::of_customer(ports.table.as_ref(), customer_id, 50)
        .await
        .unwrap()
        .into_iter()
        .filter(|i| matches!(i.about, InvoiceFor::Upgrade { .. }))
        .collect()
}

async fn two_upgrades_at_once(_: &ManualClock, ports: Ports, seen: Arc<Seen>) {
    // Live before the app's own workers start, which would race the setup.
    let mut customers = Vec::new();
    for _ in 0..3 {
        customers.push(live_domain(&ports).await.0);
    }
    let app = App::serve(ports.clone()).await;
    let body = json!({"plan_id": "web-business", "payment_method": card(APPROVED)});
    for (round, customer) in customers.into_iter().enumerate() {
        let service = first_service(&ports, &customer.id).await;
        let shopper = log_in(&app, &customer.email).await;
        let path = format!("/api/services/{}/upgrade", service.id);
        let captured = seen.captures.lock().unwrap().len();
        // One card is held at the gateway until the other request is answered.
        seen.hold();
        let answered = AtomicUsize::new(0);
        let upgrade = |key: &'static str| {
            let (shopper, path, body, answered) = (&shopper, &path, &body, &answered);
            async move {
                let answer = shopper.post(path, body.clone(), Some(key)).await;
                answered.fetch_add(1, SeqCst);
                answer
            }
        };
        let release = async {
            let what = "one upgrade answered while the other's card is held";
            until(WAIT, what, || async { answered.load(SeqCst) > 0 }).await;
            seen.release();
        };
        let (first, second, ()) = tokio::join!(upgrade("first"), upgrade("second"), release);
        let mut outcomes = [outcome(first), outcome(second)];
        outcomes.sort();
        assert_eq!(
            outcomes,
            [(200, String::new()), (409, "upgrade_in_progress".into())],
            "round {round}"
        );
        let captures = seen.captures.lock().unwrap().len() - captured;
        assert_eq!(captures, 1, "round {round}: one capture");
        let bills = upgrade_invoices(&ports, &customer.id).await;
        let statuses: Vec<_> = bills.iter().map(|b| b.status).collect();
        assert_eq!(
            statuses,
            [InvoiceStatus::Paid],
            "round {round}: one invoice, paid"
        );
        let (_, shown) = shopper.get("/api/services").await;
        assert_eq!(shown[0]["plan_id"], "web-business");
    }
    app.shutdown().await.unwrap();
}

on_both_engines_held!(two_upgrades_at_once: two_upgrades_embedded, two_upgrades_cloud);

async fn an_upgrade_whose_lease_lapsed(clock: &ManualClock, ports: Ports, seen: Arc<Seen>) {
    let (customer, _) = live_domain(&ports).await;
    let app = App::serve(ports.clone()).await;
    let service = first_service(&ports, &customer.id).await;
    let shopper = log_in(&app, &customer.email).await;
    let path = format!("/api/services/{}/upgrade", service.id);
    let body = json!({"plan_id": "web-business", "payment_method": card(APPROVED)});
    let (captured, refunded) = (
        seen.captures.lock().unwrap().len(),
        seen.refunds.lock().unwrap().len(),
    );
    // Both cards are held at the gateway until both upgrades have reached it.
    let cards = seen.cards();
    seen.hold();
    let late = async {
        // Once the first has its invoice (and so the lease), while its card is held.
        until(WAIT, "the first upgrade's invoice", || async {
            !upgrade_invoices(&ports, &customer.id).await.is_empty()
        })
        .await;
        clock.advance_secs(LEASE_SECS + 1);
        shopper.post(&path, body.clone(), Some("late")).await
    };
    let release = async {
        until(WAIT, "both cards at the gateway", || async {
            seen.cards() >= cards + 2
        })
        .await;
        seen.release();
    };
    let (first, second, ()) = tokio::join!(
        shopper.post(&path, body.clone(), Some("held")),
        late,
        release
    );
    let mut outcomes = [outcome(first), outcome(second)];
    outcomes.sort();
    assert_eq!(
        outcomes,
        [(200, String::new()), (409, "upgrade_in_progress".into())]
    );
    let captures = seen.captures.lock().unwrap()[captured..].to_vec();
    let refunds = seen.refunds.lock().unwrap()[refunded..].to_vec();
    assert_eq!(captures.len(), 2, "both cards were captured");
    let bills = upgrade_invoices(&ports, &customer.id).await;
    let paid: Vec<_> = bills
        .iter()
        .filter(|b| b.status == InvoiceStatus::Paid)
        .collect();
    assert_eq!(paid.len(), 1, "{bills:?}");
    assert!(
        bills
            .iter()
            .all(|b| matches!(b.status, InvoiceStatus::Paid | InvoiceStatus::Void)),
        "none left open: {bills:?}"
    );
    let recorded = paid[0].capture_id.clone().unwrap();
    let given_back: Vec<_> = refunds
        .iter()
        .map(|r| (r.capture_id.clone(), r.amount))
        .collect();
    let other = captures.iter().find(|c| c.id != recorded).unwrap();
    assert_eq!(
        given_back,
        [(other.id.clone(), other.amount)],
        "the capture not recorded is refunded in full"
    );
    app.shutdown().await.unwrap();
}

on_both_engines_held!(an_upgrade_whose_lease_lapsed: lapsed_lease_embedded, lapsed_lease_cloud);
