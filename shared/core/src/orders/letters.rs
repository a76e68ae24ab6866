//! What mails about an order say: the letter each mail template is filled from.

use super::{Invoice, Order};
use crate::Settings;
use crate::billing::letter::with_invoice;
use crate::mail::Letter;

/// The letter every mail about `order` starts from.
pub fn letter(ports: &impl Settings, order: &Order) -> Letter {
    let base = ports.config().public_url.trim_end_matches('/');
    Letter {
        company: ports.config().company_name.clone(),
        name: order.customer_name.clone(),
        order_id: order.id.to_string(),
        order_url: format!("{base}/order.html?id={}", order.id),
        plan_name: order.plan_name.clone(),
        domain: order.domain.unicode.clone(),
        invoice_number: order.invoice_number.clone(),
        ..Letter::default()
    }
}

/// The letter of a mail that shows the invoice: its lines, tax and total.
pub fn invoice_letter(ports: &impl Settings, order: &Order, invoice: &Invoice) -> Letter {
    with_invoice(letter(ports, order), invoice)
}
