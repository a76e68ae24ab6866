//! Transactions, their limits, and many writers at once.

use std::sync::Arc;

use hostfront::store::{Condition, ItemExt, Query, Table, TableError, TxOp, Update};
use hostfront_tests::TableFixture;
use serde_json::json;

use super::{item, key};

conformance!(
    transaction_is_all_or_nothing_and_names_the_failed_item,
    transaction_limits_are_enforced,
    fifty_concurrent_creates_of_one_key_have_one_winner,
    concurrent_version_checked_increments_lose_nothing,
);

async fn transaction_is_all_or_nothing_and_names_the_failed_item(f: TableFixture) {
    f.table
        .put(item(json!({"pk": "USERNAME#ada", "sk": "MARKER"})), None)
        .await
        .unwrap();
    f.table
        .put(
            item(json!({"pk": "ACCOUNT#1", "sk": "PROFILE", "v": 1, "orders": 0})),
            None,
        )
        .await
        .unwrap();
    let order = TxOp::Put {
        item: item(json!({"pk": "ORDER#x", "sk": "ORDER#1"})),
        condition: Some(Condition::NotExists),
    };
    let count_order = TxOp::Update {
        key: key("ACCOUNT#1", "PROFILE"),
        update: Update::new().add("orders", 1).bump_version(),
        condition: Some(Condition::VersionIs(1)),
    };
    let reserve = |name: &str| TxOp::Put {
        item: item(json!({"pk": format!("USERNAME#{name}"), "sk": "MARKER"})),
        condition: Some(Condition::NotExists),
    };

    let twice = vec![
        order.clone(),
        TxOp::Check {
            key: key("ORDER#x", "ORDER#1"),
            condition: Condition::NotExists,
        },
    ];
    assert!(
        matches!(f.table.transact(twice).await, Err(TableError::Invalid(_))),
        "one item twice is refused"
    );

    let taken = vec![
        order.clone(),
        count_order.clone(),
        reserve("ada"),
        TxOp::Delete {
            key: key("ACCOUNT#1", "OLD"),
            condition: None,
        },
    ];
    assert_eq!(
        f.table.transact(taken).await,
        Err(TableError::TransactionConflict { index: 2 })
    );
    assert_eq!(
        f.table.get(&key("ORDER#x", "ORDER#1")).await.unwrap(),
        None,
        "nothing of a failed transaction is written"
    );
    assert_eq!(
        f.table
            .get(&key("ACCOUNT#1", "PROFILE"))
            .await
            .unwrap()
            .unwrap()
            .version(),
        1
    );

    let free = vec![
        order,
        count_order,
        reserve("grace"),
        TxOp::Check {
            key: key("USERNAME#ada", "MARKER"),
            condition: Condition::Exists,
        },
    ];
    f.table.transact(free).await.unwrap();
    assert!(
        f.table
            .get(&key("ORDER#x", "ORDER#1"))
            .await
            .unwrap()
            .is_some()
    );
    assert!(
        f.table
            .get(&key("USERNAME#grace", "MARKER"))
            .await
            .unwrap()
            .is_some()
    );
    let account = f
        .table
        .get(&key("ACCOUNT#1", "PROFILE"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (account.i64_attr("orders"), account.version()),
        (Some(1), 2)
    );
}

async fn transaction_limits_are_enforced(f: TableFixture) {
    let puts = |n: usize| -> Vec<TxOp> {
        (0..n)
            .map(|i| TxOp::Put {
                item: item(json!({"pk": "BULK", "sk": format!("{i:03}")})),
                condition: None,
            })
            .collect()
    };
    f.table.transact(puts(100)).await.unwrap();
    assert_eq!(
        f.table
            .query(Query::partition("BULK"))
            .await
            .unwrap()
            .items
            .len(),
        100
    );
    assert!(matches!(
        f.table.transact(puts(101)).await,
        Err(TableError::Invalid(_))
    ));
    assert!(matches!(
        f.table.transact(Vec::new()).await,
        Err(TableError::Invalid(_))
    ));
}

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
