//! The main journey over real HTTP: a stranger signs up, orders hosting with a
//! domain, pays with a test card and watches the order go live; and the rules
//! around it: idempotent orders, the 50-order race, declined cards, review
//! rules, holds, and a saga that survives duplicates and a killed worker.

use std::sync::Arc;
use std::time::{Duration, Instant};

use hostfront::accounts::Customer;
use hostfront::clock::ManualClock;
use hostfront::jobs::{AppJobs, WorkerSettings, run_worker};
use hostfront::mail::{self, MailKind};
use hostfront::orders::checkout;
use hostfront::orders::create;
use hostfront::orders::provision::{self, Outcome};
use hostfront::orders::{self, OrderStatus};
use hostfront::payments::simulated::{APPROVED, DECLINED};
use hostfront::registrar::DomainStatus;
use hostfront::registrar::simulated::auth_code_for;
use hostfront::store::{ItemExt, Query};
use hostfront_tests::shopper::{Shopper, card, fresh_domain, fresh_username, hosting, register};
use hostfront_tests::{App, CountingTable, embedded_services_with, http};
use serde_json::{Value, json};
use tokio_util::sync::CancellationToken;

on_both_engines!(journey: order_journey_embedded, order_journey_cloud);

async fn journey(app: &App) {
    let ada = Shopper::sign_up(app, &format!("{}@example.com", fresh_username()), "GB").await;
    let domain = fresh_domain();
    let username = fresh_username();
    let (status, check) = ada
        .get(&format!("/api/usernames/check?name={username}"))
        .await;
    assert_eq!(
        (status, &check["available"]),
        (200, &json!(true)),
        "{check}"
    );

    // Ordering is idempotent per key; the key cannot be reused for another order.
    let body = hosting("register", &domain, &username);
    let (status, error) = ada.post("/api/orders", body.clone(), None).await;
    assert_eq!(
        (status, error["error"]["code"].as_str()),
        (400, Some("idempotency_key_required"))
    );
    let (status, order) = ada.post("/api/orders", body.clone(), Some("key-1")).await;
    assert_eq!(status, 201, "{order}");
    let id = order["id"].as_str().unwrap().to_string();
    assert_eq!(order["status"], "awaiting_payment");
    assert_eq!(
        order["domain"],
        json!({"action": "register", "name": domain, "unicode": domain})
    );
    let invoice = &order["invoice"];
    assert!(invoice["number"].as_str().unwrap().starts_with("INV-"));
    assert_eq!(invoice["lines"].as_array().unwrap().len(), 2, "{invoice}");
    assert_eq!(invoice["lines"][0]["amount"], 499);
    assert_eq!(
        invoice["total"],
        json!(invoice["subtotal"].as_i64().unwrap() + invoice["tax"].as_i64().unwrap())
    );
    assert_eq!(invoice["status"], "open");
    assert!(
        order["steps"]
            .as_array()
            .unwrap()
            .iter()
            .all(|s| s["status"] == "pending")
    );
    assert!(
        !order.to_string().contains("sourdough"),
        "the password is never shown back"
    );
    let (status, again) = ada.post("/api/orders", body.clone(), Some("key-1")).await;
    assert_eq!((status, &again["id"]), (200, &json!(id)));
    let mut changed = body.clone();
    changed["cycle"] = json!("annual");
    let (status, error) = ada.post("/api/orders", changed, Some("key-1")).await;
    assert_eq!(
        (status, error["error"]["code"].as_str()),
        (422, Some("idempotency_key_reused"))
    );
    let (_, mine) = ada.get("/api/orders").await;
    assert_eq!(mine.as_array().unwrap().len(), 1, "{mine}");

    // The username and the domain are now taken.
    let (_, check) = ada
        .get(&format!("/api/usernames/check?name={username}"))
        .await;
    assert_eq!(check["available"], false);
    assert!(!check["suggestions"].as_array().unwrap().is_empty());

    // Another customer cannot see it.
    let eve = Shopper::sign_up(app, &format!("{}@example.com", fresh_username()), "GB").await;
    let (status, _) = eve.get(&format!("/api/orders/{id}")).await;
    assert_eq!(status, 404);
    let (status, _) = eve.pay(&id, APPROVED, "GB").await;
    assert_eq!(status, 404);
    let (status, error) = eve
        .order(hosting("register", &domain, &fresh_username()))
        .await;
    assert_eq!(
        (status, error["error"]["code"].as_str()),
        (409, Some("domain_taken")),
        "{error}"
    );

    // A declined card leaves the order awaiting payment, with the reason.
    let (status, error) = ada.pay(&id, DECLINED, "GB").await;
    assert_eq!(
        (status, error["error"]["code"].as_str()),
        (402, Some("card_declined")),
        "{error}"
    );
    let (_, waiting) = ada.get(&format!("/api/orders/{id}")).await;
    assert_eq!(waiting["status"], "awaiting_payment");
    assert_eq!(waiting["payment_problem"]["code"], "card_declined");

    // The retry with a good card pays once and provisions.
    let started = Instant::now();
    let (status, paid) = ada.pay(&id, APPROVED, "GB").await;
    assert_eq!(status, 200, "{paid}");
    assert!(
        ["provisioning", "active"].contains(&paid["status"].as_str().unwrap()),
        "{paid}"
    );
    assert_eq!(paid["invoice"]["status"], "paid");
    assert_eq!(paid["payment"]["card_last4"], "4242");
    let (status, repaid) = ada.pay(&id, APPROVED, "GB").await;
    assert_eq!(
        (status, &repaid["payment"]),
        (200, &paid["payment"]),
        "paying again charges nothing"
    );
    let live = ada.wait_for(&id, "active").await;
    eprintln!("order {id} went live {:?} after payment", started.elapsed());
    for step in live["steps"].as_array().unwrap() {
        assert_eq!(step["status"], "done", "{step}");
        assert_eq!(step["attempts"], 1, "{step}");
    }
    let account = &live["service"]["account"];
    assert_eq!(account["username"], json!(username));
    assert!(account["ipv4"].as_str().unwrap().starts_with("198.51.100."));
    assert_eq!(
        live["service"]["mail"]["mailboxes"][0],
        json!(format!("info@{domain}"))
    );

    // The domain is registered, the zone exported, the mails sent.
    let info = app.services.registrar.info(&domain).await.unwrap();
    assert_eq!(info.status, DomainStatus::Active);
    let zone = http()
        .get(app.url(&format!("/api/orders/{id}/zone")))
        .header("cookie", &ada.cookie)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(zone.starts_with(&format!("$ORIGIN {domain}.")), "{zone}");
    assert!(zone.contains(&format!(
        "@\t3600\tIN\tA\t{}",
        account["ipv4"].as_str().unwrap()
    )));
    let kinds = mail_kinds(app, &id).await;
    for kind in [
        MailKind::OrderReceived,
        MailKind::PaymentReceipt,
        MailKind::DomainRegistered,
        MailKind::AccountReady,
    ] {
        assert!(kinds.contains(&kind), "{kind:?} in {kinds:?}");
    }
    assert_eq!(kinds.len(), 4);
}

