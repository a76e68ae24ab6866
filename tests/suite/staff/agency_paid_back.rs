//! What paying a client service's invoice does to a service staff held for
//! it, on both engines with the manual clock: one suspended, or expired,
//! while the period it pays still runs is active again (in the audit log
//! as the customer's move), an expired one running to the period's last
//! day; one whose period is over stays as it is, its receipt saying so; a
//! cancelled service's invoice is voided with it and not paid
//! (`service_ended`), and one voided otherwise
//! is not owed (`not_payable`), neither reaching the gateway.

use hostfront::Ports;
use hostfront::adapters::sim::APPROVED;
use hostfront::agency::service_moves::move_service;
use hostfront::agency::services::{BillingPeriod, ClientService, ServiceMove, ServiceStatus};
use hostfront::agency::site;
use hostfront::audit::{self, Actor, AuditQuery};
use hostfront::billing::{Invoice, InvoiceFor, InvoiceStatus, invoice};
use hostfront::clock::{Clock, ManualClock};
use hostfront::invoice_payments::{self as pay, PayError};
use hostfront::mail::MailKind;
use hostfront::payments::PaymentSource;

use super::agency_billing::{customers_site, now_of, set, tracked};
use crate::hardening::watched_gateway::watched;

/// The invoice of `service`'s period.
fn bill_of<'a>(bills: &'a [Invoice], service: &ClientService) -> &'a Invoice {
    bills
        .iter()
        .find(|b| matches!(&b.about, InvoiceFor::ClientService { service_id, .. } if *service_id == service.id))
        .unwrap()
}

/// Moves `service` to `to` as a member of staff does.
async fn staff_moves(ports: &Ports, service: &ClientService, to: ServiceStatus) {
    let service = &now_of(ports, service).await;
    let site = site::find(ports, &service.site_id).await.unwrap().unwrap();
    let request = ServiceMove {
        to,
        why: "its invoice is not paid".into(),
        expires_on: None,
        v: service.v,
    };
    let clerk = Actor::Staff("clerk".into());
    move_service(
        ports,
        &site,
        service,
        request,
        (&clerk, "billing", "127.0.0.1"),
    )
    .await
    .unwrap();
}

/// The audit log's moves of `service`: (action, actor, why).
async fn moves_of(ports: &Ports, service: &ClientService) -> Vec<(String, Actor, String)> {
    let subject = format!("client_service:{}", service.id);
    let entries = audit::read(ports.table.as_ref(), AuditQuery::Subject(&subject), 50)
        .await
        .unwrap();
    entries
        .into_iter()
        .map(|e| (e.action, e.actor, e.why))
        .collect()
}

