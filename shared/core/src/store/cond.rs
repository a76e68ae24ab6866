//! Typed write conditions and their evaluation against the visible item.
//!
//! The evaluator follows DynamoDB's rules: comparisons only between two numbers
//! or two strings (strings by bytes), and a comparison with a missing attribute
//! is false. The SQLite engine evaluates conditions here; the DynamoDB engine
//! renders them as expressions and uses `matches(.., None)` to know how a
//! condition treats an absent item.

use std::cmp::Ordering;

use serde_json::Value;

use super::item::{Item, VERSION};

#[derive(Debug, Clone, PartialEq)]
pub enum Condition {
    /// The item exists (and has not expired).
    Exists,
    /// No visible item has this key.
    NotExists,
    /// The item's `v` equals this version (a missing item never matches).
    VersionIs(i64),
    AttributeExists(String),
    AttributeNotExists(String),
    Eq(String, Value),
    Lt(String, Value),
    Le(String, Value),
    Gt(String, Value),
    Ge(String, Value),
    And(Vec<Condition>),
    Or(Vec<Condition>),
    Not(Box<Condition>),
}

impl Condition {
    pub fn eq(attribute: impl Into<String>, value: impl Into<Value>) -> Self {
        Condition::Eq(attribute.into(), value.into())
    }

    pub fn lt(attribute: impl Into<String>, value: impl Into<Value>) -> Self {
        Condition::Lt(attribute.into(), value.into())
    }

    pub fn le(attribute: impl Into<String>, value: impl Into<Value>) -> Self {
        Condition::Le(attribute.into(), value.into())
    }

    pub fn gt(attribute: impl Into<String>, value: impl Into<Value>) -> Self {
        Condition::Gt(attribute.into(), value.into())
    }

    pub fn ge(attribute: impl Into<String>, value: impl Into<Value>) -> Self {
        Condition::Ge(attribute.into(), value.into())
    }

    pub fn and(self, other: Condition) -> Self {
        Condition::And(vec![self, other])
    }

    pub fn or(self, other: Condition) -> Self {
        Condition::Or(vec![self, other])
    }
}

/// Whether `condition` holds for `item` (None: no visible item with the key).
pub fn matches(condition: &Condition, item: Option<&Item>) -> bool {
    let attr = |name: &str| item.and_then(|item| item.get(name));
    let compare = |name: &str, value: &Value, accept: fn(Ordering) -> bool| {
        attr(name)
            .and_then(|a| compare_values(a, value))
            .is_some_and(accept)
    };
    match condition {
        Condition::Exists => item.is_some(),
        Condition::NotExists => item.is_none(),
        Condition::VersionIs(version) => compare(VERSION, &Value::from(*version), Ordering::is_eq),
        Condition::AttributeExists(name) => attr(name).is_some(),
        Condition::AttributeNotExists(name) => attr(name).is_none(),
        Condition::Eq(name, value) => attr(name).is_some_and(|a| values_equal(a, value)),
        Condition::Lt(name, value) => compare(name, value, Ordering::is_lt),
        Condition::Le(name, value) => compare(name, value, Ordering::is_le),
        Condition::Gt(name, value) => compare(name, value, Ordering::is_gt),
        Condition::Ge(name, value) => compare(name, value, Ordering::is_ge),
        Condition::And(all) => all.iter().all(|c| matches(c, item)),
        Condition::Or(any) => any.iter().any(|c| matches(c, item)),
        Condition::Not(inner) => !matches(inner, item),
    }
}

fn values_equal(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(_), Value::Number(_)) => compare_values(a, b) == Some(Ordering::Equal),
        _ => a == b,
    }
}

fn compare_values(a: &Value, b: &Value) -> Option<Ordering> {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => match (x.as_i64(), y.as_i64()) {
            (Some(x), Some(y)) => Some(x.cmp(&y)),
            _ => x.as_f64()?.partial_cmp(&y.as_f64()?),
        },
        (Value::String(x), Value::String(y)) => Some(x.as_bytes().cmp(y.as_bytes())),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn item(value: Value) -> Item {
        value.as_object().unwrap().clone()
    }

    #[test]
    fn existence() {
        let it = item(json!({"pk": "a", "sk": "b"}));
        assert!(matches(&Condition::Exists, Some(&it)));
        assert!(!matches(&Condition::Exists, None));
        assert!(matches(&Condition::NotExists, None));
        assert!(!matches(&Condition::NotExists, Some(&it)));
    }

    #[test]
    fn comparisons_follow_dynamodb_typing() {
        let it = item(json!({"n": 5, "s": "m", "f": 1.5}));
        assert!(matches(&Condition::lt("n", 6), Some(&it)));
        assert!(!matches(&Condition::lt("n", 5), Some(&it)));
        assert!(matches(&Condition::le("n", 5), Some(&it)));
        assert!(matches(&Condition::gt("f", 1), Some(&it)));
        assert!(matches(&Condition::ge("s", "m"), Some(&it)));
        assert!(matches(&Condition::eq("n", 5.0), Some(&it)));
        // a number never compares with a string, and a missing attribute never compares
        assert!(!matches(&Condition::lt("n", "9"), Some(&it)));
        assert!(!matches(&Condition::lt("missing", 9), Some(&it)));
        assert!(!matches(&Condition::eq("missing", 9), None));
    }

    #[test]
    fn version_and_combinators() {
        let it = item(json!({"v": 3}));
        assert!(matches(&Condition::VersionIs(3), Some(&it)));
        assert!(!matches(&Condition::VersionIs(2), Some(&it)));
        assert!(!matches(&Condition::VersionIs(0), None));
        let either = Condition::NotExists.or(Condition::VersionIs(3));
        assert!(matches(&either, None));
        assert!(matches(&either, Some(&it)));
        assert!(!matches(&Condition::Not(Box::new(either)), Some(&it)));
        assert!(matches(
            &Condition::AttributeNotExists("x".into()).and(Condition::Exists),
            Some(&it)
        ));
    }
}
