//! Invoices: totals, line taxes, the date of supply, and old items that still read.

use super::*;

#[test]
fn totals_add_tax_on_the_subtotal() {
    let day = |d| time::Date::parse(d, time::macros::format_description!("[year]-[month]-[day]"));
    let lines = vec![
        InvoiceLine::new("Web Starter, monthly", 499)
            .over(day("2026-12-01").unwrap(), day("2026-12-31").unwrap()),
        InvoiceLine::new("bakery.com, registration, 1 year", 1199),
    ];
    let about = InvoiceFor::Order {
        order_id: OrderId::new("o"),
    };
    let invoice = Invoice::new(
        &CustomerId::new("c"),
        about,
        "2026-11-22T10:00:00Z".into(),
        &Currency::parse("USD").unwrap(),
        lines,
        &Terms::flat_for_tests(2000),
    );
    assert_eq!(
        (invoice.subtotal, invoice.tax, invoice.total),
        (1698, 340, 2038)
    );
    let line_taxes: Vec<i64> = invoice.lines.iter().map(|l| l.tax).collect();
    assert_eq!(
        line_taxes,
        vec![100, 240],
        "the lines' taxes add up to the tax"
    );
    assert_eq!(invoice.supplied_on.as_deref(), Some("2026-12-01"));
    let unperiodic = Invoice::new(
        &CustomerId::new("c"),
        InvoiceFor::Order {
            order_id: OrderId::new("o"),
        },
        "2026-11-22T10:00:00Z".into(),
        &Currency::parse("USD").unwrap(),
        vec![InvoiceLine::new("bakery.com, renewal, 1 year", 1199)],
        &Terms::flat_for_tests(2000),
    );
    assert_eq!(unperiodic.supplied_on.as_deref(), Some("2026-11-22"));
    assert_eq!(format_number(42), "INV-000042");
}

#[test]
fn an_invoice_stored_for_an_order_before_it_could_be_for_anything_else_reads() {
    let mut item = Item::new();
    item.insert(
        "invoice".into(),
        json!({"number": "INV-000001", "customer_id": "c", "order_id": "o",
            "issued_at": "2026-01-01T00:00:00Z", "currency": "USD", "lines": [],
            "subtotal": 0, "tax_rate_bps": 0, "tax": 0, "total": 0, "status": "paid",
            "paid_at": null}),
    );
    let invoice = Invoice::of(&item).unwrap();
    assert_eq!(
        invoice.about,
        InvoiceFor::Order {
            order_id: OrderId::new("o")
        }
    );
    assert_eq!(invoice.key(), Invoice::order_key(&OrderId::new("o")));
}
