//! Tracked client services billed by the daily billing run, on both engines
//! with the manual clock: invoiced to the site's customer ahead of their
//! last day, exactly once per period however the runs overlap or repeat,
//! their last day moved on as the invoice is issued (a monthly service due
//! on 31 January runs to 29 February, then 31 March; a yearly one due on
//! 29 February 2028 to 28 February 2029); reminded about a month ahead
//! once; expired once past their last day unrenewed; and a site without a
//! customer told to staff instead, once.

use hostfront::Ports;
use hostfront::agency::services::{self, BillingPeriod, ClientService, NewService, ServiceType};
use hostfront::agency::site::{self, NewSite};
use hostfront::audit::{self, Actor, AuditQuery};
use hostfront::billing::invoice::{self, Invoice, InvoiceFor};
use hostfront::clock::{Clock, ManualClock};
use hostfront::mail::MailKind;
use hostfront::scheduler::Task;

use super::agency_golive::accepted_for;

pub(super) fn set(clock: &ManualClock, at: time::OffsetDateTime) {
    clock.advance_secs(at.unix_timestamp() - clock.now_secs());
}

pub(super) async fn site_for(ports: &Ports, name: &str, customer: Option<&str>) -> String {
    let new = NewSite {
        business_name: name.into(),
        contact_name: "Jo".into(),
        contact_email: "jo@billing.example".into(),
        contact_phone: None,
        internal_notes: None,
    };
    let made = site::create(ports, new, &Actor::Staff("clerk".into()))
        .await
        .unwrap();
    if let Some(customer) = customer {
        accepted_for(ports, &made.id, customer, None).await;
    }
    made.id
}

/// Adds `name`, billed every `period`, paid until `last`.
pub(super) async fn tracked(
    ports: &Ports,
    site_id: &str,
    (name, period, last, auto_renew): (&str, BillingPeriod, &str, bool),
) -> ClientService {
    let site = site::find(ports, site_id).await.unwrap().unwrap();
    let new = NewService {
        service_type: ServiceType::WebsiteMaintenance,
        name: name.into(),
        period,
        price: 4900,
        currency: "EUR".into(),
        expires_on: Some(last.into()),
        auto_renew,
        notes: None,
        provider: None,
        pending: false,
    };
    services::add(ports, &site, new).await.unwrap()
}

pub(super) async fn now_of(ports: &Ports, service: &ClientService) -> ClientService {
    services::find(ports, &service.site_id, &service.id)
        .await
        .unwrap()
        .unwrap()
}

/// The customer's invoices for client services: (service, from, to).
pub(super) async fn invoiced(
    ports: &Ports,
    customer: &hostfront::CustomerId,
) -> Vec<(String, String, String)> {
    let bills: Vec<Invoice> = invoice::of_customer(ports.table.as_ref(), customer, 100)
        .await
        .unwrap();
    let mut periods: Vec<_> = bills
        .into_iter()
        .filter_map(|bill| match bill.about {
            InvoiceFor::ClientService {
                service_id,
                from,
                to,
                ..
            } => Some((service_id, from, to)),
            _ => None,
        })
        .collect();
    periods.sort();
    periods
}

async fn mails(ports: &Ports, kind: MailKind, to: &str) -> usize {
    hostfront::mail::outbox(ports, 500)
        .await
        .unwrap()
        .into_iter()
        .filter(|m| m.kind == kind && m.to == to)
        .count()
}

/// Two runs at once, then the scheduler's own run again.
async fn runs(ports: &Ports) {
    let (first, second) = tokio::join!(
        hostfront::agency::billing::run(ports),
        hostfront::agency::billing::run(ports)
    );
    first.unwrap();
    second.unwrap();
    Task::RunBilling.run(ports).await.unwrap();
}

/// On 20 January 2028, a new customer and their site named `name`.
pub(super) async fn customers_site(
    clock: &ManualClock,
    ports: &Ports,
    name: &str,
) -> (hostfront::accounts::Customer, String) {
    set(clock, time::macros::datetime!(2028-01-20 12:00 UTC));
    hostfront::catalog::seed_demo(ports.table.as_ref())
        .await
        .unwrap();
    let (owner, _) =
        hostfront_tests::customer(ports, &hostfront_tests::shopper::fresh_username()).await;
    let site_id = site_for(ports, name, Some(owner.id.as_str())).await;
    (owner, site_id)
}

