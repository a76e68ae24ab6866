//! A service invoice whose card's bank wants its holder (3-D Secure, the
//! simulation's 4000 0025 0000 3155): the billing run cannot charge it and
//! mails the customer to pay in the portal, where the holder is at hand.
//! There the payment goes to the bank, and coming back finishes it once:
//! paid when the bank confirmed it, declined and still payable when it did
//! not, never captured twice however often it is asked. On both engines,
//! with the gateway watched.

use hostfront::Ports;
use hostfront::accounts::Customer;
use hostfront::adapters::sim::{APPROVED, AUTHENTICATES};
use hostfront::billing::lease::BANK_SECS;
use hostfront::billing::{Invoice, InvoiceFor, InvoiceStatus, invoice, payment_method};
use hostfront::clock::{Clock, ManualClock};
use hostfront::invoice_payments::{self as pay, InvoicePayment, PayError};
use hostfront::mail::{self, MailKind};
use hostfront::payments::PaymentSource;
use hostfront::subscriptions::{SubscriptionStatus, billing};
use hostfront_tests::App;
use hostfront_tests::shopper::{Shopper, fresh_username};
use serde_json::{Value, json};

use super::card_testing::log_in;
use super::watched_gateway::watched;
use crate::renewals::services::{card, travel_to};
use crate::renewals::{first_service, live_domain};

/// A customer whose saved card's bank wants its holder, and the invoice
/// of their service's first period, which the billing run could not charge
/// and mailed them to pay in the portal.
async fn left_for_the_holder(clock: &ManualClock, ports: &Ports) -> (Customer, Invoice, String) {
    let (customer, _) = live_domain(ports).await;
    payment_method::save(ports, &customer.id, &card(AUTHENTICATES), "3ds")
        .await
        .unwrap();
    let due = first_service(ports, &customer.id).await.next_due;
    travel_to(clock, &due, 13);
    assert_eq!(billing::run(ports).await.unwrap().invoiced, 1);
    travel_to(clock, &due, 0);
    assert_eq!(billing::run(ports).await.unwrap().declined, 1);
    let bill = invoice::of_customer(ports.table.as_ref(), &customer.id, 10)
        .await
        .unwrap()
        .into_iter()
        .find(|i| matches!(&i.about, InvoiceFor::Period { from, .. } if *from == due))
        .unwrap();
    let mailed = mail::outbox(ports, 500)
        .await
        .unwrap()
        .into_iter()
        .any(|m| {
            m.kind == MailKind::ServicePaymentFailed
                && m.to == customer.email
                && m.text
                    .contains(&format!("/portal.html?pay={}", bill.number))
        });
    assert!(mailed, "the customer is mailed a link to pay in the portal");
    (customer, bill, due)
}

async fn saved(ports: &Ports, customer: &Customer) -> PaymentSource {
    let method = payment_method::find(ports.table.as_ref(), &customer.id)
        .await
        .unwrap()
        .unwrap();
    PaymentSource::Saved(method.token)
}

/// The check at the bank an answer sends the holder to.
fn check_of(waiting: &InvoicePayment) -> String {
    assert_eq!(waiting.invoice.status, InvoiceStatus::Open, "not paid yet");
    super::watched_gateway::bank_check(waiting.payment_action_url.as_deref())
}

