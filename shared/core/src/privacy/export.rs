//! Everything held about a customer, as one JSON document they may keep or
//! take elsewhere (GDPR articles 15 and 20). It is read from their
//! partition (`CUSTOMER#<id>`), where every kind of item is either put in a
//! section or left out as a secret or a mere bookkeeping aid (`KINDS`), and
//! from the indexes that file their invoices and audit entries. Secrets
//! never leave: no password hash, no session or link token digests, no
//! provider tokens, no panel passwords (those live sealed under the order,
//! outside the partition).

use serde_json::{Map, Value, json};

use crate::CustomerId;
use crate::Storage;
use crate::store::{Index, Item, Query, TableResult, all_items};

/// What becomes of one kind of item of the customer's partition.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Treatment {
    /// Exported in the section named.
    Section(&'static str),
    /// Exported in a section read from an index instead (named).
    ByIndex(&'static str),
    /// Left out, for the reason given.
    Excluded(&'static str),
}

/// Every kind of item in a customer's partition, by its sort key: a
/// pattern ending in `#` is a prefix, any other the whole key. A new kind
/// must be added here; the export refuses to run past one it does not know.
pub const KINDS: &[(&str, Treatment)] = &[
    ("PROFILE", Treatment::Section("profile")),
    ("ORDER#", Treatment::Section("orders")),
    ("SERVICE#", Treatment::Section("services")),
    ("DOMAIN#", Treatment::Section("domains")),
    ("INVOICE#", Treatment::ByIndex("invoices")),
    ("CREDITNOTE#", Treatment::Section("credit_notes")),
    ("PAYMENT_METHOD", Treatment::Section("saved_card")),
    ("CREDIT", Treatment::Section("account_credit")),
    ("CART", Treatment::Section("cart")),
    ("DISPUTE#", Treatment::Section("disputes")),
    ("DECLINES#", Treatment::Section("declined_cards")),
    ("UNPAID", Treatment::Section("unpaid_orders")),
    ("REGACCOUNT#", Treatment::Section("registrar_accounts")),
    (
        "IDEMPOTENCY#",
        Treatment::Excluded(
            "a digest of a request kept 7 days so that a retry is not done twice; what it made is in orders",
        ),
    ),
];

/// Attributes never exported, whatever item holds them.
const SECRET_ATTRIBUTES: &[&str] = &[
    "password_hash",
    "token",
    "fingerprint",
    "totp_sealed",
    "totp_pending_sealed",
    "recovery",
    "password_sealed",
];

/// Attributes of the table's own bookkeeping, not about the person.
const KEY_ATTRIBUTES: &[&str] = &[
    "pk", "sk", "gsi1pk", "gsi1sk", "gsi2pk", "gsi2sk", "v", "ttl", "kind",
];

/// Held elsewhere and why it is not in the document.
const NOT_INCLUDED: &[(&str, &str)] = &[
    (
        "sessions",
        "stored only as digests of their tokens, which are secrets; log out everywhere to end them",
    ),
    (
        "mails",
        "copies are kept 30 days so that none is sent twice; those among the newest the console shows are under `mails`, their links' tokens withheld",
    ),
];

/// How an item with sort key `sk` is treated, or None for an unknown kind.
pub fn treatment(sk: &str) -> Option<Treatment> {
    KINDS
        .iter()
        .find(|(pattern, _)| {
            if pattern.ends_with('#') {
                sk.starts_with(pattern)
            } else {
                sk == *pattern
            }
        })
        .map(|(_, treatment)| *treatment)
}

/// An item of a kind the export does not know: refused rather than
/// exported with what may be a secret, or silently left out.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("the export does not know the item kind of sort key {0}")]
    UnknownKind(String),
    #[error(transparent)]
    Table(#[from] crate::store::TableError),
}

/// `item` without its keys and secrets.
fn cleaned(item: &Item) -> Value {
    let kept: Map<String, Value> = item
        .iter()
        .filter(|(name, _)| {
            !SECRET_ATTRIBUTES.contains(&name.as_str()) && !KEY_ATTRIBUTES.contains(&name.as_str())
        })
        .map(|(name, value)| (name.clone(), value.clone()))
        .collect();
    Value::Object(kept)
}

/// The profile: the customer as they see it, and when the address was
/// proven and the password last set.
fn profile_section(item: &Item) -> Value {
    let mut profile = match item.get("customer") {
        Some(Value::Object(customer)) => customer.clone(),
        _ => Map::new(),
    };
    for name in ["email_verified_at", "password_set_ms", "erased_at"] {
        if let Some(value) = item.get(name) {
            profile.insert(name.into(), value.clone());
        }
    }
    Value::Object(profile)
}

async fn indexed(ports: &impl Storage, partition: String) -> TableResult<Vec<Value>> {
    let items = all_items(ports.table(), Query::index(Index::Gsi1, partition)).await?;
    Ok(items.iter().map(cleaned).collect())
}

/// The audit entries about the customer; the address of whoever acted is
/// left out, as it may be a member of staff's.
async fn audit_section(ports: &impl Storage, customer_id: &CustomerId) -> TableResult<Vec<Value>> {
    let mut entries = indexed(ports, format!("AUDIT#CUSTOMER#{customer_id}")).await?;
    for entry in &mut entries {
        if let Value::Object(fields) = entry {
            fields.remove("client");
        }
    }
    Ok(entries)
}

/// The mail to `email` among the newest kept (as staff see them), as sent
/// but for the links' tokens, which only the mail itself held.
async fn mail_section(ports: &impl Storage, email: Option<&str>) -> TableResult<Vec<Value>> {
    let Some(email) = email else {
        return Ok(Vec::new());
    };
    let mails = crate::mail::outbox(ports, MAILS_READ).await?;
    Ok(mails
        .into_iter()
        .filter(|mail| mail.to == email)
        .map(|mail| {
            json!({"kind": mail.kind.slug(), "subject": mail.subject, "sent_at": mail.created_at, "text": mail.text})
        })
        .collect())
}

/// How many of the newest kept mails are looked through, as the console does.
const MAILS_READ: usize = 500;

/// Everything held about `customer_id`, as of now.
pub async fn export(ports: &impl Storage, customer_id: &CustomerId) -> Result<Value, ExportError> {
    let items = all_items(
        ports.table(),
        Query::partition(format!("CUSTOMER#{customer_id}")),
    )
    .await?;
    let mut sections: Map<String, Value> = Map::new();
    for (_, treatment) in KINDS {
        if let Treatment::Section(name) | Treatment::ByIndex(name) = treatment {
            sections.entry(*name).or_insert_with(|| json!([]));
        }
    }
    for item in &items {
        let sk = item.get("sk").and_then(Value::as_str).unwrap_or_default();
        match treatment(sk).ok_or_else(|| ExportError::UnknownKind(sk.to_string()))? {
            Treatment::Section("profile") => {
                sections.insert("profile".into(), profile_section(item));
            }
            Treatment::Section(name) => {
                if let Some(Value::Array(list)) = sections.get_mut(name) {
                    list.push(cleaned(item));
                }
            }
            Treatment::ByIndex(_) | Treatment::Excluded(_) => {}
        }
    }
    let invoices = indexed(ports, format!("INVOICES#CUSTOMER#{customer_id}")).await?;
    sections.insert("invoices".into(), Value::Array(invoices));
    let profile = sections.get("profile").cloned().unwrap_or(Value::Null);
    let contacts = json!({
        "billing": profile.get("billing_contact"),
        "technical": profile.get("technical_contact"),
    });
    let consents: Vec<Value> = match sections.get("saved_card") {
        Some(Value::Array(cards)) => cards
            .iter()
            .map(|card| json!({"about": "charging the saved card without asking each time", "consent": card.get("consent")}))
            .collect(),
        _ => Vec::new(),
    };
    let email = profile.get("email").and_then(Value::as_str);
    sections.insert(
        "mails".into(),
        Value::Array(mail_section(ports, email).await?),
    );
    sections.insert("contacts".into(), contacts);
    sections.insert("consents".into(), Value::Array(consents));
    sections.insert(
        "audit".into(),
        Value::Array(audit_section(ports, customer_id).await?),
    );
    let not_included: Map<String, Value> = NOT_INCLUDED
        .iter()
        .map(|(what, why)| (what.to_string(), Value::from(*why)))
        .collect();
    sections.insert("not_included".into(), Value::Object(not_included));
    sections.insert("customer_id".into(), json!(customer_id));
    sections.insert(
        "exported_at".into(),
        json!(crate::clock::rfc3339(ports.clock().now())),
    );
    sections.insert("format".into(), json!("hostfront-export/1"));
    Ok(Value::Object(sections))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_filed_under_a_customer_in_the_data_model_is_treated() {
        let model = include_str!("../../../../docs/data-model.md");
        let mut seen = 0;
        for row in model.lines().filter(|l| l.starts_with('|')) {
            let cells: Vec<&str> = row.split('|').map(str::trim).collect();
            let (Some(pk), Some(sk)) = (cells.get(2), cells.get(3)) else {
                continue;
            };
            if !(pk.starts_with("`CUSTOMER#<ulid>`") || pk.starts_with("`CUSTOMER#<id>`")) {
                continue;
            }
            // The sort key's literal start: up to its first placeholder.
            let literal = sk.trim_matches('`').split(['<', '`']).next().unwrap_or("");
            seen += 1;
            assert!(
                treatment(literal).is_some() || treatment(&format!("{literal}x")).is_some(),
                "the export does not say what to do with {sk}: add it to KINDS"
            );
        }
        assert!(seen >= 10, "read {seen} kinds from the data model");
    }

    #[test]
    fn prefixes_and_whole_keys_are_told_apart() {
        assert_eq!(
            treatment("CREDIT"),
            Some(Treatment::Section("account_credit"))
        );
        assert_eq!(
            treatment("CREDITNOTE#CN-000001"),
            Some(Treatment::Section("credit_notes"))
        );
        assert_eq!(treatment("CREDITX"), None);
        assert_eq!(treatment("SOMETHING#NEW"), None);
    }

    #[test]
    fn secrets_and_keys_are_cleaned_away() {
        let item: Item = serde_json::from_value(json!({
            "pk": "CUSTOMER#1", "sk": "PAYMENT_METHOD", "token": "tok_secret",
            "last4": "4242", "password_hash": "$argon2id$x"
        }))
        .unwrap();
        assert_eq!(cleaned(&item), json!({"last4": "4242"}));
    }
}
