//! Many writers at once on one item.

use std::sync::Arc;

use hostfront::store::{Condition, ItemExt, Table, TableError, Update};
use hostfront_tests::TableFixture;
use serde_json::json;

use super::{item, key};

conformance!(
    fifty_concurrent_creates_of_one_key_have_one_winner,
    concurrent_version_checked_increments_lose_nothing,
);

async fn fifty_concurrent_creates_of_one_key_have_one_winner(f: TableFixture) {
    let mut tasks = tokio::task::JoinSet::new();
    for n in 0..50 {
        let table = f.table.clone();
        tasks.spawn(async move {
            let marker = item(json!({"pk": "DOMAIN#race.com", "sk": "MARKER", "order": n}));
            table.put(marker, Some(Condition::NotExists)).await
        });
    }
    let (mut won, mut lost) = (0, 0);
    while let Some(result) = tasks.join_next().await {
        match result.unwrap() {
            Ok(()) => won += 1,
            Err(TableError::ConditionFailed) => lost += 1,
            Err(other) => panic!("unexpected {other}"),
        }
    }
    assert_eq!((won, lost), (1, 49));
}

async fn concurrent_version_checked_increments_lose_nothing(f: TableFixture) {
    let k = key("STOCK#ip-pool", "POOL");
    f.table
        .put(
            item(json!({"pk": "STOCK#ip-pool", "sk": "POOL", "taken": 0, "v": 0})),
            None,
        )
        .await
        .unwrap();
    let table: Arc<dyn Table> = f.table.clone();
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..10 {
        let (table, k) = (table.clone(), k.clone());
        tasks.spawn(async move {
            let mut conflicts = 0;
            loop {
                let current = table.get(&k).await.unwrap().unwrap();
                let taken = current.i64_attr("taken").unwrap();
                let update = Update::new().set("taken", taken + 1).bump_version();
                match table
                    .update(&k, update, Some(Condition::VersionIs(current.version())))
                    .await
                {
                    Ok(_) => return conflicts,
                    Err(TableError::ConditionFailed) => conflicts += 1,
                    Err(other) => panic!("unexpected {other}"),
                }
            }
        });
    }
    let mut conflicts = 0;
    while let Some(c) = tasks.join_next().await {
        conflicts += c.unwrap();
    }
    let pool = f.table.get(&k).await.unwrap().unwrap();
    assert_eq!(
        pool.i64_attr("taken"),
        Some(10),
        "after {conflicts} conflicts"
    );
    assert_eq!(pool.version(), 10);
}
