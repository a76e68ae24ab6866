//! The fields a letter's template may show: each a name, what it holds, an
//! example for previews, and how it is read from a `Letter`, as text. A
//! template reaches nothing else: no letter, no record, no code.

use askama::Template;

use crate::mail::Letter;

/// One field a template may insert as `{{name}}`.
#[derive(Debug)]
pub struct Field {
    pub name: &'static str,
    pub description: &'static str,
    pub example: &'static str,
    /// Several lines (an invoice, login details): never in a subject.
    pub block: bool,
    /// A web address: the HTML part makes it a link.
    pub link: bool,
    value: fn(&Letter) -> String,
}

impl Field {
    /// This field's value in `letter`, as text.
    pub fn value(&self, letter: &Letter) -> String {
        (self.value)(letter)
    }
}

const fn text(
    name: &'static str,
    description: &'static str,
    example: &'static str,
    value: fn(&Letter) -> String,
) -> Field {
    Field {
        name,
        description,
        example,
        block: false,
        link: false,
        value,
    }
}

const fn link(
    name: &'static str,
    description: &'static str,
    example: &'static str,
    value: fn(&Letter) -> String,
) -> Field {
    Field {
        link: true,
        ..text(name, description, example, value)
    }
}

const fn block(
    name: &'static str,
    description: &'static str,
    example: &'static str,
    value: fn(&Letter) -> String,
) -> Field {
    Field {
        block: true,
        ..text(name, description, example, value)
    }
}

/// The invoice as the built-in letters show it (`mail/invoice.txt`).
#[derive(Template)]
#[template(path = "mail/invoice.txt")]
struct InvoiceBlock<'a> {
    l: &'a Letter,
}

fn invoice(l: &Letter) -> String {
    InvoiceBlock { l }
        .render()
        .map(|text| text.trim().to_string())
        .unwrap_or_default()
}

fn invoice_lines(l: &Letter) -> String {
    let lines: Vec<String> = l
        .lines
        .iter()
        .map(|(what, amount)| format!("{what}: {amount}"))
        .collect();
    lines.join("\n")
}

fn paid_by(l: &Letter) -> String {
    if l.card_last4.is_empty() {
        "your account credit".into()
    } else {
        format!("the card ending {}", l.card_last4)
    }
}

fn payment_note(l: &Letter) -> String {
    if l.paid {
        "We have your payment.".into()
    } else {
        format!(
            "Pay it with a card at {} and we set everything up at once.",
            l.order_url
        )
    }
}

fn next_step(l: &Letter) -> String {
    if l.in_review {
        "Our team looks at every order like this one before setting it up; you hear from us within one working day.".into()
    } else {
        format!(
            "We are setting up {} now. Watch it happen at {}",
            l.domain, l.order_url
        )
    }
}

fn refund_note(l: &Letter) -> String {
    let credit_back = l.invoice.as_ref().is_some_and(|d| d.credit.is_some());
    let money = if l.card_last4.is_empty() {
        "Your account credit paid it: it is back in your account.".to_string()
    } else {
        format!(
            "We have refunded {} to your card ending {}. Depending on your bank, it shows on your statement within a few days.{}",
            l.total,
            l.card_last4,
            if credit_back {
                " The account credit it took is back in your account."
            } else {
                ""
            }
        )
    };
    let note = if l.credit_note.is_empty() {
        String::new()
    } else {
        format!(
            " Credit note {} corrects invoice {} for the refund; you find it with your invoices.",
            l.credit_note, l.invoice_number
        )
    };
    format!("{money} Nothing was set up, and nothing more will be charged.{note}")
}

fn login_details(l: &Letter) -> String {
    let mut lines = Vec::new();
    if let Some(a) = &l.account {
        if !a.panel_url.is_empty() {
            lines.push(format!("Control panel:  {}", a.panel_url));
        }
        lines.push(format!("Username:       {}", a.username));
        lines.push("Password:       the one you chose when you ordered".into());
        lines.push(format!(
            "Server:         {} ({}, {})",
            a.server, a.ipv4, a.ipv6
        ));
        lines.push(format!("Mail server:    {}", a.mail_host));
    }
    if !l.mailboxes.is_empty() {
        lines.push(format!("Mailboxes:      {}", l.mailboxes.join(" ")));
    }
    if !l.admin_url.is_empty() {
        lines.push(format!("Site admin:     {}", l.admin_url));
    }
    lines.extend(
        l.logins
            .iter()
            .map(|(label, address)| format!("{label}: {address}")),
    );
    if !l.dns_records.is_empty() {
        lines.push(String::new());
        lines.push(format!(
            "Your domain is registered elsewhere. Point it at us with these records, or set its nameservers to {}:",
            l.nameservers
        ));
        lines.extend(l.dns_records.iter().map(|r| format!("  {r}")));
    }
    lines.join("\n")
}

