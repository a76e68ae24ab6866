//! The simulated bank's check of a card holder (3-D Secure) answers only
//! the customer whose order waits for it, logged in: another customer, or
//! nobody, who knows the check's id changes nothing. On both engines.

use hostfront_tests::App;
use hostfront_tests::shopper::{Shopper, fresh_username, hosting};
use serde_json::json;

/// The simulated gateway's card whose bank asks its holder to confirm.
const AUTHENTICATES: &str = "4000002500003155";

async fn only_the_orders_owner_answers_its_bank(app: &App) {
    let email = || format!("{}@example.com", fresh_username());
    let ada = Shopper::sign_up(app, &email(), "GB").await;
    let (_, order) = ada
        .order(hosting("subdomain", &fresh_username(), &fresh_username()))
        .await;
    let id = order["id"].as_str().unwrap();
    let (status, waiting) = ada.pay(id, AUTHENTICATES, "GB").await;
    assert_eq!(status, 200, "{waiting}");
    let url = waiting["payment_action_url"].as_str().unwrap();
    let check = url.split("check=").nth(1).unwrap();
    let answer = format!("/api/payments/simulated-bank/{check}");

    let eve = Shopper::sign_up(app, &email(), "GB").await;
    let (status, error) = eve.post(&answer, json!({"confirmed": false}), None).await;
    assert_eq!(status, 404, "another customer's check: {error}");
    let (status, _) = app
        .post_with(&answer, &json!({"confirmed": false}), &[])
        .await;
    assert_eq!(status, 401, "no session");

    let confirm = format!("/api/orders/{id}/pay/confirm");
    let (status, still) = ada.post(&confirm, json!({}), None).await;
    assert_eq!(status, 200, "{still}");
    assert_eq!(still["status"], "awaiting_payment");
    assert_eq!(
        still["payment_action_url"],
        json!(url),
        "the bank still asks ada"
    );

    let (status, back) = ada.post(&answer, json!({"confirmed": true}), None).await;
    assert_eq!(status, 200, "{back}");
    assert!(back["return_url"].as_str().unwrap().contains(id), "{back}");
    let (status, paid) = ada.post(&confirm, json!({}), None).await;
    assert_eq!(status, 200, "{paid}");
    assert_ne!(paid["status"], "awaiting_payment", "{paid}");
}

on_both_engines!(only_the_orders_owner_answers_its_bank: bank_check_embedded, bank_check_cloud);
