//! Staff decisions on orders, on both engines: approve and reject orders held
//! for review, resume orders that stopped; every move recorded in the audit
//! log with who made it and why, and moves the lifecycle does not allow
//! refused.

mod refunds;

use hostfront::OrderId;
use hostfront::adapters::sim::APPROVED;
use hostfront::audit::{self, Actor, AuditQuery};
use hostfront::mail::MailKind;
use hostfront::orders::decisions;
use hostfront::orders::{OrderError, OrderStatus};
use hostfront::staff::Role;
use hostfront_tests::App;
use hostfront_tests::shopper::{Shopper, fresh_username, hosting};

use serde_json::json;

use super::mail_kinds;

fn staff() -> Actor {
    Actor::Staff("stf-grace".into())
}

/// A paid order held for review: its billing country is not the account's.
async fn held_for_review(ada: &Shopper<'_>) -> (OrderId, String) {
    let username = fresh_username();
    let (_, order) = ada
        .order(hosting("subdomain", &fresh_username(), &username))
        .await;
    let id = OrderId::new(order["id"].as_str().unwrap());
    let (_, paid) = ada.pay(&id, APPROVED, "US").await;
    assert_eq!(paid["status"], "pending_review", "{paid}");
    (id, username)
}

/// The actions recorded for `order_id`, oldest first, with who made them.
async fn history(app: &App, order_id: &OrderId) -> Vec<(String, String)> {
    let subject = format!("order:{order_id}");
    let mut entries = audit::read(app.ports.table.as_ref(), AuditQuery::Subject(&subject), 50)
        .await
        .unwrap();
    entries.reverse();
    entries
        .into_iter()
        .map(|e| (e.action, e.actor.label()))
        .collect()
}

fn is_refused_move(result: &Result<hostfront::orders::Order, OrderError>) -> bool {
    matches!(result, Err(OrderError::Transition(_)))
}

