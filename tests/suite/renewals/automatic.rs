//! Automatic renewals over months, with the manual clock, on both engines:
//! invoiced ahead, charged once when due, the expiry moved exactly a year;
//! a declined saved card through dunning to expiry, grace and a manual
//! renewal in redemption at the restore price; reminders once each.

use hostfront::Ports;
use hostfront::adapters::sim::{APPROVED, DECLINED};
use hostfront::billing::payment_method;
use hostfront::billing::{InvoiceStatus, invoice};
use hostfront::clock::{Clock, ManualClock};
use hostfront::domains::owned;
use hostfront::mail::MailKind;
use hostfront::payments::PaymentMethodId;
use hostfront::registrar::DomainStatus;
use hostfront::renewals::{self, BillingRun, RenewalStatus};
use hostfront::store::Key;

use super::{DAY, live_domain, mails_of, paying_with, registry_expiry};
use hostfront::CustomerId;
use hostfront::clock::add_years_secs;

fn saved(number: &str) -> PaymentMethodId {
    hostfront_tests::shopper::method(number)
}

/// Moves the clock to `days` days before `expiry` (negative: after), noon.
fn travel_to(clock: &ManualClock, expiry: i64, days: i64) {
    clock.advance_secs(expiry - days * DAY - clock.now_secs());
}

async fn billing(ports: &Ports) -> BillingRun {
    renewals::run_billing(ports).await.unwrap()
}

async fn an_auto_renewal_is_invoiced_charged_and_renewed_once(clock: &ManualClock, ports: &Ports) {
    let (customer, domain) = live_domain(ports).await;
    payment_method::save(ports, &customer.id, &saved(APPROVED), "card")
        .await
        .unwrap();
    let expiry = registry_expiry(ports, &domain.name).await;
    travel_to(clock, expiry, 31);
    assert_eq!(billing(ports).await, BillingRun::default(), "too early");

    // Eleven months on: the invoice and its mail arrive once, however the
    // run repeats or overlaps.
    travel_to(clock, expiry, 29);
    let (first, second) = tokio::join!(billing(ports), billing(ports));
    assert_eq!(first.invoiced + second.invoiced, 1);
    assert_eq!(billing(ports).await.invoiced, 0);
    assert_eq!(
        mails_of(ports, MailKind::RenewalInvoice, &customer.email).await,
        1
    );
    assert_eq!(
        mails_of(ports, MailKind::RenewalReminder, &customer.email).await,
        0
    );
    let scheduled = renewals::find(ports.table.as_ref(), &domain.name, expiry)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(scheduled.status, RenewalStatus::Scheduled);

    // On the due date the saved card is charged once, and the job renews it.
    travel_to(clock, expiry, 1);
    let (first, second) = tokio::join!(billing(ports), billing(ports));
    assert_eq!(first.charged + second.charged, 1);
    assert_eq!(billing(ports).await.charged, 0);
    renewals::run(ports, &domain.name, expiry, false)
        .await
        .unwrap();
    renewals::run(ports, &domain.name, expiry, false)
        .await
        .unwrap();
    assert_eq!(
        registry_expiry(ports, &domain.name).await,
        add_years_secs(expiry, 1)
    );
    let record = owned::find(ports.table.as_ref(), &customer.id, &domain.name)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(record.expires_at, Some(add_years_secs(expiry, 1)));
    let bill = invoice::find(
        ports.table.as_ref(),
        &customer.id,
        &scheduled.invoice_number,
    )
    .await
    .unwrap()
    .unwrap();
    assert_eq!(bill.status, InvoiceStatus::Paid);
    assert_eq!(
        mails_of(ports, MailKind::RenewalReceipt, &customer.email).await,
        1
    );
    travel_to(clock, expiry, -1);
    assert_eq!(billing(ports).await, BillingRun::default(), "nothing more");
}

with_clock_on_both_engines!(an_auto_renewal_is_invoiced_charged_and_renewed_once: auto_embedded, auto_cloud);

async fn a_declined_card_goes_through_dunning_to_a_renewal_by_hand(
    clock: &ManualClock,
    ports: &Ports,
) {
    let (customer, domain) = live_domain(ports).await;
    payment_method::save(ports, &customer.id, &saved(DECLINED), "card")
        .await
        .unwrap();
    let expiry = registry_expiry(ports, &domain.name).await;
    travel_to(clock, expiry, 29);
    assert_eq!(billing(ports).await.invoiced, 1);

    // Due date, then the dunning days 3 and 7 after it: a mail each time.
    for (days, attempts) in [(1, 1), (-2, 2), (-6, 3)] {
        travel_to(clock, expiry, days);
        let run = billing(ports).await;
        assert_eq!(
            (run.charged, run.declined),
            (0, 1),
            "{days} days before expiry"
        );
        assert_eq!(billing(ports).await.declined, 0, "once per dunning day");
        let renewal = renewals::find(ports.table.as_ref(), &domain.name, expiry)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(renewal.attempts, attempts);
    }
    let ended = renewals::find(ports.table.as_ref(), &domain.name, expiry)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(ended.status, RenewalStatus::Declined);
    let bill = invoice::find(ports.table.as_ref(), &customer.id, &ended.invoice_number)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(bill.status, InvoiceStatus::Void);
    assert_eq!(
        mails_of(ports, MailKind::RenewalPaymentFailed, &customer.email).await,
        3
    );
    // Its charge failed, so it will not renew itself: the 7-day reminder
    // came once the first charge was declined, and the "expired" one on the
    // next dunning day, each once.
    assert_eq!(
        mails_of(ports, MailKind::RenewalReminder, &customer.email).await,
        2
    );
    assert_eq!(registry_expiry(ports, &domain.name).await, expiry);

    // In redemption, renewed by hand with another card, at the restore price.
    travel_to(clock, expiry, -50);
    assert_eq!(
        ports.registrar.info(&domain.name).await.unwrap().status,
        DomainStatus::Redemption
    );
    let (renewal, _) = renewals::renew(
        ports,
        &customer,
        &domain.name,
        "by-hand",
        paying_with(APPROVED, 1),
    )
    .await
    .unwrap();
    assert_eq!(renewal.lines[1].amount, 8000, "the restore fee");
    renewals::run(ports, &domain.name, expiry, false)
        .await
        .unwrap();
    assert_eq!(
        registry_expiry(ports, &domain.name).await,
        add_years_secs(expiry, 1)
    );
}

