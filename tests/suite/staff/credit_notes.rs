//! Credit notes, over HTTP on both engines: a partial and a full refund
//! each issue one note with the right amounts, the invoice as issued does
//! not change, refunds at once leave no gap in the notes' numbers, a
//! customer sees their own notes only, and is mailed each.

use hostfront::adapters::sim::APPROVED;
use hostfront::mail::{self, MailKind};
use hostfront::staff::Role;
use hostfront_tests::App;
use hostfront_tests::shopper::{Shopper, fresh_username, hosting};
use hostfront_tests::staff::Clerk;
use serde_json::{Value, json};

/// A new customer's paid order: the customer and its invoice.
async fn paid_invoice(app: &App) -> (Shopper<'_>, Value) {
    let ada = Shopper::sign_up(app, &format!("{}@example.com", fresh_username()), "GB").await;
    let (_, order) = ada
        .order(hosting("subdomain", &fresh_username(), &fresh_username()))
        .await;
    let id = order["id"].as_str().unwrap().to_string();
    let (_, paid) = ada.pay(&id, APPROVED, "GB").await;
    let number = paid["invoice"]["number"].as_str().unwrap();
    let (status, invoice) = ada.get(&format!("/api/invoices/{number}")).await;
    assert_eq!(status, 200, "{invoice}");
    (ada, invoice)
}

/// What an invoice said when it was issued.
fn as_issued(invoice: &Value) -> Value {
    let fields = [
        "number",
        "issued_at",
        "currency",
        "lines",
        "subtotal",
        "tax_rate_bps",
        "tax",
        "total",
        "status",
    ];
    fields
        .iter()
        .map(|f| (f.to_string(), invoice[f].clone()))
        .collect()
}

fn sequence(note: &Value) -> i64 {
    note["number"].as_str().unwrap()["CN-".len()..]
        .parse()
        .unwrap()
}

async fn a_partial_and_a_full_refund_each_issue_one_note(app: &App) {
    let admin = Clerk::log_in(app, Role::Admin).await;
    let (ada, invoice) = paid_invoice(app).await;
    let number = invoice["number"].as_str().unwrap();
    let path = format!("/api/admin/invoices/{number}/refund");
    let (status, part) = admin
        .post(&path, json!({"amount": 101, "why": "an outage"}))
        .await;
    assert_eq!(status, 200, "{part}");
    let note = &part["credit_note"];
    assert_eq!(
        (note["total"].as_i64(), note["invoice_number"].as_str()),
        (Some(101), Some(number))
    );
    assert_eq!(
        note["subtotal"].as_i64().unwrap() + note["tax"].as_i64().unwrap(),
        101
    );
    assert_eq!(note["invoice_issued_at"], invoice["issued_at"]);
    assert_eq!(note["tax_rate_bps"], invoice["tax_rate_bps"]);
    assert_eq!(note["currency"], invoice["currency"]);
    assert_eq!(note["customer_id"], invoice["customer_id"]);

    let total = invoice["total"].as_i64().unwrap();
    let (status, rest) = admin.post(&path, json!({"why": "the customer left"})).await;
    assert_eq!(status, 200, "{rest}");
    let last = &rest["credit_note"];
    assert_eq!(last["total"], total - 101);
    assert_eq!(sequence(last), sequence(note) + 1, "no gap: {note} {last}");
    let (net, tax) = [note, last].iter().fold((0, 0), |(net, tax), n| {
        (
            net + n["subtotal"].as_i64().unwrap(),
            tax + n["tax"].as_i64().unwrap(),
        )
    });
    assert_eq!(
        (net, tax),
        (
            invoice["subtotal"].as_i64().unwrap(),
            invoice["tax"].as_i64().unwrap()
        )
    );

    let (_, after) = ada.get(&format!("/api/invoices/{number}")).await;
    assert_eq!(
        as_issued(&after),
        as_issued(&invoice),
        "the invoice as issued does not change"
    );
    assert_eq!(after["refunded"], total);
    let (_, notes) = ada.get("/api/credit-notes").await;
    assert_eq!(notes.as_array().map(Vec::len), Some(2), "{notes}");
    let one = format!("/api/credit-notes/{}", last["number"].as_str().unwrap());
    let (status, shown) = ada.get(&one).await;
    assert_eq!((status, &shown), (200, last));
    let (grace, _) = paid_invoice(app).await;
    assert_eq!(grace.get(&one).await.0, 404, "someone else's note");

    // A mail for each refund names its note.
    let (_, me) = ada.get("/api/me").await;
    let mails = mail::outbox(&app.ports, 500).await.unwrap();
    let told: Vec<&str> = mails
        .iter()
        .filter(|m| m.kind == MailKind::RefundIssued && m.to == me["email"])
        .map(|m| m.subject.as_str())
        .collect();
    assert_eq!(told.len(), 2, "{told:?}");
    for n in [note, last] {
        let number = n["number"].as_str().unwrap();
        assert!(
            told.iter()
                .any(|s| s.ends_with(&format!("credit note {number}"))),
            "{told:?}"
        );
    }
}

