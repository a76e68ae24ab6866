//! What the conformance cases on dynalite rely on, checked against dynalite
//! itself: a new table refuses writes until it is ACTIVE, and dynalite, which
//! counts item sizes by DynamoDB's rules, stores what the port lets through
//! and refuses what the port refuses.

use std::sync::Arc;

use aws_sdk_dynamodb::error::ProvideErrorMetadata;
use aws_sdk_dynamodb::types::{
    AttributeDefinition, BillingMode, KeySchemaElement, KeyType, ScalarAttributeType, TableStatus,
};
use hostfront::adapters::aws::{DynamoTable, to_attributes};
use hostfront::clock::SystemClock;
use hostfront::store::{Item, MAX_ITEM_BYTES, MAX_PARTITION_KEY_BYTES, MAX_SORT_KEY_BYTES, Table};
use hostfront_tests::{DynaliteServer, dynalite_client, unique};
use serde_json::json;

use super::item;
use super::limits::padded_to;

/// Sends CreateTable for a table keyed by `pk` and `sk`, and nothing else.
async fn create_raw(client: &aws_sdk_dynamodb::Client, name: &str) {
    let mut request = client
        .create_table()
        .table_name(name)
        .billing_mode(BillingMode::PayPerRequest);
    for (attribute, kind) in [("pk", KeyType::Hash), ("sk", KeyType::Range)] {
        request = request
            .attribute_definitions(
                AttributeDefinition::builder()
                    .attribute_name(attribute)
                    .attribute_type(ScalarAttributeType::S)
                    .build()
                    .unwrap(),
            )
            .key_schema(
                KeySchemaElement::builder()
                    .attribute_name(attribute)
                    .key_type(kind)
                    .build()
                    .unwrap(),
            );
    }
    request.send().await.unwrap();
}

async fn status(client: &aws_sdk_dynamodb::Client, name: &str) -> Option<TableStatus> {
    let described = client.describe_table().table_name(name).send().await;
    described.unwrap().table.and_then(|t| t.table_status)
}

/// dynalite's own answer to a PutItem of `item`: Ok, or the error's code.
async fn put_raw(
    client: &aws_sdk_dynamodb::Client,
    table: &str,
    item: &Item,
) -> Result<(), String> {
    let sent = client
        .put_item()
        .table_name(table)
        .set_item(Some(to_attributes(item)))
        .send()
        .await;
    sent.map(|_| ())
        .map_err(|e| e.code().unwrap_or("no code").to_string())
}

/// How long the creation test's own dynalite keeps a new table CREATING:
/// ample time to see it so, even on a loaded machine.
const SLOW_CREATE_MS: u64 = 1_500;

#[tokio::test]
async fn a_created_table_takes_writes_at_once() {
    let slow = DynaliteServer::start(SLOW_CREATE_MS);
    let client = slow.client();
    // As DynamoDB does, dynalite keeps a new table CREATING for a while and
    // refuses writes to it meanwhile.
    let raw = unique("creating");
    create_raw(&client, &raw).await;
    assert_eq!(status(&client, &raw).await, Some(TableStatus::Creating));
    let first = item(json!({"pk": "A", "sk": "B"}));
    assert_eq!(
        put_raw(&client, &raw, &first).await,
        Err("ResourceNotFoundException".into())
    );

    let table = DynamoTable::new(client.clone(), unique("created"), Arc::new(SystemClock));
    assert!(table.create_table_if_missing().await.unwrap(), "created");
    assert_eq!(
        status(&client, table.table_name()).await,
        Some(TableStatus::Active)
    );
    table.put(first.clone(), None).await.unwrap();

    // A table another process is still creating is waited for too.
    let elsewhere = unique("elsewhere");
    create_raw(&client, &elsewhere).await;
    let joined = DynamoTable::new(client.clone(), elsewhere, Arc::new(SystemClock));
    assert!(
        !joined.create_table_if_missing().await.unwrap(),
        "found, not created"
    );
    joined.put(first, None).await.unwrap();
}

#[tokio::test]
async fn dynalite_measures_items_and_keys_as_the_port_does() {
    let client = dynalite_client();
    let table = DynamoTable::new(client.clone(), unique("limits"), Arc::new(SystemClock));
    table.create_table_if_missing().await.unwrap();
    let name = table.table_name();
    let shapes = [
        json!({"pk": "SHAPE#strings", "sk": "S", "name": "Ada", "empty": ""}),
        json!({"pk": "SHAPE#numbers", "sk": "N", "n": 1234.5678, "numbers": [
            0, 7, 12, 120, 1200, -120, 12345, 0.05, 1.5, -3.25e-7, i64::MAX, 1e125, -1e-130]}),
        json!({"pk": "SHAPE#nested", "sk": "M", "m": {"a": [true, null, {"b": "x"}], "c": false,
               "d": []}, "e": {}, "f": [[], [1, [2]]]}),
    ];
    for shape in shapes {
        let full = padded_to(item(shape.clone()), MAX_ITEM_BYTES);
        assert_eq!(put_raw(&client, name, &full).await, Ok(()), "{shape}");
        let over = padded_to(item(shape.clone()), MAX_ITEM_BYTES + 1);
        assert_eq!(
            put_raw(&client, name, &over).await,
            Err("ValidationException".into()),
            "{shape}"
        );
    }
    let keyed = |pk: usize, sk: usize| item(json!({"pk": "p".repeat(pk), "sk": "s".repeat(sk)}));
    let (partition, sort) = (MAX_PARTITION_KEY_BYTES, MAX_SORT_KEY_BYTES);
    assert_eq!(
        put_raw(&client, name, &keyed(partition, sort)).await,
        Ok(())
    );
    for over in [keyed(partition + 1, sort), keyed(partition, sort + 1)] {
        assert_eq!(
            put_raw(&client, name, &over).await,
            Err("ValidationException".into())
        );
    }
}