async fn client_services_are_billed_once_per_period(clock: &ManualClock, ports: &Ports) {
    let (owner, site_id) = customers_site(clock, ports, "Billed Bakery").await;
    let care = tracked(
        ports,
        &site_id,
        ("Care plan", BillingPeriod::Monthly, "2028-01-31", true),
    )
    .await;
    let cert = tracked(
        ports,
        &site_id,
        ("Certificate", BillingPeriod::Annual, "2028-02-29", true),
    )
    .await;
    let mailbox = tracked(
        ports,
        &site_id,
        ("Old mailbox", BillingPeriod::Monthly, "2028-02-05", false),
    )
    .await;
    let lapsed = tracked(
        ports,
        &site_id,
        ("Lapsed", BillingPeriod::Monthly, "2028-01-19", false),
    )
    .await;
    let orphan_site = site_for(ports, "Nobody's Bakery", None).await;
    let orphan = tracked(
        ports,
        &orphan_site,
        ("Orphan", BillingPeriod::Monthly, "2028-01-25", true),
    )
    .await;

    runs(ports).await;
    assert_eq!(
        invoiced(ports, &owner.id).await,
        [(care.id.clone(), "2028-02-01".into(), "2028-02-29".into())],
        "the care plan, once, however the runs overlap"
    );
    assert_eq!(
        now_of(ports, &care).await.expires_on.as_deref(),
        Some("2028-02-29")
    );
    assert_eq!(
        mails(ports, MailKind::ServiceInvoice, &owner.email).await,
        1
    );
    assert_eq!(
        mails(ports, MailKind::Notice, &owner.email).await,
        1,
        "the old mailbox's reminder"
    );
    assert_eq!(
        now_of(ports, &lapsed).await.status,
        services::ServiceStatus::Expired
    );
    assert_eq!(
        now_of(ports, &mailbox).await.status,
        services::ServiceStatus::Active
    );
    assert_eq!(
        now_of(ports, &orphan).await.expires_on.as_deref(),
        Some("2028-01-25")
    );
    let subject = format!("client_service:{}", orphan.id);
    let told = audit::read(ports.table.as_ref(), AuditQuery::Subject(&subject), 50)
        .await
        .unwrap();
    assert_eq!(
        told.iter().filter(|e| e.action == "not_invoiced").count(),
        1,
        "staff told once: {told:?}"
    );
    let bill = invoice::of_customer(ports.table.as_ref(), &owner.id, 10)
        .await
        .unwrap()
        .remove(0);
    assert!(
        bill.lines[0].description.contains("Care plan"),
        "{:?}",
        bill.lines
    );

    // On 16 February both are due: the month runs to 31 March, the year
    // from the leap day to 28 February 2029; the old mailbox lapsed.
    set(clock, time::macros::datetime!(2028-02-16 09:00 UTC));
    runs(ports).await;
    let periods = invoiced(ports, &owner.id).await;
    assert!(
        periods.contains(&(care.id.clone(), "2028-03-01".into(), "2028-03-31".into())),
        "{periods:?}"
    );
    assert!(
        periods.contains(&(cert.id.clone(), "2028-03-01".into(), "2029-02-28".into())),
        "{periods:?}"
    );
    assert_eq!(periods.len(), 3, "{periods:?}");
    assert_eq!(
        now_of(ports, &cert).await.expires_on.as_deref(),
        Some("2029-02-28")
    );
    assert_eq!(
        now_of(ports, &mailbox).await.status,
        services::ServiceStatus::Expired
    );
    assert_eq!(
        mails(ports, MailKind::Notice, &owner.email).await,
        1,
        "one reminder per period"
    );

    set(clock, time::macros::datetime!(2028-03-20 09:00 UTC));
    runs(ports).await;
    let periods = invoiced(ports, &owner.id).await;
    assert!(
        periods.contains(&(care.id.clone(), "2028-04-01".into(), "2028-04-30".into())),
        "{periods:?}"
    );
    assert_eq!(periods.len(), 4, "{periods:?}");
}

with_clock_on_both_engines!(client_services_are_billed_once_per_period: client_billing_embedded, client_billing_cloud);
