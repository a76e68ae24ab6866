//! A tracked client service's invoice, issued by the agency's billing run,
//! paid by its customer in the portal as a service's invoice is: a declined
//! card counted and the invoice still open, two payments at once charging
//! once, a replay charging nothing, the bank's check (3-D Secure) captured
//! once however often the customer comes back, someone else's invoice not
//! found, the capture kept so staff can refund it, one receipt. Over HTTP,
//! on both engines with the manual clock and the gateway watched.

use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use std::time::Duration;

use hostfront::Ports;
use hostfront::accounts::Customer;
use hostfront::adapters::sim::{APPROVED, AUTHENTICATES, DECLINED};
use hostfront::agency::services::{BillingPeriod, ClientService, ServiceStatus};
use hostfront::billing::{Invoice, InvoiceFor, invoice};
use hostfront::clock::ManualClock;
use hostfront::mail::MailKind;
use hostfront::staff::Role;
use hostfront::store::Key;
use hostfront_tests::staff::Clerk;
use hostfront_tests::{App, until};
use serde_json::{Value, json};

use super::agency_billing::{customers_site, now_of, tracked};
use crate::hardening::card_testing::{card, log_in};
use crate::hardening::watched_gateway::{self, watched};

const WAIT: Duration = Duration::from_secs(20);

/// A customer whose site's care plan (monthly, paid until 31 January 2028)
/// the billing run invoiced for February, on 20 January 2028.
async fn billed(clock: &ManualClock, ports: &Ports) -> (Customer, ClientService, Invoice) {
    let (owner, site_id) = customers_site(clock, ports, "Paying Bakery").await;
    let care = tracked(
        ports,
        &site_id,
        ("Care plan", BillingPeriod::Monthly, "2028-01-31", true),
    )
    .await;
    let run = hostfront::agency::billing::run(ports).await.unwrap();
    assert_eq!(run.invoiced, 1);
    let bill = invoice::of_customer(ports.table.as_ref(), &owner.id, 10)
        .await
        .unwrap()
        .into_iter()
        .find(|b| matches!(&b.about, InvoiceFor::ClientService { service_id, .. } if *service_id == care.id))
        .unwrap();
    (owner, care, bill)
}

fn told((status, body): (u16, Value)) -> (u16, String) {
    (status, body["error"]["code"].as_str().unwrap_or("").into())
}

async fn receipts(ports: &Ports, to: &str) -> Vec<hostfront::mail::Mail> {
    hostfront::mail::outbox(ports, 500)
        .await
        .unwrap()
        .into_iter()
        .filter(|m| m.kind == MailKind::ServiceReceipt && m.to == to)
        .collect()
}

