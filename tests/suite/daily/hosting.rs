//! A domain pointing elsewhere for days is raised, never cancelled.

use super::{day_run, run_today};
use crate::renewals::{DAY, first_service, live_domain, mails_of};
use hostfront::Ports;
use hostfront::clock::{Clock, ManualClock};
use hostfront::daily::Check;
use hostfront::mail::MailKind;
use hostfront::resolver::Pointing;
use hostfront::subscriptions::{self, SubscriptionStatus};

async fn a_domain_pointing_elsewhere_for_days_is_raised_never_cancelled(
    clock: &ManualClock,
    ports: &Ports,
) {
    let table = ports.table.as_ref();
    let (customer, _) = live_domain(ports).await;
    let service = first_service(ports, &customer.id).await;
    let dns = ports.simulated_dns.clone().expect("a simulated DNS");
    let service_now = || async {
        subscriptions::find(table, &customer.id, &service.id)
            .await
            .unwrap()
            .unwrap()
    };
    let asked = || mails_of(ports, MailKind::Notice, &customer.email);

    run_today(ports, Check::HostingCheck).await;
    let run = day_run(ports, Check::HostingCheck).await;
    assert_eq!(run.counts.get("checked"), Some(&1), "{run:?}");
    assert_eq!(run.counts.len(), 1, "hosted here: {run:?}");

    let moved = Pointing {
        nameservers: vec![
            "ns1.otherhost.example".into(),
            "ns2.otherhost.example".into(),
        ],
        addresses: vec!["203.0.113.9".parse().unwrap()],
    };
    dns.point(&service.domain, Some(&moved)).await.unwrap();
    let first_day = {
        clock.advance_secs(DAY);
        clock.now().date().to_string()
    };
    // Six days pointing elsewhere: noted, nobody bothered.
    for day in 1..=6 {
        if day > 1 {
            clock.advance_secs(DAY);
        }
        run_today(ports, Check::HostingCheck).await;
        let run = day_run(ports, Check::HostingCheck).await;
        assert_eq!(run.counts.get("pointing_elsewhere"), Some(&1), "{day}");
        assert!(run.exceptions.is_empty(), "day {day}: {run:?}");
        assert_eq!(
            service_now().await.elsewhere_since.as_deref(),
            Some(first_day.as_str())
        );
    }
    assert_eq!(asked().await, 0);
    // The seventh: the owner is asked once, staff see it each day.
    for _ in 7..=8 {
        clock.advance_secs(DAY);
        run_today(ports, Check::HostingCheck).await;
        let run = day_run(ports, Check::HostingCheck).await;
        assert_eq!(run.exceptions.len(), 1, "{run:?}");
        assert!(run.exceptions[0].what.contains("since"), "{run:?}");
    }
    assert_eq!(asked().await, 1);
    assert_eq!(
        service_now().await.status,
        SubscriptionStatus::Active,
        "never cancelled by itself"
    );

    // It points back: the stretch ends.
    dns.point(&service.domain, None).await.unwrap();
    clock.advance_secs(DAY);
    run_today(ports, Check::HostingCheck).await;
    assert_eq!(
        day_run(ports, Check::HostingCheck)
            .await
            .counts
            .get("pointed_back"),
        Some(&1)
    );
    assert_eq!(service_now().await.elsewhere_since, None);
    // Away again: a new stretch, counted from its own first day.
    dns.point(&service.domain, Some(&moved)).await.unwrap();
    clock.advance_secs(DAY);
    run_today(ports, Check::HostingCheck).await;
    assert_eq!(
        service_now().await.elsewhere_since,
        Some(clock.now().date().to_string())
    );
    assert!(
        day_run(ports, Check::HostingCheck)
            .await
            .exceptions
            .is_empty()
    );
}

with_clock_on_both_engines!(
    a_domain_pointing_elsewhere_for_days_is_raised_never_cancelled:
        hosting_check_embedded,
        hosting_check_on_dynamodb
);
