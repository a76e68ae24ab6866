//! The `Table` port's contract, run against SQLite and against DynamoDB on moto.

use std::sync::Arc;

use hostfront::clock::Clock;
use hostfront::store::{
    Condition, Index, Item, ItemExt, Key, Query, SortKey, Table, TableError, TxOp, Update,
};
use hostfront_tests::TableFixture;
use serde_json::{Value, json};

macro_rules! conformance {
    ($($case:ident),* $(,)?) => {
        mod sqlite {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn $case() { super::$case(hostfront_tests::sqlite_table().await).await }
            )*
        }
        mod dynamodb {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn $case() { super::$case(hostfront_tests::dynamodb_table().await).await }
            )*
        }
    };
}

conformance!(
    put_then_get_round_trips_every_value_type,
    conditional_put_refuses_an_existing_key,
    stale_version_update_is_a_conflict,
    update_sets_removes_adds_and_upserts,
    conditional_delete_returns_the_old_item,
    comparison_conditions_guard_counters,
    query_by_prefix_and_range_in_both_directions,
    query_pages_with_a_cursor_cover_everything_once,
    sparse_indexes_hold_only_items_with_their_keys,
    expired_items_are_invisible_to_reads_and_conditions,
    get_many_answers_in_key_order,
    put_many_writes_every_item,
    transaction_is_all_or_nothing_and_names_the_failed_item,
    transaction_limits_are_enforced,
    fifty_concurrent_creates_of_one_key_have_one_winner,
    concurrent_version_checked_increments_lose_nothing,
    malformed_requests_are_rejected,
);

fn item(value: Value) -> Item {
    value.as_object().expect("an object").clone()
}

fn key(pk: &str, sk: &str) -> Key {
    Key::new(pk, sk)
}

fn sks(items: &[Item]) -> Vec<String> {
    items
        .iter()
        .map(|i| i.str_attr("sk").unwrap().to_string())
        .collect()
}

async fn put_then_get_round_trips_every_value_type(f: TableFixture) {
    let stored = item(json!({
        "pk": "ACCOUNT#1", "sk": "PROFILE", "kind": "account", "name": "Ada Lövelace",
        "n": 42, "neg": -3, "f": 2.5, "flag": true, "none": null,
        "list": [1, "two", {"three": 3}], "map": {"nested": {"deep": [false]}}, "empty": ""
    }));
    f.table.put(stored.clone(), None).await.unwrap();
    assert_eq!(
        f.table.get(&key("ACCOUNT#1", "PROFILE")).await.unwrap(),
        Some(stored)
    );
    assert_eq!(f.table.get(&key("ACCOUNT#1", "OTHER")).await.unwrap(), None);
}

async fn conditional_put_refuses_an_existing_key(f: TableFixture) {
    let first = item(json!({"pk": "DOMAIN#example.com", "sk": "MARKER", "owner": "a"}));
    f.table
        .put(first.clone(), Some(Condition::NotExists))
        .await
        .unwrap();
    let second = item(json!({"pk": "DOMAIN#example.com", "sk": "MARKER", "owner": "b"}));
    let refused = f.table.put(second, Some(Condition::NotExists)).await;
    assert_eq!(refused, Err(TableError::ConditionFailed));
    assert_eq!(
        f.table
            .get(&key("DOMAIN#example.com", "MARKER"))
            .await
            .unwrap(),
        Some(first)
    );
}

async fn stale_version_update_is_a_conflict(f: TableFixture) {
    let k = key("ORDER#1", "ORDER");
    f.table
        .put(
            item(json!({"pk": "ORDER#1", "sk": "ORDER", "status": "new", "v": 1})),
            None,
        )
        .await
        .unwrap();
    let paid = Update::new().set("status", "paid").bump_version();
    let after = f
        .table
        .update(&k, paid, Some(Condition::VersionIs(1)))
        .await
        .unwrap();
    assert_eq!(
        (after.str_attr("status"), after.version()),
        (Some("paid"), 2)
    );
    // A writer that read version 1 must not overwrite version 2.
    let stale = Update::new().set("status", "cancelled").bump_version();
    assert_eq!(
        f.table
            .update(&k, stale, Some(Condition::VersionIs(1)))
            .await,
        Err(TableError::ConditionFailed)
    );
    let now = f.table.get(&k).await.unwrap().unwrap();
    assert_eq!((now.str_attr("status"), now.version()), (Some("paid"), 2));
}

