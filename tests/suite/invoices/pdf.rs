//! An invoice's PDF, read back as text: the seller, the buyer (in any
//! script a customer types), the number, dates, lines, tax and total; for
//! the customer whose invoice it is and for staff, and nobody else.

use hostfront::staff::Role;
use hostfront_tests::shopper::{Shopper, fresh_domain, fresh_username, hosting};
use hostfront_tests::staff::Clerk;
use hostfront_tests::{App, http};
use serde_json::{Value, json};

use super::{fresh_email, legal_seller};

/// The status, the content type and disposition, and the body of a GET.
async fn download(
    app: &App,
    path: &str,
    headers: &[(&str, &str)],
) -> (u16, String, String, Vec<u8>) {
    let mut request = http().get(app.url(path));
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let response = request.send().await.expect("the app answers");
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .map(|v| v.to_str().unwrap().to_string())
            .unwrap_or_default()
    };
    let (content_type, disposition) = (header("content-type"), header("content-disposition"));
    let status = response.status().as_u16();
    (
        status,
        content_type,
        disposition,
        response.bytes().await.unwrap().to_vec(),
    )
}

/// The PDF's text, every run of white space made one space.
fn text_of(pdf: &[u8]) -> String {
    let text = pdf_extract::extract_text_from_mem(pdf).expect("the PDF reads back");
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn money(minor: i64) -> String {
    format!("${}.{:02}", minor / 100, minor % 100)
}

/// What the invoice's PDF must say, from its JSON.
fn must_state(invoice: &Value) -> Vec<String> {
    let today = &invoice["issued_at"].as_str().unwrap()[..10];
    let taxation = &invoice["taxation"];
    let rate = taxation["rate_bps"].as_f64().unwrap() / 100.0;
    let mut parts = vec![
        format!("Invoice {}", invoice["number"].as_str().unwrap()),
        format!("Issued {today} (UTC)"),
        format!(
            "Date of supply {} (UTC)",
            invoice["supplied_on"].as_str().unwrap()
        ),
        "Hostfront Trading Ltd".into(),
        "1 Bakery Lane".into(),
        "Tax ID: GB123456789".into(),
        "Registration: Companies House 01234567".into(),
        invoice["buyer"]["name"].as_str().unwrap().into(),
        format!("Country: {}", invoice["buyer"]["country"].as_str().unwrap()),
        // A seller outside the EU: the configured rate, flat.
        format!(
            "Tax ({rate}%) on {}",
            money(invoice["subtotal"].as_i64().unwrap())
        ),
        money(invoice["tax"].as_i64().unwrap()),
        format!("Total (USD) {}", money(invoice["total"].as_i64().unwrap())),
    ];
    for line in invoice["lines"].as_array().unwrap() {
        parts.push(line["description"].as_str().unwrap().into());
        parts.push(money(line["amount"].as_i64().unwrap()));
        parts.push(money(line["tax"].as_i64().unwrap()));
    }
    parts.extend(
        invoice["buyer"]["address"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| l.as_str().unwrap().to_string()),
    );
    parts
}

/// The new invoice's lines name the plan with its period and the domain,
/// the date of supply is the period's first day, and the lines' taxes add
/// up to the invoice's.
fn lines_name_what_was_sold(invoice: &Value, domain: &str) {
    let today = &invoice["issued_at"].as_str().unwrap()[..10];
    let lines = invoice["lines"].as_array().unwrap();
    let plan = &lines[0];
    assert_eq!(plan["period"]["from"], today);
    let last = plan["period"]["to"].as_str().unwrap();
    assert_eq!(
        plan["description"],
        format!("Web Starter, monthly, {today} to {last}")
    );
    assert_eq!(plan["quantity"], 1);
    assert_eq!(
        lines[1]["description"],
        format!("{domain}, registration, 1 year")
    );
    assert_eq!(invoice["supplied_on"], today);
    let taxes: i64 = lines.iter().map(|l| l["tax"].as_i64().unwrap()).sum();
    assert_eq!(taxes, invoice["tax"].as_i64().unwrap(), "{invoice}");
    assert!(invoice["tax"].as_i64().unwrap() > 0);
}

async fn an_invoice_pdf_states_all_an_invoice_must(app: &App) {
    let zoe = Shopper::sign_up_as(app, &fresh_email(), "Zoë Łukasiewicz", "PL").await;
    let address = json!({"address": {"lines": ["ul. Floriańska 3", "c/o 田中ビル三階 한빛"], "city": "Kraków", "postal_code": "31-019"}});
    let (status, answer) = zoe.put("/api/account/billing-address", address, None).await;
    assert_eq!(status, 200, "{answer}");
    let domain = fresh_domain();
    let (status, order) = zoe
        .order(hosting("register", &domain, &fresh_username()))
        .await;
    assert_eq!(status, 201, "{order}");
    let invoice = &order["invoice"];
    lines_name_what_was_sold(invoice, &domain);
    let number = invoice["number"].as_str().unwrap();
    let path = format!("/api/invoices/{number}/pdf");

    let (status, content_type, disposition, pdf) =
        download(app, &path, &[("cookie", zoe.cookie.as_str())]).await;
    assert_eq!(status, 200);
    assert_eq!(content_type, "application/pdf");
    assert_eq!(
        disposition,
        format!("attachment; filename=\"{number}.pdf\"")
    );
    let text = text_of(&pdf);
    for part in must_state(invoice) {
        assert!(text.contains(&part), "the PDF lacks {part:?}: {text}");
    }
    assert!(
        text.contains("Zoë Łukasiewicz") && text.contains("31-019 Kraków"),
        "{text}"
    );

    // A company's name in Danish letters, and nobody else's invoice.
    let firm = Shopper::sign_up(app, &fresh_email(), "DK").await;
    let company = json!({"company": "Müller & Søn ApS"});
    assert_eq!(
        firm.put("/api/account/billing-address", company, None)
            .await
            .0,
        200
    );
    let (_, theirs) = firm
        .order(hosting("subdomain", &fresh_username(), &fresh_username()))
        .await;
    let their_path = format!(
        "/api/invoices/{}/pdf",
        theirs["invoice"]["number"].as_str().unwrap()
    );
    let (status, _, _, their_pdf) =
        download(app, &their_path, &[("cookie", firm.cookie.as_str())]).await;
    assert_eq!(status, 200);
    assert!(text_of(&their_pdf).contains("Müller & Søn ApS"));
    let (status, ..) = download(app, &path, &[("cookie", firm.cookie.as_str())]).await;
    assert_eq!(status, 404, "another customer's invoice");
    let (status, ..) = download(app, &path, &[]).await;
    assert_eq!(status, 401);

    // Staff who see customers' files download any invoice.
    let support = Clerk::log_in(app, Role::Support).await;
    let staff_path = format!("/api/admin/invoices/{number}/pdf");
    let (status, content_type, _, staff_pdf) =
        download(app, &staff_path, &[("cookie", support.cookie.as_str())]).await;
    assert_eq!((status, content_type.as_str()), (200, "application/pdf"));
    assert!(text_of(&staff_pdf).contains("Zoë Łukasiewicz"));
    let (status, ..) = download(app, &staff_path, &[("cookie", zoe.cookie.as_str())]).await;
    assert_eq!(status, 401, "a customer's session is no staff session");
    let missing = "/api/admin/invoices/INV-999999/pdf";
    let (status, ..) = download(app, missing, &[("cookie", support.cookie.as_str())]).await;
    assert_eq!(status, 404);
}

on_both_engines!(an_invoice_pdf_states_all_an_invoice_must:
    an_invoice_pdf_states_all_an_invoice_must_embedded,
    an_invoice_pdf_states_all_an_invoice_must_cloud,
    legal_seller);
