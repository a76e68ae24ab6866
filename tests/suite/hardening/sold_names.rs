//! A name the shop has just sold is shown as taken at once, not after the
//! "available" answer in the cache lapses.

use hostfront::adapters::sim::APPROVED;
use hostfront_tests::App;
use hostfront_tests::shopper::{Shopper, fresh_domain, fresh_username, hosting};

on_both_engines!(sold_names: sold_names_embedded, sold_names_cloud);

async fn sold_names(app: &App) {
    let domain = fresh_domain();
    let check = format!("/api/domains/check?name={domain}");
    let (status, _, before) = app.get(&check).await;
    assert_eq!(
        (status, &before["results"][0]["available"]),
        (200, &serde_json::json!(true)),
        "{before}"
    );

    let ada = Shopper::sign_up(app, &format!("{}@example.com", fresh_username()), "GB").await;
    let (status, order) = ada
        .order(hosting("register", &domain, &fresh_username()))
        .await;
    assert_eq!(status, 201, "{order}");
    let (_, _, after) = app.get(&check).await;
    let result = &after["results"][0];
    assert_eq!(
        (result["available"].as_bool(), result["reason"].as_str()),
        (Some(false), Some("ordered")),
        "{after}"
    );

    // Paid and registered: still taken, whatever the cache held.
    ada.pay(order["id"].as_str().unwrap(), APPROVED, "GB").await;
    ada.wait_for(order["id"].as_str().unwrap(), "active").await;
    let (_, _, live) = app.get(&check).await;
    assert_eq!(live["results"][0]["available"], false, "{live}");
}
