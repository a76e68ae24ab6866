//! The step ledger of the workflow engine: leases, lapses and finished steps.

use std::sync::Arc;

use std::time::Duration;

use hostfront::adapters::embedded::{EmbeddedDb, SqliteTable};
use hostfront::clock::ManualClock;
use hostfront::step_ledger::*;
use hostfront::store::Table;
use serde_json::json;

#[tokio::test]
async fn a_step_is_leased_once_until_its_lease_lapses_then_done_for_good() {
    let dir = tempfile::TempDir::new().unwrap();
    let clock = ManualClock::starting_now();
    let table = SqliteTable::new(
        EmbeddedDb::open(dir.path()).unwrap(),
        Arc::new(clock.clone()),
    );
    let ledger = Ledger {
        table: &table,
        clock: &clock,
        lease: Duration::from_secs(45),
    };
    let step = StepRef {
        partition: "WF#1",
        index: 0,
        name: "first",
    };
    ledger.lease(step).await.unwrap();
    match ledger.lease(step).await {
        Err(LeaseError::Leased(Leased { retry_in })) => {
            assert_eq!(retry_in, Duration::from_secs(46))
        }
        other => panic!("{other:?}"),
    }
    clock.advance_secs(46);
    ledger
        .lease(step)
        .await
        .expect("a lapsed lease is taken over");
    table
        .transact(vec![ledger.finish_op(step, "did it", &json!({"n": 1}))])
        .await
        .unwrap();
    assert_eq!(ledger.done("WF#1").await.unwrap()["first"], json!({"n": 1}));
    assert!(
        matches!(ledger.lease(step).await, Err(LeaseError::Leased(_))),
        "done for good"
    );
    let record = StepRecord::of(&table.get(&step.key()).await.unwrap().unwrap()).unwrap();
    assert_eq!(
        (record.status, record.attempts, record.detail.as_deref()),
        (StepStatus::Done, 2, Some("did it"))
    );
}
