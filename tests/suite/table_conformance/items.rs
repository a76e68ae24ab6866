//! Single items: puts, gets, conditional writes, updates and deletes.

use hostfront::store::{Condition, ItemExt, TableError, Update};
use hostfront_tests::TableFixture;
use serde_json::json;

use super::{item, key};

conformance!(
    put_then_get_round_trips_every_value_type,
    conditional_put_refuses_an_existing_key,
    stale_version_update_is_a_conflict,
    update_sets_removes_adds_and_upserts,
    conditional_delete_returns_the_old_item,
    comparison_conditions_guard_counters,
);

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
