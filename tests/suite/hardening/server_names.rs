//! Free subdomains and the panel's server names never meet: names the
//! company will give future servers and mail hosts are reserved, and a
//! server cannot be added under a name a customer holds as a subdomain (its
//! panel address would show their site).

use hostfront::staff::Role;
use hostfront_tests::App;
use hostfront_tests::shopper::{Shopper, fresh_username, hosting};
use hostfront_tests::staff::Clerk;
use serde_json::json;

on_both_engines!(server_names_and_subdomains_never_meet: server_names_embedded, server_names_cloud);

async fn server_names_and_subdomains_never_meet(app: &App) {
    let ada = Shopper::sign_up(app, &format!("{}@example.com", fresh_username()), "GB").await;
    for label in [
        "web3", "vmhost2", "smtp1", "mail2", "www2", "ns-1", "mx-2", "imap4", "host12",
    ] {
        let (status, error) = ada
            .order(hosting("subdomain", label, &fresh_username()))
            .await;
        assert_eq!(
            (status, error["error"]["code"].as_str()),
            (422, Some("reserved")),
            "{label}: {error}"
        );
        let (_, _, check) = app
            .get(&format!("/api/subdomains/check?name={label}"))
            .await;
        assert_eq!(check["reason"], "reserved", "{label}: {check}");
    }

    let label = format!("shop{}", &fresh_username()[1..]);
    let (status, order) = ada
        .order(hosting("subdomain", &label, &fresh_username()))
        .await;
    assert_eq!(status, 201, "{order}");
    let admin = Clerk::log_in(app, Role::Admin).await;
    let (status, error) = admin
        .post(
            "/api/admin/pools/servers",
            json!({"pool": "shared", "name": label, "capacity": 5}),
        )
        .await;
    assert_eq!(
        (status, error["error"]["code"].as_str()),
        (409, Some("subdomain_taken")),
        "{error}"
    );
    let (_, pools) = admin.get("/api/admin/pools").await;
    assert!(
        pools["servers"]
            .as_array()
            .unwrap()
            .iter()
            .all(|s| s["name"] != label.as_str()),
        "{pools}"
    );

    // A new server takes its name: no customer can order it afterwards.
    let server = format!("edge{}", &fresh_username()[1..]);
    let (status, pools) = admin
        .post(
            "/api/admin/pools/servers",
            json!({"pool": "shared", "name": server, "capacity": 5}),
        )
        .await;
    assert_eq!(status, 200, "{pools}");
    let (status, error) = ada
        .order(hosting("subdomain", &server, &fresh_username()))
        .await;
    assert_eq!(
        (status, error["error"]["code"].as_str()),
        (422, Some("reserved")),
        "{error}"
    );
    // Changing a server's capacity is not adding one.
    let (status, pools) = admin
        .post(
            "/api/admin/pools/servers",
            json!({"pool": "shared", "name": server, "capacity": 9}),
        )
        .await;
    assert_eq!(status, 200, "{pools}");
}
