//! The simulated payment provider's dashboard, on both engines: what an
//! admin does there (a refund at the provider, a dispute opened and lost,
//! the card updater's new expiry) changes the simulation's own state and
//! reaches our records through the events it sends to
//! `/api/payments/events`, signed as Stripe signs, delivered by the local
//! process itself. Events it did not sign are refused.

use std::time::Duration;

use hostfront::adapters::sim::{APPROVED, test_method};
use hostfront::staff::Role;
use hostfront_tests::shopper::{Shopper, fresh_username, hosting};
use hostfront_tests::staff::Clerk;
use hostfront_tests::stripe_server::StripeServer;
use hostfront_tests::{App, until};
use serde_json::{Value, json};

const DASHBOARD: &str = "/api/admin/simulated-provider";
/// Deliveries run every two seconds; a few rounds are plenty.
const ARRIVES_WITHIN: Duration = Duration::from_secs(30);

/// A new customer's order paid with the simulated provider's test card,
/// kept for later: the customer and the order's invoice.
async fn paid_keeping_the_card(app: &App) -> (Shopper<'_>, Value) {
    let ada = Shopper::sign_up(app, &format!("{}@example.com", fresh_username()), "GB").await;
    let (_, order) = ada
        .order(hosting("subdomain", &fresh_username(), &fresh_username()))
        .await;
    let body = json!({"payment_method": test_method(APPROVED), "billing_country": "GB", "save_card": true});
    let id = order["id"].as_str().unwrap();
    let (status, paid) = ada.post(&format!("/api/orders/{id}/pay"), body, None).await;
    assert_eq!(status, 200, "{paid}");
    (ada, paid["invoice"].clone())
}

/// The dashboard's payment of invoice `number`.
async fn payment_of(admin: &Clerk<'_>, number: &str) -> Value {
    let (status, dashboard) = admin.get(DASHBOARD).await;
    assert_eq!(status, 200, "{dashboard}");
    let payments = dashboard["payments"].as_array().unwrap();
    let found = payments.iter().find(|p| p["reference"] == number);
    found
        .cloned()
        .unwrap_or_else(|| panic!("no payment of {number}: {dashboard}"))
}

async fn open_disputes(admin: &Clerk<'_>) -> Value {
    let (status, dashboard) = admin.get("/api/admin/dashboard").await;
    assert_eq!(status, 200, "{dashboard}");
    dashboard["open_disputes"].clone()
}

/// Waits until `check` holds, as an event's delivery makes it hold.
async fn arrives<F, Fut>(what: &str, check: F)
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    until(ARRIVES_WITHIN, what, check).await;
}

async fn refund_at_the_provider_is_credited(admin: &Clerk<'_>, ada: &Shopper<'_>, number: &str) {
    let payment = payment_of(admin, number).await;
    let charge = payment["id"].as_str().unwrap();
    assert_eq!(payment["refunded"], 0);
    let refunds = format!("{DASHBOARD}/payments/{charge}/refunds");
    for (amount, code) in [(0, 422), (payment["amount"].as_i64().unwrap() + 1, 422)] {
        let (status, refused) = admin.post(&refunds, json!({"amount": amount})).await;
        assert_eq!(status, code, "{amount}: {refused}");
    }
    let (status, unknown) = admin
        .post(
            &format!("{DASHBOARD}/payments/cap_nobody/refunds"),
            json!({"amount": 1}),
        )
        .await;
    assert_eq!(status, 404, "{unknown}");

    let (status, refunded) = admin.post(&refunds, json!({"amount": 250})).await;
    assert_eq!(status, 200, "{refunded}");
    assert_eq!(refunded["refunded"], 250, "the provider holds less");
    assert_eq!(payment_of(admin, number).await["refunded"], 250);
    arrives("the refund's credit note", || async {
        let (_, notes) = ada.get("/api/credit-notes").await;
        notes
            .as_array()
            .is_some_and(|n| n.len() == 1 && n[0]["total"] == 250)
    })
    .await;
    let (_, invoice) = ada.get(&format!("/api/invoices/{number}")).await;
    assert_eq!(invoice["refunded"], 250, "{invoice}");
}