async fn confirming_at_the_bank_pays_the_invoice_once(clock: &ManualClock, ports: &Ports) {
    let (ports, seen) = watched(ports.clone());
    let ports = &ports;
    let (customer, bill, due) = left_for_the_holder(clock, ports).await;
    let before = seen.captures.lock().unwrap().len();
    let source = saved(ports, &customer).await;
    let waiting = pay::pay_invoice(ports, &customer.id, &bill.number, source)
        .await
        .unwrap();
    let check = check_of(&waiting);

    let confirm = || pay::bank::confirmed_at_bank(ports, &customer.id, &bill.number);
    let still = confirm().await.unwrap();
    assert_eq!(
        still.payment_action_url, waiting.payment_action_url,
        "not answered yet: still at the bank"
    );
    let back = super::watched_gateway::answer_bank(ports, &check, true).await;
    assert!(
        back.ends_with(&format!("/portal.html?confirmed={}", bill.number)),
        "{back}"
    );

    let (first, second) = tokio::join!(confirm(), confirm());
    let mut paid = 0;
    for answer in [first, second] {
        match answer {
            Ok(done) => {
                assert_eq!(done.invoice.status, InvoiceStatus::Paid);
                paid += 1;
            }
            Err(PayError::Conflict {
                code: "payment_in_progress",
                ..
            }) => {}
            other => panic!("{other:?}"),
        }
    }
    assert!(paid >= 1, "one of two returns at once pays it");
    let again = confirm().await.unwrap();
    assert_eq!(again.invoice.status, InvoiceStatus::Paid, "a replay");
    assert_eq!(again.payment_action_url, None);
    let captures = seen.captured_since(before);
    assert_eq!(captures.len(), 1, "captured once: {captures:?}");
    assert_eq!(again.invoice.capture_id.as_ref(), captures.iter().next());

    let service = first_service(ports, &customer.id).await;
    assert_eq!(service.status, SubscriptionStatus::Active);
    assert_ne!(service.next_due, due, "the due date moved on");
    let run = billing::run(ports).await.unwrap();
    assert_eq!((run.charged, run.declined), (0, 0), "paid already");
}

with_clock_on_both_engines!(confirming_at_the_bank_pays_the_invoice_once: confirmed_embedded, confirmed_cloud);

async fn refusing_at_the_bank_leaves_the_invoice_payable(clock: &ManualClock, ports: &Ports) {
    let (ports, seen) = watched(ports.clone());
    let ports = &ports;
    let (customer, bill, _) = left_for_the_holder(clock, ports).await;
    let before = seen.captures.lock().unwrap().len();
    let source = saved(ports, &customer).await;
    let pay = |source: PaymentSource| pay::pay_invoice(ports, &customer.id, &bill.number, source);
    let confirm = || pay::bank::confirmed_at_bank(ports, &customer.id, &bill.number);
    let first = check_of(&pay(source.clone()).await.unwrap());
    super::watched_gateway::answer_bank(ports, &first, false).await;
    match confirm().await {
        Err(PayError::Declined { code, .. }) => assert_eq!(code, "authentication_failed"),
        other => panic!("{other:?}"),
    }
    match confirm().await {
        Err(PayError::Conflict { code, .. }) => assert_eq!(code, "nothing_to_confirm"),
        other => panic!("told once: {other:?}"),
    }
    let open = invoice::find(ports.table.as_ref(), &customer.id, &bill.number)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(open.status, InvoiceStatus::Open, "still payable");

    // To the bank again, then the customer pays with another card instead:
    // what the bank holds is let go, and only the new card is charged.
    let second = check_of(&pay(source).await.unwrap());
    assert_ne!(second, first, "a new attempt");
    let paid = pay(PaymentSource::Method(card(APPROVED))).await.unwrap();
    assert_eq!(paid.invoice.status, InvoiceStatus::Paid);
    super::watched_gateway::answer_bank(ports, &second, true).await;
    let replay = confirm().await.unwrap();
    assert_eq!(replay.invoice.status, InvoiceStatus::Paid);
    let captures = seen.captured_since(before);
    assert_eq!(captures.len(), 1, "only the new card: {captures:?}");
    let run = billing::run(ports).await.unwrap();
    assert_eq!((run.charged, run.declined), (0, 0), "paid already");
}

with_clock_on_both_engines!(refusing_at_the_bank_leaves_the_invoice_payable: refused_embedded, refused_cloud);

/// The epoch second the billing run tries the invoice's period again.
async fn next_try(ports: &Ports, bill: &Invoice) -> i64 {
    let InvoiceFor::Period {
        service_id, from, ..
    } = &bill.about
    else {
        panic!("a period's invoice");
    };
    let key = hostfront::store::Key::new(format!("SERVICE#{service_id}"), format!("PERIOD#{from}"));
    let period = ports.table.get(&key).await.unwrap().unwrap();
    period.get("next_attempt").and_then(Value::as_i64).unwrap()
}

