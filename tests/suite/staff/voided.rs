//! Voiding an issued invoice, over HTTP on both engines: the invoice as
//! issued does not change, a credit note for all of it names it, once,
//! shown with the customer's other notes; the tax report counts both, so
//! the month nets to nothing.

use hostfront::staff::Role;
use hostfront_tests::App;
use hostfront_tests::shopper::{Shopper, fresh_username, hosting};
use hostfront_tests::staff::Clerk;
use serde_json::json;

use super::tax_report::{column_sums, fetch};

async fn a_voided_invoice_is_credited_once(app: &App) {
    let ada = Shopper::sign_up(app, &format!("{}@example.com", fresh_username()), "GB").await;
    let (_, order) = ada
        .order(hosting("subdomain", &fresh_username(), &fresh_username()))
        .await;
    let id = order["id"].as_str().unwrap();
    let number = order["invoice"]["number"].as_str().unwrap();
    let (status, issued) = ada.get(&format!("/api/invoices/{number}")).await;
    assert_eq!(status, 200, "the invoice as issued: {issued}");
    let path = format!("/api/orders/{id}/cancel");
    let (status, cancelled) = ada.post(&path, json!({}), None).await;
    assert_eq!(status, 200, "{cancelled}");
    assert_eq!(cancelled["invoice"]["status"], "void");

    let (_, voided) = ada.get(&format!("/api/invoices/{number}")).await;
    for field in ["number", "lines", "subtotal", "tax", "total", "issued_at"] {
        assert_eq!(voided[field], issued[field], "{field} as issued");
    }
    let (status, notes) = ada.get("/api/credit-notes").await;
    assert_eq!(status, 200, "{notes}");
    let notes = notes.as_array().unwrap().clone();
    assert_eq!(notes.len(), 1, "{notes:?}");
    let note = &notes[0];
    let gross = issued["subtotal"].as_i64().unwrap() + issued["tax"].as_i64().unwrap();
    assert_eq!(
        json!([
            note["invoice_number"],
            note["lines"],
            note["subtotal"],
            note["tax"],
            note["total"]
        ]),
        json!([
            number,
            issued["lines"],
            issued["subtotal"],
            issued["tax"],
            gross
        ]),
        "{note}"
    );
    let (status, shown) = ada
        .get(&format!(
            "/api/credit-notes/{}",
            note["number"].as_str().unwrap()
        ))
        .await;
    assert_eq!((status, &shown), (200, note));

    // Cancelled again: refused, and no second note.
    let (status, _) = ada.post(&path, json!({}), None).await;
    assert_eq!(status, 409);
    assert_eq!(
        ada.get("/api/credit-notes")
            .await
            .1
            .as_array()
            .unwrap()
            .len(),
        1
    );

    // The month's invoices and notes net out: this app has no other sale.
    let month = &note["issued_at"].as_str().unwrap()[..7];
    let billing = Clerk::log_in(app, Role::Billing).await;
    let report = format!("/api/admin/reports/tax?from={month}&to={month}");
    let (status, _, csv) = fetch(&billing, &report).await;
    assert_eq!(status, 200, "{csv}");
    let (net, tax) = (
        issued["subtotal"].as_i64().unwrap(),
        issued["tax"].as_i64().unwrap(),
    );
    let want = vec![net, tax, gross, net, tax, gross, 0, 0, 0];
    assert_eq!(column_sums(&csv), want, "{csv}");
}

on_both_engines!(a_voided_invoice_is_credited_once: voided_embedded, voided_cloud);