async fn update_sets_removes_adds_and_upserts(f: TableFixture) {
    let k = key("COUNTER#x", "C");
    let created = f
        .table
        .update(&k, Update::new().add("hits", 5).set("label", "x"), None)
        .await
        .unwrap();
    assert_eq!(
        created,
        item(json!({"pk": "COUNTER#x", "sk": "C", "hits": 5, "label": "x"}))
    );
    let changed = f
        .table
        .update(
            &k,
            Update::new()
                .add("hits", -2)
                .remove("label")
                .set("on", true),
            None,
        )
        .await
        .unwrap();
    assert_eq!(
        changed,
        item(json!({"pk": "COUNTER#x", "sk": "C", "hits": 3, "on": true}))
    );
    assert_eq!(f.table.get(&k).await.unwrap(), Some(changed));
    let missing = f
        .table
        .update(
            &key("COUNTER#y", "C"),
            Update::new().set("a", 1),
            Some(Condition::Exists),
        )
        .await;
    assert_eq!(missing, Err(TableError::ConditionFailed));
    assert_eq!(f.table.get(&key("COUNTER#y", "C")).await.unwrap(), None);
}

async fn conditional_delete_returns_the_old_item(f: TableFixture) {
    let k = key("SESSION#s", "SESSION");
    let stored = item(json!({"pk": "SESSION#s", "sk": "SESSION", "user": "u1"}));
    f.table.put(stored.clone(), None).await.unwrap();
    let refused = f.table.delete(&k, Some(Condition::eq("user", "u2"))).await;
    assert_eq!(refused, Err(TableError::ConditionFailed));
    assert_eq!(
        f.table
            .delete(&k, Some(Condition::eq("user", "u1")))
            .await
            .unwrap(),
        Some(stored)
    );
    assert_eq!(f.table.get(&k).await.unwrap(), None);
    assert_eq!(f.table.delete(&k, None).await.unwrap(), None);
}

async fn comparison_conditions_guard_counters(f: TableFixture) {
    let k = key("RATE#client", "WINDOW#1");
    let mut allowed = 0;
    for _ in 0..5 {
        let under_limit =
            Condition::AttributeNotExists("count".into()).or(Condition::lt("count", 3));
        match f
            .table
            .update(&k, Update::new().add("count", 1), Some(under_limit))
            .await
        {
            Ok(_) => allowed += 1,
            Err(TableError::ConditionFailed) => {}
            Err(other) => panic!("unexpected {other}"),
        }
    }
    assert_eq!(allowed, 3);
    let it = f.table.get(&k).await.unwrap().unwrap();
    assert_eq!(it.i64_attr("count"), Some(3));
    for (condition, holds) in [
        (Condition::le("count", 3), true),
        (Condition::gt("count", 3), false),
        (Condition::ge("count", 3), true),
        (Condition::eq("count", 3), true),
        (Condition::Not(Box::new(Condition::eq("count", 3))), false),
        (Condition::lt("count", "9"), false),
    ] {
        let result = f
            .table
            .update(&k, Update::new().set("seen", true), Some(condition.clone()))
            .await;
        assert_eq!(result.is_ok(), holds, "{condition:?}");
    }
}

async fn seed_partition(table: &dyn Table, partition: &str, n: usize) {
    for i in 0..n {
        let kind = if i % 2 == 0 { "INVOICE" } else { "ORDER" };
        let it = item(json!({"pk": partition, "sk": format!("{kind}#{i:03}"), "i": i}));
        table.put(it, None).await.unwrap();
    }
}

