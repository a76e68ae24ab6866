//! The console reads names, not ids: the audit log and a customer's file
//! name who acted, whose it is and what it is about; the failed jobs name
//! their customer; the agency's sites and client services are named too.

use std::time::Duration;

use hostfront::adapters::sim::APPROVED;
use hostfront::staff::Role;
use hostfront_tests::shopper::{Shopper, fresh_domain, fresh_username, hosting};
use hostfront_tests::staff::Clerk;
use hostfront_tests::{App, eventually};
use serde_json::{Value, json};

/// The entry of `action` among `entries`.
fn entry<'v>(entries: &'v Value, action: &str) -> &'v Value {
    // A page of the audit log, or the entries of a customer's file.
    entries["items"]
        .as_array()
        .or(entries.as_array())
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
    let first = &about_order["items"][0];
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

/// The agency's records have no customer: a site reads as its business's
/// name, a client service as its own, in the audit log.
async fn sites_and_client_services_are_named(app: &App) {
    let billing = Clerk::log_in(app, Role::Billing).await;
    let (status, site) = billing
        .post(
            "/api/admin/sites",
            json!({"business_name": "Café Lumière", "contact_name": "Léa Roux", "contact_email": "lea@cafe.example"}),
        )
        .await;
    assert_eq!(status, 201, "{site}");
    let id = site["id"].as_str().unwrap();
    let (status, moved) = billing
        .post(
            &format!("/api/admin/sites/{id}/moves"),
            json!({"to": "poc_ready", "why": "mock-up done", "v": site["v"]}),
        )
        .await;
    assert_eq!(status, 200, "{moved}");
    let (status, service) = billing
        .post(
            &format!("/api/admin/sites/{id}/services"),
            json!({"service_type": "website_maintenance", "name": "Monthly upkeep", "period": "monthly",
                   "price": 4900, "currency": "EUR", "expires_on": "2099-01-31"}),
        )
        .await;
    assert_eq!(status, 201, "{service}");
    let service_id = service["id"].as_str().unwrap();
    let (status, paused) = billing
        .post(
            &format!("/api/admin/sites/{id}/services/{service_id}/moves"),
            json!({"to": "suspended", "why": "a pause", "v": service["v"]}),
        )
        .await;
    assert_eq!(status, 200, "{paused}");

    let admin = Clerk::log_in(app, Role::Admin).await;
    for (subject, action, name) in [
        (format!("site:{id}"), "poc_ready", "Café Lumière"),
        (
            format!("client_service:{service_id}"),
            "suspended",
            "Monthly upkeep",
        ),
    ] {
        let (status, trail) = admin
            .get(&format!("/api/admin/audit?subject={subject}"))
            .await;
        assert_eq!(status, 200, "{trail}");
        let named = entry(&trail, action);
        assert_eq!(
            (&named["subject_name"], &named["actor_name"]),
            (&json!(name), &json!("A billing clerk")),
            "{named}"
        );
        assert!(named.get("customer_name").is_none(), "{named}");
    }
}

on_both_engines!(sites_and_client_services_are_named: names_agency_embedded, names_agency_cloud);
