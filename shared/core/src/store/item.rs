//! Items, keys and the attribute conventions both engines share.

use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Map, Value};

use super::limits::{check_index_attribute, check_item_size, check_key_value};
use super::{Index, TableError, TableResult};

/// An item: a map of attribute names to JSON values. Numbers are stored as
/// DynamoDB numbers, maps and lists as DynamoDB M and L.
pub type Item = Map<String, Value>;

/// Epoch seconds after which an item is invisible to every read and condition.
pub const TTL: &str = "ttl";
/// The optimistic-locking version, checked by `Condition::VersionIs`. Items
/// that are version-checked are created with `v = 1`; a missing `v` never matches.
pub const VERSION: &str = "v";

#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Key {
    pub pk: String,
    pub sk: String,
}

impl Key {
    pub fn new(pk: impl Into<String>, sk: impl Into<String>) -> Self {
        Key {
            pk: pk.into(),
            sk: sk.into(),
        }
    }

    pub fn of(item: &Item) -> TableResult<Key> {
        match (item.get("pk"), item.get("sk")) {
            (Some(Value::String(pk)), Some(Value::String(sk))) => Ok(Key::new(pk, sk)),
            _ => Err(TableError::Invalid(
                "an item needs string pk and sk attributes".into(),
            )),
        }
    }

    pub fn to_item(&self) -> Item {
        let mut item = Item::new();
        item.insert("pk".into(), Value::String(self.pk.clone()));
        item.insert("sk".into(), Value::String(self.sk.clone()));
        item
    }

    pub fn validate(&self) -> TableResult<()> {
        check_key_value("pk", &self.pk, true)?;
        check_key_value("sk", &self.sk, false)
    }
}

impl fmt::Display for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}|{}", self.pk, self.sk)
    }
}

/// Conveniences for reading attributes of an item.
pub trait ItemExt {
    fn str_attr(&self, name: &str) -> Option<&str>;
    fn i64_attr(&self, name: &str) -> Option<i64>;
    /// True when the item has a `ttl` at or before `now` (epoch seconds).
    fn is_expired(&self, now: i64) -> bool;
    fn version(&self) -> i64;
}

impl ItemExt for Item {
    fn str_attr(&self, name: &str) -> Option<&str> {
        self.get(name).and_then(Value::as_str)
    }

    fn i64_attr(&self, name: &str) -> Option<i64> {
        self.get(name).and_then(Value::as_i64)
    }

    fn is_expired(&self, now: i64) -> bool {
        self.get(TTL)
            .and_then(Value::as_f64)
            .is_some_and(|ttl| ttl <= now as f64)
    }

    fn version(&self) -> i64 {
        self.i64_attr(VERSION).unwrap_or(0)
    }
}

/// The item as a reader may see it: expired items do not exist.
pub fn visible(item: Option<Item>, now: i64) -> Option<Item> {
    item.filter(|item| !item.is_expired(now))
}

/// Checks what DynamoDB would reject about a whole item.
pub fn validate_item(item: &Item) -> TableResult<()> {
    Key::of(item)?.validate()?;
    for (attribute, value) in item {
        check_index_attribute(attribute, value)?;
    }
    if let Some(ttl) = item.get(TTL)
        && !ttl.is_number()
    {
        return Err(TableError::Invalid(
            "ttl must be a number of epoch seconds".into(),
        ));
    }
    check_item_size(item)
}

/// The key attributes by which `index` orders `item`: (index pk, index sk) when
/// the item belongs to the index.
pub fn index_key(item: &Item, index: Index) -> Option<(&str, &str)> {
    let (pk, sk) = index.key_attributes();
    Some((item.str_attr(pk)?, item.str_attr(sk)?))
}

/// An opaque pagination cursor: the key attributes of the last item of a page.
pub fn encode_cursor(item: &Item, index: Index) -> String {
    let mut key = Map::new();
    let (ipk, isk) = index.key_attributes();
    for attribute in ["pk", "sk", ipk, isk] {
        if let Some(value) = item.get(attribute) {
            key.insert(attribute.to_string(), value.clone());
        }
    }
    URL_SAFE_NO_PAD.encode(serde_json::to_vec(&key).expect("a map of strings serialises"))
}

pub fn decode_cursor(cursor: &str, index: Index) -> TableResult<Item> {
    let invalid = || TableError::Invalid("malformed pagination cursor".into());
    let bytes = URL_SAFE_NO_PAD.decode(cursor).map_err(|_| invalid())?;
    let key: Item = serde_json::from_slice(&bytes).map_err(|_| invalid())?;
    Key::of(&key).map_err(|_| invalid())?;
    index_key(&key, index).ok_or_else(invalid)?;
    Ok(key)
}