async fn query_by_prefix_and_range_in_both_directions(f: TableFixture) {
    seed_partition(f.table.as_ref(), "CUSTOMER#1", 10).await;
    seed_partition(f.table.as_ref(), "CUSTOMER#2", 4).await;
    let orders = f
        .table
        .query(Query::partition("CUSTOMER#1").sort(SortKey::BeginsWith("ORDER#".into())))
        .await
        .unwrap();
    assert_eq!(
        sks(&orders.items),
        [
            "ORDER#001",
            "ORDER#003",
            "ORDER#005",
            "ORDER#007",
            "ORDER#009"
        ]
    );
    assert!(orders.next.is_none());
    let newest = f
        .table
        .query(
            Query::partition("CUSTOMER#1")
                .sort(SortKey::BeginsWith("ORDER#".into()))
                .backward()
                .limit(2),
        )
        .await
        .unwrap();
    assert_eq!(sks(&newest.items), ["ORDER#009", "ORDER#007"]);
    assert!(newest.next.is_some());
    let range = Query::partition("CUSTOMER#1")
        .sort(SortKey::Between("INVOICE#002".into(), "INVOICE#006".into()));
    assert_eq!(
        sks(&f.table.query(range).await.unwrap().items),
        ["INVOICE#002", "INVOICE#004", "INVOICE#006"]
    );
    for (sort, expected) in [
        (SortKey::Lt("INVOICE#002".into()), vec!["INVOICE#000"]),
        (
            SortKey::Le("INVOICE#002".into()),
            vec!["INVOICE#000", "INVOICE#002"],
        ),
        (SortKey::Gt("ORDER#007".into()), vec!["ORDER#009"]),
        (
            SortKey::Ge("ORDER#007".into()),
            vec!["ORDER#007", "ORDER#009"],
        ),
        (SortKey::Eq("ORDER#003".into()), vec!["ORDER#003"]),
    ] {
        let page = f
            .table
            .query(Query::partition("CUSTOMER#1").sort(sort.clone()))
            .await
            .unwrap();
        assert_eq!(sks(&page.items), expected, "{sort:?}");
    }
    assert_eq!(
        f.table
            .query(Query::partition("CUSTOMER#2"))
            .await
            .unwrap()
            .items
            .len(),
        4
    );
    assert!(
        f.table
            .query(Query::partition("CUSTOMER#3"))
            .await
            .unwrap()
            .items
            .is_empty()
    );
}

async fn collect_pages(table: &dyn Table, query: Query) -> (Vec<Item>, usize) {
    let (mut all, mut pages, mut cursor) = (Vec::new(), 0, None);
    loop {
        let page = table.query(query.clone().after(cursor)).await.unwrap();
        assert!(page.items.len() <= query.limit.unwrap_or(usize::MAX));
        pages += 1;
        all.extend(page.items);
        match page.next {
            Some(next) => cursor = Some(next),
            None => return (all, pages),
        }
    }
}

async fn query_pages_with_a_cursor_cover_everything_once(f: TableFixture) {
    seed_partition(f.table.as_ref(), "CUSTOMER#p", 25).await;
    let (forward, pages) =
        collect_pages(f.table.as_ref(), Query::partition("CUSTOMER#p").limit(7)).await;
    assert_eq!(
        pages, 4,
        "7 + 7 + 7 + 4: the last full page knows nothing follows"
    );
    let mut expected = sks(&forward);
    expected.sort();
    assert_eq!(sks(&forward), expected);
    assert_eq!(forward.len(), 25);
    let (backward, _) = collect_pages(
        f.table.as_ref(),
        Query::partition("CUSTOMER#p").backward().limit(10),
    )
    .await;
    expected.reverse();
    assert_eq!(sks(&backward), expected);
    let exact = f
        .table
        .query(Query::partition("CUSTOMER#p").limit(25))
        .await
        .unwrap();
    assert_eq!((exact.items.len(), exact.next.is_none()), (25, true));
    let bad = f
        .table
        .query(Query::partition("CUSTOMER#p").after(Some("not a cursor".into())))
        .await;
    assert!(matches!(bad, Err(TableError::Invalid(_))));
}

