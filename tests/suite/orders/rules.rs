//! The rules around orders: bad orders change nothing, review rules and full
//! servers hold orders in plain words, unpaid holds, username checks.

use hostfront::adapters::sim::APPROVED;
use hostfront::clock::ManualClock;
use hostfront::orders::checkout;
use hostfront::orders::create;
use hostfront::orders::{self, OrderStatus};
use hostfront::store::ItemExt;
use hostfront::{CustomerId, OrderId};
use hostfront_tests::shopper::{Shopper, card, fresh_domain, fresh_username, hosting, register};
use hostfront_tests::{App, embedded_ports_with};
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_orders_are_refused_and_change_nothing() {
    let app = App::embedded().await;
    let ada = Shopper::sign_up(&app, "ada@example.com", "GB").await;
    let (status, _) = app
        .post_with(
            "/api/orders",
            &hosting("register", &fresh_domain(), "bakery"),
            &[("idempotency-key", "k")],
        )
        .await;
    assert_eq!(status, 401, "logged-in customers only");
    let cases = [
        (
            json!({"plan_id": "nope", "cycle": "monthly", "domain": {"action": "register", "name": "ok-bakery.com"}, "username": "bakery", "password": "sourdough starter rises"}),
            "unknown_plan",
        ),
        (
            json!({"plan_id": "web-starter", "cycle": "weekly", "domain": {"action": "register", "name": "ok-bakery.com"}, "username": "bakery", "password": "sourdough starter rises"}),
            "invalid_cycle",
        ),
        (
            json!({"plan_id": "web-starter", "cycle": "monthly", "domain": {"action": "register", "name": "ok-bakery.com"}, "username": "1x", "password": "sourdough starter rises"}),
            "invalid_username",
        ),
        (
            json!({"plan_id": "web-starter", "cycle": "monthly", "domain": {"action": "register", "name": "ok-bakery.com"}, "username": "bakery", "password": "password123"}),
            "weak_password",
        ),
        (
            json!({"plan_id": "web-starter", "cycle": "monthly", "domain": {"action": "register", "name": "ok-bakery.com"}, "username": "bakery"}),
            "password_required",
        ),
        (
            json!({"plan_id": "web-starter", "cycle": "monthly", "domain": {"action": "register", "name": "ok-bakery"}, "username": "bakery", "password": "sourdough starter rises"}),
            "incomplete_domain",
        ),
        (
            json!({"plan_id": "web-starter", "cycle": "monthly", "domain": {"action": "register", "name": "ok-bakery.xyz"}, "username": "bakery", "password": "sourdough starter rises"}),
            "tld_not_sold",
        ),
        (
            json!({"plan_id": "web-starter", "cycle": "monthly", "domain": {"action": "transfer", "name": "ok-bakery-unregistered.com", "auth_code": "x"}, "username": "bakery", "password": "sourdough starter rises"}),
            "not_registered",
        ),
        (
            json!({"plan_id": "web-starter", "cycle": "monthly", "domain": {"action": "subdomain", "name": "www"}, "username": "bakery", "password": "sourdough starter rises"}),
            "reserved",
        ),
        (
            json!({"plan_id": "web-starter", "cycle": "monthly", "domain": {"action": "register", "name": "google.com"}, "username": "bakery", "password": "sourdough starter rises"}),
            "domain_unavailable",
        ),
        (
            json!({"plan_id": "web-starter", "cycle": "monthly", "domain": {"action": "register", "name": "ok-bakery.com"}, "username": "bakery", "password": "sourdough starter rises", "generate_password": true}),
            "password_conflict",
        ),
    ];
    for (body, code) in cases {
        let (status, error) = ada.order(body).await;
        assert!((400..500).contains(&status), "{code}: {status}");
        assert_eq!(error["error"]["code"], code, "{error}");
    }
    let (_, mine) = ada.get("/api/orders").await;
    assert_eq!(mine, json!([]), "nothing was written");

    let (status, first) = ada
        .order(hosting("register", "ok-bakery.com", "bakery"))
        .await;
    assert_eq!(status, 201, "{first}");
    let (status, taken) = ada
        .order(hosting("register", "ok-bakery.net", "bakery"))
        .await;
    assert_eq!(
        (status, taken["error"]["code"].as_str()),
        (409, Some("username_taken"))
    );
    let suggestions = taken["error"]["suggestions"].as_array().unwrap();
    assert!(suggestions.contains(&json!("okbakery")), "{suggestions:?}");
    let (status, error) = ada
        .pay(first["id"].as_str().unwrap(), APPROVED, "Germany")
        .await;
    assert_eq!(
        (status, error["error"]["code"].as_str()),
        (422, Some("invalid_country"))
    );
    let (status, _) = ada.get("/api/orders/not-an-id").await;
    assert_eq!(status, 404);
    app.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn review_rules_hold_paid_orders_for_staff() {
    let app = App::embedded_with(|c| {
        c.policy.review_above = 10_000;
        c.policy.review_orders_per_day = 2;
        // The test runs the queue itself, so that it knows when all is done.
        c.server.workers = 0;
    })
    .await;
    let ada = Shopper::sign_up(&app, "ada@example.com", "GB").await;
    let place = |plan: &str| {
        let mut body = hosting("subdomain", &fresh_username(), &fresh_username());
        body["plan_id"] = json!(plan);
        body
    };
    // A billing country that is not the account's.
    let (_, order) = ada.order(place("web-starter")).await;
    let (_, paid) = ada.pay(order["id"].as_str().unwrap(), APPROVED, "US").await;
    assert_eq!(paid["status"], "pending_review", "{paid}");
    // A total above the threshold (a dedicated server with its setup fee).
    let (_, order) = ada.order(place("dedicated-e3")).await;
    let (_, paid) = ada.pay(order["id"].as_str().unwrap(), APPROVED, "GB").await;
    assert_eq!(paid["status"], "pending_review", "{paid}");
    // A third order within a day.
    let (_, order) = ada.order(place("web-starter")).await;
    let (_, paid) = ada.pay(order["id"].as_str().unwrap(), APPROVED, "GB").await;
    assert_eq!(paid["status"], "pending_review", "{paid}");
    assert!(paid["status_message"].as_str().unwrap().contains("checks"));
    // Whatever the payments queued has run: a step would have started by now.
    hostfront_tests::work_off_queue(&app.ports).await;
    let (_, mine) = ada.get("/api/orders").await;
    for order in mine.as_array().unwrap() {
        let steps = order["steps"].as_array().unwrap();
        assert!(
            order["status"] == "pending_review" && steps.iter().all(|s| s["status"] == "pending"),
            "no review order was provisioned: {order}"
        );
    }
    app.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn full_servers_put_orders_on_hold_in_plain_words() {
    let app = App::embedded_with(|c| c.sim.panel_capacity = 0).await;
    let ada = Shopper::sign_up(&app, "ada@example.com", "GB").await;
    let (_, order) = ada
        .order(hosting("subdomain", "fullhouse", "fullhouse"))
        .await;
    let id = order["id"].as_str().unwrap();
    ada.pay(id, APPROVED, "GB").await;
    let held = ada.wait_for(id, "on_hold").await;
    assert_eq!(held["failed_step"], "hosting_account");
    assert!(
        held["customer_message"]
            .as_str()
            .unwrap()
            .contains("need to do nothing"),
        "{held}"
    );
    assert_eq!(held["steps"][0]["status"], "done");
    assert_eq!(held["steps"][1]["status"], "failed");
    let stored = app
        .ports
        .table
        .get(&orders::order_key(
            &app.ports
                .table
                .get(&hostfront::store::Key::new(
                    "EMAIL#ada@example.com",
                    "MARKER",
                ))
                .await
                .unwrap()
                .unwrap()
                .str_attr("customer_id")
                .map(CustomerId::new)
                .unwrap(),
            &OrderId::new(id),
        ))
        .await
        .unwrap()
        .unwrap();
    assert!(
        stored
            .str_attr("hold_reason")
            .unwrap()
            .contains("every server in the shared pool is full")
    );
    app.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unpaid_order_holds_its_domain_for_a_week_and_a_paid_one_for_good() {
    let clock = ManualClock::starting_now();
    let (_dir, ports) = embedded_ports_with(&clock, |_| {});
    hostfront::catalog::seed_demo(ports.table.as_ref())
        .await
        .unwrap();
    let (ada, _) = hostfront_tests::customer(&ports, "ada").await;
    let (bob, _) = hostfront_tests::customer(&ports, "bob").await;
    let order = register;
    let pay = || card(APPROVED);
    let unpaid = create::place(&ports, &ada, "a1", order("quietbakery.com", "quietbakery"))
        .await
        .unwrap();
    let early = create::place(&ports, &bob, "b1", order("quietbakery.com", "bobsbakery")).await;
    assert!(matches!(
        early,
        Err(orders::OrderError::Conflict {
            code: "domain_taken",
            ..
        })
    ));

    // A week later the unpaid hold has lapsed: another customer may order the name,
    // and the first order can no longer be paid (nothing is charged).
    clock.advance_secs(8 * 86_400);
    let later = create::place(&ports, &bob, "b2", order("quietbakery.com", "bobsbakery"))
        .await
        .unwrap();
    let refused = checkout::pay(&ports, &ada, &unpaid.view.id, pay()).await;
    assert!(
        matches!(
            refused,
            Err(orders::OrderError::Conflict {
                code: "reservation_lost",
                ..
            })
        ),
        "{refused:?}"
    );
    let still = orders::load(&ports, &ada.id, &unpaid.view.id)
        .await
        .unwrap();
    assert_eq!(
        (still.status, still.payment),
        (OrderStatus::AwaitingPayment, None)
    );

    // Once paid, the hold never lapses.
    checkout::pay(&ports, &bob, &later.view.id, pay())
        .await
        .unwrap();
    clock.advance_secs(30 * 86_400);
    let again = create::place(&ports, &ada, "a2", order("quietbakery.com", "quietbakery")).await;
    assert!(
        matches!(
            again,
            Err(orders::OrderError::Conflict {
                code: "domain_taken",
                ..
            })
        ),
        "{again:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn username_checks_are_rate_limited() {
    let app = App::embedded_with(|c| {
        c.policy.check_per_minute = 1;
        c.policy.check_burst = 1;
    })
    .await;
    let (status, _, body) = app.get("/api/usernames/check?name=bakery").await;
    assert_eq!((status, &body["available"]), (200, &json!(true)));
    let (status, retry, body) = app.get("/api/usernames/check?name=bakery").await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (429, Some("rate_limited"))
    );
    assert!(retry.is_some());

    app.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_customer_cannot_hoard_names_with_unpaid_orders() {
    let app = App::embedded_with(|c| c.policy.max_unpaid_orders = 2).await;
    let ada = Shopper::sign_up(&app, "ada@example.com", "GB").await;
    let (first, _) = ada
        .order(hosting("subdomain", "hoardone", "hoardone"))
        .await;
    let (second, _) = ada
        .order(hosting("subdomain", "hoardtwo", "hoardtwo"))
        .await;
    assert_eq!((first, second), (201, 201));
    let (status, error) = ada
        .order(hosting("subdomain", "hoardthree", "hoardthree"))
        .await;
    assert_eq!(
        (status, error["error"]["code"].as_str()),
        (409, Some("too_many_unpaid_orders"))
    );
    let (status, _, check) = app.get("/api/subdomains/check?name=hoardthree").await;
    assert_eq!(
        (status, &check["available"]),
        (200, &json!(true)),
        "the refused order held nothing"
    );

    let (_, mine) = ada.get("/api/orders").await;
    ada.pay(mine[0]["id"].as_str().unwrap(), APPROVED, "GB")
        .await;
    let (status, _) = ada
        .order(hosting("subdomain", "hoardthree", "hoardthree"))
        .await;
    assert_eq!(status, 201, "paying one makes room");
    app.shutdown().await.unwrap();
}
