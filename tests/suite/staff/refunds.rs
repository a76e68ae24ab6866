//! Refunds by staff, over HTTP on both engines: the billing role's limit
//! holds for all its refunds on one invoice together, at once or one after
//! another; the rest by an admin; never more than was paid, by anyone (a
//! rejection gives back only what staff left); an order refunded in full
//! never goes live; each refund in the audit log.

use hostfront::adapters::sim::APPROVED;
use hostfront::staff::Role;
use hostfront_tests::App;
use hostfront_tests::shopper::{Shopper, fresh_domain, fresh_username, hosting};
use hostfront_tests::staff::Clerk;
use serde_json::{Value, json};

/// A paid order of a new customer: its id, invoice number and total. Paid
/// from another country than the customer's, it is held for review.
async fn paid_order(app: &App, held: bool) -> (Shopper<'_>, String, String, i64) {
    let ada = Shopper::sign_up(app, &format!("{}@example.com", fresh_username()), "GB").await;
    let (_, order) = match held {
        true => ada.order(hosting("register", &fresh_domain(), &fresh_username())),
        false => ada.order(hosting("subdomain", &fresh_username(), &fresh_username())),
    }
    .await;
    let id = order["id"].as_str().unwrap().to_string();
    let (_, paid) = ada.pay(&id, APPROVED, if held { "US" } else { "GB" }).await;
    let want = if held {
        "pending_review"
    } else {
        "provisioning"
    };
    assert!(
        paid["status"] == want || (!held && paid["status"] == "active"),
        "{paid}"
    );
    let number = paid["invoice"]["number"].as_str().unwrap().to_string();
    let total = paid["invoice"]["total"].as_i64().unwrap();
    assert!(total > 300, "{total}");
    (ada, id, number, total)
}

fn code(answer: &(u16, Value)) -> (u16, Option<&str>) {
    (answer.0, answer.1["error"]["code"].as_str())
}

async fn billing_refunds_add_up_to_their_limit_on_one_invoice(app: &App) {
    let (ada, _, number, total) = paid_order(app, false).await;
    let path = format!("/api/admin/invoices/{number}/refund");
    let billing = Clerk::log_in(app, Role::Billing).await;
    let refund = |amount: i64| billing.post(&path, json!({"amount": amount, "why": "goodwill"}));

    assert_eq!(code(&refund(300).await), (403, Some("over_refund_limit")));
    assert_eq!(code(&refund(0).await), (422, Some("invalid_amount")));
    assert_eq!(refund(150).await.0, 200);
    let second = refund(100).await;
    assert_eq!(
        code(&second),
        (403, Some("over_refund_limit")),
        "150 and 100 are over 200 together: {}",
        second.1
    );
    assert_eq!(refund(50).await.0, 200, "150 and 50 are the limit");
    assert_eq!(code(&refund(1).await), (403, Some("over_refund_limit")));

    let admin = Clerk::log_in(app, Role::Admin).await;
    let (status, rest) = admin.post(&path, json!({"why": "the customer left"})).await;
    assert_eq!(status, 200, "{rest}");
    assert_eq!(
        (rest["refunded"].as_i64(), rest["status"].as_str()),
        (Some(total), Some("paid")),
        "the invoice stays as issued"
    );
    assert_eq!(rest["credit_note"]["total"], total - 200, "{rest}");
    let again = admin.post(&path, json!({"why": "again"})).await;
    assert_eq!(code(&again), (409, Some("nothing_to_refund")));
    let (_, invoice) = ada.get(&format!("/api/invoices/{number}")).await;
    assert_eq!(invoice["status"], "paid");
    let (_, notes) = ada.get("/api/credit-notes").await;
    let credited: i64 = notes
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| n["invoice_number"] == number.as_str())
        .map(|n| n["total"].as_i64().unwrap())
        .sum();
    assert_eq!(credited, total, "three refunds, three notes: {notes}");

    let (_, trail) = admin
        .get(&format!("/api/admin/audit?subject=invoice:{number}"))
        .await;
    let refunds = trail["items"].as_array().unwrap();
    assert_eq!(refunds.len(), 3, "{trail}");
    assert!(
        refunds
            .iter()
            .all(|e| e["action"] == "refunded" && e["client"] == "127.0.0.1")
    );
    assert_eq!(refunds[0]["to"], format!("{total} given back"));
}