async fn sparse_indexes_hold_only_items_with_their_keys(f: TableFixture) {
    for i in 0..12 {
        let mut it = item(json!({"pk": format!("ORDER#{i:02}"), "sk": "ORDER", "i": i}));
        if i % 3 != 0 {
            // Several orders share one status timestamp: ties break by table key.
            it.insert("gsi1pk".into(), json!("STATUS#pending_review"));
            it.insert("gsi1sk".into(), json!(format!("2026-11-0{}", i % 4)));
        }
        if i % 4 == 0 {
            it.insert("gsi2pk".into(), json!("CUSTOMER#c1"));
            it.insert("gsi2sk".into(), json!(format!("ORDER#{i:02}")));
        }
        f.table.put(it, None).await.unwrap();
    }
    let review = Query::index(Index::Gsi1, "STATUS#pending_review");
    let all = f.table.query(review.clone()).await.unwrap().items;
    assert_eq!(all.len(), 8);
    let (paged, _) = collect_pages(f.table.as_ref(), review.clone().limit(3)).await;
    assert_eq!(
        paged, all,
        "pages over tied index keys return the same items in the same order"
    );
    let (paged_back, _) = collect_pages(f.table.as_ref(), review.backward().limit(3)).await;
    assert_eq!(paged_back.len(), 8);
    let dates: Vec<&str> = paged_back
        .iter()
        .map(|i| i.str_attr("gsi1sk").unwrap())
        .collect();
    assert!(dates.windows(2).all(|w| w[0] >= w[1]), "{dates:?}");
    let by_customer = f
        .table
        .query(Query::index(Index::Gsi2, "CUSTOMER#c1"))
        .await
        .unwrap()
        .items;
    let ids: Vec<i64> = by_customer
        .iter()
        .map(|i| i.i64_attr("i").unwrap())
        .collect();
    assert_eq!(ids, [0, 4, 8]);
    let recent = Query::index(Index::Gsi2, "CUSTOMER#c1")
        .sort(SortKey::Ge("ORDER#04".into()))
        .backward();
    let ids: Vec<i64> = f
        .table
        .query(recent)
        .await
        .unwrap()
        .items
        .iter()
        .map(|i| i.i64_attr("i").unwrap())
        .collect();
    assert_eq!(ids, [8, 4]);
}