async fn a_client_service_invoice_is_paid_once(clock: &ManualClock, ports: &Ports) {
    let (ports, seen) = watched(ports.clone());
    let (owner, care, bill) = billed(clock, &ports).await;
    let app = App::serve(ports.clone()).await;
    let ada = log_in(&app, &owner.email).await;
    let number = bill.number.as_str();
    let pay = format!("/api/invoices/{number}/pay");
    let with = |number: &str| json!({"payment_method": card(number)});

    let (eve, _) =
        hostfront_tests::customer(&ports, &hostfront_tests::shopper::fresh_username()).await;
    let eve = log_in(&app, &eve.email).await;
    assert_eq!(
        eve.post(&pay, with(APPROVED), None).await.0,
        404,
        "someone else's"
    );
    let cards = seen.cards();
    assert_eq!(
        told(ada.post(&pay, with(DECLINED), None).await),
        (402, "card_declined".into())
    );
    assert_eq!(
        seen.cards(),
        cards + 1,
        "only the owner's card reached the gateway"
    );
    let (_, open) = ada.get(&format!("/api/invoices/{number}")).await;
    assert_eq!(open["status"], "open", "declined: still open");
    let counted = Key::new(
        format!("CUSTOMER#{}", owner.id),
        format!("DECLINES#FOR#invoice#{number}"),
    );
    let counted = ports.table.get(&counted).await.unwrap().unwrap();
    assert_eq!(
        counted["count"], 1,
        "the decline is counted against the invoice"
    );

    // Two payments at once: the second finds the first's card at the gateway.
    let captured = seen.captures.lock().unwrap().len();
    seen.hold();
    let answered = AtomicUsize::new(0);
    let paying = || async {
        let answer = ada.post(&pay, with(APPROVED), None).await;
        answered.fetch_add(1, SeqCst);
        answer
    };
    let release = async {
        until(
            WAIT,
            "one payment answered while the other's card is held",
            || async { answered.load(SeqCst) > 0 },
        )
        .await;
        seen.release();
    };
    let (first, second, ()) = tokio::join!(paying(), paying(), release);
    let mut outcomes = [told(first.clone()), told(second.clone())];
    outcomes.sort();
    assert_eq!(
        outcomes,
        [(200, String::new()), (409, "payment_in_progress".into())]
    );
    let paid = [first, second].into_iter().find(|a| a.0 == 200).unwrap().1;
    let captures = seen.captured_since(captured);
    assert_eq!(captures.len(), 1, "charged once: {captures:?}");
    assert_eq!(paid["status"], "paid", "{paid}");
    assert_eq!(
        paid["capture_id"].as_str(),
        captures.iter().next().map(String::as_str)
    );
    let mark = Key::new(format!("CLIENTSERVICE#{}", care.id), "INVOICED#2028-02-01");
    let mark = ports.table.get(&mark).await.unwrap().unwrap();
    assert_eq!(
        mark["capture_id"], paid["capture_id"],
        "the period's mark holds the payment"
    );
    assert_eq!(mark["invoice_number"], number);

    let (status, again) = ada.post(&pay, with(APPROVED), None).await;
    assert_eq!(
        (status, &again["status"]),
        (200, &json!("paid")),
        "a replay"
    );
    assert_eq!(seen.captured_since(captured).len(), 1, "charges nothing");
    let mails = receipts(&ports, &owner.email).await;
    assert_eq!(mails.len(), 1, "one receipt");
    assert!(
        mails[0]
            .text
            .contains("Care plan of Paying Bakery is paid for"),
        "{}",
        mails[0].text
    );
    let service = now_of(&ports, &care).await;
    assert_eq!(service.status, ServiceStatus::Active);
    assert_eq!(
        service.expires_on.as_deref(),
        Some("2028-02-29"),
        "renewed as it was invoiced"
    );

    // Its capture is kept: staff can give some of it back.
    let admin = Clerk::log_in(&app, Role::Admin).await;
    let refund = format!("/api/admin/invoices/{number}/refund");
    let (status, refunded) = admin
        .post(
            &refund,
            json!({"amount": 900, "why": "a week without care"}),
        )
        .await;
    assert_eq!(status, 200, "{refunded}");
    assert_eq!(refunded["refunded"], 900);
    assert_eq!(seen.refunds.lock().unwrap().len(), 1);
}

with_clock_on_both_engines!(a_client_service_invoice_is_paid_once: paid_once_embedded, paid_once_cloud);

async fn a_client_service_invoice_is_paid_through_the_bank(clock: &ManualClock, ports: &Ports) {
    let (ports, seen) = watched(ports.clone());
    let (owner, _, bill) = billed(clock, &ports).await;
    let app = App::serve(ports.clone()).await;
    let ada = log_in(&app, &owner.email).await;
    let number = bill.number.as_str();
    let confirm = format!("/api/invoices/{number}/pay/confirm");
    assert_eq!(
        told(ada.post(&confirm, json!({}), None).await),
        (409, "nothing_to_confirm".into())
    );

    let body = json!({"payment_method": card(AUTHENTICATES)});
    let (status, waiting) = ada
        .post(&format!("/api/invoices/{number}/pay"), body, None)
        .await;
    assert_eq!(
        (status, &waiting["status"]),
        (200, &json!("open")),
        "{waiting}"
    );
    let check = watched_gateway::bank_check(waiting["payment_action_url"].as_str());
    let answer = format!("/api/payments/simulated-bank/{check}");
    let (eve, _) =
        hostfront_tests::customer(&ports, &hostfront_tests::shopper::fresh_username()).await;
    let eve = log_in(&app, &eve.email).await;
    assert_eq!(
        eve.post(&answer, json!({"confirmed": true}), None).await.0,
        404,
        "not eve's check"
    );
    assert_eq!(eve.post(&confirm, json!({}), None).await.0, 404);
    let (status, back) = ada.post(&answer, json!({"confirmed": true}), None).await;
    assert_eq!(status, 200, "{back}");
    assert!(
        back["return_url"]
            .as_str()
            .unwrap()
            .ends_with(&format!("/portal.html?confirmed={number}"))
    );

    let captured = seen.captures.lock().unwrap().len();
    ada.confirms_paid_twice(&confirm).await;
    assert_eq!(seen.captured_since(captured).len(), 1, "captured once");
    assert_eq!(receipts(&ports, &owner.email).await.len(), 1);
}

with_clock_on_both_engines!(a_client_service_invoice_is_paid_through_the_bank: through_bank_embedded, through_bank_cloud);