on_both_engines!(a_partial_and_a_full_refund_each_issue_one_note: notes_embedded, notes_cloud);

/// Two refunds of two invoices at once take consecutive numbers.
async fn refunds_at_once_leave_no_gap(app: &App) {
    let admin = Clerk::log_in(app, Role::Admin).await;
    let (ada, one) = paid_invoice(app).await;
    let (grace, two) = paid_invoice(app).await;
    let refund = |invoice: &Value| {
        let path = format!(
            "/api/admin/invoices/{}/refund",
            invoice["number"].as_str().unwrap()
        );
        let admin = &admin;
        async move {
            admin
                .post(&path, json!({"amount": 100, "why": "an outage"}))
                .await
        }
    };
    let (first, second) = tokio::join!(refund(&one), refund(&two));
    assert_eq!((first.0, second.0), (200, 200), "{first:?} {second:?}");
    let mut numbers = vec![
        sequence(&first.1["credit_note"]),
        sequence(&second.1["credit_note"]),
    ];
    numbers.sort();
    assert_eq!(numbers, [1, 2], "a fresh series, without gaps");
    for (shopper, invoice) in [(&ada, &one), (&grace, &two)] {
        let (_, notes) = shopper.get("/api/credit-notes").await;
        assert_eq!(notes.as_array().map(Vec::len), Some(1), "{notes}");
        assert_eq!(notes[0]["invoice_number"], invoice["number"]);
    }
}

on_both_engines!(refunds_at_once_leave_no_gap: no_gap_embedded, no_gap_cloud);

/// A refund cut off after the gateway gave the money back, asked again:
/// the gateway answers with that refund, and one note records it.
async fn a_retried_refund_issues_no_second_note(app: &App) {
    let admin = Clerk::log_in(app, Role::Admin).await;
    let (ada, invoice) = paid_invoice(app).await;
    let number = invoice["number"].as_str().unwrap();
    let capture = invoice["capture_id"].as_str().unwrap();
    // The first request's call to the gateway, made before it was cut off.
    let key = format!("{number}-staff-refund-0");
    let given = app.ports.payments.refund(capture, 120, &key).await.unwrap();
    assert_eq!(given.amount, 120);

    let path = format!("/api/admin/invoices/{number}/refund");
    let (status, again) = admin
        .post(&path, json!({"amount": 120, "why": "an outage"}))
        .await;
    assert_eq!(status, 200, "{again}");
    assert_eq!(again["credit_note"]["total"], 120);
    let (_, notes) = ada.get("/api/credit-notes").await;
    assert_eq!(notes.as_array().map(Vec::len), Some(1), "{notes}");
    let total = invoice["total"].as_i64().unwrap();
    let (status, rest) = admin.post(&path, json!({"why": "the rest"})).await;
    assert_eq!(status, 200, "{rest}");
    assert_eq!(
        rest["credit_note"]["total"],
        total - 120,
        "the gateway gave back 120 once"
    );
}

on_both_engines!(a_retried_refund_issues_no_second_note: retried_embedded, retried_cloud);