async fn expired_items_are_invisible_to_reads_and_conditions(f: TableFixture) {
    let now = f.clock.now_secs();
    let cache =
        item(json!({"pk": "CHECK#example.com", "sk": "CACHE", "available": true, "ttl": now + 60}));
    f.table.put(cache.clone(), None).await.unwrap();
    f.table
        .put(item(json!({"pk": "CHECK#example.com", "sk": "KEEP"})), None)
        .await
        .unwrap();
    let window = item(json!({"pk": "RATE#ip", "sk": "W", "count": 9, "ttl": now + 60}));
    f.table.put(window, None).await.unwrap();
    let k = key("CHECK#example.com", "CACHE");
    assert_eq!(f.table.get(&k).await.unwrap(), Some(cache));

    f.clock.advance_secs(61);
    assert_eq!(f.table.get(&k).await.unwrap(), None);
    assert_eq!(
        f.table.get_many(std::slice::from_ref(&k)).await.unwrap(),
        vec![None]
    );
    assert_eq!(
        sks(&f
            .table
            .query(Query::partition("CHECK#example.com"))
            .await
            .unwrap()
            .items),
        ["KEEP"]
    );
    assert_eq!(
        f.table.delete(&k, None).await.unwrap(),
        None,
        "deleting an expired item returns nothing"
    );
    // An expired item does not exist for conditions either…
    assert_eq!(
        f.table
            .update(
                &key("RATE#ip", "W"),
                Update::new().set("x", 1),
                Some(Condition::Exists)
            )
            .await,
        Err(TableError::ConditionFailed)
    );
    let fresh = item(json!({"pk": "RATE#ip", "sk": "W", "count": 1, "ttl": now + 200}));
    // …so a create-only put succeeds over it,
    f.table
        .put(fresh, Some(Condition::NotExists))
        .await
        .unwrap();
    f.clock.advance_secs(200);
    // and an update starts from the key alone, not from the stale attributes.
    let restarted = f
        .table
        .update(&key("RATE#ip", "W"), Update::new().add("count", 1), None)
        .await
        .unwrap();
    assert_eq!(
        restarted,
        item(json!({"pk": "RATE#ip", "sk": "W", "count": 1}))
    );
    // In a transaction as well.
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

async fn get_many_answers_in_key_order(f: TableFixture) {
    for name in ["a", "b", "c"] {
        f.table
            .put(
                item(json!({"pk": format!("NAME#{name}"), "sk": "N", "name": name})),
                None,
            )
            .await
            .unwrap();
    }
    let keys: Vec<Key> = ["c", "missing", "a", "c"]
        .iter()
        .map(|n| key(&format!("NAME#{n}"), "N"))
        .collect();
    let got = f.table.get_many(&keys).await.unwrap();
    let names: Vec<Option<&str>> = got
        .iter()
        .map(|i| i.as_ref().and_then(|i| i.str_attr("name")))
        .collect();
    assert_eq!(names, [Some("c"), None, Some("a"), Some("c")]);
    let many: Vec<Key> = (0..100).map(|i| key(&format!("NAME#{i}"), "N")).collect();
    assert_eq!(f.table.get_many(&many).await.unwrap().len(), 100);
    let too_many: Vec<Key> = (0..101).map(|i| key(&format!("NAME#{i}"), "N")).collect();
    assert!(matches!(
        f.table.get_many(&too_many).await,
        Err(TableError::Invalid(_))
    ));
}

async fn put_many_writes_every_item(f: TableFixture) {
    let items: Vec<Item> = (0..60)
        .map(|i| item(json!({"pk": "CACHE", "sk": format!("{i:02}"), "n": i})))
        .collect();
    f.table.put_many(items.clone()).await.unwrap();
    assert_eq!(
        f.table
            .query(Query::partition("CACHE"))
            .await
            .unwrap()
            .items,
        items
    );
    let replaced = vec![item(json!({"pk": "CACHE", "sk": "00", "n": 100}))];
    f.table.put_many(replaced.clone()).await.unwrap();
    assert_eq!(
        f.table.get(&key("CACHE", "00")).await.unwrap(),
        replaced.into_iter().next()
    );
    let bad = vec![
        item(json!({"pk": "CACHE", "sk": "ok"})),
        item(json!({"pk": "CACHE"})),
    ];
    assert!(matches!(
        f.table.put_many(bad).await,
        Err(TableError::Invalid(_))
    ));
    assert_eq!(
        f.table.get(&key("CACHE", "ok")).await.unwrap(),
        None,
        "an invalid batch writes nothing"
    );
}

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

async fn malformed_requests_are_rejected(f: TableFixture) {
    let invalid =
        |r: Result<(), TableError>| assert!(matches!(r, Err(TableError::Invalid(_))), "{r:?}");
    invalid(f.table.put(item(json!({"pk": "", "sk": "x"})), None).await);
    invalid(f.table.put(item(json!({"pk": "a"})), None).await);
    invalid(
        f.table
            .put(
                item(json!({"pk": "a", "sk": "b", "gsi1pk": 5, "gsi1sk": "x"})),
                None,
            )
            .await,
    );
    invalid(
        f.table
            .put(item(json!({"pk": "a", "sk": "b", "ttl": "tomorrow"})), None)
            .await,
    );
    let huge = "x".repeat(401 * 1024);
    invalid(
        f.table
            .put(item(json!({"pk": "a", "sk": "b", "blob": huge})), None)
            .await,
    );
    invalid(
        f.table
            .update(&key("a", "b"), Update::new().set("pk", "z"), None)
            .await
            .map(|_| ()),
    );
    invalid(
        f.table
            .update(&key("a", "b"), Update::new(), None)
            .await
            .map(|_| ()),
    );
    invalid(
        f.table
            .query(Query::partition("a").limit(0))
            .await
            .map(|_| ()),
    );
    assert_eq!(
        f.table.get(&key("a", "b")).await.unwrap(),
        None,
        "nothing was written"
    );
}