async fn mail_kinds(app: &App, order_id: &str) -> Vec<MailKind> {
    mail::outbox(&app.services, 100)
        .await
        .unwrap()
        .into_iter()
        .filter(|m| m.order_id == order_id)
        .map(|m| m.kind)
        .collect()
}

on_both_engines!(race: fifty_orders_race_embedded, fifty_orders_race_cloud);

/// Fifty concurrent orders for one domain from five customers: one wins.
async fn race(app: &App) {
    let domain = fresh_domain();
    let mut shoppers = Vec::new();
    for _ in 0..5 {
        shoppers
            .push(Shopper::sign_up(app, &format!("{}@example.com", fresh_username()), "GB").await);
    }
    let attempts = (0..50).map(|i| {
        let shopper = &shoppers[i % 5];
        let body = hosting("register", &domain, &fresh_username());
        async move { shopper.order(body).await }
    });
    let answers = futures::future::join_all(attempts).await;
    let won: Vec<&Value> = answers
        .iter()
        .filter(|(s, _)| *s == 201)
        .map(|(_, b)| b)
        .collect();
    let lost = answers
        .iter()
        .filter(|(s, b)| *s == 409 && b["error"]["code"] == "domain_taken")
        .count();
    assert_eq!((won.len(), lost), (1, 49), "{answers:?}");
}

on_both_engines!(domain_choices: domain_choices_embedded, domain_choices_cloud);