async fn a_dispute_reaches_the_console(admin: &Clerk<'_>, number: &str) {
    let charge = payment_of(admin, number).await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let dispute = format!("{DASHBOARD}/payments/{charge}/dispute");
    let (status, refused) = admin.post(&dispute, json!({"reason": "bored"})).await;
    assert_eq!(status, 422, "{refused}");
    let (status, opened) = admin.post(&dispute, json!({"reason": "fraudulent"})).await;
    assert_eq!(status, 200, "{opened}");
    assert_eq!(opened["dispute"]["status"], "needs_response");
    let (status, again) = admin.post(&dispute, json!({"reason": "general"})).await;
    assert_eq!(status, 409, "one dispute a payment: {again}");
    arrives("the dispute on the dashboard", || async {
        let open = open_disputes(admin).await;
        open.as_array()
            .is_some_and(|o| o.len() == 1 && o[0]["invoice_number"] == number)
    })
    .await;
    let audited = |subject: String| async move {
        let (status, audit) = admin
            .get(&format!("/api/admin/audit?subject={subject}"))
            .await;
        assert_eq!(status, 200, "{audit}");
        let actions = audit["items"].as_array().unwrap().iter();
        actions
            .filter_map(|e| e["action"].as_str().map(str::to_string))
            .collect::<Vec<_>>()
    };
    let told = audited(format!(
        "payment:{}",
        opened["dispute"]["id"].as_str().unwrap()
    ))
    .await;
    assert_eq!(told, ["charge.dispute.created"], "staff are told");
    let acted = audited(format!("payment:{charge}")).await;
    assert!(
        acted.contains(&"simulated_provider.dispute".to_string()),
        "{acted:?}"
    );

    let close = format!("{dispute}/close");
    let (status, closed) = admin.post(&close, json!({"outcome": "lost"})).await;
    assert_eq!(status, 200, "{closed}");
    assert_eq!(closed["dispute"]["status"], "lost");
    let (status, _) = admin.post(&close, json!({"outcome": "won"})).await;
    assert_eq!(status, 409, "closed already");
    arrives("the dispute closed", || async {
        open_disputes(admin).await == json!([])
    })
    .await;
}

async fn the_card_updater_reaches_the_saved_card(admin: &Clerk<'_>, ada: &Shopper<'_>) {
    let (status, saved) = ada.get("/api/payment-method").await;
    assert_eq!(status, 200, "{saved}");
    let (_, dashboard) = admin.get(DASHBOARD).await;
    let card = &dashboard["cards"].as_array().unwrap()[0];
    assert_eq!(card["last4"], saved["last4"]);
    let token = card["token"].as_str().unwrap();
    let year = i64::from(time::OffsetDateTime::now_utc().year()) + 2;
    assert_ne!(
        (&saved["exp_month"], &saved["exp_year"]),
        (&json!(7), &json!(year))
    );
    let expiry = format!("{DASHBOARD}/cards/{token}/expiry");
    let send = |body: Value| admin.send(reqwest::Method::PUT, &expiry, body);
    let (status, refused) = send(json!({"month": 13, "year": year})).await;
    assert_eq!(status, 422, "{refused}");
    let (status, updated) = send(json!({"month": 7, "year": year})).await;
    assert_eq!(status, 200, "{updated}");
    arrives("the saved card's new expiry", || async {
        let (_, now) = ada.get("/api/payment-method").await;
        now["exp_month"] == 7 && now["exp_year"] == year
    })
    .await;
}

async fn dashboard_actions_reach_our_records(app: &App) {
    let admin = Clerk::log_in(app, Role::Admin).await;
    let billing = Clerk::log_in(app, Role::Billing).await;
    let (status, _) = billing.get(DASHBOARD).await;
    assert_eq!(status, 403, "admins only");
    let (ada, invoice) = paid_keeping_the_card(app).await;
    let number = invoice["number"].as_str().unwrap();
    refund_at_the_provider_is_credited(&admin, &ada, number).await;
    a_dispute_reaches_the_console(&admin, number).await;
    the_card_updater_reaches_the_saved_card(&admin, &ada).await;

    let (_, dashboard) = admin.get(DASHBOARD).await;
    let events = dashboard["events"].as_array().unwrap();
    let kinds: Vec<&str> = events
        .iter()
        .rev()
        .filter_map(|e| e["type"].as_str())
        .collect();
    assert_eq!(
        kinds,
        [
            "charge.refunded",
            "charge.dispute.created",
            "charge.dispute.closed",
            "payment_method.automatically_updated"
        ]
    );
    assert!(
        events.iter().all(|e| e["state"] == "delivered"),
        "{dashboard}"
    );
}

on_both_engines!(dashboard_actions_reach_our_records: dashboard_embedded, dashboard_cloud);

async fn events_it_did_not_sign_are_refused(app: &App) {
    let body = json!({"id": "evt_forged", "object": "event", "type": "charge.refunded",
        "created": 1, "data": {"object": {"id": "cap_x", "object": "charge", "amount_refunded": 1}}})
    .to_string();
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let forged = [
        hostfront::adapters::webhook_signature::sign("whsec_guessed", body.as_bytes(), now),
        format!("t={now},v1={}", "00".repeat(32)),
    ];
    for signature in forged {
        let answer = reqwest::Client::new()
            .post(app.url("/api/payments/events"))
            .header("stripe-signature", &signature)
            .header("content-type", "application/json")
            .body(body.clone())
            .send()
            .await
            .unwrap();
        assert_eq!(answer.status(), 403, "{signature}");
        let error: Value = answer.json().await.unwrap();
        assert_eq!(error["error"]["code"], "invalid_signature");
    }
}

on_both_engines!(events_it_did_not_sign_are_refused: forged_embedded, forged_cloud);

/// Where a real provider takes the payments, there is no simulated dashboard.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_dashboard_beside_a_real_provider() {
    let stripe = StripeServer::start().await;
    let app = App::embedded_with(crate::stripe_events::on_stripe(&stripe)).await;
    let admin = Clerk::log_in(&app, Role::Admin).await;
    let (status, body) = admin.get(DASHBOARD).await;
    assert_eq!(status, 404, "{body}");
    app.shutdown().await.unwrap();
}
