//! What a customer's `Idempotency-Key` stands for: the thing the first
//! request made (an order, a renewal) and the fingerprint of that request.
//! The record is written in the same transaction as the thing, so a retried
//! request finds it and gets the same answer; a key sent again with another
//! request is refused.
//!
//! Item: `CUSTOMER#<id>` / `IDEMPOTENCY#<key>`, with `ttl`.

use crate::CustomerId;
use crate::store::{Condition, Item, ItemExt, Key, Table, TableResult, TxOp};

/// How long a retried request finds what its first one made.
pub const KEEP_DAYS: i64 = 7;

/// The most characters an `Idempotency-Key` may have.
pub const MAX_KEY: usize = 100;

/// Whether `key` is 1 to `MAX_KEY` printable ASCII characters.
pub fn valid_key(key: &str) -> bool {
    !key.is_empty() && key.len() <= MAX_KEY && key.chars().all(|c| c.is_ascii_graphic())
}

pub struct IdempotencyRecord<'a> {
    pub customer_id: &'a CustomerId,
    pub key: &'a str,
    /// The attribute that names what the request made, and its value:
    /// (`order_id`, the order's id), (`renewal`, the renewal's key).
    pub made: (&'static str, &'a str),
    pub fingerprint: &'a str,
}

/// What an earlier request under a key made.
pub enum Earlier {
    /// The same request: here is the value of what it made.
    Same(String),
    /// Another request used the key.
    Other,
}

impl IdempotencyRecord<'_> {
    pub fn key(customer_id: &CustomerId, key: &str) -> Key {
        Key::new(
            format!("CUSTOMER#{customer_id}"),
            format!("IDEMPOTENCY#{key}"),
        )
    }

    /// Records the key, once, until `until` (epoch seconds).
    pub fn create_op(&self, until: i64) -> TxOp {
        let mut item = Self::key(self.customer_id, self.key).to_item();
        item.insert("kind".into(), "idempotency".into());
        item.insert(self.made.0.into(), self.made.1.into());
        item.insert("fingerprint".into(), self.fingerprint.into());
        item.insert("ttl".into(), until.into());
        TxOp::Put {
            item,
            condition: Some(Condition::NotExists),
        }
    }

    /// What the request under `key` made before, as the attribute `made`,
    /// if a request was made under it.
    pub async fn earlier(
        table: &dyn Table,
        customer_id: &CustomerId,
        key: &str,
        made: &str,
        fingerprint: &str,
    ) -> TableResult<Option<Earlier>> {
        let record: Option<Item> = table.get(&Self::key(customer_id, key)).await?;
        Ok(record.map(
            |record| match (record.str_attr("fingerprint"), record.str_attr(made)) {
                (Some(seen), Some(value)) if seen == fingerprint => {
                    Earlier::Same(value.to_string())
                }
                _ => Earlier::Other,
            },
        ))
    }
}
