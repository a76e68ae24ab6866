//! Names hoarded with unpaid orders: the unpaid count is exact, a hold ends
//! when it was set to end whatever the cards tried meanwhile, and placing
//! and paying are rate limited.

use hostfront::adapters::sim::{APPROVED, DECLINED};
use hostfront::clock::ManualClock;
use hostfront::orders::checkout;
use hostfront::orders::create;
use hostfront::orders::{self, OrderError, OrderStatus};
use hostfront_tests::shopper::{Shopper, card, fresh_username, hosting, register};
use hostfront_tests::{App, cloud_ports_with, customer, embedded_ports_with};
use serde_json::json;

on_both_engines!(exact_unpaid_limit: exact_unpaid_limit_embedded, exact_unpaid_limit_cloud);

/// Forty orders at once from one account, five allowed: exactly five. (On
/// moto, nine: it copies every table of the test process for each
/// transaction, and all these orders race for the one invoice counter; the
/// requests may take a while there.)
async fn exact_unpaid_limit(app: &App) {
    let burst = if app.ports.table.engine() == "dynamodb" {
        9
    } else {
        40
    };
    let ada = Shopper::sign_up(app, &format!("{}@example.com", fresh_username()), "GB").await;
    let limit = 5;
    assert!(
        app.ports.config.max_unpaid_orders >= 40,
        "the test sets its own limit below"
    );
    let mut server = app.server.clone();
    server.limits.request_timeout = std::time::Duration::from_secs(120);
    let limited = App::serve_with(
        hostfront::Ports {
            config: std::sync::Arc::new(hostfront::config::Config {
                max_unpaid_orders: limit,
                ..(*app.ports.config).clone()
            }),
            ..app.ports.clone()
        },
        server,
    )
    .await;
    let ada = Shopper {
        app: &limited,
        cookie: ada.cookie,
    };
    let labels: Vec<String> = (0..burst).map(|_| fresh_username()).collect();
    let orders = labels
        .iter()
        .map(|l| ada.order(hosting("subdomain", l, &fresh_username())));
    let answers = futures::future::join_all(orders).await;
    let placed: Vec<&serde_json::Value> = answers
        .iter()
        .filter(|(s, _)| *s == 201)
        .map(|(_, b)| b)
        .collect();
    let refused = answers
        .iter()
        .filter(|(s, b)| *s == 409 && b["error"]["code"] == "too_many_unpaid_orders")
        .count();
    assert_eq!(
        (placed.len(), refused),
        (limit as usize, burst - limit as usize),
        "{answers:?}"
    );

    // Cancelling one frees its names at once and makes room for one more.
    let cancelled = placed[0]["id"].as_str().unwrap();
    let label = placed[0]["domain"]["name"]
        .as_str()
        .unwrap()
        .split('.')
        .next()
        .unwrap()
        .to_string();
    // Twenty cancellations at once: one cancels, the rest are told it is done,
    // and the count is freed once (the order after next finds it full again).
    let path = format!("/api/orders/{cancelled}/cancel");
    let answers =
        futures::future::join_all((0..20).map(|_| ada.post(&path, json!({}), None))).await;
    let refused = answers
        .iter()
        .filter(|(s, b)| *s == 409 && b["error"]["code"] == "not_cancellable")
        .count();
    let (status, order) = answers
        .iter()
        .find(|(s, _)| *s == 200)
        .cloned()
        .unwrap_or_default();
    assert_eq!(refused, 19, "{answers:?}");
    assert_eq!(
        (
            status,
            order["status"].as_str(),
            order["invoice"]["status"].as_str()
        ),
        (200, Some("cancelled"), Some("void")),
        "{order}"
    );
    let (status, again) = ada
        .post(&format!("/api/orders/{cancelled}/cancel"), json!({}), None)
        .await;
    assert_eq!(
        (status, again["error"]["code"].as_str()),
        (409, Some("not_cancellable"))
    );
    let (_, _, check) = limited
        .get(&format!("/api/subdomains/check?name={label}"))
        .await;
    assert_eq!(check["available"], true, "{check}");
    let (status, _) = ada
        .order(hosting("subdomain", &label, &fresh_username()))
        .await;
    assert_eq!(status, 201);
    let (status, _) = ada
        .order(hosting("subdomain", &fresh_username(), &fresh_username()))
        .await;
    assert_eq!(status, 409, "full again");

    // A paid order leaves the count.
    let (_, mine) = ada.get("/api/orders").await;
    let unpaid = mine
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["status"] == "awaiting_payment")
        .unwrap();
    let (status, _) = ada
        .pay(unpaid["id"].as_str().unwrap(), APPROVED, "GB")
        .await;
    assert_eq!(status, 200);
    let (status, _) = ada
        .order(hosting("subdomain", &fresh_username(), &fresh_username()))
        .await;
    assert_eq!(status, 201, "paying one made room");
    limited.shutdown().await.unwrap();
}

