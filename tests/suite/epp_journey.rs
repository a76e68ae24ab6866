//! A customer's whole journey on the EPP registrar, over HTTP: the search
//! asks the registry, the order registers there, the portal renews there.

use std::sync::Arc;
use std::time::Duration;

use hostfront::adapters::sim::APPROVED;
use hostfront::clock::SystemClock;
use hostfront::registrar::DomainStatus;
use hostfront::settings::RegistrarChoice;
use hostfront_tests::epp_server::EppServer;
use hostfront_tests::shopper::{Shopper, fresh_domain, fresh_username, hosting};
use hostfront_tests::{App, eventually};
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_customer_searches_orders_and_renews_at_an_epp_registry() {
    let registry = EppServer::start(Arc::new(SystemClock), 2, Duration::from_secs(60)).await;
    let settings = registry.settings(2);
    let app = App::embedded_with(|config| {
        config.adapters.registrar = RegistrarChoice::Epp(settings);
    })
    .await;
    assert!(
        app.ports.simulated_registry.is_none(),
        "no simulation behind a real registrar"
    );
    let domain = fresh_domain();
    let label = domain.trim_end_matches(".com");
    let (status, _, found) = app.get(&format!("/api/domains/check?name={label}")).await;
    assert_eq!(status, 200, "{found}");
    let com = found["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["domain"] == domain.as_str())
        .expect("the .com is among the results");
    assert_eq!(com["available"], true, "{com}");
    assert!(
        !registry.transaction_ids("check").is_empty(),
        "the registry was asked"
    );

    let ada = Shopper::sign_up(&app, &format!("{}@example.com", fresh_username()), "GB").await;
    let (status, order) = ada
        .order(hosting("register", &domain, &fresh_username()))
        .await;
    assert_eq!(status, 201, "{order}");
    let id = order["id"].as_str().unwrap();
    ada.pay(id, APPROVED, "GB").await;
    ada.wait_for(id, "active").await;
    let creates = registry.transaction_ids("create");
    assert_eq!(creates.len(), 1, "registered once: {creates:?}");
    assert!(
        creates[0].contains(id),
        "the clTRID names the order: {creates:?}"
    );
    let info = app.ports.registrar.info(&domain).await.unwrap();
    assert_eq!(info.status, DomainStatus::Active);

    let (_, shown) = ada.get(&format!("/api/domains/{domain}")).await;
    let expiry = shown["expires_at"].as_i64().unwrap();
    assert_eq!(expiry, info.expires_at);
    let card = hostfront_tests::shopper::test_method(APPROVED);
    let (status, renewal) = ada
        .post(
            &format!("/api/domains/{domain}/renew"),
            json!({"years": 2, "payment_method": card}),
            Some("renew-at-the-registry"),
        )
        .await;
    assert_eq!(status, 202, "{renewal}");
    let renewed = hostfront::clock::add_years_secs(expiry, 2);
    eventually(
        Duration::from_secs(20),
        "renewed at the registry",
        || async {
            let at_registry = app.ports.registrar.info(&domain).await.unwrap();
            if at_registry.expires_at == renewed {
                Ok(())
            } else {
                Err(format!("{at_registry:?}"))
            }
        },
    )
    .await;
    assert_eq!(registry.transaction_ids("renew").len(), 1);
    app.shutdown().await.unwrap();
}
