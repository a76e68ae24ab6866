//! The agency pipeline, on both engines: a client site from draft to live
//! with an audit entry per move, refused moves (invalid, stale, without the
//! role), the services register following its site, the figures, and the
//! lists' pages and filters (`agency_lists`). Going live needs the site's
//! customer and a proven domain (`agency_golive`).

use hostfront::staff::Role;
use hostfront_tests::App;
use hostfront_tests::shopper::fresh_username;
use hostfront_tests::staff::Clerk;
use serde_json::{Value, json};

use super::agency_golive::{accepted_for, publish_proof};

fn bakery() -> Value {
    json!({
        "business_name": "Boulangerie du Parc",
        "contact_name": "Jean Müller",
        "contact_email": "Jean@Boulangerie-Parc.example",
        "contact_phone": "+352 26 123 456",
    })
}

pub(super) async fn new_site(clerk: &Clerk<'_>) -> Value {
    let (status, site) = clerk.post("/api/admin/sites", bakery()).await;
    assert_eq!(status, 201, "{site}");
    site
}

/// Moves `site` to `to`; the answer's status and body.
pub(super) async fn move_to(
    clerk: &Clerk<'_>,
    site: &Value,
    to: &str,
    extra: Value,
) -> (u16, Value) {
    let mut body = json!({"to": to, "why": format!("moving to {to}"), "v": site["v"]});
    body.as_object_mut()
        .unwrap()
        .extend(extra.as_object().unwrap().clone());
    let path = format!("/api/admin/sites/{}/moves", site["id"].as_str().unwrap());
    clerk.post(&path, body).await
}

