//! The console reads names, not ids: the audit log and a customer's file
//! name who acted, whose it is and what it is about; the failed jobs name
//! their customer.

use std::time::Duration;

use hostfront::adapters::sim::APPROVED;
use hostfront::staff::Role;
use hostfront_tests::shopper::{Shopper, fresh_domain, fresh_username, hosting};
use hostfront_tests::staff::Clerk;
use hostfront_tests::{App, eventually};
use serde_json::{Value, json};

/// The entry of `action` among `entries`.
fn entry<'v>(entries: &'v Value, action: &str) -> &'v Value {
    entries
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["action"] == action)
        .unwrap_or_else(|| panic!("no {action} entry in {entries}"))
}

async fn admin_reads_who_did_what_to_whom_by_name(app: &App) {
    let email = format!("{}@example.com", fresh_username());
    let jo = Shopper::sign_up_as(app, &email, "Jo Smith", "AT").await;
    let domain = fresh_domain();
    let (_, order) = jo
        .order(hosting("register", &domain, &fresh_username()))
        .await;
    let id = order["id"].as_str().unwrap().to_string();
    let (_, paid) = jo.pay(&id, APPROVED, "AT").await;
    let customer = paid["invoice"]["customer_id"].as_str().unwrap().to_string();
    let support = Clerk::log_in(app, Role::Support).await;
    eventually(Duration::from_secs(30), "the order live", || async {
        let (_, order) = support.get(&format!("/api/admin/orders/{id}")).await;
        if order["status"] == "active" {
            Ok(())
        } else {
            Err(order)
        }
    })
    .await;
    let (_, file) = support
        .get(&format!("/api/admin/customers/{customer}"))
        .await;
    let service = &file["services"][0];
    let service_name = format!("{} · {}", service["plan_name"].as_str().unwrap(), domain);
    let path = format!(
        "/api/admin/customers/{customer}/services/{}/status",
        service["id"].as_str().unwrap()
    );
    let (status, _) = support
        .send(
            reqwest::Method::PUT,
            &path,
            json!({"status": "suspended", "why": "abuse report 7"}),
        )
        .await;
    assert_eq!(status, 200);

    let admin = Clerk::log_in(app, Role::Admin).await;
    let (status, trail) = admin
        .get(&format!("/api/admin/audit?customer={customer}"))
        .await;
    assert_eq!(status, 200, "{trail}");
    let suspended = entry(&trail, "suspended");
    assert_eq!(
        (
            &suspended["actor_name"],
            &suspended["role"],
            &suspended["customer_name"],
            &suspended["subject_name"]
        ),
        (
            &json!("A support clerk"),
            &json!("support"),
            &json!("Jo Smith"),
            &json!(service_name)
        ),
        "{suspended}"
    );
    assert_eq!(
        suspended["actor"],
        json!({"kind": "staff", "id": support.enrolment.member.id})
    );
    let (_, about_order) = admin
        .get(&format!("/api/admin/audit?subject=order:{id}"))
        .await;
    let first = &about_order[0];
    assert_eq!(
        first["subject_name"],
        json!(service_name),
        "an order is named by its plan and domain: {first}"
    );
    assert_eq!(first["customer_name"], "Jo Smith");

    // The customer's file names them the same way.
    let (_, file) = support
        .get(&format!("/api/admin/customers/{customer}"))
        .await;
    let suspended = entry(&file["audit"], "suspended");
    assert_eq!(
        (&suspended["actor_name"], &suspended["subject_name"]),
        (&json!("A support clerk"), &json!(service_name))
    );
}

on_both_engines!(admin_reads_who_did_what_to_whom_by_name: names_admin_embedded, names_admin_cloud);
