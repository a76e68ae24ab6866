//! Disputes (chargebacks) reach the console through Stripe's
//! `charge.dispute.*` events, sent by the stand-in signed as Stripe signs
//! them, on both engines: the order the charge paid for shows its dispute
//! with reason and amount, in the customer's file too, the dashboard lists
//! it while open, its closing updates it, and an older report arriving
//! late changes nothing.

use hostfront::staff::Role;
use hostfront_tests::App;
use hostfront_tests::staff::Clerk;
use hostfront_tests::stripe_server::StripeServer;
use serde_json::{Value, json};

use crate::stripe_events::on_stripe;
use crate::stripe_refund_events::paid_on_stripe;

async fn open_disputes(admin: &Clerk<'_>) -> Value {
    let (status, dashboard) = admin.get("/api/admin/dashboard").await;
    assert_eq!(status, 200, "{dashboard}");
    dashboard["open_disputes"].clone()
}

async fn shown(admin: &Clerk<'_>, order: &str, customer: &str) -> (Value, Value) {
    let (status, order) = admin.get(&format!("/api/admin/orders/{order}")).await;
    assert_eq!(status, 200, "{order}");
    let (status, file) = admin.get(&format!("/api/admin/customers/{customer}")).await;
    assert_eq!(status, 200, "{file}");
    (order["disputes"].clone(), file["disputes"].clone())
}

async fn disputes_reach_the_console(app: &App, stripe: &StripeServer) {
    let endpoint = app.url("/api/payments/events");
    stripe.send_events_to(&endpoint);
    let admin = Clerk::log_in(app, Role::Admin).await;
    let (_, order, invoice) = paid_on_stripe(app, stripe).await;
    let number = invoice["number"].as_str().unwrap();
    let customer = invoice["customer_id"].as_str().unwrap();
    let charge = stripe.charge_paying(number);
    assert_eq!(open_disputes(&admin).await, json!([]));

    let (opened, status) = stripe.dispute(&charge, "fraudulent").await;
    assert_eq!(status, 200);
    let dispute = &opened["data"]["object"];
    let open = open_disputes(&admin).await;
    assert_eq!(open.as_array().map(Vec::len), Some(1), "{open}");
    assert_eq!(open[0]["id"], dispute["id"]);
    assert_eq!(open[0]["invoice_number"], number);
    assert_eq!(open[0]["about"]["order_id"], order.as_str());
    assert_eq!(
        (&open[0]["reason"], &open[0]["amount"], &open[0]["status"]),
        (
            &json!("fraudulent"),
            &invoice["total"],
            &json!("needs_response")
        )
    );
    let (on_order, in_file) = shown(&admin, &order, customer).await;
    assert_eq!((&on_order, &in_file), (&open, &open));

    let (closed, status) = stripe.close_dispute(&charge, "lost").await;
    assert_eq!(status, 200);
    assert_eq!(open_disputes(&admin).await, json!([]));
    let (on_order, in_file) = shown(&admin, &order, customer).await;
    assert_eq!(on_order, in_file);
    assert_eq!(
        (&on_order[0]["status"], &on_order[0]["open"]),
        (&json!("lost"), &json!(false))
    );

    // The opening report, delivered late as another event: changes nothing.
    let mut late = opened.clone();
    late["id"] = json!("evt_late_opening");
    late["created"] = json!(closed["created"].as_i64().unwrap() - 60);
    assert_eq!(stripe.send(&endpoint, &late).await, 200);
    assert_eq!(shown(&admin, &order, customer).await.0, on_order);

    // A dispute of a charge that paid nothing of ours: taken, logged.
    let mut stranger = opened.clone();
    stranger["id"] = json!("evt_stranger_dispute");
    stranger["data"]["object"]["charge"] = json!("ch_not_ours");
    assert_eq!(stripe.send(&endpoint, &stranger).await, 200);
    assert_eq!(open_disputes(&admin).await, json!([]));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn disputes_embedded() {
    let stripe = StripeServer::start().await;
    let app = App::embedded_with(on_stripe(&stripe)).await;
    disputes_reach_the_console(&app, &stripe).await;
    app.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn disputes_cloud() {
    let stripe = StripeServer::start().await;
    let app = App::cloud_with(on_stripe(&stripe)).await;
    disputes_reach_the_console(&app, &stripe).await;
    app.shutdown().await.unwrap();
}