async fn a_holder_who_never_comes_back_holds_nothing_for_long(clock: &ManualClock, ports: &Ports) {
    let (ports, seen) = watched(ports.clone());
    let ports = &ports;
    let (customer, bill, _) = left_for_the_holder(clock, ports).await;
    let before = seen.captures.lock().unwrap().len();
    clock.advance_secs(next_try(ports, &bill).await - clock.now_secs());
    let source = saved(ports, &customer).await;
    let waiting = pay::pay_invoice(ports, &customer.id, &bill.number, source)
        .await
        .unwrap();
    let check = check_of(&waiting);
    let run = billing::run(ports).await.unwrap();
    assert_eq!(
        (run.charged, run.declined),
        (0, 0),
        "not tried while its holder is at the bank"
    );
    clock.advance_secs(BANK_SECS + 1);
    let run = billing::run(ports).await.unwrap();
    assert_eq!(
        run.declined + run.suspended,
        1,
        "tried again once the bank's time is over"
    );
    super::watched_gateway::answer_bank(ports, &check, true).await;
    let late = pay::bank::confirmed_at_bank(ports, &customer.id, &bill.number).await;
    assert!(
        matches!(
            late,
            Err(PayError::Conflict {
                code: "nothing_to_confirm",
                ..
            })
        ),
        "{late:?}"
    );
    assert!(seen.captured_since(before).is_empty(), "nothing captured");
}

with_clock_on_both_engines!(a_holder_who_never_comes_back_holds_nothing_for_long: abandoned_embedded, abandoned_cloud);

fn code((status, body): (u16, Value)) -> (u16, String) {
    let code = body["error"]["code"].as_str().unwrap_or("none");
    (status, code.to_string())
}

/// Pays `number` with the saved card over HTTP: the bank's check it is sent to.
async fn to_the_bank(ada: &Shopper<'_>, number: &str) -> String {
    let (status, waiting) = ada
        .post(&format!("/api/invoices/{number}/pay"), json!({}), None)
        .await;
    assert_eq!(status, 200, "{waiting}");
    assert_eq!(waiting["status"], "open");
    assert_eq!(waiting["number"], number);
    let url = waiting["payment_action_url"].as_str().unwrap();
    url.split("check=").nth(1).unwrap().to_string()
}

async fn the_portal_pays_through_the_bank(clock: &ManualClock, ports: &Ports) {
    let (customer, bill, _) = left_for_the_holder(clock, ports).await;
    let app = App::serve(ports.clone()).await;
    let ada = log_in(&app, &customer.email).await;
    let number = bill.number.as_str();
    let confirm = format!("/api/invoices/{number}/pay/confirm");
    assert_eq!(
        code(ada.post(&confirm, json!({}), None).await),
        (409, "nothing_to_confirm".into())
    );

    let check = to_the_bank(&ada, number).await;
    let answer = format!("/api/payments/simulated-bank/{check}");
    let (status, back) = ada.post(&answer, json!({"confirmed": false}), None).await;
    assert_eq!(status, 200, "{back}");
    assert!(
        back["return_url"]
            .as_str()
            .unwrap()
            .ends_with(&format!("/portal.html?confirmed={number}")),
        "{back}"
    );
    assert_eq!(
        code(ada.post(&confirm, json!({}), None).await),
        (402, "authentication_failed".into())
    );

    let check = to_the_bank(&ada, number).await;
    let answer = format!("/api/payments/simulated-bank/{check}");
    let (eve, _) = hostfront_tests::customer(ports, &fresh_username()).await;
    let eve = log_in(&app, &eve.email).await;
    let (status, _) = eve.post(&answer, json!({"confirmed": true}), None).await;
    assert_eq!(status, 404, "another customer's check");
    assert_eq!(eve.post(&confirm, json!({}), None).await.0, 404);
    let (status, _) = ada.post(&answer, json!({"confirmed": true}), None).await;
    assert_eq!(status, 200);
    ada.confirms_paid_twice(&confirm).await;
    let (_, services) = ada.get("/api/services").await;
    assert_eq!(services[0]["status"], "active");
}

with_clock_on_both_engines!(the_portal_pays_through_the_bank: over_http_embedded, over_http_cloud);
