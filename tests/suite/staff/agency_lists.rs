//! The agency pipeline's figures and lists, on both engines: what the
//! figures count, the services expiring soon, pages that list every site
//! once, and cursors that only work in their own list.

use hostfront::staff::Role;
use hostfront_tests::App;
use hostfront_tests::staff::Clerk;
use serde_json::Value;

use super::agency::{add_service, day_in, new_site};

async fn the_figures_and_the_lists(app: &App) {
    let support = Clerk::log_in(app, Role::Support).await;
    let billing = Clerk::log_in(app, Role::Billing).await;
    let (_, before) = support.get("/api/admin/agency/stats").await;
    let site = new_site(&support).await;
    add_service(
        &billing,
        &site,
        (
            "domain",
            "soon.example",
            "annual",
            1200,
            Some(day_in(app, 10)),
        ),
    )
    .await;
    add_service(
        &billing,
        &site,
        (
            "hosting",
            "Web hosting",
            "monthly",
            900,
            Some(day_in(app, 200)),
        ),
    )
    .await;
    let (_, after) = support.get("/api/admin/agency/stats").await;
    let grew = |field: &str| after[field].as_i64().unwrap() - before[field].as_i64().unwrap();
    assert_eq!(
        (
            grew("total_sites"),
            grew("in_proof_of_concept"),
            grew("active_services"),
            grew("renewals_next_30_days")
        ),
        (1, 1, 2, 1),
        "{after}"
    );
    let revenue = |stats: &Value| stats["monthly_revenue"]["EUR"].as_i64().unwrap_or(0);
    assert_eq!(
        revenue(&after) - revenue(&before),
        100 + 900,
        "a yearly 12.00 is 1.00 a month"
    );

    let (_, soon) = support
        .get("/api/admin/client-services?expiring_within_days=30&service_type=domain")
        .await;
    let names: Vec<&str> = soon["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert!(
        names.contains(&"soon.example") && !names.contains(&"Web hosting"),
        "{names:?}"
    );

    for _ in 0..51 {
        new_site(&support).await;
    }
    let (_, first) = support.get("/api/admin/sites").await;
    assert_eq!(first["items"].as_array().unwrap().len(), 50);
    let next = first["next"].as_str().expect("a next page");
    let (status, second) = support
        .get(&format!("/api/admin/sites?cursor={next}"))
        .await;
    assert_eq!(status, 200, "{second}");
    let pages = [&first, &second];
    let ids: Vec<&str> = pages
        .iter()
        .flat_map(|p| p["items"].as_array().unwrap())
        .map(|s| s["id"].as_str().unwrap())
        .collect();
    let once: std::collections::HashSet<&str> = ids.iter().copied().collect();
    assert!(
        ids.len() >= 52 && once.len() == ids.len(),
        "every site once, in {} and {}",
        ids.len(),
        once.len()
    );
    // A cursor of another list is no way into it.
    let (status, body) = support
        .get(&format!("/api/admin/client-services?cursor={next}"))
        .await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (422, Some("invalid_cursor"))
    );
    let (status, body) = support.get("/api/admin/sites?status=nonsense").await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (422, Some("invalid_status"))
    );
}

on_both_engines!(the_figures_and_the_lists: figures_embedded, figures_cloud);
