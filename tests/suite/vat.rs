//! EU VAT as invoices apply it, over HTTP on both engines, for a seller in
//! Germany: the rate of a consumer's member state, reverse charge for a
//! business whose VAT number VIES confirms, nothing for a buyer outside the
//! EU; a VAT number VIES refuses is refused and nothing kept; one VIES
//! cannot answer about waits as pending and, once confirmed, the invoices
//! issued meanwhile get a credit note of their VAT (`pending`). A seller
//! outside the EU charges its flat rate, as before.

mod included;
mod pending;
mod report;

use hostfront::adapters::sim::APPROVED;
use hostfront_tests::App;
use hostfront_tests::shopper::{Shopper, fresh_username, hosting};
use serde_json::{Value, json};

/// A seller established in Germany.
pub(crate) fn german_seller(s: &mut hostfront::settings::Settings) {
    s.policy.seller.country = "DE".into();
}

/// A new customer in `country`, logged in.
pub(crate) async fn buyer<'a>(app: &'a App, country: &str) -> Shopper<'a> {
    Shopper::sign_up(app, &format!("{}@example.com", fresh_username()), country).await
}

/// An order's invoice, as the customer reads it; the order's id.
pub(crate) async fn ordered_invoice(shopper: &Shopper<'_>) -> (Value, String) {
    let (status, order) = shopper
        .order(hosting("subdomain", &fresh_username(), &fresh_username()))
        .await;
    assert_eq!(status, 201, "{order}");
    let number = order["invoice"]["number"].as_str().unwrap().to_string();
    let (status, invoice) = shopper.get(&format!("/api/invoices/{number}")).await;
    assert_eq!(status, 200, "{invoice}");
    (invoice, order["id"].as_str().unwrap().to_string())
}

/// The scheme, rate and country the invoice was taxed under.
pub(crate) fn taxed(invoice: &Value) -> (&str, u64, &str) {
    taxed_by(&invoice["taxation"])
}

/// The scheme, rate and country of a tax treatment.
fn taxed_by(t: &Value) -> (&str, u64, &str) {
    (
        t["scheme"].as_str().unwrap(),
        t["rate_bps"].as_u64().unwrap(),
        t["country"].as_str().unwrap(),
    )
}

/// The invoice's tax is its rate of its subtotal, and its total adds up.
fn adds_up(invoice: &Value) {
    let [subtotal, rate, tax, total] =
        ["subtotal", "tax_rate_bps", "tax", "total"].map(|f| invoice[f].as_i64().unwrap());
    assert!(subtotal > 0, "{invoice}");
    assert_eq!(tax, (subtotal * rate + 5_000) / 10_000, "{invoice}");
    assert_eq!(total, subtotal + tax, "{invoice}");
}

async fn each_buyer_is_taxed_where_they_are(app: &App) {
    let home = buyer(app, "DE").await;
    let (invoice, _) = ordered_invoice(&home).await;
    assert_eq!(taxed(&invoice), ("domestic", 1900, "DE"));
    adds_up(&invoice);

    let consumer = buyer(app, "FR").await;
    let (_, terms) = consumer.get("/api/account/tax").await;
    assert_eq!(
        taxed_by(&terms),
        ("oss", 2000, "FR"),
        "what pages show before paying"
    );
    let (invoice, order_id) = ordered_invoice(&consumer).await;
    assert_eq!(taxed(&invoice), ("oss", 2000, "FR"));
    let (_, me) = consumer.get("/api/me").await;
    let mails = hostfront::mail::outbox(&app.ports, 200).await.unwrap();
    let received = mails
        .iter()
        .find(|m| m.to == me["email"] && m.kind == hostfront::mail::MailKind::OrderReceived)
        .expect("the order's mail");
    assert!(received.text.contains("VAT 20% (FR)"), "{}", received.text);
    assert_eq!(invoice["taxation"]["evidence"]["account_country"], "FR");
    adds_up(&invoice);
    let (status, paid) = consumer.pay(&order_id, APPROVED, "BE").await;
    assert_eq!(status, 200, "{paid}");
    let number = invoice["number"].as_str().unwrap();
    let (_, invoice) = consumer.get(&format!("/api/invoices/{number}")).await;
    let evidence = &invoice["taxation"]["evidence"];
    assert_eq!(evidence["billing_country"], "BE", "{invoice}");
    let disagreement = evidence["disagreement"].as_str().unwrap_or_default();
    assert!(
        disagreement.contains("BE") && disagreement.contains("FR"),
        "{invoice}"
    );

    let abroad = buyer(app, "US").await;
    let (invoice, _) = ordered_invoice(&abroad).await;
    assert_eq!(taxed(&invoice), ("outside_scope", 0, "US"));
    assert_eq!(invoice["tax"], 0);
    let mention = invoice["taxation"]["mention"].as_str().unwrap_or_default();
    assert!(mention.contains("Outside the scope of EU VAT"), "{invoice}");
}

