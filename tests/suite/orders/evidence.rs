//! What a payment shows of where the buyer is, kept with the invoice's tax
//! and weighed by the order review (`billing::evidence`): a card issued in
//! the account's country, or the client's country as a trusted proxy says
//! it, shows the buyer there though the billing address is elsewhere; the
//! same header from anyone else is not believed.

use hostfront::adapters::sim::APPROVED;
use hostfront::adapters::sim::card_countries::card_of;
use hostfront_tests::App;
use hostfront_tests::shopper::{Shopper, fresh_username, hosting};
use serde_json::{Value, json};

const COUNTRY_HEADER: &str = "x-client-country";

fn behind_a_proxy(c: &mut hostfront::settings::Settings) {
    c.policy.trusted_proxies = vec!["127.0.0.1/32".parse().unwrap()];
    c.policy.client_country_header = Some(COUNTRY_HEADER.into());
}

/// A new GB customer's order paid with `card`, billed to `billing`, the
/// proxy saying `client` of the client: the paid order and its invoice's
/// evidence of where the buyer is.
async fn paid(app: &App, card: &str, billing: &str, client: Option<&str>) -> (Value, Value) {
    let ada = Shopper::sign_up(app, &format!("{}@example.com", fresh_username()), "GB").await;
    let (_, order) = ada
        .order(hosting("subdomain", &fresh_username(), &fresh_username()))
        .await;
    let method = ada.payment_method(card).await;
    let body = json!({"payment_method": method, "billing_country": billing});
    let mut headers = vec![("cookie", ada.cookie.as_str())];
    headers.extend(client.map(|country| (COUNTRY_HEADER, country)));
    let path = format!("/api/orders/{}/pay", order["id"].as_str().unwrap());
    let (status, paid) = app
        .send_with(reqwest::Method::POST, &path, &body, &headers)
        .await;
    assert_eq!(status, 200, "{paid}");
    let number = paid["invoice"]["number"].as_str().unwrap().to_string();
    let (status, invoice) = ada.get(&format!("/api/invoices/{number}")).await;
    assert_eq!(status, 200, "{invoice}");
    (paid, invoice["taxation"]["evidence"].clone())
}

async fn the_payment_shows_where_the_buyer_is(app: &App) {
    // Billed to the US with a US card: nothing shows the buyer in GB.
    let (order, evidence) = paid(app, APPROVED, "US", None).await;
    assert_eq!(order["status"], "pending_review", "{order}");
    assert_eq!(evidence["card_country"], "US", "{evidence}");
    let why = evidence["disagreement"].as_str().unwrap();
    assert!(why.contains("the card's country US"), "{why}");

    // A card issued in GB does.
    let (order, evidence) = paid(app, card_of("GB").unwrap(), "US", None).await;
    assert_eq!(order["status"], "provisioning", "{order}");
    assert_eq!(
        (&evidence["billing_country"], &evidence["card_country"]),
        (&json!("US"), &json!("GB"))
    );
    assert!(evidence.get("disagreement").is_none(), "{evidence}");

    // So does the client's country, as the trusted proxy says it.
    let (order, evidence) = paid(app, APPROVED, "US", Some("gb")).await;
    assert_eq!(order["status"], "provisioning", "{order}");
    assert_eq!(evidence["client_country"], "GB", "{evidence}");

    // A value that is no country is not kept.
    let (order, evidence) = paid(app, APPROVED, "US", Some("Britain")).await;
    assert_eq!(order["status"], "pending_review", "{order}");
    assert!(evidence.get("client_country").is_none(), "{evidence}");
}

on_both_engines!(the_payment_shows_where_the_buyer_is: evidence_embedded, evidence_cloud, behind_a_proxy);

/// The header from a client that is no trusted proxy is the client's own word.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_country_header_from_anyone_else_is_not_believed() {
    let app =
        App::embedded_with(|c| c.policy.client_country_header = Some(COUNTRY_HEADER.into())).await;
    let (order, evidence) = paid(&app, APPROVED, "US", Some("GB")).await;
    assert_eq!(order["status"], "pending_review", "{order}");
    assert!(evidence.get("client_country").is_none(), "{evidence}");
    app.shutdown().await.unwrap();
}

/// The review weighs what the payment showed against the country the
/// invoice was taxed for: a country changed between ordering and paying
/// does not slip past it.
async fn a_country_changed_before_paying_is_still_reviewed(app: &App) {
    let ada = Shopper::sign_up(app, &format!("{}@example.com", fresh_username()), "DE").await;
    let (_, order) = ada
        .order(hosting("subdomain", &fresh_username(), &fresh_username()))
        .await;
    let details = json!({"name": "Ada Lovelace", "country": "US"});
    assert_eq!(ada.put("/api/account/details", details, None).await.0, 200);
    let method = ada.payment_method(APPROVED).await;
    let body = json!({"payment_method": method, "billing_country": "US"});
    let path = format!("/api/orders/{}/pay", order["id"].as_str().unwrap());
    let (status, paid) = ada.post(&path, body, None).await;
    assert_eq!(status, 200, "{paid}");
    assert_eq!(paid["status"], "pending_review", "{paid}");
}

on_both_engines!(a_country_changed_before_paying_is_still_reviewed: moved_embedded, moved_cloud);
