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
pub(super) async fn fetch(clerk: &Clerk<'_>, path: &str) -> (u16, String, String) {
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
pub(super) fn column_sums(csv: &str) -> Vec<i64> {
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
    let (status, paid) = ada.pay(order["id"].as_str().unwrap(), APPROVED, "GB").await;
    assert!([200, 202].contains(&status), "the payment: {status} {paid}");
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

/// Months are calendar months in UTC: an invoice issued in the last minute
/// of a leap day that ends February counts in February, and the refund
/// made a minute later, in March, counts in March.
async fn months_are_utc_calendar_months(
    clock: &hostfront::clock::ManualClock,
    ports: &hostfront::Ports,
) {
    use hostfront::billing::refund::{self, RefundRequest};
    use hostfront::billing::tax_report::{months, report};
    use hostfront_tests::shopper::{fresh_domain, register};

    let leap_day_ends = time::macros::datetime!(2028-02-29 23:59:30 UTC).unix_timestamp();
    clock.advance_secs(leap_day_ends - hostfront::clock::Clock::now_secs(clock));
    let request = register(&fresh_domain(), &fresh_username());
    let (customer, order) = hostfront_tests::customer_with_live_order(ports, request).await;
    let order = hostfront::orders::load(ports, &customer.id, &order)
        .await
        .unwrap();
    clock.advance_secs(60);
    let admin = hostfront::audit::Actor::Staff("stf-admin".into());
    let request = RefundRequest {
        amount: Some(100),
        why: "a discount".into(),
    };
    let refunded = refund::refund(
        ports,
        (&admin, Role::Admin, "127.0.0.1"),
        &order.invoice_number,
        request,
    )
    .await
    .unwrap();
    assert!(refunded.credit_note.issued_at.starts_with("2028-03-01"));

    let table = ports.table.as_ref();
    let february = report(table, months(Some("2028-02"), Some("2028-02")).unwrap())
        .await
        .unwrap();
    assert_eq!(february.len(), 1, "{february:?}");
    assert_eq!(february[0].invoiced.gross.minor(), order.total);
    assert_eq!(february[0].credited.gross.minor(), 0);
    let march = report(table, months(Some("2028-03"), Some("2028-03")).unwrap())
        .await
        .unwrap();
    assert_eq!(march.len(), 1, "{march:?}");
    assert_eq!(march[0].invoiced.gross.minor(), 0);
    assert_eq!(march[0].credited.gross.minor(), 100);
}

with_clock_on_both_engines!(months_are_utc_calendar_months: utc_months_embedded, utc_months_cloud);
