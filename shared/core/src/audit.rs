//! The audit log: who changed what, when, from what to what, and why.
//!
//! Append-only: an entry is written create-only, in the same transaction as
//! the change it records, and never updated. Items (see `docs/data-model.md`):
//! - `AUDIT#<subject>` / `<at>#<ulid>`: the entries of one subject (`order:<id>`);
//! - `gsi1`: `AUDIT#CUSTOMER#<customer id>`, the entries about a customer;
//! - `gsi2`: `AUDIT#ACTOR#<actor>`, the entries one person or process made;
//!
//! all three sorted by time.

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use utoipa::ToSchema;

use crate::CustomerId;
use crate::store::{Condition, Index, Item, Key, Query, Table, TableError, TableResult, TxOp};

/// What a member of staff may do; each role may do what the ones before it may.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Reads everything, resumes orders, resends mail.
    Support,
    /// Also refunds and credits (within a limit) and invoices.
    Billing,
    /// Everything: staff accounts, pools, settings.
    Admin,
}

impl Role {
    pub const ALL: [Role; 3] = [Role::Support, Role::Billing, Role::Admin];

    /// Whether this role may do what `needed` may.
    pub fn allows(self, needed: Role) -> bool {
        self >= needed
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Support => "support",
            Role::Billing => "billing",
            Role::Admin => "admin",
        }
    }

    pub fn named(name: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == name)
    }
}

/// Who made a change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(tag = "kind", content = "id", rename_all = "snake_case")]
pub enum Actor {
    /// A process of Hostfront's own: `provisioning`, `checkout`, `lapsed-orders`.
    System(String),
    /// A customer, acting on their own account.
    Customer(CustomerId),
    /// A member of staff, by staff id.
    Staff(String),
}

impl Actor {
    pub fn system(process: &str) -> Actor {
        Actor::System(process.to_string())
    }

    /// `system:provisioning`, `customer:<id>`, `staff:<id>`.
    pub fn label(&self) -> String {
        match self {
            Actor::System(id) => format!("system:{id}"),
            Actor::Customer(id) => format!("customer:{id}"),
            Actor::Staff(id) => format!("staff:{id}"),
        }
    }
}

/// One recorded change.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct AuditEntry {
    /// RFC 3339, UTC, to the millisecond.
    pub at: String,
    pub actor: Actor,
    /// What changed: `order:<id>`.
    pub subject: String,
    /// The customer the subject belongs to, if any.
    pub customer_id: Option<CustomerId>,
    /// What happened, by name: `approved`, `held`, `cancelled`.
    pub action: String,
    pub from: Option<String>,
    pub to: Option<String>,
    /// Why, in words.
    pub why: String,
    /// The client's address, for what staff do and staff logins.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client: Option<String>,
    /// The staff member's role when they acted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
}

/// Writes `update` to the existing record at `key`, bumping its version,
/// and what the customer `customer_id` did to `subject` (`action`, because
/// of `why`) in the same transaction.
pub async fn customer_update(
    table: &dyn Table,
    (key, update): (Key, crate::store::Update),
    (customer_id, subject): (&CustomerId, String),
    (action, why, at): (&str, String, String),
) -> TableResult<()> {
    let entry = AuditEntry {
        at,
        actor: Actor::Customer(customer_id.clone()),
        subject,
        customer_id: Some(customer_id.clone()),
        action: action.into(),
        from: None,
        to: None,
        why,
        client: None,
        role: None,
    };
    let ops = vec![
        TxOp::Update {
            key,
            update: update.bump_version(),
            condition: Some(Condition::Exists),
        },
        entry.put_op(),
    ];
    table.transact(ops).await
}

impl AuditEntry {
    /// The create-only write of this entry, for the transaction of its change.
    pub fn put_op(&self) -> TxOp {
        let sort = format!("{}#{}", self.at, next_id());
        let mut item = Key::new(format!("AUDIT#{}", self.subject), sort.clone()).to_item();
        item.insert("kind".into(), "audit".into());
        item.insert("entry".into(), json!(self));
        if let Some(customer) = &self.customer_id {
            item.insert("gsi1pk".into(), format!("AUDIT#CUSTOMER#{customer}").into());
            item.insert("gsi1sk".into(), sort.clone().into());
        }
        item.insert(
            "gsi2pk".into(),
            format!("AUDIT#ACTOR#{}", self.actor.label()).into(),
        );
        item.insert("gsi2sk".into(), sort.into());
        TxOp::Put {
            item,
            condition: Some(Condition::NotExists),
        }
    }

    pub(crate) fn of(item: &Item) -> TableResult<AuditEntry> {
        serde_json::from_value(item.get("entry").cloned().unwrap_or(Value::Null))
            .map_err(|e| TableError::Backend(format!("corrupt audit entry: {e}")))
    }
}

/// An id that sorts after every earlier one this process made, so entries
/// written within one millisecond keep their order.
fn next_id() -> ulid::Ulid {
    static IDS: std::sync::Mutex<Option<ulid::Generator>> = std::sync::Mutex::new(None);
    let mut ids = IDS.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    ids.get_or_insert_with(ulid::Generator::new)
        .generate()
        .unwrap_or_else(|_| ulid::Ulid::new())
}

/// Whose entries to read.
#[derive(Clone, Copy)]
pub enum AuditQuery<'a> {
    Subject(&'a str),
    Customer(&'a CustomerId),
    Actor(&'a Actor),
}

/// The newest `limit` entries that `query` names, newest first.
pub async fn read(
    table: &dyn Table,
    query: AuditQuery<'_>,
    limit: usize,
) -> TableResult<Vec<AuditEntry>> {
    let query = match query {
        AuditQuery::Subject(subject) => Query::partition(format!("AUDIT#{subject}")),
        AuditQuery::Customer(id) => Query::index(Index::Gsi1, format!("AUDIT#CUSTOMER#{id}")),
        AuditQuery::Actor(actor) => {
            Query::index(Index::Gsi2, format!("AUDIT#ACTOR#{}", actor.label()))
        }
    };
    let page = table.query(query.backward().limit(limit.max(1))).await?;
    page.items.iter().map(AuditEntry::of).collect()
}