const EXAMPLE_INVOICE: &str = "Invoice INV-000042, issued 2027-03-01, date of supply 2027-03-01\n\n  1 × Web Starter, monthly: €9.99 (tax €2.00)\n  Net: €9.99\n  Tax 20% on €9.99: €2.00\n  Total: €11.99 (EUR)";

/// Every field any letter has.
pub static FIELDS: &[Field] = &[
    text("name", "The customer's name.", "Ada Lovelace", |l| {
        l.name.clone()
    }),
    text("company", "Your company's name.", "Example Hosting", |l| {
        l.company.clone()
    }),
    text("order_id", "The order's number.", "01JQ4ZK7W3ABCDEF", |l| {
        l.order_id.clone()
    }),
    link(
        "order_url",
        "The address of the order's page.",
        "https://shop.example/order.html?id=01JQ4ZK7W3ABCDEF",
        |l| l.order_url.clone(),
    ),
    text("plan_name", "The hosting plan.", "Web Starter", |l| {
        l.plan_name.clone()
    }),
    text(
        "domain",
        "The domain the letter is about.",
        "bakery.example",
        |l| l.domain.clone(),
    ),
    text(
        "invoice_number",
        "The invoice's number.",
        "INV-000042",
        |l| l.invoice_number.clone(),
    ),
    text(
        "credit_note",
        "The credit note that documents a refund.",
        "CN-000007",
        |l| l.credit_note.clone(),
    ),
    text("total", "The amount, with its currency.", "€11.99", |l| {
        l.total.clone()
    }),
    text(
        "paid_by",
        "How it was paid: the card ending 4242, or your account credit.",
        "the card ending 4242",
        paid_by,
    ),
    block(
        "invoice",
        "The invoice, with all an invoice must state: parties, lines, taxes, total.",
        EXAMPLE_INVOICE,
        invoice,
    ),
    block(
        "lines",
        "The lines, one each with its amount: what was paid for, or what a proposal offers.",
        "Web Starter, monthly: €9.99\nTax 20%: €2.00",
        invoice_lines,
    ),
    text(
        "action",
        "What happened and what to do, in the system's words.",
        "Your card ending 4242 was declined. Add another card within 7 days to keep bakery.example.",
        |l| l.action.clone(),
    ),
    link(
        "link",
        "The address the letter gives the customer: a one-time link where it needs one.",
        "https://shop.example/account.html#token=example",
        |l| l.link.clone(),
    ),
    link(
        "preview_url",
        "The address where the prospect sees the website being built for them.",
        "https://shop.example/preview.html#example",
        |l| l.preview_url.clone(),
    ),
    text(
        "headline",
        "The notice's headline.",
        "bakery.example now points elsewhere",
        |l| l.headline.clone(),
    ),
    text(
        "payment_note",
        "Whether the order is paid, or where to pay it.",
        "Pay it with a card at https://shop.example/order.html?id=01JQ4ZK7W3ABCDEF and we set everything up at once.",
        payment_note,
    ),
    text(
        "next_step",
        "What happens next: set-up now, or a review first.",
        "We are setting up bakery.example now. Watch it happen at https://shop.example/order.html?id=01JQ4ZK7W3ABCDEF",
        next_step,
    ),
    text(
        "refund_note",
        "What was given back, and how.",
        "We have refunded €11.99 to your card ending 4242. Depending on your bank, it shows on your statement within a few days. Nothing was set up, and nothing more will be charged.",
        refund_note,
    ),
    block(
        "login_details",
        "The control panel, username, server and mailboxes; where the domain is elsewhere, the DNS records to set.",
        "Control panel:  https://web1.example:2083\nUsername:       bakery\nPassword:       the one you chose when you ordered\nServer:         web1.example (192.0.2.10, 2001:db8::10)\nMail server:    mail.web1.example",
        login_details,
    ),
];

/// The field called `name`, of any letter.
pub fn field(name: &str) -> Option<&'static Field> {
    FIELDS.iter().find(|f| f.name == name)
}
