//! Refunds by staff, over HTTP on both engines: part of an invoice by the
//! billing role within its limit, the rest by an admin; never more than was
//! paid, two at once give back no more than asked; each in the audit log.

use hostfront::adapters::sim::APPROVED;
use hostfront::staff::Role;
use hostfront_tests::App;
use hostfront_tests::shopper::{Shopper, fresh_username, hosting};
use hostfront_tests::staff::Clerk;
use serde_json::json;

async fn staff_refund_within_their_limit(app: &App) {
    let ada = Shopper::sign_up(app, &format!("{}@example.com", fresh_username()), "GB").await;
    let (_, order) = ada
        .order(hosting("subdomain", &fresh_username(), &fresh_username()))
        .await;
    let id = order["id"].as_str().unwrap();
    let (_, paid) = ada.pay(id, APPROVED, "GB").await;
    let number = paid["invoice"]["number"].as_str().unwrap().to_string();
    let total = paid["invoice"]["total"].as_i64().unwrap();
    assert!(total > 300, "{total}");
    let path = format!("/api/admin/invoices/{number}/refund");

    let billing = Clerk::log_in(app, Role::Billing).await;
    let (status, refused) = billing
        .post(&path, json!({"amount": 300, "why": "goodwill"}))
        .await;
    assert_eq!(
        (status, refused["error"]["code"].as_str()),
        (403, Some("over_refund_limit"))
    );
    let (status, refused) = billing
        .post(&path, json!({"amount": 0, "why": "nothing"}))
        .await;
    assert_eq!(
        (status, refused["error"]["code"].as_str()),
        (422, Some("invalid_amount"))
    );
    let refund = || {
        billing.post(
            &path,
            json!({"amount": 100, "why": "the site was down an hour"}),
        )
    };
    let (first, second) = tokio::join!(refund(), refund());
    let given = [&first, &second]
        .iter()
        .filter(|(status, _)| *status == 200)
        .count() as i64;
    for (status, body) in [&first, &second] {
        assert!(
            *status == 200 || (*status == 409 && body["error"]["code"] == "refund_in_progress"),
            "{status} {body}"
        );
    }
    assert!(given >= 1);

    let admin = Clerk::log_in(app, Role::Admin).await;
    let (status, rest) = admin.post(&path, json!({"why": "the customer left"})).await;
    assert_eq!(status, 200, "{rest}");
    assert_eq!(
        (rest["refunded"].as_i64(), rest["status"].as_str()),
        (Some(total), Some("refunded"))
    );
    let (status, none) = admin.post(&path, json!({"why": "again"})).await;
    assert_eq!(
        (status, none["error"]["code"].as_str()),
        (409, Some("nothing_to_refund"))
    );
    let (_, invoice) = ada.get(&format!("/api/invoices/{number}")).await;
    assert_eq!(invoice["status"], "refunded");

    let (_, trail) = admin
        .get(&format!("/api/admin/audit?subject=invoice:{number}"))
        .await;
    let refunds = trail.as_array().unwrap();
    assert_eq!(refunds.len() as i64, given + 1, "{trail}");
    assert!(
        refunds
            .iter()
            .all(|e| e["action"] == "refunded" && e["client"] == "127.0.0.1")
    );
    assert_eq!(refunds[0]["to"], format!("{total} given back"));
}

on_both_engines!(staff_refund_within_their_limit: refunds_embedded, refunds_cloud, |config| config.staff_refund_limit = 200);