on_both_engines!(each_buyer_is_taxed_where_they_are: where_embedded, where_cloud, german_seller);

async fn a_business_with_a_valid_number_is_reverse_charged(app: &App) {
    let business = buyer(app, "FR").await;
    let (status, kept) = business
        .put(
            "/api/account/vat-number",
            json!({"vat_number": "fr 100"}),
            None,
        )
        .await;
    assert_eq!(status, 200, "{kept}");
    assert_eq!(
        (kept["number"].as_str(), kept["status"].as_str()),
        (Some("FR100"), Some("valid"))
    );
    assert!(
        kept["consultation"].is_string() && kept["checked_at"].is_string(),
        "{kept}"
    );
    let (_, me) = business.get("/api/me").await;
    assert_eq!(me["vat"]["number"], "FR100", "{me}");
    let (_, terms) = business.get("/api/account/tax").await;
    assert_eq!(taxed_by(&terms), ("reverse_charge", 0, "FR"));

    let (invoice, _) = ordered_invoice(&business).await;
    assert_eq!(taxed(&invoice), ("reverse_charge", 0, "FR"));
    assert_eq!(
        (
            invoice["tax"].as_i64(),
            invoice["total"] == invoice["subtotal"]
        ),
        (Some(0), true)
    );
    let mention = invoice["taxation"]["mention"].as_str().unwrap_or_default();
    assert!(
        mention
            .starts_with("Reverse charge: VAT to be accounted for by the recipient (Article 196"),
        "{invoice}"
    );
    assert_eq!(invoice["buyer"]["tax_id"], "FR100", "{invoice}");
    assert_eq!(
        invoice["taxation"]["evidence"]["vat_number"]["status"],
        "valid"
    );

    let (status, _) = business
        .app
        .send_with(
            reqwest::Method::DELETE,
            "/api/account/vat-number",
            &Value::Null,
            &[("cookie", business.cookie.as_str())],
        )
        .await;
    assert_eq!(status, 204);
    let (invoice, _) = ordered_invoice(&business).await;
    assert_eq!(taxed(&invoice), ("oss", 2000, "FR"));
}

on_both_engines!(a_business_with_a_valid_number_is_reverse_charged: business_embedded, business_cloud, german_seller);

async fn a_number_vies_refuses_is_refused_and_nothing_kept(app: &App) {
    let business = buyer(app, "FR").await;
    for (given, code) in [
        ("FR200", "vat_number_not_valid"),
        ("FR12/45", "invalid_vat_number"),
        ("US123456789", "invalid_vat_number"),
        ("FR201", "invalid_vat_number"),
    ] {
        let (status, refused) = business
            .put(
                "/api/account/vat-number",
                json!({"vat_number": given}),
                None,
            )
            .await;
        assert_eq!(
            (status, refused["error"]["code"].as_str()),
            (422, Some(code)),
            "{given}: {refused}"
        );
        assert!(
            !refused["error"]["message"]
                .as_str()
                .unwrap_or_default()
                .is_empty()
        );
    }
    let (_, me) = business.get("/api/me").await;
    assert!(me.get("vat").is_none(), "{me}");
    let (invoice, _) = ordered_invoice(&business).await;
    assert_eq!(taxed(&invoice), ("oss", 2000, "FR"));
}

on_both_engines!(a_number_vies_refuses_is_refused_and_nothing_kept: refused_embedded, refused_cloud, german_seller);

async fn a_seller_outside_the_eu_charges_its_flat_rate(app: &App) {
    assert_eq!(app.ports.config.seller.country, "US", "the demo's seller");
    let business = buyer(app, "FR").await;
    let (status, _) = business
        .put(
            "/api/account/vat-number",
            json!({"vat_number": "FR100"}),
            None,
        )
        .await;
    assert_eq!(status, 200);
    let (invoice, _) = ordered_invoice(&business).await;
    assert_eq!(taxed(&invoice), ("flat", 1000, "FR"));
    assert!(invoice["taxation"].get("mention").is_none(), "{invoice}");
    adds_up(&invoice);
}

on_both_engines!(a_seller_outside_the_eu_charges_its_flat_rate: flat_embedded, flat_cloud, |s| {
    s.policy.tax_rate_bps = 1000;
});
