//! Limits per client in the process and across processes. (The registrar's
//! quota is `registrar_budget`.)

use std::sync::Arc;

use hostfront::adapters::embedded::{EmbeddedDb, SqliteTable};
use hostfront::clock::ManualClock;
use hostfront::ratelimit::*;

fn table(clock: &ManualClock) -> (tempfile::TempDir, SqliteTable) {
    let dir = tempfile::TempDir::new().unwrap();
    let db = EmbeddedDb::open(dir.path()).unwrap();
    (dir, SqliteTable::new(db, Arc::new(clock.clone())))
}

fn limited(result: Result<(), Refusal>) -> Limited {
    match result {
        Err(Refusal::Limited(l)) => l,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

#[tokio::test]
async fn the_process_layer_refuses_a_burst() {
    let clock = ManualClock::starting_now();
    let (_dir, table) = table(&clock);
    let limiter = ClientLimiter::new("check", 60, 3, 1000, 60);
    let client = "198.51.100.7";
    for _ in 0..3 {
        limiter.admit(&table, &clock, client).await.unwrap();
    }
    let refused = limited(limiter.admit(&table, &clock, client).await);
    assert_eq!(refused.layer, "process");
    assert!((1..=2).contains(&refused.retry_after_secs), "{refused:?}");
    let other = "198.51.100.8";
    limiter
        .admit(&table, &clock, other)
        .await
        .expect("another client is not affected");
}

#[tokio::test]
async fn the_shared_layer_counts_across_processes_per_window() {
    let clock = ManualClock::at_millis(1_800_000_000_000 + 50_000);
    let (_dir, table) = table(&clock);
    // Two processes (Lambda containers) with their own governors, one table.
    let first = ClientLimiter::new("check", 1000, 1000, 3, 60);
    let second = ClientLimiter::new("check", 1000, 1000, 3, 60);
    let client = "2001:db8::/64";
    first.admit(&table, &clock, client).await.unwrap();
    second.admit(&table, &clock, client).await.unwrap();
    first.admit(&table, &clock, client).await.unwrap();
    let refused = limited(second.admit(&table, &clock, client).await);
    assert_eq!(
        refused,
        Limited {
            retry_after_secs: 10,
            layer: "shared"
        }
    );
    clock.advance_secs(10);
    first
        .admit(&table, &clock, client)
        .await
        .expect("a new window starts afresh");
}

#[tokio::test]
async fn quiet_clients_are_forgotten_once_a_minute() {
    let clock = ManualClock::starting_now();
    let (_dir, table) = table(&clock);
    // One request a millisecond: a client is quiet again two milliseconds later.
    let limiter = ClientLimiter::new("check", 60_000, 1, 1000, 60);
    for client in ["a", "b", "c"] {
        limiter.admit(&table, &clock, client).await.unwrap();
    }
    assert_eq!(limiter.remembered(), 3);
    // The in-process limiter (governor) keeps its own real clock: quiet for
    // two of its milliseconds is the state under test, and only time makes it.
    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    limiter.admit(&table, &clock, "d").await.unwrap();
    assert_eq!(limiter.remembered(), 4, "not a minute yet");
    clock.advance_secs(61);
    // As above: quiet again on the limiter's own clock.
    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    limiter.admit(&table, &clock, "e").await.unwrap();
    assert_eq!(limiter.remembered(), 1, "only the client just seen");
}
