//! The figures behind the console's charts, on both engines: orders each
//! day, the monthly recurring revenue at each month's end, revenue, churn
//! and renewals due, across a month's last minute and a leap day; billing
//! staff get them, support does not; a bad number of months is refused.

use hostfront::Ports;
use hostfront::audit::Actor;
use hostfront::billing::invoice::Invoice;
use hostfront::billing::refund::{self, RefundRequest};
use hostfront::clock::{Clock, ManualClock};
use hostfront::staff::Role;
use hostfront::staff::charts::{Charts, charts};
use hostfront::stats::monthly;
use hostfront::subscriptions::cancel::{self, Acting, When};
use hostfront::subscriptions::{self, Subscription};
use hostfront::{CustomerId, OrderId};
use std::time::Duration;

use hostfront::adapters::sim::APPROVED;
use hostfront_tests::shopper::{Shopper, fresh_domain, fresh_username, hosting, register};
use hostfront_tests::staff::Clerk;
use hostfront_tests::{App, customer_with_live_order, eventually};
use serde_json::json;

/// A customer's live order made now, with its service and invoice.
async fn live(ports: &Ports) -> (CustomerId, OrderId, Subscription, Invoice) {
    let request = register(&fresh_domain(), &fresh_username());
    let (customer, order) = customer_with_live_order(ports, request).await;
    let table = ports.table.as_ref();
    let service = subscriptions::of_customer(table, &customer.id)
        .await
        .unwrap()
        .remove(0);
    let bill = Invoice::read(table, &order).await.unwrap();
    (customer.id, order, service, bill)
}

fn set_clock(clock: &ManualClock, at: time::OffsetDateTime) {
    clock.advance_secs(at.unix_timestamp() - clock.now_secs());
}

/// The service ends now and is torn down, as its job does.
async fn end_now(ports: &Ports, customer: &CustomerId, service: &str) {
    let by = Acting {
        actor: Actor::Customer(customer.clone()),
        client: None,
        role: None,
    };
    let ended = cancel::request(ports, by, customer, service, When::Now)
        .await
        .unwrap();
    assert!(ended.ended_at.is_some(), "{ended:?}");
    cancel::tear_down(ports, customer, service).await.unwrap();
}

/// A customer's order paid over HTTP, once its worker has made it live:
/// its service and invoice.
async fn live_over_http(app: &App) -> (Subscription, Invoice) {
    let ada = Shopper::sign_up(app, &format!("{}@example.com", fresh_username()), "GB").await;
    let (_, order) = ada
        .order(hosting("subdomain", &fresh_username(), &fresh_username()))
        .await;
    let (status, paid) = ada.pay(order["id"].as_str().unwrap(), APPROVED, "GB").await;
    assert!([200, 202].contains(&status), "the payment: {status} {paid}");
    let customer = CustomerId::new(paid["invoice"]["customer_id"].as_str().unwrap());
    let table = app.ports.table.as_ref();
    let service = eventually(Duration::from_secs(30), "the service live", || async {
        let mut services = subscriptions::of_customer(table, &customer).await.unwrap();
        services.pop().ok_or("no service yet")
    })
    .await;
    let order = OrderId::new(order["id"].as_str().unwrap());
    (service, Invoice::read(table, &order).await.unwrap())
}

fn usd(of: &Charts, month: usize, chart: &str) -> i64 {
    let rows = match chart {
        "mrr" => &of.monthly_recurring_revenue,
        _ => &of.revenue,
    };
    rows[month].amounts.get("USD").copied().unwrap_or(0)
}