on_both_engines!(billing_refunds_add_up_to_their_limit_on_one_invoice: refunds_embedded, refunds_cloud, |config| config.policy.staff_refund_limit = 200);

/// Four refunds of 150 at once, and four grants of 150 at once, with a
/// limit of 200: one of each passes.
async fn refunds_and_grants_at_once_stay_within_the_limit(app: &App) {
    let (ada, _, number, _) = paid_order(app, false).await;
    let path = format!("/api/admin/invoices/{number}/refund");
    let billing = Clerk::log_in(app, Role::Billing).await;
    let refund = || billing.post(&path, json!({"amount": 150, "why": "an outage"}));
    let answers = futures::future::join_all((0..4).map(|_| refund())).await;
    for answer in &answers {
        assert!(
            matches!(
                code(answer),
                (200, None) | (409, Some("refund_in_progress")) | (403, Some("over_refund_limit"))
            ),
            "{answer:?}"
        );
    }
    assert_eq!(answers.iter().filter(|a| a.0 == 200).count(), 1);
    let (_, invoice) = ada.get(&format!("/api/invoices/{number}")).await;
    assert_eq!(invoice["refunded"], 150, "{invoice}");

    let (_, me) = ada.get("/api/me").await;
    let credit = format!("/api/admin/customers/{}/credit", me["id"].as_str().unwrap());
    let grant = || billing.post(&credit, json!({"amount": 150, "why": "an outage"}));
    let answers = futures::future::join_all((0..4).map(|_| grant())).await;
    for answer in &answers {
        assert!(
            matches!(
                code(answer),
                (200, None) | (403, Some("over_credit_limit")) | (503, Some("unavailable"))
            ),
            "{answer:?}"
        );
    }
    assert_eq!(answers.iter().filter(|a| a.0 == 200).count(), 1);
    let (_, file) = billing
        .get(&format!(
            "/api/admin/customers/{}",
            me["id"].as_str().unwrap()
        ))
        .await;
    assert_eq!(file["credit"], 150, "{file}");
}

on_both_engines!(refunds_and_grants_at_once_stay_within_the_limit: at_once_embedded, at_once_cloud, |config| config.policy.staff_refund_limit = 200);

/// A held order whose invoice staff refunded in full is not approved; a
/// rejection after a part was given back gives back only the rest.
async fn an_order_refunded_in_full_never_goes_live(app: &App) {
    let admin = Clerk::log_in(app, Role::Admin).await;
    let (ada, id, number, total) = paid_order(app, true).await;
    let refund = format!("/api/admin/invoices/{number}/refund");
    let (status, body) = admin.post(&refund, json!({"why": "fraud"})).await;
    assert_eq!(status, 200, "{body}");
    let approve = format!("/api/admin/orders/{id}/approve");
    let refused = admin.post(&approve, json!({"why": "looks fine"})).await;
    assert_eq!(
        code(&refused),
        (409, Some("invoice_refunded")),
        "{}",
        refused.1
    );
    let (_, order) = ada.get(&format!("/api/orders/{id}")).await;
    assert_eq!(order["status"], "pending_review", "{order}");

    let (ada, id, number, total_two) = paid_order(app, true).await;
    let refund = format!("/api/admin/invoices/{number}/refund");
    let (status, body) = admin
        .post(&refund, json!({"amount": 100, "why": "a discount"}))
        .await;
    assert_eq!(status, 200, "{body}");
    let (status, rejected) = admin
        .post(
            &format!("/api/admin/orders/{id}/reject"),
            json!({"why": "fraud"}),
        )
        .await;
    assert_eq!(
        (status, &rejected["status"]),
        (200, &json!("rejected")),
        "{rejected}"
    );
    let (_, invoice) = ada.get(&format!("/api/invoices/{number}")).await;
    assert_eq!(
        (&invoice["status"], invoice["refunded"].as_i64()),
        (&json!("paid"), Some(total_two)),
        "the rest given back, no more: {invoice}"
    );
    let (_, notes) = ada.get("/api/credit-notes").await;
    let mut credited: Vec<i64> = notes
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["total"].as_i64().unwrap())
        .collect();
    credited.sort();
    assert_eq!(credited, [100, total_two - 100], "{notes}");
    assert!(total > 0);
}

on_both_engines!(an_order_refunded_in_full_never_goes_live: refunded_order_embedded, refunded_order_cloud);
