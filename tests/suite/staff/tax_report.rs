//! The tax report, over HTTP on both engines: its totals are the invoices
//! less the credit notes of the month, to the cent; billing staff and
//! admins get it, support does not; bad months are refused.

use hostfront::adapters::sim::APPROVED;
use hostfront::staff::Role;
use hostfront_tests::shopper::{Shopper, fresh_username, hosting};
use hostfront_tests::staff::Clerk;
use hostfront_tests::{App, http};
use serde_json::{Value, json};

/// The CSV at `path` as `clerk` fetches it: status, content type, body.
async fn fetch(clerk: &Clerk<'_>, path: &str) -> (u16, String, String) {
    let response = http()
        .get(clerk.app.url(path))
        .header("cookie", &clerk.cookie)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    let kind = response
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_string());
    (
        status,
        kind.unwrap_or_default(),
        response.text().await.unwrap(),
    )
}

/// `12.34` as 1234 minor units.
fn minor(amount: &str) -> i64 {
    amount.replace('.', "").parse().unwrap()
}

/// The sums of the report's amount columns (all but the first four).
fn column_sums(csv: &str) -> Vec<i64> {
    let mut sums = vec![0; 9];
    for row in csv.lines().skip(1) {
        for (sum, field) in sums.iter_mut().zip(row.split(',').skip(4)) {
            *sum += minor(field);
        }
    }
    sums
}

async fn the_report_is_the_invoices_less_the_credit_notes(app: &App) {
    let admin = Clerk::log_in(app, Role::Admin).await;
    let ada = Shopper::sign_up(app, &format!("{}@example.com", fresh_username()), "GB").await;
    let (_, order) = ada
        .order(hosting("subdomain", &fresh_username(), &fresh_username()))
        .await;
    let (_, paid) = ada.pay(order["id"].as_str().unwrap(), APPROVED, "GB").await;
    let number = paid["invoice"]["number"].as_str().unwrap();
    let path = format!("/api/admin/invoices/{number}/refund");
    let (status, refunded) = admin
        .post(&path, json!({"amount": 333, "why": "a discount"}))
        .await;
    assert_eq!(status, 200, "{refunded}");
    let note = &refunded["credit_note"];

    let (_, invoices) = ada.get("/api/invoices").await;
    let month = &note["issued_at"].as_str().unwrap()[..7];
    let counted: Vec<&Value> = invoices
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["status"] != "void" && i["issued_at"].as_str().unwrap().starts_with(month))
        .collect();
    let sum = |field: &str| {
        counted
            .iter()
            .map(|i| i[field].as_i64().unwrap())
            .sum::<i64>()
    };
    let (net, tax) = (sum("subtotal"), sum("tax"));
    let credited = [&note["subtotal"], &note["tax"], &note["total"]].map(|v| v.as_i64().unwrap());
    let want = vec![
        net,
        tax,
        net + tax,
        credited[0],
        credited[1],
        credited[2],
        net - credited[0],
        tax - credited[1],
        net + tax - credited[2],
    ];

    let billing = Clerk::log_in(app, Role::Billing).await;
    let report = format!("/api/admin/reports/tax?from={month}&to={month}");
    let (status, kind, csv) = fetch(&billing, &report).await;
    assert_eq!(status, 200, "{csv}");
    assert!(kind.starts_with("text/csv"), "{kind}");
    assert!(
        csv.starts_with("month,country,tax_rate_percent,currency,"),
        "{csv}"
    );
    assert_eq!(column_sums(&csv), want, "{csv}");
    assert!(
        csv.lines()
            .skip(1)
            .all(|row| row.starts_with(&format!("{month},GB,"))),
        "{csv}"
    );
    let (_, _, earlier) = fetch(&admin, "/api/admin/reports/tax?from=2001-01&to=2001-12").await;
    assert_eq!(earlier.lines().count(), 1, "a header alone: {earlier}");
}

on_both_engines!(the_report_is_the_invoices_less_the_credit_notes: report_embedded, report_cloud);

async fn only_billing_staff_get_it_and_only_for_months(app: &App) {
    let support = Clerk::log_in(app, Role::Support).await;
    let (status, refused) = support
        .get("/api/admin/reports/tax?from=2026-01&to=2026-02")
        .await;
    assert_eq!(
        (status, refused["error"]["code"].as_str()),
        (403, Some("forbidden"))
    );
    let billing = Clerk::log_in(app, Role::Billing).await;
    for bad in [
        "",
        "?from=2026-01",
        "?from=2026-1&to=2026-02",
        "?from=2026-13&to=2026-12",
        "?from=2026-03&to=2026-02",
        "?from=2000-01&to=2026-01",
        "?from=january&to=2026-02",
        "?from=2026-01-01&to=2026-02",
    ] {
        let (status, error) = billing.get(&format!("/api/admin/reports/tax{bad}")).await;
        assert_eq!(
            (status, error["error"]["code"].as_str()),
            (422, Some("invalid_month")),
            "{bad}: {error}"
        );
    }
}

on_both_engines!(only_billing_staff_get_it_and_only_for_months: report_roles_embedded, report_roles_cloud);
