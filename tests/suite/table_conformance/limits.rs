//! DynamoDB's limits on one item, refused by the port on every engine: its
//! size by DynamoDB's rules (400 KB of names and values, not JSON text), and
//! the lengths of the table's and the indexes' key values in UTF-8 bytes.

use hostfront::store::{
    Index, Item, MAX_ITEM_BYTES, MAX_PARTITION_KEY_BYTES, MAX_SORT_KEY_BYTES, Query, TableError,
    Update, item_size,
};
use hostfront_tests::TableFixture;
use serde_json::{Value, json};

use super::{item, key};

conformance!(
    items_up_to_dynamodbs_size_limit_are_stored,
    index_keys_up_to_dynamodbs_limits_are_stored,
);

/// `item` with a `pad` string that brings it to `size` bytes as DynamoDB counts them.
pub(super) fn padded_to(mut item: Item, size: usize) -> Item {
    item.insert("pad".into(), json!(""));
    let unpadded = item_size(&item).expect("a measurable item");
    item.insert("pad".into(), json!("x".repeat(size - unpadded)));
    item
}

fn invalid<T: std::fmt::Debug>(result: Result<T, TableError>) {
    assert!(matches!(result, Err(TableError::Invalid(_))), "{result:?}");
}

async fn items_up_to_dynamodbs_size_limit_are_stored(f: TableFixture) {
    // Names, strings, numbers, a list and a map, counted as DynamoDB counts them.
    let shape = |pk: &str| {
        item(
            json!({"pk": pk, "sk": "ITEM", "name": "Ada Lövelace", "n": 12, "b": true,
                    "z": null, "l": ["a", 7], "m": {"k": "v"}}),
        )
    };
    let full = padded_to(shape("SIZE#full"), MAX_ITEM_BYTES);
    f.table.put(full.clone(), None).await.unwrap();
    assert_eq!(
        f.table.get(&key("SIZE#full", "ITEM")).await.unwrap(),
        Some(full)
    );
    let batched = padded_to(shape("SIZE#batched"), MAX_ITEM_BYTES);
    f.table.put_many(vec![batched]).await.unwrap();

    let over = padded_to(shape("SIZE#over"), MAX_ITEM_BYTES + 1);
    invalid(f.table.put(over.clone(), None).await);
    invalid(f.table.put_many(vec![over]).await);
    // Small values cost DynamoDB more than their JSON text: these 140,000
    // sevens are 280 KB of JSON and 420 KB of item.
    let sevens = item(json!({"pk": "SIZE#sevens", "sk": "ITEM", "l": vec![7; 140_000]}));
    invalid(f.table.put(sevens, None).await);

    // An update may fill an item to the limit, not past it.
    let k = key("SIZE#grown", "ITEM");
    let grown = padded_to(
        item(json!({"pk": "SIZE#grown", "sk": "ITEM"})),
        MAX_ITEM_BYTES - 5,
    );
    f.table.put(grown, None).await.unwrap();
    f.table
        .update(&k, Update::new().set("more", "x"), None)
        .await
        .unwrap();
    invalid(
        f.table
            .update(&k, Update::new().set("more", "xy"), None)
            .await,
    );
    let stored = f.table.get(&k).await.unwrap().unwrap();
    assert_eq!(
        stored.get("more"),
        Some(&json!("x")),
        "the refused update changed nothing"
    );
    for gone in ["SIZE#over", "SIZE#sevens"] {
        assert_eq!(f.table.get(&key(gone, "ITEM")).await.unwrap(), None);
    }
}

async fn index_keys_up_to_dynamodbs_limits_are_stored(f: TableFixture) {
    let (partition, sort) = (MAX_PARTITION_KEY_BYTES, MAX_SORT_KEY_BYTES);
    let longest = item(json!({
        "pk": "p".repeat(partition), "sk": "s".repeat(sort),
        "gsi1pk": "g".repeat(partition), "gsi1sk": "h".repeat(sort),
        // Two bytes a letter: the limits count UTF-8 bytes, not characters.
        "gsi2pk": "é".repeat(partition / 2), "gsi2sk": "ü".repeat(sort / 2),
    }));
    f.table.put(longest.clone(), None).await.unwrap();
    let found = f
        .table
        .query(Query::index(Index::Gsi1, "g".repeat(partition)))
        .await
        .unwrap();
    assert_eq!(found.items, vec![longest]);

    let one_byte_more: [(&str, Value); 6] = [
        ("pk", json!("p".repeat(partition + 1))),
        ("sk", json!("s".repeat(sort + 1))),
        ("gsi1pk", json!("g".repeat(partition + 1))),
        ("gsi1sk", json!("h".repeat(sort + 1))),
        ("gsi2pk", json!(format!("{}x", "é".repeat(partition / 2)))),
        ("gsi2sk", json!(format!("{}x", "ü".repeat(sort / 2)))),
    ];
    for (attribute, value) in one_byte_more {
        let mut over = item(json!({"pk": "KEYS#over", "sk": "ITEM", "gsi1pk": "G",
                                   "gsi1sk": "H", "gsi2pk": "G", "gsi2sk": "H"}));
        over.insert(attribute.into(), value.clone());
        invalid(f.table.put(over.clone(), None).await);
        invalid(f.table.put_many(vec![over]).await);
        if attribute.starts_with("gsi") {
            let update = Update::new().set(attribute, value);
            invalid(
                f.table
                    .update(&key("KEYS#updated", "ITEM"), update, None)
                    .await,
            );
        }
    }
    let not_a_string = Update::new().set("gsi2sk", 5);
    invalid(
        f.table
            .update(&key("KEYS#updated", "ITEM"), not_a_string, None)
            .await,
    );
    for gone in ["KEYS#over", "KEYS#updated"] {
        assert_eq!(f.table.get(&key(gone, "ITEM")).await.unwrap(), None);
    }
}
