//! A domain on auto-renew with no card saved will not renew by itself: its
//! reminders say so, on both engines with the manual clock, until a card is
//! saved.

use hostfront::Ports;
use hostfront::adapters::sim::APPROVED;
use hostfront::billing::payment_method;
use hostfront::clock::{Clock, ManualClock};
use hostfront::mail::{self, MailKind};
use hostfront::renewals;

use super::services::card;
use super::{DAY, live_domain, registry_expiry};

async fn auto_renew_without_a_card_is_reminded(clock: &ManualClock, ports: &Ports) {
    let (customer, domain) = live_domain(ports).await;
    assert!(domain.auto_renew);
    let expiry = registry_expiry(ports, &domain.name).await;
    clock.advance_secs(expiry - 30 * DAY - clock.now_secs());
    assert_eq!(renewals::run_billing(ports).await.unwrap().reminded, 1);
    let reminders: Vec<_> = mail::outbox(ports, 500)
        .await
        .unwrap()
        .into_iter()
        .filter(|m| m.kind == MailKind::RenewalReminder && m.to == customer.email)
        .collect();
    assert_eq!(reminders.len(), 1);
    assert!(
        reminders[0]
            .text
            .contains("Auto-renew is on, but no card is saved to charge"),
        "{}",
        reminders[0].text
    );

    // With a card saved it renews by itself: no more reminders.
    payment_method::save(ports, &customer.id, &card(APPROVED), "card")
        .await
        .unwrap();
    clock.advance_secs(expiry - 7 * DAY - clock.now_secs());
    assert_eq!(renewals::run_billing(ports).await.unwrap().reminded, 0);
}

with_clock_on_both_engines!(auto_renew_without_a_card_is_reminded: no_card_embedded, no_card_cloud);
