//! The prospect register, on both engines: leads captured (bad input
//! refused), listed by status a page at a time, moved along their
//! lifecycle with audit entries (invalid and stale moves refused), a draft
//! site made from one once only (asked again, or twice at once, it is the
//! same site), and the prospect converted when that site's proposal is
//! accepted.

use hostfront::staff::Role;
use hostfront_tests::App;
use hostfront_tests::staff::Clerk;
use serde_json::{Value, json};

use super::agency::move_to;

fn lead(name: &str) -> Value {
    json!({
        "business_name": name,
        "contact_name": "Marie Schmit",
        "email": "Marie@Fleurs.example",
        "phone": "+352 621 000 111",
        "website": "https://www.fleurs-schmit.example/",
        "source": "trade fair",
        "notes": "Wants an online shop for bouquets.",
    })
}

async fn move_prospect(clerk: &Clerk<'_>, prospect: &Value, to: &str) -> (u16, Value) {
    let path = format!(
        "/api/admin/prospects/{}/moves",
        prospect["id"].as_str().unwrap()
    );
    let body = json!({"to": to, "why": format!("now {to}"), "v": prospect["v"]});
    clerk.post(&path, body).await
}

async fn prospects_are_captured_listed_and_moved(app: &App) {
    let support = Clerk::log_in(app, Role::Support).await;
    let mut bad = lead("Fleurs Schmit");
    bad["email"] = json!("not an address");
    let (status, body) = support.post("/api/admin/prospects", bad).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (422, Some("invalid_email"))
    );
    let mut bad = lead("Fleurs Schmit");
    bad["website"] = json!("not a domain at all");
    let (status, _) = support.post("/api/admin/prospects", bad).await;
    assert_eq!(status, 422);

    let (status, made) = support
        .post("/api/admin/prospects", lead("Fleurs Schmit"))
        .await;
    assert_eq!(status, 201, "{made}");
    assert_eq!(
        (
            made["status"].as_str(),
            made["email"].as_str(),
            made["website"].as_str()
        ),
        (
            Some("new"),
            Some("marie@fleurs.example"),
            Some("fleurs-schmit.example")
        )
    );
    let (status, other) = support
        .post("/api/admin/prospects", lead("Garage Weber"))
        .await;
    assert_eq!(status, 201, "{other}");

    let refused = move_prospect(&support, &made, "converted").await;
    assert_eq!(
        refused.0, 409,
        "converted only by an accepted proposal: {}",
        refused.1
    );
    let (status, qualified) = move_prospect(&support, &made, "qualified").await;
    assert_eq!(
        (status, qualified["status"].as_str()),
        (200, Some("qualified"))
    );
    let stale = move_prospect(&support, &made, "lost").await;
    assert_eq!(
        (stale.0, stale.1["error"]["code"].as_str()),
        (409, Some("moved_on"))
    );
    let (status, lost) = move_prospect(&support, &other, "lost").await;
    assert_eq!((status, lost["status"].as_str()), (200, Some("lost")));
    let again = move_prospect(&support, &lost, "qualified").await;
    assert_eq!(
        (again.0, again.1["error"]["code"].as_str()),
        (409, Some("invalid_transition"))
    );

    let ids = |page: &Value| -> Vec<String> {
        page["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["id"].as_str().unwrap().to_string())
            .collect()
    };
    let (_, qualified_page) = support.get("/api/admin/prospects?status=qualified").await;
    assert!(ids(&qualified_page).contains(&made["id"].as_str().unwrap().to_string()));
    assert!(!ids(&qualified_page).contains(&other["id"].as_str().unwrap().to_string()));
    let (_, all) = support.get("/api/admin/prospects").await;
    assert_eq!(
        ids(&all)[..2],
        [other["id"].as_str().unwrap(), made["id"].as_str().unwrap()],
        "newest first"
    );
    let (status, _) = support.get("/api/admin/prospects?status=maybe").await;
    assert_eq!(status, 422);

    let admin = Clerk::log_in(app, Role::Admin).await;
    let subject = format!("prospect:{}", made["id"].as_str().unwrap());
    let (_, trail) = admin
        .get(&format!("/api/admin/audit?subject={subject}"))
        .await;
    assert!(
        trail["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["action"] == "qualified"),
        "{trail}"
    );
}

on_both_engines!(prospects_are_captured_listed_and_moved: prospects_embedded, prospects_cloud);

async fn a_prospect_becomes_a_site_once_and_converts_on_acceptance(app: &App) {
    let support = Clerk::log_in(app, Role::Support).await;
    let (_, prospect) = support
        .post("/api/admin/prospects", lead("Fleurs Schmit"))
        .await;
    let id = prospect["id"].as_str().unwrap();
    let path = format!("/api/admin/sites/from-prospect/{id}");
    let (first, second) = tokio::join!(
        support.post(&path, json!({})),
        support.post(&path, json!({}))
    );
    let mut statuses = [first.0, second.0];
    statuses.sort();
    assert_eq!(statuses, [200, 201], "made once: {} {}", first.1, second.1);
    assert_eq!(first.1["id"], second.1["id"]);
    let site = first.1;
    assert_eq!(
        (
            site["status"].as_str(),
            site["business_name"].as_str(),
            site["contact_email"].as_str()
        ),
        (
            Some("draft"),
            Some("Fleurs Schmit"),
            Some("marie@fleurs.example")
        )
    );
    assert_eq!(site["prospect_id"].as_str(), Some(id));
    let (status, again) = support.post(&path, json!({})).await;
    assert_eq!(
        (status, &again["id"]),
        (200, &site["id"]),
        "asked again, the same site"
    );
    let (_, prospect) = support.get(&format!("/api/admin/prospects/{id}")).await;
    assert_eq!(prospect["site_id"], site["id"]);
    let (status, _) = support
        .post(
            "/api/admin/sites/from-prospect/01J0000000000000000000000A",
            json!({}),
        )
        .await;
    assert_eq!(status, 404);

    let mut site = site;
    for to in ["poc_ready", "proposal_sent"] {
        site = move_to(&support, &site, to, json!({})).await.1;
    }
    assert_eq!(
        support.get(&format!("/api/admin/prospects/{id}")).await.1["status"],
        "new"
    );
    let billing = Clerk::log_in(app, Role::Billing).await;
    let (status, accepted) = move_to(&billing, &site, "accepted", json!({})).await;
    assert_eq!(status, 200, "{accepted}");
    let (_, prospect) = support.get(&format!("/api/admin/prospects/{id}")).await;
    assert_eq!(prospect["status"], "converted", "{prospect}");
    let admin = Clerk::log_in(app, Role::Admin).await;
    let (_, trail) = admin
        .get(&format!("/api/admin/audit?subject=prospect:{id}"))
        .await;
    assert!(
        trail["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["action"] == "converted"
                && e["why"].as_str().unwrap().contains("Fleurs Schmit")),
        "{trail}"
    );

    // A lost prospect makes no site.
    let (_, lost) = support
        .post("/api/admin/prospects", lead("Garage Weber"))
        .await;
    let (_, lost) = move_prospect(&support, &lost, "lost").await;
    let path = format!(
        "/api/admin/sites/from-prospect/{}",
        lost["id"].as_str().unwrap()
    );
    let (status, body) = support.post(&path, json!({})).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (409, Some("prospect_lost"))
    );
}

on_both_engines!(a_prospect_becomes_a_site_once_and_converts_on_acceptance: from_prospect_embedded, from_prospect_cloud);
