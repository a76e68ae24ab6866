//! DynamoDB cancels a transaction when another one holds an item it writes
//! (`TransactionConflict`): the invoice counter, which every order advances,
//! meets it under load. moto runs one transaction at a time and never does,
//! so a proxy in front of it answers with the conflict instead.

use std::sync::Arc;
use std::sync::atomic::Ordering;

use hostfront::adapters::aws::DynamoTable;
use hostfront::billing::invoice;
use hostfront::clock::SystemClock;
use hostfront::store::{Table, TableError};
use hostfront_tests::aws_access::{AccessLog, Faults, proxy_with_faults};
use hostfront_tests::{dynamodb_client_at, moto_endpoint, unique};

/// A table on moto behind a proxy that injects `faults`; its access log.
async fn table_with(faults: Arc<Faults>) -> (DynamoTable, AccessLog) {
    let log = AccessLog::default();
    let endpoint = proxy_with_faults("test", &moto_endpoint(), log.clone(), faults).await;
    let table = DynamoTable::new(
        dynamodb_client_at(&endpoint),
        unique("conflicts"),
        Arc::new(SystemClock),
    );
    table.create_if_missing().await.unwrap();
    (table, log)
}

/// Claims the next invoice number, as placing an order does.
async fn claim_number(table: &DynamoTable) -> Result<i64, TableError> {
    let (number, claim) = invoice::next_number(table).await?;
    table.transact(vec![claim]).await.map(|()| number)
}

fn transactions(log: &AccessLog) -> usize {
    log.lock()
        .unwrap()
        .iter()
        .filter(|a| a.action == "dynamodb:UpdateItem" && a.leading_keys == ["COUNTER#INVOICE"])
        .count()
}

#[tokio::test]
async fn a_transaction_in_conflict_is_tried_again_and_counts_once() {
    let faults = Arc::new(Faults::default());
    let (table, log) = table_with(faults.clone()).await;
    assert_eq!(claim_number(&table).await, Ok(1));

    // Five conflicts in a row, more than the SDK's own three attempts.
    faults.transaction_conflicts.store(5, Ordering::SeqCst);
    assert_eq!(
        claim_number(&table).await,
        Ok(2),
        "tried again, not refused"
    );
    assert_eq!(faults.transaction_conflicts.load(Ordering::SeqCst), 0);
    assert_eq!(
        transactions(&log),
        1 + 6,
        "five cancelled tries and one that wrote"
    );
    assert_eq!(
        claim_number(&table).await,
        Ok(3),
        "no number skipped or given twice"
    );
}

#[tokio::test]
async fn a_conflict_that_lasts_is_busy_after_a_bounded_wait() {
    let faults = Arc::new(Faults::default());
    let (table, _) = table_with(faults.clone()).await;
    faults.transaction_conflicts.store(1_000, Ordering::SeqCst);
    let started = std::time::Instant::now();
    assert_eq!(claim_number(&table).await, Err(TableError::Busy));
    assert!(
        started.elapsed() < std::time::Duration::from_secs(3),
        "gave up after {:?}",
        started.elapsed()
    );
    faults.transaction_conflicts.store(0, Ordering::SeqCst);
    assert_eq!(
        claim_number(&table).await,
        Ok(1),
        "nothing was written meanwhile"
    );
}
