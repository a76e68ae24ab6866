//! The domain-check cache on each engine: a search that names one domain
//! twice caches its answer once, where DynamoDB refuses a batch that writes
//! one key twice. dynalite stands for DynamoDB here: moto compares whole
//! items as sent, attribute order included, and lets such a batch through.

use hostfront::Ports;
use hostfront::clock::ManualClock;
use hostfront::domains;
use hostfront_tests::{dynalite_table, embedded_ports};

async fn a_name_asked_twice_is_cached(ports: &Ports) {
    let names = vec!["quietbakery.com".to_string(); 2];
    let first = domains::availability(ports, &names).await.unwrap();
    assert!(!first[&names[0]].1, "the registrar answered");
    let again = domains::availability(ports, &names[..1]).await.unwrap();
    assert!(again[&names[0]].1, "the answer was cached");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_name_asked_twice_is_cached_embedded() {
    let (_dir, ports) = embedded_ports(&ManualClock::starting_now());
    a_name_asked_twice_is_cached(&ports).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_name_asked_twice_is_cached_on_dynalite() {
    let on_dynalite = dynalite_table().await;
    let (_dir, ports) = embedded_ports(&on_dynalite.clock);
    let ports = Ports {
        table: on_dynalite.table.clone(),
        ..ports
    };
    a_name_asked_twice_is_cached(&ports).await;
}
