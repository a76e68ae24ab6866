//! Capacity, on both engines: with every server full a paid order goes on
//! hold; an admin adds a server and resumes it, and it goes live; retiring
//! a server keeps its accounts; an address range joins the pool once.

use std::time::Duration;

use hostfront::adapters::sim::APPROVED;
use hostfront::staff::Role;
use hostfront_tests::shopper::{Shopper, fresh_username, hosting};
use hostfront_tests::staff::Clerk;
use hostfront_tests::{App, eventually};
use serde_json::json;

async fn an_order_on_hold_resumes_once_a_server_is_added(app: &App) {
    let ada = Shopper::sign_up(app, &format!("{}@example.com", fresh_username()), "GB").await;
    let (_, order) = ada
        .order(hosting("subdomain", &fresh_username(), &fresh_username()))
        .await;
    let id = order["id"].as_str().unwrap().to_string();
    ada.pay(&id, APPROVED, "GB").await;
    let held = ada.wait_for(&id, "on_hold").await;
    assert_eq!(held["failed_step"], "hosting_account", "{held}");

    let admin = Clerk::log_in(app, Role::Admin).await;
    let (_, before) = admin.get("/api/admin/pools").await;
    assert!(
        before["servers"]
            .as_array()
            .unwrap()
            .iter()
            .all(|s| s["capacity"] == 0),
        "{before}"
    );
    let (status, refused) = admin
        .post(
            "/api/admin/pools/servers",
            json!({"pool": "moon", "name": "web9", "capacity": 5}),
        )
        .await;
    assert_eq!(
        (status, refused["error"]["code"].as_str()),
        (422, Some("invalid_pool_change"))
    );
    let (status, pools) = admin
        .post(
            "/api/admin/pools/servers",
            json!({"pool": "shared", "name": "web9", "capacity": 5}),
        )
        .await;
    assert_eq!(status, 200, "{pools}");
    let (status, _) = admin
        .post(
            &format!("/api/admin/orders/{id}/resume"),
            json!({"why": "added web9"}),
        )
        .await;
    assert_eq!(status, 200);
    let order = eventually(
        Duration::from_secs(30),
        "the resumed order live",
        || async {
            let (_, order) = admin.get(&format!("/api/admin/orders/{id}")).await;
            if order["status"] == "active" {
                Ok(order)
            } else {
                Err(order)
            }
        },
    )
    .await;
    assert!(
        order["service"]["account"]["server"]
            .as_str()
            .unwrap()
            .starts_with("web9.")
    );

    let (status, retired) = admin
        .post("/api/admin/pools/servers/web9/retire", json!({}))
        .await;
    assert_eq!(status, 200);
    let web9 = retired["servers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == "web9")
        .unwrap()
        .clone();
    assert_eq!(
        (&web9["retired"], &web9["accounts"]),
        (&json!(true), &json!(1))
    );
    assert_eq!(
        admin
            .post("/api/admin/pools/servers/web404/retire", json!({}))
            .await
            .0,
        404
    );

    let range = json!({"first": "203.0.113.1", "count": 4});
    let (_, added) = admin
        .post("/api/admin/pools/addresses", range.clone())
        .await;
    let (_, again) = admin.post("/api/admin/pools/addresses", range).await;
    assert_eq!((&added["added"], &again["added"]), (&json!(4), &json!(0)));
    assert_eq!(
        again["pools"]["addresses"]["total"].as_u64().unwrap(),
        before["addresses"]["total"].as_u64().unwrap() + 4
    );
    let (_, trail) = admin.get("/api/admin/audit?subject=server:web9").await;
    let actions: Vec<&str> = trail["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["server_retired", "server_added"]);
}

on_both_engines!(an_order_on_hold_resumes_once_a_server_is_added: pools_embedded, pools_cloud, |config| config.sim.panel_capacity = 0);
