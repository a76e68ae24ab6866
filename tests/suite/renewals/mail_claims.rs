//! What mails say, on both engines with the manual clock: a customer whose
//! saved card declines gets the registration mail, the domain's renewal
//! invoice and dunning to the end, and the service's dunning to suspension;
//! every date in them says its time zone, and none promises what does not
//! happen (the domain renewing with the hosting, a new card bringing a
//! suspended service back).

use hostfront::Ports;
use hostfront::adapters::sim::DECLINED;
use hostfront::billing::payment_method;
use hostfront::clock::{Clock, ManualClock};
use hostfront::scheduler::Task;

use super::services::{card, travel_to};
use super::two_years::{FALSE_CLAIMS, bare_dates};
use super::{DAY, first_service, live_domain, registry_expiry};

/// The bodies (text and HTML) of every mail delivered to `email` in the
/// development mailbox, by file name.
fn delivered_to(ports: &Ports, email: &str) -> Vec<(String, String)> {
    let folder = &ports.config.mailbox_folder;
    let mut bodies = Vec::new();
    for file in std::fs::read_dir(folder).unwrap().flatten() {
        let name = file.file_name().to_string_lossy().to_string();
        let Some(stem) = name.strip_suffix(".txt") else {
            continue;
        };
        let text = std::fs::read_to_string(file.path()).unwrap();
        if !text.starts_with(&format!("To: {email}\n")) {
            continue;
        }
        let body = text.split_once("\n\n").map_or("", |(_, body)| body);
        bodies.push((name.clone(), body.to_string()));
        let html = file.path().with_file_name(format!("{stem}.html"));
        bodies.push((
            format!("{stem}.html"),
            std::fs::read_to_string(html).unwrap(),
        ));
    }
    bodies
}

async fn mails_say_what_happens_with_dates_in_utc(clock: &ManualClock, ports: &Ports) {
    let (customer, domain) = live_domain(ports).await;
    payment_method::save(ports, &customer.id, &card(DECLINED), "bad")
        .await
        .unwrap();
    let due = first_service(ports, &customer.id).await.next_due;
    for days in [14, 0, -3, -7] {
        travel_to(clock, &due, days);
        Task::RunBilling.run(ports).await.unwrap();
    }
    let expiry = registry_expiry(ports, &domain.name).await;
    for days in [29, 1, -2, -6] {
        clock.advance_secs(expiry - days * DAY + 60 - clock.now_secs());
        Task::RunBilling.run(ports).await.unwrap();
    }
    let bodies = delivered_to(ports, &customer.email);
    // Registration, order and live mails; the service's invoice, three
    // failed charges; the renewal invoice, three failed charges, reminders.
    assert!(bodies.len() >= 2 * 12, "{}", bodies.len());
    for (name, body) in &bodies {
        let bare = bare_dates(body);
        assert!(bare.is_empty(), "{name}: {bare:?} in {body}");
        for claim in FALSE_CLAIMS {
            assert!(!body.contains(claim), "{name}: {body}");
        }
    }
    let said = |words: &str| bodies.iter().any(|(_, body)| body.contains(words));
    assert!(said("(UTC)"));
    assert!(said("apart from your hosting"), "the registration mail");
    assert!(said("Pay the invoice in your account to have it back"));
    assert!(
        said("It expired on"),
        "the last failed charge came after expiry"
    );
}

with_clock_on_both_engines!(
    mails_say_what_happens_with_dates_in_utc:
        mail_claims_embedded,
        mail_claims_cloud
);
