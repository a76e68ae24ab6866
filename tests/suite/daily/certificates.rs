//! Certificates are alerted 30, 14 and 7 days before they expire, once each.

use super::{day_run, run_today};
use crate::renewals::{DAY, first_service, live_domain};
use hostfront::Ports;
use hostfront::clock::{Clock, ManualClock};
use hostfront::daily::Check;

async fn certificates_are_alerted_30_14_and_7_days_before_once_each(
    clock: &ManualClock,
    ports: &Ports,
) {
    let (customer, _) = live_domain(ports).await;
    let service = first_service(ports, &customer.id).await;
    let certificates = ports
        .panel
        .certificates(&service.hosting.account.username)
        .await
        .unwrap();
    assert_eq!(certificates.len(), 1, "{certificates:?}");
    let expires = certificates[0].expires_at;
    // Counted in the mailbox: the table's records of mails lapse after 30 days.
    let alerts = || certificate_alerts_delivered(ports, &customer.email);
    // Days left before expiry (negative: after), each half a day before
    // the day is over: days are counted up, so 29.5 left is "30 days".
    let days = [
        (31, 0),
        (30, 1),
        (20, 1),
        (14, 2),
        (13, 2),
        (7, 3),
        (1, 3),
        (0, 3),
    ];
    let after = [(-1, 3), (-40, 3), (-75, 3)];
    for (days_before, expected) in days.into_iter().chain(after) {
        clock.advance_secs(expires - days_before * DAY + DAY / 2 - clock.now_secs());
        run_today(ports, Check::CertificateAlerts).await;
        assert_eq!(alerts(), expected, "{days_before} days before");
        let run = day_run(ports, Check::CertificateAlerts).await;
        let alerted_today = [30, 14, 7].contains(&days_before) as usize;
        assert_eq!(
            run.exceptions.len(),
            alerted_today,
            "{days_before}: {run:?}"
        );
        assert_eq!(run.counts.get("checked"), Some(&1), "{run:?}");
    }
}

/// Certificate alerts delivered to `email` in the development mailbox.
fn certificate_alerts_delivered(ports: &Ports, email: &str) -> usize {
    let folder = &ports.config.mailbox_folder;
    let Ok(files) = std::fs::read_dir(folder) else {
        return 0;
    };
    files
        .flatten()
        .filter(|f| f.file_name().to_string_lossy().starts_with("certificate:"))
        .filter(|f| f.path().extension().is_some_and(|e| e == "txt"))
        .filter(|f| {
            std::fs::read_to_string(f.path())
                .is_ok_and(|text| text.starts_with(&format!("To: {email}\n")))
        })
        .count()
}

with_clock_on_both_engines!(
    certificates_are_alerted_30_14_and_7_days_before_once_each:
        certificate_alerts_embedded,
        certificate_alerts_on_dynamodb
);
