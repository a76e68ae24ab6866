//! Changes to one item, as DynamoDB's UpdateItem makes them.

use serde_json::Value;

use super::{Item, Key, TableError, TableResult, VERSION, limits};

/// Changes to one item. An update of a missing (or expired) item creates it
/// from its key and these changes, as DynamoDB's UpdateItem does.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Update {
    pub set: Vec<(String, Value)>,
    pub remove: Vec<String>,
    /// Atomic addition to a number attribute; a missing attribute counts as 0.
    pub add: Vec<(String, i64)>,
}

impl Update {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn set(mut self, attribute: impl Into<String>, value: impl Into<Value>) -> Self {
        self.set.push((attribute.into(), value.into()));
        self
    }

    pub fn remove(mut self, attribute: impl Into<String>) -> Self {
        self.remove.push(attribute.into());
        self
    }

    pub fn add(mut self, attribute: impl Into<String>, delta: i64) -> Self {
        self.add.push((attribute.into(), delta));
        self
    }

    /// Adds one to the item's version, for optimistic locking with `Condition::VersionIs`.
    pub fn bump_version(self) -> Self {
        self.add(VERSION, 1)
    }

    fn attributes(&self) -> impl Iterator<Item = &str> {
        self.set
            .iter()
            .map(|(a, _)| a.as_str())
            .chain(self.remove.iter().map(String::as_str))
            .chain(self.add.iter().map(|(a, _)| a.as_str()))
    }

    /// Rejects updates of key attributes, of one attribute twice, and index keys
    /// DynamoDB would refuse (see `limits`), as DynamoDB does.
    pub fn validate(&self) -> TableResult<()> {
        let mut seen = std::collections::HashSet::new();
        for attribute in self.attributes() {
            if attribute == "pk" || attribute == "sk" {
                return Err(TableError::Invalid(
                    "an update cannot change pk or sk".into(),
                ));
            }
            if attribute.is_empty() {
                return Err(TableError::Invalid("empty attribute name".into()));
            }
            if !seen.insert(attribute) {
                return Err(TableError::Invalid(format!(
                    "attribute {attribute} is changed twice"
                )));
            }
        }
        for (attribute, value) in &self.set {
            limits::check_index_attribute(attribute, value)?;
        }
        if self.set.is_empty() && self.remove.is_empty() && self.add.is_empty() {
            return Err(TableError::Invalid(
                "an update must change something".into(),
            ));
        }
        Ok(())
    }

    /// The item after this update, from the visible item (None when absent or expired).
    pub fn apply(&self, key: &Key, current: Option<&Item>) -> TableResult<Item> {
        let mut item = current.cloned().unwrap_or_else(|| key.to_item());
        for (attribute, value) in &self.set {
            item.insert(attribute.clone(), value.clone());
        }
        for attribute in &self.remove {
            item.remove(attribute);
        }
        for (attribute, delta) in &self.add {
            let now = match item.get(attribute) {
                None => 0,
                Some(Value::Number(n)) => n
                    .as_i64()
                    .ok_or_else(|| TableError::Invalid(format!("{attribute} is not an integer")))?,
                Some(_) => {
                    return Err(TableError::Invalid(format!(
                        "cannot add to non-number {attribute}"
                    )));
                }
            };
            let sum = now
                .checked_add(*delta)
                .ok_or_else(|| TableError::Invalid(format!("{attribute} would overflow")))?;
            item.insert(attribute.clone(), Value::from(sum));
        }
        Ok(item)
    }
}
