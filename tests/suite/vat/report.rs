//! The tax report per country, rate and scheme, from each invoice's
//! taxation: a consumer's sale in France at the French rate (`oss`), a
//! business's under reverse charge at 0 % on a row of its own.

use hostfront::adapters::sim::APPROVED;
use hostfront::staff::Role;
use hostfront_tests::App;
use hostfront_tests::staff::Clerk;
use serde_json::json;

use super::{buyer, german_seller, ordered_invoice};

async fn sales_are_reported_per_country_rate_and_scheme(app: &App) {
    let consumer = buyer(app, "FR").await;
    let (bought, order_id) = ordered_invoice(&consumer).await;
    assert_eq!(consumer.pay(&order_id, APPROVED, "FR").await.0, 200);
    let business = buyer(app, "FR").await;
    let (status, _) = business
        .put(
            "/api/account/vat-number",
            json!({"vat_number": "FR100"}),
            None,
        )
        .await;
    assert_eq!(status, 200);
    let (reverse_charged, order_id) = ordered_invoice(&business).await;
    assert_eq!(business.pay(&order_id, APPROVED, "FR").await.0, 200);

    let month = &bought["issued_at"].as_str().unwrap()[..7];
    let billing = Clerk::log_in(app, Role::Billing).await;
    let report = format!("/api/admin/reports/tax?from={month}&to={month}");
    let response = hostfront_tests::http()
        .get(app.url(&report))
        .header("cookie", &billing.cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
    let csv = response.text().await.unwrap();
    assert!(csv.lines().next().unwrap().ends_with(",scheme"), "{csv}");
    let row = |rate: &str, scheme: &str| {
        csv.lines()
            .find(|l| l.starts_with(&format!("{month},FR,{rate},")) && l.ends_with(scheme))
            .unwrap_or_else(|| panic!("a row FR {rate} {scheme}: {csv}"))
            .split(',')
            .map(str::to_string)
            .collect::<Vec<_>>()
    };
    let minor = |field: &str| field.replace('.', "").parse::<i64>().unwrap();
    let oss = row("20.00", ",oss");
    assert!(minor(&oss[5]) >= bought["tax"].as_i64().unwrap(), "{csv}");
    let reverse = row("0.00", ",reverse_charge");
    assert!(
        minor(&reverse[4]) >= reverse_charged["subtotal"].as_i64().unwrap(),
        "{csv}"
    );
    assert_eq!(
        minor(&reverse[5]),
        0,
        "no VAT on a reverse-charged sale: {csv}"
    );
}

on_both_engines!(sales_are_reported_per_country_rate_and_scheme: report_embedded, report_cloud, german_seller);
