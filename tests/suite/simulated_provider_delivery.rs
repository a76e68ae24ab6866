//! The simulated provider delivers its events as Stripe does, on both
//! engines, with a clock the test moves: a delivery nobody answers is sent
//! again after a wait that grows, not before; one whose answer is lost
//! after the shop took it is sent again and taken once.

use axum::body::Bytes;
use axum::http::{HeaderMap, StatusCode};
use hostfront::Ports;
use hostfront::billing::{credit_note, invoice};
use hostfront::clock::ManualClock;
use hostfront::payments::sim_dashboard::Deliveries;
use hostfront_tests::shopper::{fresh_username, register};
use hostfront_tests::{customer_with_live_order, test_server};
use tokio::net::TcpListener;

async fn loopback() -> (TcpListener, String) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    (listener, url)
}

/// The shop's routes alone, without the local process's own deliveries:
/// its events route's address.
async fn events_route(ports: &Ports) -> String {
    let server = test_server();
    let router = hostfront::http::app_router(ports.clone(), &server.site_dir(), &server.limits);
    let (listener, url) = loopback().await;
    let serving =
        hostfront::http::server::serve(listener, router, server.limits, std::future::pending());
    tokio::spawn(serving);
    format!("{url}/api/payments/events")
}

/// An address where nothing answers.
async fn nobody() -> String {
    let (_, url) = loopback().await;
    format!("{url}/api/payments/events")
}

/// Hands each event to `target`, which takes it, and then loses its
/// answer: the provider sees a 502.
async fn answer_lost(target: String) -> String {
    let forward = move |headers: HeaderMap, body: Bytes| {
        let target = target.clone();
        async move {
            let signature = headers["stripe-signature"].to_str().unwrap().to_string();
            let taken = reqwest::Client::new()
                .post(&target)
                .header("stripe-signature", signature)
                .header("content-type", "application/json")
                .body(body)
                .send()
                .await
                .unwrap();
            assert_eq!(taken.status(), 200);
            StatusCode::BAD_GATEWAY
        }
    };
    let (listener, url) = loopback().await;
    let proxy = axum::Router::new().fallback(forward);
    tokio::spawn(async move { axum::serve(listener, proxy).await });
    url
}

async fn deliveries_are_retried_and_taken_once(clock: &ManualClock, ports: &Ports) {
    let name = format!("{}.com", fresh_username());
    let (customer, _) = customer_with_live_order(ports, register(&name, &fresh_username())).await;
    let provider = ports
        .simulated_provider
        .clone()
        .expect("the simulated provider");
    let payment = provider.dashboard().await.unwrap().payments[0].clone();
    let route = events_route(ports).await;
    provider.refund_at_provider(&payment.id, 100).await.unwrap();
    let credited = || async {
        let bill = invoice::by_number(ports.table.as_ref(), &payment.reference)
            .await
            .unwrap();
        let notes = credit_note::of_customer(ports.table.as_ref(), &customer.id, 10)
            .await
            .unwrap();
        (bill.unwrap().refunded, notes.len())
    };
    let (sent, failed) = (
        Deliveries {
            delivered: 1,
            failed: 0,
        },
        Deliveries {
            delivered: 0,
            failed: 1,
        },
    );

    assert_eq!(provider.deliver_due(&nobody().await).await.unwrap(), failed);
    assert_eq!(
        provider.deliver_due(&route).await.unwrap(),
        Deliveries::default(),
        "not sent again before its wait"
    );
    assert_eq!(credited().await, (0, 0));

    clock.advance_secs(10);
    let lossy = answer_lost(route.clone()).await;
    assert_eq!(provider.deliver_due(&lossy).await.unwrap(), failed);
    assert_eq!(
        credited().await,
        (100, 1),
        "taken, though its answer was lost"
    );

    clock.advance_secs(19);
    assert_eq!(
        provider.deliver_due(&route).await.unwrap(),
        Deliveries::default(),
        "the second wait is longer"
    );
    clock.advance_secs(1);
    assert_eq!(provider.deliver_due(&route).await.unwrap(), sent);
    assert_eq!(
        credited().await,
        (100, 1),
        "the second arrival is taken once"
    );
    assert_eq!(
        provider.deliver_due(&route).await.unwrap(),
        Deliveries::default()
    );

    let events = provider.dashboard().await.unwrap().events;
    assert_eq!(events.len(), 1);
    assert_eq!(
        (events[0].state.as_str(), events[0].attempts),
        ("delivered", 3)
    );
    assert_eq!(events[0].kind, "charge.refunded");
}

with_clock_on_both_engines!(deliveries_are_retried_and_taken_once: delivery_embedded, delivery_cloud);
