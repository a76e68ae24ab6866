//! Typed conditions, updates and key conditions as DynamoDB expressions.

use std::collections::HashMap;

use aws_sdk_dynamodb::types::AttributeValue;

use super::Attributes;
use super::codec::to_attribute;
use serde_json::Value;

use hostfront_core::store::{Condition, Query, SortKey, TTL, Update, VERSION};

/// Builds an expression's placeholders (`#n0`, `:v0`, ...).
#[derive(Default)]
pub(super) struct Expr {
    names: HashMap<String, String>,
    values: HashMap<String, AttributeValue>,
}

impl Expr {
    pub(super) fn name(&mut self, attribute: &str) -> String {
        if let Some((placeholder, _)) = self.names.iter().find(|(_, a)| *a == attribute) {
            return placeholder.clone();
        }
        let placeholder = format!("#n{}", self.names.len());
        self.names
            .insert(placeholder.clone(), attribute.to_string());
        placeholder
    }

    pub(super) fn value(&mut self, value: AttributeValue) -> String {
        let placeholder = format!(":v{}", self.values.len());
        self.values.insert(placeholder.clone(), value);
        placeholder
    }

    pub(super) fn names(&self) -> Option<HashMap<String, String>> {
        Some(self.names.clone()).filter(|n| !n.is_empty())
    }

    pub(super) fn values(&self) -> Option<Attributes> {
        Some(self.values.clone()).filter(|v| !v.is_empty())
    }

    /// True for an item that has not expired (and for a missing item).
    pub(super) fn live(&mut self, now: i64) -> String {
        let ttl = self.name(TTL);
        let now = self.value(AttributeValue::N(now.to_string()));
        format!("(attribute_not_exists({ttl}) OR {ttl} > {now})")
    }

    /// The condition, true only for a missing or unexpired item, so that an
    /// expired one always fails and gets cleared (see the module comment).
    pub(super) fn guarded(&mut self, condition: Option<&Condition>, now: i64) -> String {
        let rendered = condition.map(|c| self.condition(c));
        let live = self.live(now);
        // Composite conditions render in parentheses already, and DynamoDB
        // rejects redundant ones.
        match rendered {
            Some(c) => format!("{c} AND {live}"),
            None => live,
        }
    }

    pub(super) fn condition(&mut self, condition: &Condition) -> String {
        let compare = |expr: &mut Self, attribute: &str, op: &str, value: &Value| {
            format!(
                "{} {op} {}",
                expr.name(attribute),
                expr.value(to_attribute(value))
            )
        };
        match condition {
            Condition::Exists => format!("attribute_exists({})", self.name("pk")),
            Condition::NotExists => format!("attribute_not_exists({})", self.name("pk")),
            Condition::VersionIs(v) => compare(self, VERSION, "=", &Value::from(*v)),
            Condition::AttributeExists(a) => format!("attribute_exists({})", self.name(a)),
            Condition::AttributeNotExists(a) => format!("attribute_not_exists({})", self.name(a)),
            Condition::Eq(a, v) => compare(self, a, "=", v),
            Condition::Lt(a, v) => compare(self, a, "<", v),
            Condition::Le(a, v) => compare(self, a, "<=", v),
            Condition::Gt(a, v) => compare(self, a, ">", v),
            Condition::Ge(a, v) => compare(self, a, ">=", v),
            Condition::And(all) => self.join(all, "AND", true),
            Condition::Or(any) => self.join(any, "OR", false),
            Condition::Not(inner) => format!("(NOT {})", self.condition(inner)),
        }
    }

    pub(super) fn join(&mut self, parts: &[Condition], op: &str, empty: bool) -> String {
        if parts.is_empty() {
            let pk = self.name("pk");
            let always = format!("(attribute_exists({pk}) OR attribute_not_exists({pk}))");
            return if empty {
                always
            } else {
                format!("(NOT {always})")
            };
        }
        if let [single] = parts {
            return self.condition(single);
        }
        let rendered: Vec<String> = parts.iter().map(|p| self.condition(p)).collect();
        format!("({})", rendered.join(&format!(" {op} ")))
    }

    pub(super) fn update(&mut self, update: &Update) -> String {
        let mut clauses = Vec::new();
        if !update.set.is_empty() {
            let set: Vec<String> = update
                .set
                .iter()
                .map(|(a, v)| format!("{} = {}", self.name(a), self.value(to_attribute(v))))
                .collect();
            clauses.push(format!("SET {}", set.join(", ")));
        }
        if !update.remove.is_empty() {
            let remove: Vec<String> = update.remove.iter().map(|a| self.name(a)).collect();
            clauses.push(format!("REMOVE {}", remove.join(", ")));
        }
        if !update.add.is_empty() {
            let add: Vec<String> = update
                .add
                .iter()
                .map(|(a, d)| {
                    format!(
                        "{} {}",
                        self.name(a),
                        self.value(AttributeValue::N(d.to_string()))
                    )
                })
                .collect();
            clauses.push(format!("ADD {}", add.join(", ")));
        }
        clauses.join(" ")
    }

    pub(super) fn key_condition(&mut self, query: &Query) -> String {
        let (pk_attr, sk_attr) = query.index.key_attributes();
        let pk = self.name(pk_attr);
        let partition = self.value(AttributeValue::S(query.partition.clone()));
        if query.sort == SortKey::Any {
            return format!("{pk} = {partition}");
        }
        let sk = self.name(sk_attr);
        let mut s = |v: &String| self.value(AttributeValue::S(v.clone()));
        let sort = match &query.sort {
            SortKey::Any => unreachable!("handled above"),
            SortKey::Eq(v) => format!("{sk} = {}", s(v)),
            SortKey::BeginsWith(p) => format!("begins_with({sk}, {})", s(p)),
            SortKey::Between(a, b) => format!("{sk} BETWEEN {} AND {}", s(a), s(b)),
            SortKey::Lt(v) => format!("{sk} < {}", s(v)),
            SortKey::Le(v) => format!("{sk} <= {}", s(v)),
            SortKey::Gt(v) => format!("{sk} > {}", s(v)),
            SortKey::Ge(v) => format!("{sk} >= {}", s(v)),
        };
        format!("{pk} = {partition} AND {sort}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conditions_render_with_placeholders() {
        let mut expr = Expr::default();
        let rendered = expr.guarded(Some(&Condition::NotExists.or(Condition::VersionIs(3))), 100);
        assert_eq!(
            rendered,
            "(attribute_not_exists(#n0) OR #n1 = :v0) AND (attribute_not_exists(#n2) OR #n2 > :v1)"
        );
        assert_eq!(expr.names.get("#n1").map(String::as_str), Some("v"));
        assert_eq!(
            expr.values.get(":v1"),
            Some(&AttributeValue::N("100".into()))
        );
    }
}
