//! What staff do, over HTTP on both engines: find a customer, approve an
//! order held for review and watch it go live, suspend and unsuspend a
//! service (the lifecycle refusing what it does not allow), run a task,
//! read the audit log; each action recorded once, with who, from where,
//! before and after.

use std::time::Duration;

use hostfront::adapters::sim::APPROVED;
use hostfront::audit::{self, AuditQuery};
use hostfront::staff::Role;
use hostfront_tests::shopper::{Shopper, fresh_domain, fresh_username, hosting};
use hostfront_tests::staff::Clerk;
use hostfront_tests::{App, eventually};
use serde_json::json;

async fn staff_find_decide_and_act(app: &App) {
    let ada = Shopper::sign_up(app, &format!("{}@example.com", fresh_username()), "GB").await;
    let domain = fresh_domain();
    let (_, order) = ada
        .order(hosting("register", &domain, &fresh_username()))
        .await;
    let id = order["id"].as_str().unwrap().to_string();
    let (_, paid) = ada.pay(&id, APPROVED, "US").await;
    assert_eq!(paid["status"], "pending_review", "{paid}");

    let support = Clerk::log_in(app, Role::Support).await;
    let (status, queue) = support.get("/api/admin/orders?status=pending_review").await;
    assert_eq!(status, 200);
    let held = queue["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["id"] == id.as_str())
        .expect("the held order is in the queue");
    assert!(
        held["review_reasons"][0]
            .as_str()
            .unwrap()
            .contains("billing country US")
    );

    // Found by email, invoice number, domain and name.
    let me: serde_json::Value = ada.get("/api/me").await.1;
    let invoice = held["invoice"]["number"].as_str().unwrap();
    for q in [me["email"].as_str().unwrap(), invoice, &domain, "ada lov"] {
        let (status, found) = support
            .get(&format!("/api/admin/customers?q={}", urlencoding(q)))
            .await;
        assert_eq!(status, 200);
        assert!(
            found["items"]
                .as_array()
                .unwrap()
                .iter()
                .any(|c| c["id"] == me["id"]),
            "{q}: {found}"
        );
    }

    let (_, before) = support.get("/api/admin/dashboard").await;
    assert_eq!(
        (&before["orders_today"], &before["pending_review"]),
        (&json!(1), &json!(1)),
        "{before}"
    );

    let (status, approved) = support
        .post(
            &format!("/api/admin/orders/{id}/approve"),
            json!({"why": "called the customer"}),
        )
        .await;
    assert_eq!(status, 200, "{approved}");
    let (status, again) = support
        .post(
            &format!("/api/admin/orders/{id}/approve"),
            json!({"why": "twice"}),
        )
        .await;
    assert_eq!(status, 409, "{again}");
    eventually(
        Duration::from_secs(30),
        "the approved order live",
        || async {
            let (_, order) = support.get(&format!("/api/admin/orders/{id}")).await;
            if order["status"] == "active" {
                Ok(())
            } else {
                Err(order)
            }
        },
    )
    .await;

    let (_, after) = support.get("/api/admin/dashboard").await;
    assert_eq!(after["pending_review"], 0, "{after}");
    assert_eq!(after["live_services"], json!({"shared": 1}));
    assert_eq!(after["monthly_recurring_revenue"], json!({"USD": 499}));
    assert_eq!(after["orders_by_day"].as_array().unwrap().len(), 30);
    assert_eq!(
        after["orders_by_day"][29]["orders"], 1,
        "today is the last day"
    );

    let customer = me["id"].as_str().unwrap();
    let (status, file) = support
        .get(&format!("/api/admin/customers/{customer}"))
        .await;
    assert_eq!(status, 200);
    assert_eq!(file["orders"][0]["id"], id.as_str());
    assert!(
        !file["mail"].as_array().unwrap().is_empty(),
        "the mail sent"
    );
    let service = file["services"][0]["id"].as_str().unwrap().to_string();
    let status_path = format!("/api/admin/customers/{customer}/services/{service}/status");
    let (status, suspended) = support
        .send(
            reqwest::Method::PUT,
            &status_path,
            json!({"status": "suspended", "why": "abuse report 42"}),
        )
        .await;
    assert_eq!(
        (status, &suspended["status"]),
        (200, &json!("suspended")),
        "{suspended}"
    );
    let (status, refused) = support
        .send(
            reqwest::Method::PUT,
            &status_path,
            json!({"status": "suspended", "why": "again"}),
        )
        .await;
    assert_eq!(
        (status, refused["error"]["code"].as_str()),
        (409, Some("invalid_transition"))
    );
    let (status, _) = support
        .send(
            reqwest::Method::PUT,
            &status_path,
            json!({"status": "active", "why": "resolved"}),
        )
        .await;
    assert_eq!(status, 200);

    // Each action once in the audit log, with who, from where, before and after.
    let subject = format!("service:{service}");
    let entries = audit::read(app.ports.table.as_ref(), AuditQuery::Subject(&subject), 50)
        .await
        .unwrap();
    let suspensions: Vec<_> = entries.iter().filter(|e| e.action == "suspended").collect();
    assert_eq!(suspensions.len(), 1);
    let entry = suspensions[0];
    assert_eq!(
        entry.actor.label(),
        format!("staff:{}", support.enrolment.member.id)
    );
    assert_eq!(
        (entry.from.as_deref(), entry.to.as_deref()),
        (Some("active"), Some("suspended"))
    );
    assert_eq!(entry.client.as_deref(), Some("127.0.0.1"));
    assert_eq!(entry.role.as_deref(), Some("support"));
    assert_eq!(entry.why, "abuse report 42");
    let approvals = audit::read(
        app.ports.table.as_ref(),
        AuditQuery::Subject(&format!("order:{id}")),
        50,
    )
    .await
    .unwrap()
    .into_iter()
    .filter(|e| e.action == "approved")
    .count();
    assert_eq!(approvals, 1);

    // An order placed by staff for the customer, recorded as such.
    let body = hosting("subdomain", &fresh_username(), &fresh_username());
    let path = format!("/api/admin/customers/{customer}/orders");
    let headers = [
        ("cookie", support.cookie.as_str()),
        ("x-hostfront-console", "1"),
        ("idempotency-key", "phone-order-1"),
    ];
    let (status, placed) = app.post_with(&path, &body, &headers).await;
    assert_eq!(status, 201, "{placed}");
    let (status, again) = app.post_with(&path, &body, &headers).await;
    assert_eq!((status, &again["id"]), (200, &placed["id"]), "once per key");
    let placed_id = placed["id"].as_str().unwrap();
    let (_, staff_view) = support.get(&format!("/api/admin/orders/{placed_id}")).await;
    assert_eq!(
        staff_view["placed_by"],
        format!("staff:{}", support.enrolment.member.id)
    );
    let (_, mine) = ada.get("/api/orders").await;
    assert!(
        mine.as_array()
            .unwrap()
            .iter()
            .any(|o| o["id"] == placed_id),
        "the customer sees it"
    );
    let placed_entries = audit::read(
        app.ports.table.as_ref(),
        AuditQuery::Subject(&format!("order:{placed_id}")),
        10,
    )
    .await
    .unwrap();
    assert_eq!(placed_entries.len(), 1);
    assert_eq!(placed_entries[0].action, "placed_by_staff");
    assert_eq!(placed_entries[0].client.as_deref(), Some("127.0.0.1"));

    // An admin reads it in the console, and runs a task by hand.
    let admin = Clerk::log_in(app, Role::Admin).await;
    let (status, trail) = admin
        .get(&format!(
            "/api/admin/audit?staff={}",
            support.enrolment.member.id
        ))
        .await;
    assert_eq!(status, 200);
    let actions: Vec<&str> = trail["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    for action in ["logged_in", "approved", "suspended", "unsuspended"] {
        assert!(actions.contains(&action), "{action} in {actions:?}");
    }
    let (status, run) = admin
        .post("/api/admin/tasks/resume-renewals/run", json!({}))
        .await;
    assert_eq!(status, 200, "{run}");
    assert!(run["outcome"].as_str().unwrap().starts_with("enqueued"));
    let (_, trail) = admin
        .get("/api/admin/audit?subject=task:resume-renewals")
        .await;
    assert_eq!(trail["items"].as_array().unwrap().len(), 1);
    assert_eq!(trail["items"][0]["client"], "127.0.0.1");

    // An admin promotes the clerk, then disables them: their session ends.
    let clerk = format!("/api/admin/staff/{}", support.enrolment.member.id);
    let (status, promoted) = admin
        .send(
            reqwest::Method::PUT,
            &clerk,
            json!({"role": "billing", "why": "moved to accounts"}),
        )
        .await;
    assert_eq!(
        (status, &promoted["role"]),
        (200, &json!("billing")),
        "{promoted}"
    );
    assert_eq!(support.get("/api/admin/me").await.1["role"], "billing");
    let (status, _) = admin
        .send(
            reqwest::Method::PUT,
            &clerk,
            json!({"disabled": true, "why": "left the company"}),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(
        support.get("/api/admin/me").await.0,
        401,
        "a disabled member's session ends"
    );
    let own = format!("/api/admin/staff/{}", admin.enrolment.member.id);
    let (status, _) = admin
        .send(
            reqwest::Method::PUT,
            &own,
            json!({"role": "support", "why": "oops"}),
        )
        .await;
    assert_eq!(status, 409, "an admin does not change their own account");
    let (_, changes) = admin
        .get(&format!(
            "/api/admin/audit?subject=staff:{}",
            support.enrolment.member.id
        ))
        .await;
    let changes: Vec<(&str, &str)> = changes["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == "staff_changed")
        .map(|e| (e["from"].as_str().unwrap(), e["to"].as_str().unwrap()))
        .collect();
    assert_eq!(
        changes,
        [("billing", "billing, disabled"), ("support", "billing")]
    );
}

fn urlencoding(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

on_both_engines!(staff_find_decide_and_act: work_embedded, work_cloud);