async fn paying_brings_back_what_was_held_for_it(clock: &ManualClock, ports: &Ports) {
    let (ports, seen) = watched(ports.clone());
    let ports = &ports;
    let (owner, site_id) = customers_site(clock, ports, "Held Bakery").await;
    let monthly = |name, last| (name, BillingPeriod::Monthly, last, true);
    let care = tracked(ports, &site_id, monthly("Care plan", "2028-01-31")).await;
    let mailbox = tracked(ports, &site_id, monthly("Mailbox", "2028-01-25")).await;
    let old = tracked(ports, &site_id, monthly("Old plan", "2028-01-22")).await;
    let gone = tracked(ports, &site_id, monthly("Gone plan", "2028-01-28")).await;
    let voided = tracked(ports, &site_id, monthly("Voided plan", "2028-01-30")).await;
    assert_eq!(
        hostfront::agency::billing::run(ports)
            .await
            .unwrap()
            .invoiced,
        5
    );
    let bills = invoice::of_customer(ports.table.as_ref(), &owner.id, 10)
        .await
        .unwrap();

    set(clock, time::macros::datetime!(2028-02-02 09:00 UTC));
    staff_moves(ports, &care, ServiceStatus::Suspended).await;
    staff_moves(ports, &mailbox, ServiceStatus::Expired).await;
    staff_moves(ports, &old, ServiceStatus::Expired).await;
    staff_moves(ports, &gone, ServiceStatus::Cancelled).await;
    let left = bill_of(&bills, &gone);
    let left = invoice::find(ports.table.as_ref(), &owner.id, &left.number)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        left.status,
        InvoiceStatus::Void,
        "what a cancelled service left open is voided with it"
    );
    let void = hostfront::billing::void::void_op(
        ports.table.as_ref(),
        bill_of(&bills, &voided),
        clock.now(),
    )
    .await
    .unwrap();
    ports.table.transact(void).await.unwrap();

    set(clock, time::macros::datetime!(2028-02-05 09:00 UTC));
    let card = || PaymentSource::Method(hostfront_tests::shopper::method(APPROVED));
    let pay = |bill: &Invoice| {
        let number = bill.number.clone();
        let owner = &owner.id;
        async move { pay::pay_invoice(ports, owner, &number, card()).await }
    };
    let cards = seen.cards();
    for (service, code) in [(&gone, "service_ended"), (&voided, "not_payable")] {
        match pay(bill_of(&bills, service)).await {
            Err(PayError::Conflict { code: told, .. }) => assert_eq!(told, code),
            other => panic!("{}: {other:?}", service.name),
        }
    }
    assert_eq!(seen.cards(), cards, "no card reached the gateway");

    for (service, action, last) in [
        (&care, "reactivated", "2028-01-31"),
        (&mailbox, "renewed", "2028-01-25"),
    ] {
        let paid = pay(bill_of(&bills, service)).await.unwrap();
        assert_eq!(paid.invoice.status, InvoiceStatus::Paid);
        let now = now_of(ports, service).await;
        assert_eq!(now.status, ServiceStatus::Active, "{}", service.name);
        assert_ne!(
            now.expires_on.as_deref(),
            Some(last),
            "runs on to its period's last day"
        );
        let why = format!("invoice {} paid", paid.invoice.number);
        let back = (action.to_string(), Actor::Customer(owner.id.clone()), why);
        assert!(
            moves_of(ports, service).await.contains(&back),
            "{}",
            service.name
        );
    }
    assert_eq!(
        now_of(ports, &mailbox).await.expires_on.as_deref(),
        Some("2028-02-25")
    );

    // Paid once its period is over: settled, and the service stays expired.
    set(clock, time::macros::datetime!(2028-02-23 09:00 UTC));
    let paid = pay(bill_of(&bills, &old)).await.unwrap();
    assert_eq!(paid.invoice.status, InvoiceStatus::Paid);
    assert_eq!(now_of(ports, &old).await.status, ServiceStatus::Expired);
    assert!(!moves_of(ports, &old).await.iter().any(|m| m.0 == "renewed"));

    let receipts: Vec<String> = hostfront::mail::outbox(ports, 500)
        .await
        .unwrap()
        .into_iter()
        .filter(|m| m.kind == MailKind::ServiceReceipt && m.to == owner.email)
        .map(|m| m.text)
        .collect();
    assert_eq!(receipts.len(), 3, "{receipts:?}");
    let says = |what: &str| receipts.iter().filter(|t| t.contains(what)).count();
    assert_eq!(says("It is running again."), 2, "{receipts:?}");
    assert_eq!(
        says("Old plan of Held Bakery is paid for"),
        1,
        "{receipts:?}"
    );
    assert_eq!(says("It is still expired: reply"), 1, "{receipts:?}");
}

with_clock_on_both_engines!(paying_brings_back_what_was_held_for_it: held_embedded, held_cloud);

/// A cancelled site's services end with it, and what they left open is
/// voided, each invoice by a credit note: nothing is owed for them.
async fn a_cancelled_site_leaves_nothing_owed(clock: &ManualClock, ports: &Ports) {
    let (owner, site_id) = customers_site(clock, ports, "Closing Bakery").await;
    let monthly = |name, last| (name, BillingPeriod::Monthly, last, true);
    tracked(ports, &site_id, monthly("Care plan", "2028-01-31")).await;
    tracked(ports, &site_id, monthly("Mailbox", "2028-01-25")).await;
    assert_eq!(
        hostfront::agency::billing::run(ports)
            .await
            .unwrap()
            .invoiced,
        2
    );
    let site = site::find(ports, &site_id).await.unwrap().unwrap();
    let request = hostfront::agency::site::SiteMove {
        to: hostfront::agency::site::SiteStatus::Cancelled,
        why: "the client closed the shop".into(),
        live_domain: None,
        proposal_notes: None,
        auth_code: None,
        v: site.v,
    };
    let clerk = Actor::Staff("clerk".into());
    site::move_site(ports, &site, request, (&clerk, "billing", "127.0.0.1"))
        .await
        .unwrap();
    let bills = invoice::of_customer(ports.table.as_ref(), &owner.id, 10)
        .await
        .unwrap();
    let statuses: Vec<_> = bills.iter().map(|b| b.status).collect();
    assert_eq!(
        statuses,
        [InvoiceStatus::Void, InvoiceStatus::Void],
        "{bills:?}"
    );
    let notes = hostfront::billing::credit_note::of_customer(ports.table.as_ref(), &owner.id, 10)
        .await
        .unwrap();
    for bill in &bills {
        let credited: i64 = notes
            .iter()
            .filter(|n| n.invoice_number == bill.number)
            .map(|n| n.total)
            .sum();
        assert_eq!(
            credited, bill.total,
            "each voided by a credit note for all of it"
        );
    }
}

with_clock_on_both_engines!(a_cancelled_site_leaves_nothing_owed: closed_embedded, closed_cloud);
