//! The pipeline's dates against the calendar, on both engines with the
//! manual clock: "due within 30 days" and "expiring within N days" count
//! the leap day of 2028 and run over a month's end.

use hostfront::Ports;
use hostfront::agency::service_list::{self, CLIENT_SERVICES};
use hostfront::agency::services::{self, BillingPeriod, NewService, ServiceType};
use hostfront::agency::site::{self, HostedSite, NewSite};
use hostfront::agency::stats;
use hostfront::audit::Actor;
use hostfront::clock::{Clock, ManualClock};

fn set(clock: &ManualClock, at: time::OffsetDateTime) {
    clock.advance_secs(at.unix_timestamp() - clock.now_secs());
}

async fn due_on(ports: &Ports, site_id: &str, day: &str) {
    // Each service added moves the site on: read it afresh each time.
    let site: HostedSite = site::find(ports, site_id).await.unwrap().unwrap();
    let new = NewService {
        service_type: ServiceType::Domain,
        name: format!("due {day}"),
        period: BillingPeriod::Annual,
        price: 1200,
        currency: "EUR".into(),
        expires_on: Some(day.into()),
        auto_renew: true,
        notes: None,
        provider: Some("Another Registrar".into()),
        pending: false,
    };
    services::add(ports, &site, new).await.unwrap();
}

async fn names_within(ports: &Ports, days: u32) -> Vec<String> {
    let every = CLIENT_SERVICES.check(Default::default(), false).unwrap();
    let asked = service_list::expiring_within(ports, every, Some(days)).unwrap();
    let listed = service_list::list(ports, &asked).await.unwrap();
    listed.items.into_iter().map(|s| s.service.name).collect()
}

async fn the_days_count_the_leap_day_and_the_months_end(clock: &ManualClock, ports: &Ports) {
    set(clock, time::macros::datetime!(2028-02-15 12:00 UTC));
    let new = NewSite {
        business_name: "Calendar Bakery".into(),
        contact_name: "Jo".into(),
        contact_email: "jo@calendar.example".into(),
        contact_phone: None,
        internal_notes: None,
    };
    let made = site::create(ports, new, &Actor::Staff("clerk".into()))
        .await
        .unwrap();
    // 30 days after 15 February 2028 is 16 March: February has 29 days.
    for day in ["2028-02-29", "2028-03-16", "2028-03-17"] {
        due_on(ports, &made.id, day).await;
    }
    assert_eq!(
        stats::pipeline(ports).await.unwrap().renewals_next_30_days,
        2
    );
    assert_eq!(
        names_within(ports, 14).await,
        ["due 2028-02-29"],
        "the leap day is 14 days on"
    );

    // On the last day of March, 30 days on is the last day of April.
    set(clock, time::macros::datetime!(2028-03-31 23:59 UTC));
    for day in ["2028-04-30", "2028-05-01"] {
        due_on(ports, &made.id, day).await;
    }
    let within = names_within(ports, 30).await;
    assert!(within.contains(&"due 2028-04-30".to_string()), "{within:?}");
    assert!(
        !within.contains(&"due 2028-05-01".to_string()),
        "{within:?}"
    );
    // The three days gone by are still due (overdue), with the one in April.
    assert_eq!(
        stats::pipeline(ports).await.unwrap().renewals_next_30_days,
        4
    );
}

with_clock_on_both_engines!(the_days_count_the_leap_day_and_the_months_end: calendar_embedded, calendar_cloud);
