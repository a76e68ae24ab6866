//! The buyer's company name and address: set on the account with strict
//! checks that change nothing when they refuse, and named on every invoice
//! issued after, never on one issued before.

use hostfront_tests::App;
use hostfront_tests::shopper::{Shopper, fresh_username, hosting};
use serde_json::{Value, json};

use super::{fresh_email, legal_seller};

const PATH: &str = "/api/account/billing-address";

fn copenhagen() -> Value {
    json!({
        "company": "Müller & Søn ApS",
        "address": {"lines": ["Strøget 1", "3. sal"], "city": "København K", "postal_code": "1160"},
    })
}

async fn invoice_of(shopper: &Shopper<'_>) -> Value {
    let (status, order) = shopper
        .order(hosting("subdomain", &fresh_username(), &fresh_username()))
        .await;
    assert_eq!(status, 201, "{order}");
    order["invoice"].clone()
}

async fn refusals_change_nothing(ada: &Shopper<'_>) {
    let (_, before) = ada.get("/api/me").await;
    let long = "x".repeat(101);
    let refused = [
        (json!({"company": "  "}), "invalid_company"),
        (json!({"company": "Evil\u{0007}Corp"}), "invalid_company"),
        (json!({"company": long}), "invalid_company"),
        (
            json!({"address": {"lines": [], "city": "Aarhus", "postal_code": "8000"}}),
            "invalid_address",
        ),
        (
            json!({"address": {"lines": ["a", "b", "c", "d"], "city": "Aarhus", "postal_code": "8000"}}),
            "invalid_address",
        ),
        (
            json!({"address": {"lines": ["Line\nbreak"], "city": "Aarhus", "postal_code": "8000"}}),
            "invalid_address",
        ),
        (
            json!({"address": {"lines": ["Vej 1"], "city": "", "postal_code": "8000"}}),
            "invalid_address",
        ),
        (
            json!({"address": {"lines": ["Vej 1"], "city": "Aarhus", "postal_code": "<8000>"}}),
            "invalid_address",
        ),
    ];
    for (body, code) in refused {
        let (status, answer) = ada.put(PATH, body.clone(), None).await;
        assert_eq!(
            (status, answer["error"]["code"].as_str()),
            (422, Some(code)),
            "{body}: {answer}"
        );
    }
    let (status, answer) = ada
        .put(PATH, json!({"company": "A", "colour": "blue"}), None)
        .await;
    assert!((400..500).contains(&status), "an unknown field: {answer}");
    let (_, after) = ada.get("/api/me").await;
    assert_eq!(after, before, "a refusal changes nothing");
}

async fn the_account_names_the_buyer_on_invoices_issued_after(app: &App) {
    let ada = Shopper::sign_up(app, &fresh_email(), "DK").await;
    let before = invoice_of(&ada).await;
    assert_eq!(
        before["buyer"],
        json!({"name": "Ada Lovelace", "address": [], "country": "DK"}),
        "an account without an address still gets invoices"
    );

    let (status, me) = ada.put(PATH, copenhagen(), None).await;
    assert_eq!(status, 200, "{me}");
    assert_eq!(me["company"], "Müller & Søn ApS");
    assert_eq!(me["address"]["lines"], json!(["Strøget 1", "3. sal"]));
    let (_, shown) = ada.get("/api/me").await;
    assert_eq!(shown["address"]["postal_code"], "1160");
    refusals_change_nothing(&ada).await;

    let after = invoice_of(&ada).await;
    assert_eq!(
        after["buyer"],
        json!({"name": "Müller & Søn ApS",
            "address": ["Strøget 1", "3. sal", "1160 København K"], "country": "DK"})
    );
    assert_eq!(after["seller"]["tax_id"], "GB123456789");
    let number = before["number"].as_str().unwrap();
    let (_, kept) = ada.get(&format!("/api/invoices/{number}")).await;
    assert_eq!(
        kept["buyer"], before["buyer"],
        "an issued invoice keeps its buyer"
    );

    let (status, cleared) = ada.put(PATH, json!({}), None).await;
    assert_eq!(status, 200, "{cleared}");
    assert!(cleared.get("company").is_none() && cleared.get("address").is_none());
    let (status, answer) = app
        .send_with(reqwest::Method::PUT, PATH, &copenhagen(), &[])
        .await;
    assert_eq!(status, 401, "{answer}");
}

on_both_engines!(the_account_names_the_buyer_on_invoices_issued_after:
    the_account_names_the_buyer_on_invoices_issued_after_embedded,
    the_account_names_the_buyer_on_invoices_issued_after_cloud,
    legal_seller);