with_clock_on_both_engines!(a_declined_card_goes_through_dunning_to_a_renewal_by_hand: dunning_embedded, dunning_cloud);

async fn a_domain_that_will_not_renew_itself_is_reminded_once_each_time(
    clock: &ManualClock,
    ports: &Ports,
) {
    let (customer, domain) = live_domain(ports).await;
    owned::set_auto_renew(ports, &customer.id, &domain.name, false)
        .await
        .unwrap();
    let expiry = registry_expiry(ports, &domain.name).await;
    // Mail stays in the outbox for 30 days: gather what each run sent.
    let mut sent = std::collections::BTreeSet::new();
    for (days, reminders) in [(29, 1), (20, 1), (6, 2), (2, 2), (-1, 3), (-4, 3), (-10, 3)] {
        travel_to(clock, expiry, days);
        let (first, second) = tokio::join!(billing(ports), billing(ports));
        assert_eq!(first.invoiced + second.invoiced, 0, "auto-renew is off");
        assert!(
            first.reminded + second.reminded <= 1,
            "one mail per reminder"
        );
        let outbox = hostfront::mail::outbox(ports, 500).await.unwrap();
        sent.extend(
            outbox
                .into_iter()
                .filter(|m| m.kind == MailKind::RenewalReminder && m.to == customer.email)
                .map(|m| m.id),
        );
        assert_eq!(sent.len(), reminders, "{days} days before expiry: {sent:?}");
    }
    let kinds: Vec<&str> = sent
        .iter()
        .map(|id| id.rsplit('-').next().unwrap())
        .collect();
    assert_eq!(kinds.len(), 3);
    for which in ["30d", "7d", "expired"] {
        assert!(kinds.contains(&which), "{kinds:?}");
    }
}

with_clock_on_both_engines!(a_domain_that_will_not_renew_itself_is_reminded_once_each_time: reminders_embedded, reminders_cloud);

/// `item` moved to `pk` / `sk` with `customer_id` the victim's: what a
/// function allowed to write `DOMAIN#` items with any attributes could plant
/// in the billing run's indexes.
async fn plant(ports: &Ports, item: &Key, sk: &str, victim: &CustomerId) {
    let mut forged = ports.table.get(item).await.unwrap().unwrap();
    let name = forged
        .get("domain")
        .or(forged.get("name"))
        .and_then(|n| n.as_str())
        .unwrap()
        .to_string();
    forged.insert("pk".into(), format!("DOMAIN#{name}").into());
    forged.insert("sk".into(), sk.into());
    forged.insert("customer_id".into(), victim.into());
    forged.insert("id".into(), "forged".into());
    forged.insert("auto_renew".into(), true.into());
    ports.table.put(forged, None).await.unwrap();
}

/// An attacker's domain, entered in the expiry index and then in the due
/// renewals under a victim's id by items outside the victim's records,
/// neither invoices nor charges the victim's saved card.
async fn entries_planted_in_the_billing_indexes_charge_nobody(clock: &ManualClock, ports: &Ports) {
    let (attacker, domain) = live_domain(ports).await;
    owned::set_auto_renew(ports, &attacker.id, &domain.name, false)
        .await
        .unwrap();
    let (victim, _) = hostfront_tests::customer(ports, &hostfront_tests::unique("victim")).await;
    payment_method::save(ports, &victim.id, &saved(APPROVED), "card")
        .await
        .unwrap();
    let own = owned::key(&attacker.id, &domain.name);
    plant(ports, &own, "FORGED", &victim.id).await;
    let expiry = registry_expiry(ports, &domain.name).await;
    travel_to(clock, expiry, 29);
    assert_eq!(billing(ports).await.invoiced, 0, "the planted domain");
    let victims = |ports: &Ports| {
        let id = victim.id.clone();
        let table = ports.table.clone();
        async move { invoice::of_customer(table.as_ref(), &id, 10).await.unwrap() }
    };
    assert!(victims(ports).await.is_empty());

    // The attacker's own renewal, copied into the due renewals as the victim's.
    owned::set_auto_renew(ports, &attacker.id, &domain.name, true)
        .await
        .unwrap();
    assert_eq!(billing(ports).await.invoiced, 1, "the attacker's own");
    let real = renewals::find(ports.table.as_ref(), &domain.name, expiry)
        .await
        .unwrap()
        .unwrap();
    plant(ports, &real.key(), "RENEWAL", &victim.id).await;
    travel_to(clock, expiry, 1);
    let run = billing(ports).await;
    assert_eq!(
        (run.charged, run.declined),
        (0, 1),
        "the attacker has no card"
    );
    let held = ports
        .payments
        .authorization_made_with("forged-authorize-1")
        .await
        .unwrap();
    assert!(held.is_none(), "the victim's card was not charged");
    assert!(victims(ports).await.is_empty());
}

with_clock_on_both_engines!(entries_planted_in_the_billing_indexes_charge_nobody: planted_entries_embedded, planted_entries_cloud);
