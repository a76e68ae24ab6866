//! Transactions and their limits.

use hostfront::clock::Clock;
use hostfront::store::{Condition, ItemExt, Query, TableError, TxOp, Update};
use hostfront_tests::TableFixture;
use serde_json::json;

use super::{item, key};

transactional_conformance!(
    transaction_is_all_or_nothing_and_names_the_failed_item,
    transaction_limits_are_enforced,
    transactions_see_no_expired_items,
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

/// An expired item does not exist for a transaction's writes either.
async fn transactions_see_no_expired_items(f: TableFixture) {
    let expiring = item(json!({"pk": "HOLD#1", "sk": "H", "n": 5, "ttl": f.clock.now_secs() + 1}));
    f.table.put(expiring, None).await.unwrap();
    f.clock.advance_secs(2);
    let op = TxOp::Update {
        key: key("HOLD#1", "H"),
        update: Update::new().add("n", 1),
        condition: None,
    };
    let create = TxOp::Put {
        item: item(json!({"pk": "HOLD#2", "sk": "H"})),
        condition: Some(Condition::NotExists),
    };
    f.table.transact(vec![op, create]).await.unwrap();
    assert_eq!(
        f.table
            .get(&key("HOLD#1", "H"))
            .await
            .unwrap()
            .unwrap()
            .i64_attr("n"),
        Some(1)
    );
}