fn one_unpaid_order(c: &mut hostfront::settings::Settings) {
    c.policy.max_unpaid_orders = 1;
    c.policy.declines_per_order = 100;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn declined_cards_never_extend_a_hold_embedded() {
    let clock = ManualClock::starting_now();
    let (_dir, ports) = embedded_ports_with(&clock, one_unpaid_order);
    declined_cards_never_extend_a_hold(&clock, &ports).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn declined_cards_never_extend_a_hold_cloud() {
    let clock = ManualClock::starting_now();
    let (_dir, ports) = cloud_ports_with(&clock, one_unpaid_order).await;
    declined_cards_never_extend_a_hold(&clock, &ports).await;
}

/// Declined cards do not stretch a hold: it ends a week after the order,
/// the lapsed order is cancelled, and its place in the count is free again.
async fn declined_cards_never_extend_a_hold(clock: &ManualClock, ports: &hostfront::Ports) {
    let ports = ports.clone();
    hostfront::catalog::seed_demo(ports.table.as_ref())
        .await
        .unwrap();
    let (ada, _) = customer(&ports, "ada").await;
    let (bob, _) = customer(&ports, "bob").await;
    let placed = create::place(
        &ports,
        &ada,
        "a1",
        register("holdbakery.com", &fresh_username()),
    )
    .await
    .unwrap();
    for day in 1..=6 {
        clock.advance_secs(86_400);
        let declined = checkout::pay(&ports, &ada, &placed.view.id, card(DECLINED)).await;
        assert!(
            matches!(declined, Err(OrderError::Declined { .. })),
            "day {day}: {declined:?}"
        );
    }
    clock.advance_secs(86_400 + 60);
    let taken = create::place(
        &ports,
        &bob,
        "b1",
        register("holdbakery.com", &fresh_username()),
    )
    .await;
    assert!(
        taken.is_ok(),
        "the hold ended a week after the order: {taken:?}"
    );
    let late = checkout::pay(&ports, &ada, &placed.view.id, card(APPROVED)).await;
    assert!(
        matches!(
            late,
            Err(OrderError::Conflict {
                code: "reservation_lost",
                ..
            })
        ),
        "{late:?}"
    );

    let full = create::place(
        &ports,
        &ada,
        "a2",
        register("otherbakery.com", &fresh_username()),
    )
    .await;
    assert!(
        matches!(
            full,
            Err(OrderError::Conflict {
                code: "too_many_unpaid_orders",
                ..
            })
        ),
        "{full:?}"
    );
    assert_eq!(orders::unpaid::cancel_lapsed(&ports).await.unwrap(), 1);
    let lapsed = orders::load(&ports, &ada.id, &placed.view.id)
        .await
        .unwrap();
    assert_eq!(
        (lapsed.status, lapsed.payment),
        (OrderStatus::Cancelled, None)
    );
    assert!(
        create::place(
            &ports,
            &ada,
            "a3",
            register("otherbakery.com", &fresh_username())
        )
        .await
        .is_ok()
    );
    assert_eq!(
        orders::unpaid::cancel_lapsed(&ports).await.unwrap(),
        0,
        "bob's order is young"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn placing_and_paying_are_rate_limited() {
    let app = App::embedded_with(|c| {
        c.policy.purchase_per_minute = 2;
        c.policy.purchase_window_limit = 1000;
    })
    .await;
    let ada = Shopper::sign_up(&app, "ada@example.com", "GB").await;
    let mut answers = Vec::new();
    for _ in 0..3 {
        answers.push(
            ada.order(hosting("subdomain", &fresh_username(), &fresh_username()))
                .await,
        );
    }
    assert_eq!(answers[0].0, 201);
    let (status, error) = &answers[2];
    assert_eq!(
        (*status, error["error"]["code"].as_str()),
        (429, Some("rate_limited")),
        "{answers:?}"
    );
    let retry = hostfront_tests::http()
        .post(app.url("/api/orders/01JAAAAAAAAAAAAAAAAAAAAAAA/pay"))
        .header("cookie", &ada.cookie)
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(retry.status().as_u16(), 429, "paying counts too");
    assert!(retry.headers().get("retry-after").is_some());
    app.shutdown().await.unwrap();
}
