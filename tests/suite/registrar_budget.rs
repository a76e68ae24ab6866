//! The registrar's quota is one budget in the table, shared by every process
//! (every Lambda container), with a reserve searches cannot spend.

use std::sync::Arc;
use std::time::{Duration, Instant};

use hostfront::Ports;
use hostfront::clock::ManualClock;
use hostfront::registrar::RegistrarError;
use hostfront_tests::App;

with_clock_on_both_engines!(the_budget_is_shared_and_keeps_a_reserve: the_budget_is_shared_and_keeps_a_reserve_embedded, the_budget_is_shared_and_keeps_a_reserve_cloud);

/// Another process on the same table and queue, whose registrar may make two
/// calls a second, one of them kept from searches.
fn container(ports: &Ports, clock: &ManualClock) -> Ports {
    hostfront_tests::another_process(ports, Arc::new(clock.clone()), |c| {
        c.policy.registrar_calls_per_second = 2;
        c.policy.registrar_reserved_per_second = 1;
        c.policy.registrar_portal_per_second = 0;
    })
}

async fn the_budget_is_shared_and_keeps_a_reserve(clock: &ManualClock, ports: &Ports) {
    // Half a second into a second.
    let now = hostfront::clock::Clock::now_millis(clock);
    clock.advance_millis(1_500 - now.rem_euclid(1_000));
    let (first, second) = (container(ports, clock), container(ports, clock));
    let names = ["budgetbakery.com".to_string()];

    assert!(first.search_registrar.check(&names).await.is_ok());
    // The other container finds the searches' share spent, and does not
    // wait for the next second, half a second away: searches wait briefly.
    assert_eq!(
        second.search_registrar.check(&names).await,
        Err(RegistrarError::QuotaSpent)
    );
    // Orders and renewals still have the reserve.
    assert!(second.registrar.check(&names).await.is_ok());
    // Then they wait for the next second.
    let started = Instant::now();
    assert!(first.registrar.check(&names).await.is_ok());
    assert!(
        started.elapsed() >= Duration::from_millis(450),
        "waited for the next second: {:?}",
        started.elapsed()
    );
    // A new second, a new budget, for searches too.
    clock.advance_secs(5);
    assert!(second.search_registrar.check(&names).await.is_ok());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_search_past_the_quota_marks_what_it_could_not_check() {
    let app = App::embedded_with(|c| {
        c.policy.registrar_calls_per_second = 2;
        c.policy.registrar_reserved_per_second = 1;
    })
    .await;
    // Early in a second, so that the next is further away than a search waits.
    let into_second = || {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .subsec_millis()
    };
    while into_second() > 100 {
        // The budget is counted per second of the real clock: this waits for
        // the clock itself, not for something the app does.
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let (status, _, first) = app.get("/api/domains/check?name=firstbakery.com").await;
    assert_eq!(status, 200, "{first}");
    assert_ne!(first["results"][0]["reason"], "unknown", "{first}");

    // The searches' share of this second is spent: an answer, not a 503.
    let (status, _, second) = app.get("/api/domains/check?name=secondbakery.com").await;
    assert_eq!(status, 200, "{second}");
    let result = &second["results"][0];
    assert_eq!(result["domain"], "secondbakery.com");
    assert_eq!(
        (&result["available"], &result["reason"]),
        (&false.into(), &"unknown".into()),
        "{second}"
    );
    // Cached answers need no budget; unchecked ones were not cached.
    let (_, _, again) = app.get("/api/domains/check?name=firstbakery.com").await;
    assert_eq!(again["results"][0]["cached"], true);
    // The next second of the real clock, whose budget is fresh: the window
    // under test, not a wait for the app.
    tokio::time::sleep(Duration::from_millis(1_000)).await;
    let (_, _, later) = app.get("/api/domains/check?name=secondbakery.com").await;
    assert_ne!(later["results"][0]["reason"], "unknown", "{later}");
    app.shutdown().await.unwrap();
}

#[tokio::test]
async fn a_spent_share_is_not_asked_of_the_table_again_that_second() {
    use hostfront::registrar::budget::{Share, SharedBudget};
    let fixture = hostfront_tests::sqlite_table().await;
    let clock = fixture.clock.clone();
    // Half a second into a second: the next is further than a search waits.
    let now = hostfront::clock::Clock::now_millis(&clock);
    clock.advance_millis(1_500 - now.rem_euclid(1_000));
    let counting = Arc::new(hostfront_tests::CountingTable::new(fixture.table.clone()));
    let budget = SharedBudget::new(counting.clone(), Arc::new(clock.clone()), 2, 1);
    let wait = Duration::from_millis(25);
    assert_eq!(budget.turn(Share::Searches, wait).await, Ok(()));
    assert_eq!(
        budget.turn(Share::Searches, wait).await,
        Err(RegistrarError::QuotaSpent)
    );
    let (_, writes) = counting.counts();
    for _ in 0..100 {
        assert_eq!(
            budget.turn(Share::Searches, wait).await,
            Err(RegistrarError::QuotaSpent)
        );
    }
    assert_eq!(counting.counts().1, writes, "a hundred refusals, no write");
    // The reserve is another share, still asked of the table.
    assert_eq!(budget.turn(Share::Everything, wait).await, Ok(()));
    clock.advance_secs(1);
    assert_eq!(
        budget.turn(Share::Searches, wait).await,
        Ok(()),
        "a new second"
    );
}

with_clock_on_both_engines!(the_daily_sync_takes_half_of_what_searches_may: the_daily_sync_takes_half_embedded, the_daily_sync_takes_half_cloud);

/// Ten calls a second, two kept for orders: searches may take eight, the
/// daily sync four, so a running sync never crowds out searches or orders.
async fn the_daily_sync_takes_half_of_what_searches_may(clock: &ManualClock, ports: &Ports) {
    let now = hostfront::clock::Clock::now_millis(clock);
    clock.advance_millis(1_500 - now.rem_euclid(1_000));
    let container = hostfront_tests::another_process(ports, Arc::new(clock.clone()), |c| {
        c.policy.registrar_calls_per_second = 10;
        c.policy.registrar_reserved_per_second = 2;
        c.policy.registrar_portal_per_second = 0;
    });
    let names = ["syncbakery.com".to_string()];
    for _ in 0..4 {
        let started = Instant::now();
        container.sync_registrar.check(&names).await.unwrap();
        assert!(started.elapsed() < Duration::from_millis(400));
    }
    // The sync's share is spent; searches still have theirs.
    assert!(container.search_registrar.check(&names).await.is_ok());
    let started = Instant::now();
    container.sync_registrar.check(&names).await.unwrap();
    assert!(
        started.elapsed() >= Duration::from_millis(450),
        "the sync waited for the next second: {:?}",
        started.elapsed()
    );
}

with_clock_on_both_engines!(the_portal_has_a_share_of_its_own: the_portal_has_a_share_of_its_own_embedded, the_portal_has_a_share_of_its_own_cloud);

/// Ten calls a second, two kept for orders and two for customers' changes
/// in the portal: searches take six, orders the eight that leaves, and the
/// portal its two, whoever spent theirs first.
async fn the_portal_has_a_share_of_its_own(clock: &ManualClock, ports: &Ports) {
    let now = hostfront::clock::Clock::now_millis(clock);
    clock.advance_millis(1_500 - now.rem_euclid(1_000));
    let container = hostfront_tests::another_process(ports, Arc::new(clock.clone()), |c| {
        c.policy.registrar_calls_per_second = 10;
        c.policy.registrar_reserved_per_second = 2;
        c.policy.registrar_portal_per_second = 2;
    });
    let names = ["portalbakery.com".to_string()];
    for _ in 0..6 {
        container.search_registrar.check(&names).await.unwrap();
    }
    assert_eq!(
        container.search_registrar.check(&names).await,
        Err(RegistrarError::QuotaSpent)
    );
    for _ in 0..2 {
        let started = Instant::now();
        container.registrar.check(&names).await.unwrap();
        assert!(
            started.elapsed() < Duration::from_millis(400),
            "the orders' reserve"
        );
    }
    // Searches and orders spent theirs; the portal has its own two.
    for _ in 0..2 {
        let started = Instant::now();
        container.portal_registrar.check(&names).await.unwrap();
        assert!(
            started.elapsed() < Duration::from_millis(400),
            "the portal's share"
        );
    }
    let started = Instant::now();
    container.portal_registrar.check(&names).await.unwrap();
    assert!(
        started.elapsed() >= Duration::from_millis(450),
        "the portal waited for the next second: {:?}",
        started.elapsed()
    );
}
