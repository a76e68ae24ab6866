//! Countries are those of ISO 3166-1: signup and checkout take their codes
//! only (in either case), the site lists them by name, and staff get the
//! accounts made before that was checked, on both engines.

use hostfront::staff::Role;
use hostfront::store::Key;
use hostfront_tests::shopper::{Shopper, fresh_username};
use hostfront_tests::staff::Clerk;
use hostfront_tests::{App, http};
use serde_json::{Value, json};

/// Rewrites the stored profile of `customer_id` with the country `code`, as
/// signup once stored any two letters.
async fn store_country(app: &App, customer_id: &str, code: &str) {
    let key = Key::new(format!("CUSTOMER#{customer_id}"), "PROFILE");
    let mut profile = app.ports.table.get(&key).await.unwrap().unwrap();
    let mut customer: Value = profile["customer"].clone();
    customer["country"] = json!(code);
    profile.insert("customer".into(), customer);
    app.ports.table.put(profile, None).await.unwrap();
}

async fn only_countries_are_taken_and_staff_see_the_rest(app: &App) {
    let signup = |country: &str| {
        json!({"email": format!("{}@example.com", fresh_username()), "password": "correct horse battery",
            "name": "Ada Lovelace", "country": country})
    };
    for not_a_country in ["UN", "XX", "EU", "UK", "G", "GBR"] {
        let answer = http()
            .post(app.url("/api/signup"))
            .json(&signup(not_a_country))
            .send()
            .await
            .unwrap();
        assert_eq!(answer.status().as_u16(), 422, "{not_a_country}");
        let body: Value = answer.json().await.unwrap();
        assert_eq!(body["error"]["code"], "invalid_country", "{not_a_country}");
    }

    let ada = Shopper::sign_up(app, &format!("{}@example.com", fresh_username()), "gb").await;
    let (_, me) = ada.get("/api/me").await;
    assert_eq!(
        me["country"], "GB",
        "a code is taken in either case, kept in capitals"
    );

    let (status, _, listed) = app.get_with("/api/countries", &[]).await;
    assert_eq!(status, 200);
    let names: Vec<&str> = listed
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["code"] == "GB" || c["code"] == "DE")
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Germany", "United Kingdom"]);
    assert_eq!(listed.as_array().unwrap().len(), 249);

    let support = Clerk::log_in(app, Role::Support).await;
    let id = me["id"].as_str().unwrap();
    let (status, before) = support.get("/api/admin/reports/unknown-countries").await;
    assert_eq!(status, 200, "{before}");
    assert!(!before.to_string().contains(id), "GB is a country");
    store_country(app, id, "UN").await;
    let (_, after) = support.get("/api/admin/reports/unknown-countries").await;
    let found: Vec<&Value> = after
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["id"] == id)
        .collect();
    assert_eq!(found.len(), 1, "{after}");
    assert_eq!(found[0]["country"], "UN");
}

on_both_engines!(only_countries_are_taken_and_staff_see_the_rest: countries_embedded, countries_cloud);
