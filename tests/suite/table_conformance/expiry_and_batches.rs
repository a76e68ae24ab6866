//! Items past their TTL, and batch reads and writes.

use hostfront::clock::Clock;
use hostfront::store::{Condition, Item, ItemExt, Key, Query, TableError, Update};
use hostfront_tests::TableFixture;
use serde_json::json;

use super::{item, key, sks};

conformance!(
    sweeping_deletes_only_expired_items,
    expired_items_are_invisible_to_reads_and_conditions,
    get_many_answers_in_key_order,
    put_many_writes_every_item,
    put_many_keeps_the_last_item_of_a_key,
);

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

async fn put_many_keeps_the_last_item_of_a_key(f: TableFixture) {
    // One batch that names a key three times (as a cache may refresh one name
    // twice), within a request of 25 and across two: the last item stands,
    // as after a sequence of puts.
    let version = |n: i64| item(json!({"pk": "DUP", "sk": "a", "n": n}));
    let mut items = vec![
        version(1),
        item(json!({"pk": "DUP", "sk": "b"})),
        version(2),
    ];
    items.extend((0..30).map(|i| item(json!({"pk": "DUP", "sk": format!("c{i:02}")}))));
    items.push(version(3));
    f.table.put_many(items).await.unwrap();
    assert_eq!(
        f.table.get(&key("DUP", "a")).await.unwrap(),
        Some(version(3))
    );
    let stored = f.table.query(Query::partition("DUP")).await.unwrap().items;
    assert_eq!(stored.len(), 32, "each key once");
}

async fn sweeping_deletes_only_expired_items(f: TableFixture) {
    let now = f.clock.now_secs();
    let lapsing = item(json!({"pk": "SWEEP#1", "sk": "LAPSES", "ttl": now + 60}));
    let later = item(json!({"pk": "SWEEP#1", "sk": "LATER", "ttl": now + 600}));
    let kept = item(json!({"pk": "SWEEP#1", "sk": "KEPT"}));
    f.table.put_many(vec![lapsing, later, kept]).await.unwrap();
    f.clock.advance_secs(61);
    match f.table.sweep_expired().await.unwrap() {
        Some(deleted) => assert_eq!(deleted, 1, "only the lapsed item"),
        None => assert_eq!(f.table.engine(), "dynamodb", "only DynamoDB sweeps itself"),
    }
    let left = f.table.query(Query::partition("SWEEP#1")).await.unwrap();
    assert_eq!(sks(&left.items), ["KEPT", "LATER"]);
}
