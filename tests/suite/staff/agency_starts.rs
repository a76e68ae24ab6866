//! A tracked service that starts when it becomes active (added pending,
//! with no last day), on both engines with the manual clock: paid up to the
//! day before, its first period runs from that day, across a month's end
//! and a leap day (started on 31 January 2028: to 29 February; started on
//! 1 March 2028: to 31 March).

use hostfront::Ports;
use hostfront::agency::service_moves::move_service;
use hostfront::agency::services::{
    self, BillingPeriod, NewService, ServiceMove, ServiceStatus, ServiceType,
};
use hostfront::agency::site;
use hostfront::audit::Actor;
use hostfront::clock::ManualClock;

use super::agency_billing::{customers_site, invoiced, set};

/// Adds a pending monthly service to the site and starts it now: its last day.
async fn started(ports: &Ports, site_id: &str, name: &str) -> (String, Option<String>) {
    let site = site::find(ports, site_id).await.unwrap().unwrap();
    let new = NewService {
        service_type: ServiceType::WebsiteMaintenance,
        name: name.into(),
        period: BillingPeriod::Monthly,
        price: 4900,
        currency: "EUR".into(),
        expires_on: None,
        auto_renew: true,
        notes: None,
        provider: None,
        pending: true,
    };
    let added = services::add(ports, &site, new).await.unwrap();
    let request = ServiceMove {
        to: ServiceStatus::Active,
        why: "signed".into(),
        expires_on: None,
        v: added.v,
    };
    let clerk = Actor::Staff("clerk".into());
    let moved = move_service(
        ports,
        &site,
        &added,
        request,
        (&clerk, "billing", "127.0.0.1"),
    )
    .await
    .unwrap();
    (moved.id, moved.expires_on)
}

async fn a_started_service_is_billed_from_its_first_day(clock: &ManualClock, ports: &Ports) {
    let (owner, site_id) = customers_site(clock, ports, "Starting Bakery").await;
    set(clock, time::macros::datetime!(2028-01-31 10:00 UTC));
    let (january, last) = started(ports, &site_id, "Care plan").await;
    assert_eq!(last.as_deref(), Some("2028-01-30"));
    set(clock, time::macros::datetime!(2028-03-01 10:00 UTC));
    let (march, last) = started(ports, &site_id, "Mailbox").await;
    assert_eq!(
        last.as_deref(),
        Some("2028-02-29"),
        "the day before, a leap day"
    );
    hostfront::agency::billing::run(ports).await.unwrap();
    let periods = invoiced(ports, &owner.id).await;
    let of = |id: &str| {
        periods
            .iter()
            .filter(|(service, ..)| service == id)
            .map(|(_, from, to)| (from.as_str(), to.as_str()))
            .collect::<Vec<_>>()
    };
    assert_eq!(of(&march), [("2028-03-01", "2028-03-31")]);
    // Started on 31 January and not billed until 1 March: more than the
    // lead time past its last day, so it ended instead.
    assert_eq!(of(&january), []);
    let ended = services::find(ports, &site_id, &january)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(ended.status, ServiceStatus::Expired);
}

async fn a_run_on_the_day_bills_the_month_to_its_end(clock: &ManualClock, ports: &Ports) {
    let (owner, site_id) = customers_site(clock, ports, "Month-end Bakery").await;
    set(clock, time::macros::datetime!(2028-01-31 10:00 UTC));
    let (care, _) = started(ports, &site_id, "Care plan").await;
    hostfront::agency::billing::run(ports).await.unwrap();
    let periods = invoiced(ports, &owner.id).await;
    assert_eq!(
        periods,
        [(care, "2028-01-31".to_string(), "2028-02-29".to_string())],
        "31 January to the leap day"
    );
}

with_clock_on_both_engines!(a_started_service_is_billed_from_its_first_day: starts_embedded, starts_cloud);
with_clock_on_both_engines!(a_run_on_the_day_bills_the_month_to_its_end: month_end_embedded, month_end_cloud);
