//! A catalog whose prices include tax: the customer pays the price, and
//! the invoice's subtotal is the price less its tax, each line its part of
//! the net, to the cent.

use hostfront::store::Key;
use hostfront_tests::App;
use serde_json::json;

use super::{buyer, german_seller, ordered_invoice, taxed};

async fn prices_with_tax_are_what_the_customer_pays(app: &App) {
    let mut settings = Key::new("CATALOG", "SETTINGS").to_item();
    settings.insert("kind".into(), "catalog_settings".into());
    settings.insert(
        "body".into(),
        json!({"currency": "USD", "prices_include_tax": true}),
    );
    app.ports.table.put(settings, None).await.unwrap();
    let (_, _, catalog) = app.get("/api/catalog").await;
    assert_eq!(catalog["prices_include_tax"], true, "{catalog}");
    let monthly = catalog["plans"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["id"] == "web-starter")
        .unwrap()["prices"]["monthly"]
        .as_i64()
        .unwrap();

    let consumer = buyer(app, "FR").await;
    let (_, terms) = consumer.get("/api/account/tax").await;
    assert_eq!(terms["prices_include_tax"], true, "{terms}");
    let (invoice, _) = ordered_invoice(&consumer).await;
    assert_eq!(taxed(&invoice), ("oss", 2000, "FR"));
    assert_eq!(invoice["taxation"]["prices_include_tax"], true);
    let [subtotal, tax, total] = ["subtotal", "tax", "total"].map(|f| invoice[f].as_i64().unwrap());
    assert_eq!(total, monthly, "the customer pays the price: {invoice}");
    assert_eq!(tax, (monthly * 2000 * 2 + 12_000) / 24_000, "{invoice}");
    assert_eq!(subtotal + tax, total);
    let lines: i64 = invoice["lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["amount"].as_i64().unwrap())
        .sum();
    assert_eq!(lines, subtotal, "{invoice}");
}

on_both_engines!(prices_with_tax_are_what_the_customer_pays: included_embedded, included_cloud, german_seller);
