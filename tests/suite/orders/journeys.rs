//! The order journeys over HTTP on both engines: a stranger orders and goes
//! live, fifty orders race for one domain, and every domain choice.

use std::time::Instant;

use super::mail_kinds;
use hostfront::adapters::sim::auth_code_for;
use hostfront::adapters::sim::{APPROVED, DECLINED};
use hostfront::mail::MailKind;
use hostfront::registrar::DomainStatus;
use hostfront_tests::App;
use hostfront_tests::shopper::{Shopper, fresh_domain, fresh_username, hosting};
use serde_json::{Value, json};

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
    let info = app.ports.registrar.info(&domain).await.unwrap();
    assert_eq!(info.status, DomainStatus::Active);
    let zone = ada.zone(&id).await;
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
        "google.com, transfer, adds 1 year"
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
    // The hold is recorded first, then its mail goes out.
    hostfront_tests::eventually(
        std::time::Duration::from_secs(10),
        "the action-needed mail",
        || async {
            match mail_kinds(app, id).await.contains(&MailKind::ActionNeeded) {
                true => Ok(()),
                false => Err("not sent yet"),
            }
        },
    )
    .await;

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
    let dns = app.ports.simulated_dns.as_ref().unwrap();
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
