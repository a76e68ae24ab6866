//! The main journey over real HTTP: a stranger signs up, orders hosting with a
//! domain, pays with a test card and watches the order go live; and the rules
//! around it: idempotent orders, the 50-order race, declined cards, review
//! rules, holds, and a saga that survives duplicates and a killed worker.

mod burst;
mod cost;
mod credit;
mod decisions;
mod dedicated;
mod domain_only;
mod evidence;
mod journeys;
mod kinds;
mod records;
mod registrar_accounts;
mod rules;
mod saga;
mod vps;
mod zone_only;

use hostfront::mail::{self, MailKind};
use hostfront_tests::App;

pub(super) async fn mail_kinds(app: &App, order_id: &str) -> Vec<MailKind> {
    mail::outbox(&app.ports, 100)
        .await
        .unwrap()
        .into_iter()
        .filter(|m| m.order_id == order_id)
        .map(|m| m.kind)
        .collect()
}