async fn a_site_goes_from_draft_to_live(app: &App) {
    let support = Clerk::log_in(app, Role::Support).await;
    let billing = Clerk::log_in(app, Role::Billing).await;
    let mut refused = bakery();
    refused["contact_email"] = json!("not an address");
    let (status, body) = support.post("/api/admin/sites", refused).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (422, Some("invalid_email"))
    );
    let mut hidden = bakery();
    hidden["business_name"] = json!("Boulangerie\u{202E}kraP");
    let (status, _) = support.post("/api/admin/sites", hidden).await;
    assert_eq!(status, 422, "a name that reorders text");

    let mut site = new_site(&support).await;
    assert_eq!(
        (site["status"].as_str(), site["contact_email"].as_str()),
        (Some("draft"), Some("jean@boulangerie-parc.example"))
    );
    let (status, body) = move_to(
        &support,
        &site,
        "live",
        json!({"live_domain": "parc.example"}),
    )
    .await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (409, Some("invalid_transition")),
        "a draft cannot go live"
    );
    for (to, extra) in [
        ("poc_ready", json!({})),
        (
            "proposal_sent",
            json!({"proposal_notes": "Five pages, the domain included."}),
        ),
        ("accepted", json!({})),
    ] {
        if to == "accepted" {
            let refused = move_to(&support, &site, to, extra.clone()).await;
            assert_eq!(
                refused.0, 403,
                "recording an acceptance needs the billing role"
            );
        }
        let clerk = match to {
            "accepted" => &billing,
            _ => &support,
        };
        let (status, moved) = move_to(clerk, &site, to, extra).await;
        assert_eq!(
            (status, moved["status"].as_str()),
            (200, Some(to)),
            "{moved}"
        );
        site = moved;
    }
    assert_eq!(site["proposal_notes"], "Five pages, the domain included.");
    let (status, body) = move_to(&support, &site, "live", json!({})).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (422, Some("live_domain_required"))
    );
    let stale = json!({"v": site["v"].as_i64().unwrap() - 1, "live_domain": "parc.example"});
    let (status, body) = move_to(&support, &site, "live", stale).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (409, Some("moved_on"))
    );
    let (owner, _) = hostfront_tests::customer(&app.ports, &fresh_username()).await;
    let id = site["id"].as_str().unwrap();
    accepted_for(&app.ports, id, owner.id.as_str(), None).await;
    publish_proof(app, &support, &site, "parc.example").await;
    let (status, live) = move_to(
        &support,
        &site,
        "live",
        json!({"live_domain": "Parc.Example"}),
    )
    .await;
    assert_eq!(
        (status, live["live_domain"].as_str()),
        (200, Some("parc.example")),
        "{live}"
    );
    assert!(live["went_live_at"].is_string(), "{live}");

    let (status, body) = move_to(&support, &live, "suspended", json!({})).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (403, Some("forbidden")),
        "support may not suspend"
    );
    let id = live["id"].as_str().unwrap();
    let admin = Clerk::log_in(app, Role::Admin).await;
    let (_, trail) = admin
        .get(&format!("/api/admin/audit?subject=site:{id}"))
        .await;
    let actions: Vec<&str> = trail["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    for action in [
        "poc_ready",
        "proposal_sent",
        "proposal_accepted",
        "went_live",
    ] {
        assert!(actions.contains(&action), "{action} in {actions:?}");
    }
    let (_, listed) = support.get("/api/admin/sites?status=live").await;
    assert!(
        listed["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["id"] == id),
        "{listed}"
    );
    let (_, drafts) = support.get("/api/admin/sites?status=draft").await;
    assert!(
        !drafts["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["id"] == id),
        "{drafts}"
    );
}

on_both_engines!(a_site_goes_from_draft_to_live: pipeline_embedded, pipeline_cloud);

/// A service for `site`: `(kind, name, period, price, expires_on)`.
pub(super) async fn add_service(
    clerk: &Clerk<'_>,
    site: &Value,
    (kind, name, period, price, expires): (&str, &str, &str, i64, Option<String>),
) -> Value {
    let mut body = json!({"service_type": kind, "name": name, "period": period, "price": price, "currency": "EUR"});
    if let Some(day) = expires {
        body["expires_on"] = json!(day);
    }
    let path = format!("/api/admin/sites/{}/services", site["id"].as_str().unwrap());
    let (status, service) = clerk.post(&path, body).await;
    assert_eq!(status, 201, "{service}");
    service
}

pub(super) fn day_in(app: &App, days: i64) -> String {
    (app.ports.clock.now().date() + time::Duration::days(days)).to_string()
}

async fn services_follow_their_site(app: &App) {
    let support = Clerk::log_in(app, Role::Support).await;
    let billing = Clerk::log_in(app, Role::Billing).await;
    let mut site = new_site(&support).await;
    for to in ["poc_ready", "proposal_sent", "accepted"] {
        let clerk = match to {
            "accepted" => &billing,
            _ => &support,
        };
        site = move_to(clerk, &site, to, json!({})).await.1;
    }
    let (owner, _) = hostfront_tests::customer(&app.ports, &fresh_username()).await;
    accepted_for(
        &app.ports,
        site["id"].as_str().unwrap(),
        owner.id.as_str(),
        None,
    )
    .await;
    publish_proof(app, &support, &site, "parc.example").await;
    site = move_to(
        &support,
        &site,
        "live",
        json!({"live_domain": "parc.example"}),
    )
    .await
    .1;
    let path = format!("/api/admin/sites/{}/services", site["id"].as_str().unwrap());
    let (status, body) = billing.post(&path, json!({"service_type": "domain", "name": "parc.example", "period": "annual", "price": 1500, "currency": "EUR"})).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (422, Some("expiry_required"))
    );
    let domain = add_service(
        &billing,
        &site,
        (
            "domain",
            "parc.example",
            "annual",
            1500,
            Some(day_in(app, 20)),
        ),
    )
    .await;
    let upkeep = add_service(
        &billing,
        &site,
        (
            "website_maintenance",
            "Monthly upkeep",
            "monthly",
            4900,
            Some(day_in(app, 90)),
        ),
    )
    .await;
    add_service(&billing, &site, ("ssl", "Certificate", "one_time", 0, None)).await;
    // Suspended by hand before the site is: it stays so after.
    let moves = format!("{path}/{}/moves", upkeep["id"].as_str().unwrap());
    let (status, held) = billing
        .post(
            &moves,
            json!({"to": "suspended", "why": "client asked for a pause", "v": upkeep["v"]}),
        )
        .await;
    assert_eq!(
        (status, held["status"].as_str()),
        (200, Some("suspended")),
        "{held}"
    );

    // Each service added moved the site on: it is moved from a fresh reading.
    let site_path = format!("/api/admin/sites/{}", site["id"].as_str().unwrap());
    let site = support.get(&site_path).await.1["site"].clone();
    let (status, suspended) = move_to(&billing, &site, "suspended", json!({})).await;
    assert_eq!(status, 200, "{suspended}");
    let statuses = |view: &Value| -> Vec<(String, String)> {
        view["services"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| {
                (
                    s["name"].as_str().unwrap().to_string(),
                    s["status"].as_str().unwrap().to_string(),
                )
            })
            .collect()
    };
    let view_path = format!("/api/admin/sites/{}", site["id"].as_str().unwrap());
    let (_, view) = support.get(&view_path).await;
    assert!(
        statuses(&view).iter().all(|(_, s)| s == "suspended"),
        "{view}"
    );
    let (status, back) = move_to(&billing, &suspended, "live", json!({})).await;
    assert_eq!(status, 200, "{back}");
    let (_, view) = support.get(&view_path).await;
    let now = statuses(&view);
    assert!(
        now.contains(&("parc.example".into(), "active".into())),
        "{now:?}"
    );
    assert!(
        now.contains(&("Monthly upkeep".into(), "suspended".into())),
        "{now:?}"
    );
    let admin = Clerk::log_in(app, Role::Admin).await;
    let (_, trail) = admin
        .get(&format!(
            "/api/admin/audit?subject=client_service:{}",
            domain["id"].as_str().unwrap()
        ))
        .await;
    assert!(
        trail["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["action"] == "suspended"
                && e["why"]
                    .as_str()
                    .unwrap()
                    .contains("its site was suspended")),
        "{trail}"
    );

    let (status, ended) = move_to(&billing, &back, "cancelled", json!({})).await;
    assert_eq!(status, 200, "{ended}");
    let (_, view) = support.get(&view_path).await;
    assert!(
        statuses(&view).iter().all(|(_, s)| s == "cancelled"),
        "{view}"
    );
    let (status, body) = billing.post(&path, json!({"service_type": "email", "name": "5 mailboxes", "period": "one_time", "price": 999, "currency": "EUR"})).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (409, Some("site_cancelled"))
    );
    let (status, body) = move_to(&billing, &ended, "live", json!({})).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (409, Some("invalid_transition")),
        "cancelled is for good"
    );
}

on_both_engines!(services_follow_their_site: services_embedded, services_cloud);
