//! A VAT number VIES cannot answer about (its member state is down) is kept
//! as pending: invoices go on at the consumer's rate; the hourly recheck
//! asks again, and once VIES confirms it, each invoice issued meanwhile
//! gets a credit note of its VAT, the VAT becomes account credit, and the
//! next invoices are reverse-charged; a second recheck changes nothing.
//! Once VIES says a pending number is not valid, it is dropped and the
//! customer told by mail. Over the VIES adapter and its stand-in.

use std::time::Duration;

use hostfront::adapters::sim::APPROVED;
use hostfront::scheduler::Task;
use hostfront::settings::{Settings, TaxIdsChoice};
use hostfront_tests::App;
use hostfront_tests::vies_server::{REQUESTER, ViesServer};
use serde_json::{Value, json};

use super::{buyer, german_seller, ordered_invoice, taxed};

const NUMBER: &str = "FR12345678901";
const UNKNOWN: &str = "FR98765432109";

fn asking(vies: &ViesServer) -> impl FnOnce(&mut Settings) {
    let settings = vies.settings(Some(REQUESTER), Duration::from_secs(5));
    move |s| {
        german_seller(s);
        s.adapters.tax_ids = TaxIdsChoice::Vies(settings);
    }
}

async fn recheck(app: &App) -> String {
    Task::RecheckVatNumbers
        .run(&app.ports)
        .await
        .expect("the recheck runs")
}

async fn give(shopper: &hostfront_tests::shopper::Shopper<'_>, number: &str) -> Value {
    let (status, kept) = shopper
        .put(
            "/api/account/vat-number",
            json!({"vat_number": number}),
            None,
        )
        .await;
    assert_eq!(status, 200, "{kept}");
    kept
}

async fn pending_then_confirmed_then_corrected(app: &App, vies: &ViesServer) {
    vies.register(NUMBER, "ACME SARL", "1 RUE DE RIVOLI\n75001 PARIS");
    vies.member_state_down("FR");
    let business = buyer(app, "FR").await;
    assert_eq!(give(&business, NUMBER).await["status"], "pending");

    let (invoice, order_id) = ordered_invoice(&business).await;
    assert_eq!(taxed(&invoice), ("oss", 2000, "FR"));
    assert_eq!(
        invoice["taxation"]["evidence"]["vat_number"]["status"],
        "pending"
    );
    let (status, paid) = business.pay(&order_id, APPROVED, "FR").await;
    assert_eq!(status, 200, "{paid}");
    let vat = invoice["tax"].as_i64().unwrap();
    assert!(vat > 0);

    let outcome = recheck(app).await;
    assert!(
        outcome.contains("0 confirmed") && outcome.contains("1 still waiting"),
        "{outcome}"
    );
    let (_, notes) = business.get("/api/credit-notes").await;
    assert_eq!(notes.as_array().map(Vec::len), Some(0), "{notes}");

    vies.member_state_up("FR");
    let outcome = recheck(app).await;
    assert!(
        outcome.contains("1 confirmed") && outcome.contains("1 invoices corrected"),
        "{outcome}"
    );
    let (_, me) = business.get("/api/me").await;
    assert_eq!(me["vat"]["status"], "valid", "{me}");
    assert!(
        me["vat"]["consultation"].is_string(),
        "VIES's consultation number is kept: {me}"
    );
    assert_eq!(me["vat"]["name"], "ACME SARL");

    let (_, notes) = business.get("/api/credit-notes").await;
    let notes = notes.as_array().unwrap().clone();
    assert_eq!(notes.len(), 1, "{notes:?}");
    let note = &notes[0];
    assert_eq!(note["invoice_number"], invoice["number"]);
    assert_eq!(
        (
            note["subtotal"].as_i64(),
            note["tax"].as_i64(),
            note["total"].as_i64()
        ),
        (Some(0), Some(vat), Some(vat))
    );
    assert!(
        note["lines"][0]["description"]
            .as_str()
            .unwrap()
            .contains("Article 196"),
        "{note}"
    );
    let customer_id = hostfront::CustomerId::new(me["id"].as_str().unwrap());
    let (balance, _) = hostfront::billing::credit::balance(app.ports.table.as_ref(), &customer_id)
        .await
        .unwrap();
    assert_eq!(balance, vat, "the VAT charged is the customer's credit");

    let outcome = recheck(app).await;
    assert!(outcome.contains("0 invoices corrected"), "{outcome}");
    let (_, again) = business.get("/api/credit-notes").await;
    assert_eq!(
        again.as_array().map(Vec::len),
        Some(1),
        "corrected once: {again}"
    );

    let (invoice, _) = ordered_invoice(&business).await;
    assert_eq!(taxed(&invoice), ("reverse_charge", 0, "FR"));
    assert_eq!(invoice["buyer"]["tax_id"], NUMBER);
}

async fn pending_then_not_valid_is_dropped_and_told(app: &App, vies: &ViesServer) {
    vies.member_state_down("FR");
    let business = buyer(app, "FR").await;
    assert_eq!(give(&business, UNKNOWN).await["status"], "pending");
    vies.member_state_up("FR");
    let outcome = recheck(app).await;
    assert!(outcome.contains("1 not valid"), "{outcome}");
    let (_, me) = business.get("/api/me").await;
    assert!(me.get("vat").is_none(), "{me}");
    let mails = hostfront::mail::outbox(&app.ports, 100).await.unwrap();
    let told = mails
        .iter()
        .find(|m| m.to == me["email"] && m.subject.contains(UNKNOWN))
        .expect("the customer is told");
    assert!(told.text.contains("not valid"), "{}", told.text);
    let (invoice, _) = ordered_invoice(&business).await;
    assert_eq!(taxed(&invoice), ("oss", 2000, "FR"));
}

/// Given again once VIES is back, before the recheck: valid at once, and
/// the recheck still corrects what was invoiced while it was pending.
async fn given_again_once_valid_is_corrected_by_the_recheck(app: &App, vies: &ViesServer) {
    const AGAIN: &str = "FR55555555555";
    vies.register(AGAIN, "BISTRO SAS", "LYON");
    vies.member_state_down("FR");
    let business = buyer(app, "FR").await;
    assert_eq!(give(&business, AGAIN).await["status"], "pending");
    let (invoice, _) = ordered_invoice(&business).await;
    assert_eq!(taxed(&invoice), ("oss", 2000, "FR"));
    vies.member_state_up("FR");
    assert_eq!(give(&business, AGAIN).await["status"], "valid");
    let outcome = recheck(app).await;
    assert!(outcome.contains("1 invoices corrected"), "{outcome}");
    let (_, notes) = business.get("/api/credit-notes").await;
    assert_eq!(notes[0]["invoice_number"], invoice["number"], "{notes}");
    assert!(recheck(app).await.contains("0 invoices corrected"));
}

async fn the_pending_story(app: &App, vies: &ViesServer) {
    pending_then_confirmed_then_corrected(app, vies).await;
    pending_then_not_valid_is_dropped_and_told(app, vies).await;
    given_again_once_valid_is_corrected_by_the_recheck(app, vies).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pending_embedded() {
    let vies = ViesServer::start().await;
    let app = App::embedded_with(asking(&vies)).await;
    the_pending_story(&app, &vies).await;
    app.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pending_cloud() {
    let vies = ViesServer::start().await;
    let app = App::cloud_with(asking(&vies)).await;
    the_pending_story(&app, &vies).await;
    app.shutdown().await.unwrap();
}
