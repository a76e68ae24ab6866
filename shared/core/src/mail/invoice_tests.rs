//! The invoice and receipt mails state what an invoice must.

use super::document::{InvoiceDocument, ShownLine, ShownTax};
use super::{Letter, MailKind, render};

fn letter() -> Letter {
    Letter {
        company: "Hostfront".into(),
        name: "Zoë Łukasiewicz".into(),
        invoice_number: "INV-000007".into(),
        total: "$4.99".into(),
        invoice: Some(InvoiceDocument {
            number: "INV-000007".into(),
            issued_on: "6 January 2027 (UTC)".into(),
            supplied_on: "6 January 2027 (UTC)".into(),
            currency: "USD".into(),
            seller: vec!["Hostfront Ltd".into(), "Country: GB".into()],
            buyer: vec!["Müller & Søn ApS".into(), "Country: DK".into()],
            lines: vec![ShownLine {
                description: "Web Starter, monthly, 6 January 2027 (UTC) to 5 February 2027 (UTC)"
                    .into(),
                quantity: 1,
                period: Some("6 January 2027 (UTC) to 5 February 2027 (UTC)".into()),
                net: "$4.16".into(),
                tax: "$0.83".into(),
            }],
            subtotal: "$4.16".into(),
            taxes: vec![ShownTax {
                label: "Tax 20% (GB)".into(),
                taxable: "$4.16".into(),
                tax: "$0.83".into(),
            }],
            credit: None,
            total: "$4.99".into(),
            mention: Some("Reverse charge".into()),
        }),
        ..Letter::default()
    }
}

#[test]
fn invoice_mails_state_what_an_invoice_must() {
    let kinds = [
        MailKind::OrderReceived,
        MailKind::PaymentReceipt,
        MailKind::RenewalInvoice,
        MailKind::RenewalReceipt,
        MailKind::ServiceInvoice,
        MailKind::ServiceReceipt,
    ];
    for kind in kinds {
        let (text, html) = render(kind, &letter()).unwrap();
        for part in [
            "Invoice INV-000007, issued 6 January 2027 (UTC), date of supply 6 January 2027 (UTC)",
            "Seller:\n  Hostfront Ltd\n  Country: GB",
            "Buyer:\n  Müller & Søn ApS",
            "1 × Web Starter, monthly, 6 January 2027 (UTC) to 5 February 2027 (UTC): $4.16 (tax $0.83)",
            "Tax 20% (GB) on $4.16: $0.83",
            "Total: $4.99 (USD)",
            "Reverse charge",
        ] {
            assert!(text.contains(part), "{kind:?} text lacks {part:?}: {text}");
        }
        for part in [
            "Søn ApS",
            "Tax 20% (GB) on $4.16",
            "date of supply 6 January 2027 (UTC)",
            "Reverse charge",
        ] {
            assert!(html.contains(part), "{kind:?} html lacks {part:?}: {html}");
        }
        assert!(!html.contains("Müller & Søn"), "escaped: {html}");
    }
}
