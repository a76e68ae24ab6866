//! Cached answers expire, and ordering checks again live.

use hostfront::clock::ManualClock;
use hostfront::domains;
use hostfront::registrar::Registration;
use hostfront_tests::embedded_ports;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cached_answers_expire_and_ordering_rechecks_live() {
    let clock = ManualClock::starting_now();
    let (_dir, ports) = embedded_ports(&clock);
    hostfront::catalog::seed_demo(ports.table.as_ref())
        .await
        .unwrap();
    let name = vec!["quietbakery.com".to_string()];
    let first = domains::availability(&ports, &name).await.unwrap();
    assert_eq!(
        (first[&name[0]].0.available, first[&name[0]].1),
        (true, false)
    );
    // Somebody registers it meanwhile.
    let registration = Registration {
        domain: name[0].clone(),
        years: 1,
        registrant: "C1".into(),
        nameservers: vec![],
        idempotency_key: "k1".into(),
        client_account: None,
    };
    ports.registrar.register(&registration).await.unwrap();
    let cached = domains::availability(&ports, &name).await.unwrap();
    assert_eq!(
        (cached[&name[0]].0.available, cached[&name[0]].1),
        (true, true),
        "still the cached answer"
    );
    let live = domains::live_check(&ports, &name).await.unwrap();
    assert!(!live[0].available, "an order re-checks live");
    clock.advance_secs(ports.config.check_cache_available_secs as i64 + 1);
    let expired = domains::availability(&ports, &name).await.unwrap();
    assert_eq!(
        (expired[&name[0]].0.available, expired[&name[0]].1),
        (false, false),
        "the cache expired"
    );
    // Taken answers live longer.
    clock.advance_secs(ports.config.check_cache_available_secs as i64 + 1);
    assert!(domains::availability(&ports, &name).await.unwrap()[&name[0]].1);
}
