//! The portal over HTTP: a customer sees their domains, services and
//! invoices, and renews a domain; another customer sees none of it.

use std::time::Duration;

use hostfront::adapters::sim::APPROVED;
use hostfront::billing::consent::CONSENT_TEXT;
use hostfront_tests::shopper::{Shopper, fresh_domain, fresh_username, hosting, test_method};
use hostfront_tests::{App, eventually};
use serde_json::{Value, json};

fn renew_body(years: u32) -> Value {
    json!({"years": years, "payment_method": test_method(APPROVED)})
}

async fn a_customer_renews_a_domain_in_the_portal(app: &App) {
    let ada = Shopper::sign_up(app, &format!("{}@example.com", fresh_username()), "GB").await;
    let domain = fresh_domain();
    let (_, order) = ada
        .order(hosting("register", &domain, &fresh_username()))
        .await;
    let id = order["id"].as_str().unwrap();
    ada.pay(id, APPROVED, "GB").await;
    ada.wait_for(id, "active").await;

    let (status, domains) = ada.get("/api/domains").await;
    assert_eq!(status, 200);
    assert_eq!(domains[0]["name"], domain.as_str());
    assert_eq!(domains[0]["auto_renew"], true);
    let (_, ports) = ada.get("/api/services").await;
    assert_eq!(ports[0]["plan_id"], "web-starter");
    assert_eq!(ports[0]["status"], "active");
    let (_, shown) = ada.get(&format!("/api/domains/{domain}")).await;
    let expiry = shown["expires_at"].as_i64().unwrap();
    assert_eq!(shown["renewal_quote"]["max_years"], 9);
    assert_eq!(shown["renewal_quote"]["lines"][0]["amount"], 1499);

    let path = format!("/api/domains/{domain}/renew");
    let (status, error) = ada.post(&path, renew_body(2), None).await;
    assert_eq!(
        (status, error["error"]["code"].as_str()),
        (400, Some("idempotency_key_required"))
    );
    let (status, error) = ada.post(&path, renew_body(10), Some("too-far")).await;
    assert_eq!(
        (
            status,
            &error["error"]["code"],
            &error["error"]["max_years"]
        ),
        (400, &json!("too_many_years"), &json!(9)),
        "{error}"
    );
    let (status, renewal) = ada.post(&path, renew_body(2), Some("renew-1")).await;
    assert_eq!(status, 202, "{renewal}");
    assert_eq!(renewal["status"], "queued");
    let (status, again) = ada.post(&path, renew_body(2), Some("renew-1")).await;
    assert_eq!((status, &again["id"]), (200, &renewal["id"]));

    let renewed = Some(hostfront::clock::add_years_secs(expiry, 2));
    eventually(Duration::from_secs(20), "the domain renewed", || async {
        let (_, shown) = ada.get(&format!("/api/domains/{domain}")).await;
        if shown["expires_at"].as_i64() == renewed {
            Ok(())
        } else {
            Err(shown)
        }
    })
    .await;
    let number = renewal["invoice_number"].as_str().unwrap();
    let (status, bill) = ada.get(&format!("/api/invoices/{number}")).await;
    assert_eq!(status, 200);
    assert_eq!(bill["status"], "paid");
    assert_eq!(
        bill["about"],
        json!({"kind": "renewal", "domain": domain, "years": 2})
    );
    let (_, invoices) = ada.get("/api/invoices").await;
    assert_eq!(
        invoices.as_array().unwrap().len(),
        2,
        "the order's and the renewal's"
    );

    // A saved card pays a renewal without being sent again; only its last
    // four digits are ever shown.
    // Only with the customer's consent to charges without them, recorded
    // with its words and time.
    let method = ada.payment_method(APPROVED).await;
    let unticked = json!({"payment_method": method});
    let (status, refused) = ada
        .put("/api/payment-method", unticked, Some("card-0"))
        .await;
    assert_eq!(
        (status, &refused["error"]["code"]),
        (422, &json!("consent_required"))
    );
    assert_eq!(
        ada.get("/api/payment-method").await,
        (200, serde_json::Value::Null)
    );
    let card = json!({"payment_method": method, "consent": true});
    let (status, saved) = ada.put("/api/payment-method", card, Some("card-1")).await;
    assert_eq!(status, 200, "{saved}");
    let consent = json!({"at": saved["saved_at"], "given_at": "portal", "text": CONSENT_TEXT});
    assert_eq!(
        saved,
        json!({"last4": "4242", "exp_month": 12, "exp_year": 2099, "saved_at": saved["saved_at"], "consent": consent})
    );
    assert_eq!(ada.get("/api/payment-method").await.1["last4"], "4242");
    let (status, by_saved) = ada
        .post(&path, json!({"years": 1}), Some("renew-saved"))
        .await;
    assert_eq!(status, 202, "{by_saved}");
    assert_eq!(by_saved["card_last4"], "4242");

    let (status, off) = ada
        .put(
            &format!("/api/domains/{domain}/auto-renew"),
            json!({"enabled": false}),
            None,
        )
        .await;
    assert_eq!((status, &off["auto_renew"]), (200, &json!(false)));
    assert_eq!(ada.get("/api/domains").await.1[0]["auto_renew"], false);

    let eve = Shopper::sign_up(app, &format!("{}@example.com", fresh_username()), "GB").await;
    assert_eq!(
        eve.put(
            &format!("/api/domains/{domain}/auto-renew"),
            json!({"enabled": true}),
            None
        )
        .await
        .0,
        404
    );
    let (status, _) = eve
        .post(&path, json!({"years": 1}), Some("eve-saved"))
        .await;
    assert_eq!(status, 404);
    assert_eq!(eve.get(&format!("/api/domains/{domain}")).await.0, 404);
    assert_eq!(eve.get(&format!("/api/invoices/{number}")).await.0, 404);
    assert_eq!(
        eve.post(&path, renew_body(1), Some("not-mine")).await.0,
        404
    );
    let (_, none) = eve.get("/api/domains").await;
    assert_eq!(none, json!([]));
    let service_id = ports[0]["id"].as_str().unwrap();
    let sites = format!("/api/services/{service_id}/sites");
    let (status, _) = eve.put(&sites, json!({"sites": []}), None).await;
    assert_eq!(status, 404, "another customer's service");
    let (status, error) = ada
        .put(&sites, json!({"sites": [format!("shop.{domain}")]}), None)
        .await;
    assert_eq!(
        (status, error["error"]["code"].as_str()),
        (422, Some("over_plan_limit")),
        "a starter plan has one site: its own"
    );
    let (status, error) = ada.put(&sites, json!({"sites": "x"}), None).await;
    assert_eq!(status, 400, "{error}");
    // Paying the paid renewal's invoice charges nothing; another's is not found.
    let pay = format!("/api/invoices/{number}/pay");
    let with_card = json!({"payment_method": test_method(APPROVED)});
    let (status, paid) = ada.post(&pay, with_card.clone(), None).await;
    assert_eq!(
        (status, paid["status"].as_str()),
        (200, Some("paid")),
        "{paid}"
    );
    assert_eq!(eve.post(&pay, with_card, None).await.0, 404);
    let (status, _, _) = app.get_with("/api/domains", &[]).await;
    assert_eq!(status, 401);
}

on_both_engines!(a_customer_renews_a_domain_in_the_portal: portal_embedded, portal_cloud);
