//! Batch reads and writes: BatchGetItem and BatchWriteItem, with their
//! unprocessed keys and items sent again after a pause.

use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::time::Duration;

use aws_sdk_dynamodb::types::{KeysAndAttributes, PutRequest, WriteRequest};

use super::codec::{from_attributes, key_attributes, to_attributes};
use super::{DynamoTable, classify};
use hostfront_core::store::{Item, Key, TableResult};

/// The most items one BatchWriteItem request carries.
const MAX_BATCH_WRITE: usize = 25;
/// The first pause before unprocessed keys or items are sent again; it doubles.
const FIRST_BACKOFF: Duration = Duration::from_millis(20);

impl DynamoTable {
    /// The items at `keys` (each key once), consistently read.
    pub(super) async fn batch_get(&self, keys: &[Key]) -> TableResult<HashMap<Key, Item>> {
        let mut unique: Vec<&Key> = keys.iter().collect();
        unique.sort();
        unique.dedup();
        let mut found = HashMap::new();
        let mut pending = Some(
            KeysAndAttributes::builder()
                .set_keys(Some(unique.iter().map(|k| key_attributes(k)).collect()))
                .consistent_read(true)
                .build()
                .expect("keys are set"),
        );
        let mut backoff = FIRST_BACKOFF;
        while let Some(request) = pending.take().filter(|r| !r.keys.is_empty()) {
            let output = self
                .client
                .batch_get_item()
                .request_items(&self.table, request)
                .send()
                .await
                .map_err(classify)?;
            for attrs in output
                .responses
                .unwrap_or_default()
                .remove(&self.table)
                .unwrap_or_default()
            {
                let item = from_attributes(&attrs);
                found.insert(Key::of(&item)?, item);
            }
            pending = output
                .unprocessed_keys
                .unwrap_or_default()
                .remove(&self.table);
            if pending.is_some() {
                tokio::time::sleep(backoff).await;
                backoff *= 2;
            }
        }
        Ok(found)
    }

    /// Writes valid `items`, the last of each key only, 25 to a request.
    pub(super) async fn batch_put(&self, items: Vec<Item>) -> TableResult<()> {
        for chunk in last_of_each_key(items)?.chunks(MAX_BATCH_WRITE) {
            let mut pending: Vec<WriteRequest> = chunk
                .iter()
                .map(|item| {
                    let put = PutRequest::builder()
                        .set_item(Some(to_attributes(item)))
                        .build()
                        .expect("item is set");
                    WriteRequest::builder().put_request(put).build()
                })
                .collect();
            let mut backoff = FIRST_BACKOFF;
            while !pending.is_empty() {
                let output = self
                    .client
                    .batch_write_item()
                    .request_items(&self.table, pending)
                    .send()
                    .await
                    .map_err(classify)?;
                pending = output
                    .unprocessed_items
                    .unwrap_or_default()
                    .remove(&self.table)
                    .unwrap_or_default();
                if !pending.is_empty() {
                    tokio::time::sleep(backoff).await;
                    backoff *= 2;
                }
            }
        }
        Ok(())
    }
}

/// One item per key, the last given for it, where the first stood: what a
/// sequence of puts would leave. BatchWriteItem refuses a whole request
/// that names one key twice.
fn last_of_each_key(items: Vec<Item>) -> TableResult<Vec<Item>> {
    let mut position: HashMap<Key, usize> = HashMap::new();
    let mut unique: Vec<Item> = Vec::with_capacity(items.len());
    for item in items {
        match position.entry(Key::of(&item)?) {
            Entry::Occupied(at) => unique[*at.get()] = item,
            Entry::Vacant(slot) => {
                slot.insert(unique.len());
                unique.push(item);
            }
        }
    }
    Ok(unique)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn the_last_item_of_a_key_stands_in_place_of_the_first() {
        let item = |sk: &str, n: i64| {
            json!({"pk": "P", "sk": sk, "n": n})
                .as_object()
                .unwrap()
                .clone()
        };
        let kept = last_of_each_key(vec![item("a", 1), item("b", 2), item("a", 3)]).unwrap();
        assert_eq!(kept, vec![item("a", 3), item("b", 2)]);
    }
}