/// A service made in January's last minute counts in January, one made a
/// minute into February and one on the leap day's last minute in
/// February; a service ended and a refund made a minute into March count
/// in March.
async fn months_end_at_utc_midnight_and_leap_days_count(clock: &ManualClock, ports: &Ports) {
    use time::macros::datetime;
    set_clock(clock, datetime!(2028-01-31 23:59:00 UTC));
    let (ada, _, january, january_bill) = live(ports).await;
    set_clock(clock, datetime!(2028-02-01 00:00:30 UTC));
    let (_, _, february, february_bill) = live(ports).await;
    set_clock(clock, datetime!(2028-02-29 23:59:00 UTC));
    let (_, _, leap, leap_bill) = live(ports).await;
    set_clock(clock, datetime!(2028-03-01 00:00:30 UTC));
    end_now(ports, &ada, &january.id).await;
    let admin = Actor::Staff("stf-admin".into());
    let request = RefundRequest {
        amount: Some(100),
        why: "a discount".into(),
    };
    let refunded = refund::refund(
        ports,
        (&admin, Role::Admin, "127.0.0.1"),
        &leap_bill.number,
        request,
    )
    .await
    .unwrap();

    let shown = charts(ports, 3).await.unwrap();
    let months: Vec<&str> = shown.churn.iter().map(|c| c.month.as_str()).collect();
    assert_eq!(months, ["2028-01", "2028-02", "2028-03"]);

    let days = &shown.orders_by_day;
    assert_eq!(days.len(), 30);
    // February 2028 has 29 days: the last 30 start on its first.
    assert_eq!((days[0].day.as_str(), days[0].orders), ("2028-02-01", 1));
    assert_eq!((days[28].day.as_str(), days[28].orders), ("2028-02-29", 1));
    assert_eq!((days[29].day.as_str(), days[29].orders), ("2028-03-01", 0));
    assert_eq!(days.iter().map(|d| d.orders).sum::<i64>(), 2);

    let each = |s: &Subscription| monthly(s.price, &s.cycle);
    let (a, b, c) = (each(&january), each(&february), each(&leap));
    assert!(a > 0, "{january:?}");
    assert_eq!(usd(&shown, 0, "mrr"), a, "the end of January");
    assert_eq!(usd(&shown, 1, "mrr"), a + b + c, "the end of February");
    assert_eq!(usd(&shown, 2, "mrr"), b + c, "now");

    assert_eq!(usd(&shown, 0, "revenue"), january_bill.subtotal);
    assert_eq!(
        usd(&shown, 1, "revenue"),
        february_bill.subtotal + leap_bill.subtotal
    );
    assert_eq!(usd(&shown, 2, "revenue"), -refunded.credit_note.subtotal);

    let churn: Vec<(i64, i64)> = shown
        .churn
        .iter()
        .map(|c| (c.live_at_start, c.ended))
        .collect();
    assert_eq!(churn, [(0, 0), (1, 0), (3, 1)]);

    // February's service is due today, the leap day's on March 29; the
    // ended one is no longer due.
    let due: Vec<(i64, i64)> = shown
        .renewals_due
        .iter()
        .map(|w| (w.services, w.amounts.get("USD").copied().unwrap_or(0)))
        .collect();
    assert_eq!(due, [(2, february.price + leap.price), (0, 0), (0, 0)]);
    assert_eq!(shown.renewals_due[1].from_day, 31);
}

with_clock_on_both_engines!(months_end_at_utc_midnight_and_leap_days_count: chart_months_embedded, chart_months_cloud);

async fn billing_staff_get_the_figures_support_does_not(app: &App) {
    let (service, bill) = live_over_http(app).await;
    let support = Clerk::log_in(app, Role::Support).await;
    let (status, refused) = support.get("/api/admin/reports/charts").await;
    assert_eq!(
        (status, &refused["error"]["code"]),
        (403, &json!("forbidden"))
    );

    let billing = Clerk::log_in(app, Role::Billing).await;
    let (status, shown) = billing.get("/api/admin/reports/charts").await;
    assert_eq!(status, 200, "{shown}");
    let now = 11;
    assert_eq!(shown["churn"].as_array().unwrap().len(), 12);
    assert_eq!(shown["orders_by_day"][29]["orders"], 1, "{shown}");
    assert_eq!(
        shown["monthly_recurring_revenue"][now]["amounts"]["USD"],
        monthly(service.price, &service.cycle)
    );
    assert_eq!(shown["revenue"][now]["amounts"]["USD"], bill.subtotal);
    assert_eq!(
        shown["churn"][now],
        json!({"month": shown["churn"][now]["month"], "live_at_start": 0, "ended": 0})
    );
    let due: i64 = shown["renewals_due"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["services"].as_i64().unwrap())
        .sum();
    assert_eq!(due, 1, "a month from now: {shown}");

    let (status, two) = billing.get("/api/admin/reports/charts?months=2").await;
    assert_eq!((status, two["revenue"].as_array().unwrap().len()), (200, 2));
    for bad in ["0", "37"] {
        let (status, error) = billing
            .get(&format!("/api/admin/reports/charts?months={bad}"))
            .await;
        assert_eq!(
            (status, &error["error"]["code"]),
            (422, &json!("invalid_months")),
            "{bad}"
        );
    }
    let (status, error) = billing.get("/api/admin/reports/charts?months=many").await;
    assert_eq!(
        (status, &error["error"]["code"]),
        (400, &json!("invalid_query"))
    );
}

on_both_engines!(billing_staff_get_the_figures_support_does_not: charts_http_embedded, charts_http_cloud);