/// Transfer (with a wrong and a right auth code), external domains and free subdomains.
async fn domain_choices(app: &App) {
    let ada = Shopper::sign_up(app, &format!("{}@example.com", fresh_username()), "DE").await;
    let mut body = hosting("transfer", "google.com", &fresh_username());
    let (status, error) = ada.order(body.clone()).await;
    assert_eq!(
        (status, error["error"]["code"].as_str()),
        (422, Some("auth_code_required"))
    );
    body["domain"]["auth_code"] = json!("WRONG-CODE");
    let (status, wrong) = ada.order(body).await;
    assert_eq!(status, 201, "{wrong}");
    assert_eq!(
        wrong["invoice"]["lines"][1]["description"],
        "Transfer of google.com, adds 1 year"
    );
    let id = wrong["id"].as_str().unwrap();
    ada.pay(id, APPROVED, "DE").await;
    let held = ada.wait_for(id, "on_hold").await;
    assert_eq!(held["failed_step"], "domain");
    assert!(
        held["customer_message"]
            .as_str()
            .unwrap()
            .contains("auth code"),
        "{held}"
    );
    assert!(mail_kinds(app, id).await.contains(&MailKind::ActionNeeded));

    let right = json!({"plan_id": "web-starter", "cycle": "annual", "username": fresh_username(), "generate_password": true,
        "domain": {"action": "transfer", "name": "github.io", "auth_code": auth_code_for("github.io")}});
    let (status, error) = ada.order(right).await;
    assert_eq!(status, 422, "github.io is a public suffix: {error}");

    let right = json!({"plan_id": "web-starter", "cycle": "annual", "username": fresh_username(), "generate_password": true,
        "domain": {"action": "transfer", "name": "facebook.com", "auth_code": auth_code_for("facebook.com")}});
    let (status, order) = ada.order(right).await;
    assert_eq!(status, 201, "{order}");
    assert_eq!(order["generated_password"].as_str().unwrap().len(), 20);
    let id = order["id"].as_str().unwrap();
    ada.pay(id, APPROVED, "DE").await;
    ada.wait_for(id, "active").await;
    assert!(
        mail_kinds(app, id)
            .await
            .contains(&MailKind::TransferStarted)
    );
    let (_, shown) = ada.get(&format!("/api/orders/{id}")).await;
    assert!(shown.get("generated_password").is_none(), "shown once only");

    let external = fresh_domain();
    let (_, order) = ada
        .order(hosting("external", &external, &fresh_username()))
        .await;
    assert_eq!(
        order["invoice"]["lines"].as_array().unwrap().len(),
        1,
        "no domain line"
    );
    let id = order["id"].as_str().unwrap();
    let proof = &order["ownership"];
    assert_eq!(
        (proof["record_type"].as_str(), &proof["verified"]),
        (Some("TXT"), &json!(false)),
        "{order}"
    );
    assert_eq!(
        proof["name"],
        json!(format!("_hostfront-verify.{external}"))
    );
    let (status, error) = ada.pay(id, APPROVED, "DE").await;
    assert_eq!(
        (status, error["error"]["code"].as_str()),
        (409, Some("domain_not_verified")),
        "{error}"
    );
    let verify = format!("/api/orders/{id}/verify-domain");
    let (status, error) = ada.post(&verify, json!({}), None).await;
    assert_eq!(
        (status, error["error"]["code"].as_str()),
        (409, Some("record_not_found")),
        "{error}"
    );
    let dns = app.services.simulated_dns.as_ref().unwrap();
    dns.publish_txt(
        proof["name"].as_str().unwrap(),
        &[proof["value"].as_str().unwrap().to_string()],
    )
    .await
    .unwrap();
    let (status, verified) = ada.post(&verify, json!({}), None).await;
    assert_eq!(
        (status, &verified["ownership"]["verified"]),
        (200, &json!(true)),
        "{verified}"
    );
    ada.pay(id, APPROVED, "DE").await;
    let live = ada.wait_for(id, "active").await;
    let records = live["dns_records"].as_array().unwrap();
    assert!(
        records
            .iter()
            .any(|r| r["type"] == "A" && r["value"] == live["service"]["account"]["ipv4"]),
        "{live}"
    );

    let label = fresh_username();
    let (_, order) = ada
        .order(hosting("subdomain", &label, &fresh_username()))
        .await;
    assert_eq!(
        order["domain"]["name"],
        json!(format!("{label}.example.net"))
    );
    let id = order["id"].as_str().unwrap();
    ada.pay(id, APPROVED, "DE").await;
    ada.wait_for(id, "active").await;
    let (status, _, check) = app
        .get(&format!("/api/subdomains/check?name={label}"))
        .await;
    assert_eq!((status, &check["available"]), (200, &json!(false)));
}

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
        c.review_above = 10_000;
        c.review_orders_per_day = 2;
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
    tokio::time::sleep(Duration::from_millis(500)).await;
    let (_, mine) = ada.get("/api/orders").await;
    assert!(
        mine.as_array()
            .unwrap()
            .iter()
            .all(|o| o["status"] == "pending_review"),
        "no review order was provisioned"
    );
    app.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn full_servers_put_orders_on_hold_in_plain_words() {
    let app = App::embedded_with(|c| c.sim_panel_capacity = 0).await;
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
        .services
        .table
        .get(&orders::order_key(
            app.services
                .table
                .get(&hostfront::store::Key::new(
                    "EMAIL#ada@example.com",
                    "MARKER",
                ))
                .await
                .unwrap()
                .unwrap()
                .str_attr("customer_id")
                .unwrap(),
            id,
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

/// A customer with a paid order, made through the library on `services`.
async fn paid_order(services: &hostfront::Services) -> (Customer, String) {
    hostfront::catalog::seed_demo(services.table.as_ref())
        .await
        .unwrap();
    let (customer, _) = hostfront_tests::customer(services, &fresh_username()).await;
    let request = register(&fresh_domain(), &fresh_username());
    let placed = create::place(services, &customer, "once", request)
        .await
        .unwrap();
    let paid = checkout::pay(services, &customer, &placed.view.id, card(APPROVED))
        .await
        .unwrap();
    assert_eq!(paid.status, OrderStatus::Provisioning);
    (customer, placed.view.id)
}

/// What the simulated world holds for one order: hosting accounts, addresses
/// in use, account-ready mails.
async fn created_things(services: &hostfront::Services) -> (usize, usize, usize) {
    let servers = services
        .table
        .query(Query::partition("SIMPANEL#SERVER"))
        .await
        .unwrap();
    let accounts: i64 = servers
        .items
        .iter()
        .filter_map(|s| s.i64_attr("accounts"))
        .sum();
    let addresses = services
        .table
        .query(Query::partition("SIMPANEL#ADDR"))
        .await
        .unwrap();
    let used = addresses
        .items
        .iter()
        .filter(|a| a.get("account").is_some())
        .count();
    let ready = mail::outbox(services, 100)
        .await
        .unwrap()
        .iter()
        .filter(|m| m.kind == MailKind::AccountReady)
        .count();
    (accounts as usize, used, ready)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_job_delivered_twice_creates_everything_once() {
    let clock = ManualClock::starting_now();
    let (_dir, services) = embedded_services_with(&clock, |c| c.sim_panel_latency_ms = 100);
    let (customer, id) = paid_order(&services).await;
    // Both deliveries run at once; one finds the step leased and fails to retry later.
    let (a, b) = tokio::join!(
        provision::run(&services, &customer.id, &id, false),
        provision::run(&services, &customer.id, &id, false),
    );
    assert!(
        a == Ok(Outcome::Live) || b == Ok(Outcome::Live),
        "{a:?} {b:?}"
    );
    let replay = provision::run(&services, &customer.id, &id, false).await;
    assert_eq!(replay, Ok(Outcome::NothingToDo));
    assert_eq!(created_things(&services).await, (1, 1, 1));
    let order = orders::load(&services, &customer.id, &id).await.unwrap();
    assert_eq!(order.status, OrderStatus::Active);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_worker_killed_mid_saga_is_finished_by_another_exactly_once() {
    let clock = ManualClock::starting_now();
    let (_dir, services) = embedded_services_with(&clock, |c| c.sim_panel_latency_ms = 400);
    let (customer, id) = paid_order(&services).await;
    let settings = WorkerSettings {
        visibility: Duration::from_secs(60),
        batch: 1,
        wait: Duration::from_millis(100),
    };
    let jobs = Arc::new(AppJobs {
        services: services.clone(),
    });
    let stop = CancellationToken::new();
    let first = tokio::spawn(run_worker(
        services.queue.clone(),
        jobs.clone(),
        settings,
        stop.clone(),
    ));
    // Kill the worker while it waits on the panel to create the account.
    let step = hostfront::store::Key::new(format!("ORDER#{id}"), "STEP#1#hosting_account");
    let deadline = Instant::now() + Duration::from_secs(10);
    while services
        .table
        .get(&step)
        .await
        .unwrap()
        .and_then(|s| s.str_attr("status").map(str::to_string))
        .as_deref()
        != Some("running")
    {
        assert!(
            Instant::now() < deadline,
            "the saga never reached the hosting account"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    first.abort();
    let _ = first.await;
    let order = orders::load(&services, &customer.id, &id).await.unwrap();
    assert_eq!(order.status, OrderStatus::Provisioning);

    // The job reappears once its visibility ends, and the lease has expired by then.
    clock.advance_secs(180);
    let second = tokio::spawn(run_worker(
        services.queue.clone(),
        jobs,
        settings,
        stop.clone(),
    ));
    let deadline = Instant::now() + Duration::from_secs(20);
    while orders::load(&services, &customer.id, &id)
        .await
        .unwrap()
        .status
        != OrderStatus::Active
    {
        assert!(
            Instant::now() < deadline,
            "the restarted worker did not finish the order"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    stop.cancel();
    second.await.unwrap();
    assert_eq!(created_things(&services).await, (1, 1, 1));
    let records = services
        .table
        .query(Query::partition(format!("ORDER#{id}")))
        .await
        .unwrap();
    let attempts = |name: &str| {
        records
            .items
            .iter()
            .find(|r| r.str_attr("name") == Some(name))
            .and_then(|r| r.i64_attr("attempts"))
    };
    assert_eq!(
        attempts("domain"),
        Some(1),
        "the domain was registered before the crash, once"
    );
    assert_eq!(attempts("hosting_account"), Some(2));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_step_that_keeps_failing_marks_the_order_failed_and_a_redrive_resumes_it() {
    let clock = ManualClock::starting_now();
    let (_dir, services) = embedded_services_with(&clock, |c| c.sim_panel_failure_rate = 1.0);
    let (customer, id) = paid_order(&services).await;
    let first = provision::run(&services, &customer.id, &id, false).await;
    assert!(first.unwrap_err().to_string().contains("hosting_account"));
    assert_eq!(
        orders::load(&services, &customer.id, &id)
            .await
            .unwrap()
            .status,
        OrderStatus::Provisioning
    );
    let last = provision::run(&services, &customer.id, &id, true).await;
    assert!(last.is_err());
    let order = orders::load(&services, &customer.id, &id).await.unwrap();
    assert_eq!(order.status, OrderStatus::Failed);
    assert_eq!(order.failed_step.as_deref(), Some("hosting_account"));
    let view = orders::view(&services, order).await.unwrap();
    assert!(
        view.customer_message
            .unwrap()
            .contains("Create the hosting account")
    );
    assert_eq!(view.steps[1].attempts, 2);

    // Staff fix the panel and redrive the job: the order resumes where it stopped.
    let mut fixed = services.clone();
    fixed.panel = Arc::new(hostfront::panel::simulated::SimulatedPanel::new(
        services.table.clone(),
        hostfront::panel::simulated::PanelSettings {
            capacity_per_server: 10,
            addresses: 10,
            latency: Duration::ZERO,
            failure_rate: 0.0,
        },
        "example.net",
    ));
    assert_eq!(
        provision::run(&fixed, &customer.id, &id, false).await,
        Ok(Outcome::Live)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_order_costs_a_bounded_number_of_table_requests() {
    let dir = tempfile::TempDir::new().unwrap();
    let mut config = hostfront_tests::test_config(dir.path());
    // The default simulated latencies, to measure order-to-live time as a user sees it.
    config.sim_registrar_latency_ms = 40;
    config.sim_panel_latency_ms = 150;
    // The test runs the worker itself, so that each phase's requests are its own.
    config.workers = 0;
    let db = hostfront::embedded::EmbeddedDb::open(dir.path()).unwrap();
    let mut services =
        hostfront::Services::embedded(config, db, Arc::new(hostfront::clock::SystemClock));
    let plain = services.table.clone();
    let counting = Arc::new(CountingTable::new(plain.clone()));
    services.table = counting.clone();
    let app = App::serve(services).await;
    let ada = Shopper::sign_up(&app, "ada@example.com", "GB").await;
    let domain = fresh_domain();
    let before = counting.counts();
    let (_, order) = ada.order(hosting("register", &domain, "bakery")).await;
    let placed = counting.counts();
    let id = order["id"].as_str().unwrap();
    let started = Instant::now();
    ada.pay(id, APPROVED, "GB").await;
    let paid = counting.counts();
    let stop = CancellationToken::new();
    let settings = WorkerSettings {
        wait: Duration::from_millis(20),
        ..WorkerSettings::default()
    };
    let jobs = Arc::new(AppJobs {
        services: app.services.clone(),
    });
    let worker = tokio::spawn(run_worker(
        app.services.queue.clone(),
        jobs,
        settings,
        stop.clone(),
    ));
    let deadline = Instant::now() + Duration::from_secs(30);
    // Watch the table rather than poll the API, so polling adds no reads.
    let key = plain
        .get(&hostfront::store::Key::new(
            "EMAIL#ada@example.com",
            "MARKER",
        ))
        .await
        .unwrap()
        .unwrap();
    let order_key = orders::order_key(key.str_attr("customer_id").unwrap(), id);
    loop {
        let item = plain.get(&order_key).await.unwrap().unwrap();
        if item.str_attr("status") == Some("active") {
            break;
        }
        assert!(Instant::now() < deadline);
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let live_after = started.elapsed();
    let watched = counting.counts();
    stop.cancel();
    worker.await.unwrap();
    eprintln!(
        "one order: place {:?}, pay {:?}, provision {:?} (reads, writes); order to live {live_after:?} after payment",
        (placed.0 - before.0, placed.1 - before.1),
        (paid.0 - placed.0, paid.1 - placed.1),
        (watched.0 - paid.0, watched.1 - paid.1),
    );
    let total = (watched.0 - before.0, watched.1 - before.1);
    assert!(total.1 < 40, "writes per order: {total:?}");
    app.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn after_the_last_retry_the_job_is_dead_lettered_and_the_order_names_the_step() {
    let app = App::embedded_with(|c| {
        c.sim_panel_failure_rate = 1.0;
        c.queue_max_receives = 2;
    })
    .await;
    let ada = Shopper::sign_up(&app, "ada@example.com", "GB").await;
    let (_, order) = ada
        .order(hosting("subdomain", "flakypanel", "flakypanel"))
        .await;
    let id = order["id"].as_str().unwrap();
    ada.pay(id, APPROVED, "GB").await;
    let failed = ada.wait_for(id, "failed").await;
    assert_eq!(failed["failed_step"], "hosting_account");
    assert_eq!(failed["steps"][1]["status"], "failed");
    // The first try followed the domain step in the same run: a job that moved
    // forward spends no delivery. Then one try per delivery, two deliveries.
    assert_eq!(
        failed["steps"][1]["attempts"], 3,
        "one try per delivery after progress"
    );
    assert!(
        failed["status_message"]
            .as_str()
            .unwrap()
            .contains("Our team has been told")
    );
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let letters = app.services.queue.dead_letters(10).await.unwrap();
        if let Some(letter) = letters.first() {
            assert!(letter.body.contains(id));
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the job never reached the dead-letter queue"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    app.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unpaid_order_holds_its_domain_for_a_week_and_a_paid_one_for_good() {
    let clock = ManualClock::starting_now();
    let (_dir, services) = embedded_services_with(&clock, |_| {});
    hostfront::catalog::seed_demo(services.table.as_ref())
        .await
        .unwrap();
    let (ada, _) = hostfront_tests::customer(&services, "ada").await;
    let (bob, _) = hostfront_tests::customer(&services, "bob").await;
    let order = register;
    let pay = || card(APPROVED);
    let unpaid = create::place(
        &services,
        &ada,
        "a1",
        order("quietbakery.com", "quietbakery"),
    )
    .await
    .unwrap();
    let early = create::place(
        &services,
        &bob,
        "b1",
        order("quietbakery.com", "bobsbakery"),
    )
    .await;
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
    let later = create::place(
        &services,
        &bob,
        "b2",
        order("quietbakery.com", "bobsbakery"),
    )
    .await
    .unwrap();
    let refused = checkout::pay(&services, &ada, &unpaid.view.id, pay()).await;
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
    let still = orders::load(&services, &ada.id, &unpaid.view.id)
        .await
        .unwrap();
    assert_eq!(
        (still.status, still.payment),
        (OrderStatus::AwaitingPayment, None)
    );

    // Once paid, the hold never lapses.
    checkout::pay(&services, &bob, &later.view.id, pay())
        .await
        .unwrap();
    clock.advance_secs(30 * 86_400);
    let again = create::place(
        &services,
        &ada,
        "a2",
        order("quietbakery.com", "quietbakery"),
    )
    .await;
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
        c.check_per_minute = 1;
        c.check_burst = 1;
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
    let app = App::embedded_with(|c| c.max_unpaid_orders = 2).await;
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