async fn approving_provisions_the_order(app: &App) {
    let ada = Shopper::sign_up(app, &format!("{}@example.com", fresh_username()), "GB").await;
    let (id, _) = held_for_review(&ada).await;
    let refused = decisions::approve(
        &app.ports,
        (&staff(), Role::Support, "127.0.0.1"),
        &id,
        "  ",
    )
    .await;
    assert!(matches!(
        refused,
        Err(OrderError::Invalid {
            code: "invalid_reason",
            ..
        })
    ));

    let approved = decisions::approve(
        &app.ports,
        (&staff(), Role::Support, "127.0.0.1"),
        &id,
        "called the customer",
    )
    .await
    .unwrap();
    assert_eq!(approved.status, OrderStatus::Provisioning);
    ada.wait_for(&id, "active").await;
    let customer = ada.get("/api/me").await.1["id"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(
        history(app, &id).await,
        [
            (
                "paid_held_for_review".to_string(),
                format!("customer:{customer}")
            ),
            ("approved".to_string(), "staff:stf-grace".to_string()),
            ("went_live".to_string(), "system:provisioning".to_string()),
        ]
    );
    let entries = audit::read(app.ports.table.as_ref(), AuditQuery::Actor(&staff()), 10)
        .await
        .unwrap();
    let mine: Vec<_> = entries
        .iter()
        .filter(|e| e.subject == format!("order:{id}"))
        .collect();
    assert_eq!(mine.len(), 1);
    assert_eq!(
        (
            mine[0].why.as_str(),
            mine[0].from.as_deref(),
            mine[0].to.as_deref()
        ),
        (
            "called the customer",
            Some("pending_review"),
            Some("provisioning")
        )
    );
    // A live order cannot be approved, rejected or resumed.
    for result in [
        decisions::approve(
            &app.ports,
            (&staff(), Role::Support, "127.0.0.1"),
            &id,
            "again",
        )
        .await,
        decisions::reject(
            &app.ports,
            (&staff(), Role::Billing, "127.0.0.1"),
            &id,
            "too late",
        )
        .await,
        decisions::resume(
            &app.ports,
            (&staff(), Role::Support, "127.0.0.1"),
            &id,
            "why not",
        )
        .await,
    ] {
        assert!(is_refused_move(&result), "{result:?}");
    }
    assert_eq!(
        history(app, &id).await.len(),
        3,
        "refused moves record nothing"
    );
}

on_both_engines!(approving_provisions_the_order: approve_embedded, approve_cloud);

async fn rejecting_refunds_once_and_frees_the_names(app: &App) {
    let ada = Shopper::sign_up(app, &format!("{}@example.com", fresh_username()), "GB").await;
    let (id, username) = held_for_review(&ada).await;
    let why = "We cannot verify the card holder.";
    let rejected = decisions::reject(&app.ports, (&staff(), Role::Billing, "127.0.0.1"), &id, why)
        .await
        .unwrap();
    assert_eq!(rejected.status, OrderStatus::Rejected);
    assert!(is_refused_move(
        &decisions::reject(&app.ports, (&staff(), Role::Billing, "127.0.0.1"), &id, why).await
    ));
    assert!(is_refused_move(
        &decisions::approve(
            &app.ports,
            (&staff(), Role::Support, "127.0.0.1"),
            &id,
            "changed my mind"
        )
        .await
    ));

    let (_, order) = ada.get(&format!("/api/orders/{id}")).await;
    assert_eq!(order["status"], "rejected");
    assert_eq!(
        order["invoice"]["status"], "paid",
        "the invoice stays as issued"
    );
    let (_, notes) = ada.get("/api/credit-notes").await;
    assert_eq!(notes.as_array().map(Vec::len), Some(1), "{notes}");
    assert_eq!(notes[0]["invoice_number"], order["invoice"]["number"]);
    assert_eq!(notes[0]["total"], order["invoice"]["total"]);
    assert_eq!(order["customer_message"], why);
    let rejections = mail_kinds(app, id.as_str())
        .await
        .into_iter()
        .filter(|k| *k == MailKind::OrderRejected)
        .count();
    assert_eq!(rejections, 1);
    // The gateway answers the same refund key with the same refund, so a
    // retried rejection can never pay back twice.
    let payment = rejected.payment.unwrap();
    let again = app
        .ports
        .payments
        .refund(
            &payment.capture_id,
            payment.amount,
            &format!("{id}-refund-{}", payment.amount),
        )
        .await
        .unwrap();
    let more = app
        .ports
        .payments
        .refund(&payment.capture_id, 1, &format!("{id}-another"))
        .await;
    assert!(more.is_err(), "nothing is left to refund: {more:?}");
    assert_eq!(again.amount, payment.amount);

    // The username is free again for a new order.
    let (status, body) = ada
        .order(hosting("subdomain", &fresh_username(), &username))
        .await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(
        history(app, &id).await.last().unwrap(),
        &("rejected".to_string(), "staff:stf-grace".to_string())
    );
}

on_both_engines!(rejecting_refunds_once_and_frees_the_names: reject_embedded, reject_cloud);

async fn resuming_runs_the_stopped_step_again(app: &App) {
    let ada = Shopper::sign_up(app, &format!("{}@example.com", fresh_username()), "DE").await;
    let mut body = hosting("transfer", "google.com", &fresh_username());
    body["domain"]["auth_code"] = json!("WRONG-CODE");
    let (_, order) = ada.order(body).await;
    let id = OrderId::new(order["id"].as_str().unwrap());
    ada.pay(&id, APPROVED, "DE").await;
    ada.wait_for(&id, "on_hold").await;

    let resumed = decisions::resume(
        &app.ports,
        (&staff(), Role::Support, "127.0.0.1"),
        &id,
        "asked the registry",
    )
    .await
    .unwrap();
    assert_eq!(resumed.status, OrderStatus::Provisioning);
    assert_eq!(resumed.hold_reason, None);
    // The auth code is still wrong, so the domain step holds the order again.
    let held = wait_for_history(app, &id, 4).await;
    let actions: Vec<&str> = held.iter().map(|(action, _)| action.as_str()).collect();
    assert_eq!(actions, ["paid", "held", "resumed", "held"]);
    assert_eq!(held[2].1, "staff:stf-grace");
    let (_, order) = ada.get(&format!("/api/orders/{id}")).await;
    assert_eq!(order["status"], "on_hold", "{order}");
}

on_both_engines!(resuming_runs_the_stopped_step_again: resume_embedded, resume_cloud);

async fn wait_for_history(app: &App, id: &OrderId, entries: usize) -> Vec<(String, String)> {
    let what = format!("{entries} entries in the order's history");
    hostfront_tests::eventually(std::time::Duration::from_secs(30), &what, || async {
        let history = history(app, id).await;
        if history.len() >= entries {
            Ok(history)
        } else {
            Err(format!("{history:?}"))
        }
    })
    .await
}

async fn two_staff_deciding_at_once_make_one_move(app: &App) {
    let ada = Shopper::sign_up(app, &format!("{}@example.com", fresh_username()), "GB").await;
    let (id, _) = held_for_review(&ada).await;
    let grace = Actor::Staff("stf-grace".into());
    let alan = Actor::Staff("stf-alan".into());
    let (approve, reject) = tokio::join!(
        decisions::approve(
            &app.ports,
            (&grace, Role::Support, "127.0.0.1"),
            &id,
            "fine"
        ),
        decisions::reject(
            &app.ports,
            (&alan, Role::Billing, "127.0.0.1"),
            &id,
            "not fine"
        ),
    );
    let won: Vec<bool> = [approve.is_ok(), reject.is_ok()].into();
    assert_eq!(
        won.iter().filter(|w| **w).count(),
        1,
        "{approve:?} {reject:?}"
    );
    let decided: Vec<String> = history(app, &id)
        .await
        .into_iter()
        .map(|(action, _)| action)
        .filter(|a| a == "approved" || a == "rejected")
        .collect();
    assert_eq!(decided.len(), 1, "{decided:?}");
    // The loser touched no money: after an approval the whole payment can
    // still be refunded; after a rejection nothing is left.
    let payment = decisions::locate(&app.ports, &id)
        .await
        .unwrap()
        .payment
        .unwrap();
    let probe = app
        .ports
        .payments
        .refund(&payment.capture_id, payment.amount, &format!("{id}-probe"))
        .await;
    assert_eq!(probe.is_ok(), approve.is_ok(), "{probe:?}");
}

on_both_engines!(two_staff_deciding_at_once_make_one_move: race_embedded, race_cloud);
