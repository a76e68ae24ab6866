//! The `Table` and `Queue` engines on fresh storage, with a clock the test moves.

use std::sync::Arc;

use hostfront::adapters::aws::{DynamoTable, SqsQueue};
use hostfront::adapters::embedded::{EmbeddedDb, SqliteQueue, SqliteTable};
use hostfront::clock::{ManualClock, SystemClock};
use hostfront::queue::Queue;
use hostfront::store::Table;
use tempfile::TempDir;

use crate::dynalite::dynalite_client;
use crate::moto::{dynamodb_client, sqs_client, unique};

/// A table on one engine with a clock the test moves.
pub struct TableFixture {
    pub table: Arc<dyn Table>,
    pub clock: ManualClock,
    _dir: Option<TempDir>,
}

pub async fn sqlite_table() -> TableFixture {
    let dir = TempDir::new().expect("temp dir");
    let clock = ManualClock::starting_now();
    let db = EmbeddedDb::open(dir.path()).expect("embedded database opens");
    let table = SqliteTable::new(db, Arc::new(clock.clone()));
    TableFixture {
        table: Arc::new(table),
        clock,
        _dir: Some(dir),
    }
}

pub async fn dynamodb_table() -> TableFixture {
    let (table, clock) = dynamo_table_on(dynamodb_client());
    table
        .create_if_missing()
        .await
        .expect("table created on moto");
    dynamo_fixture(table, clock)
}

/// On dynalite, which has no TTL to enable: reads hide expired items anyway.
pub async fn dynalite_table() -> TableFixture {
    let (table, clock) = dynamo_table_on(dynalite_client());
    table
        .create_table_if_missing()
        .await
        .expect("table created on dynalite");
    dynamo_fixture(table, clock)
}

fn dynamo_table_on(client: aws_sdk_dynamodb::Client) -> (DynamoTable, ManualClock) {
    let clock = ManualClock::starting_now();
    let table = DynamoTable::new(client, unique("table"), Arc::new(clock.clone()));
    (table, clock)
}

fn dynamo_fixture(table: DynamoTable, clock: ManualClock) -> TableFixture {
    TableFixture {
        table: Arc::new(table),
        clock,
        _dir: None,
    }
}

/// A queue on one engine; `reopen` makes a fresh handle on the same storage,
/// as a restarted process would.
pub struct QueueFixture {
    pub queue: Arc<dyn Queue>,
    reopen: Box<dyn Fn() -> Arc<dyn Queue> + Send + Sync>,
    _dir: Option<TempDir>,
}

impl QueueFixture {
    pub fn reopen(&self) -> Arc<dyn Queue> {
        (self.reopen)()
    }
}

pub async fn sqlite_queue(max_receives: u32) -> QueueFixture {
    let dir = TempDir::new().expect("temp dir");
    let path = dir.path().to_path_buf();
    let open = move || -> Arc<dyn Queue> {
        let db = EmbeddedDb::open(&path).expect("embedded database opens");
        Arc::new(SqliteQueue::new(
            db,
            "jobs",
            max_receives,
            Arc::new(SystemClock),
        ))
    };
    QueueFixture {
        queue: open(),
        reopen: Box::new(open),
        _dir: Some(dir),
    }
}

pub async fn sqs_queue(max_receives: u32) -> QueueFixture {
    let queue = SqsQueue::create(sqs_client(), &unique("jobs"), max_receives)
        .await
        .expect("queues created on moto");
    let reopen_from = queue.clone();
    QueueFixture {
        queue: Arc::new(queue),
        reopen: Box::new(move || Arc::new(reopen_from.clone())),
        _dir: None,
    }
}
