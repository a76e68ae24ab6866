//! The storage of accounts: customers' profiles and the markers that keep
//! their addresses unique, signups waiting for their link, and sessions.
//! Tokens are stored only as SHA-256 digests. Every item of an account is
//! built here; use cases ask for the writes they need.

use serde_json::{Value, json};

use super::{AccountError, Customer};
use crate::CustomerId;
use crate::store::{Condition, Item, ItemExt, Key, TableError, TxOp};

pub(crate) use crate::hashing::digest;

pub(crate) fn customer_key(id: &CustomerId) -> Key {
    Key::new(format!("CUSTOMER#{id}"), "PROFILE")
}

pub(crate) fn email_key(email: &str) -> Key {
    Key::new(format!("EMAIL#{email}"), "MARKER")
}

pub(crate) fn session_key(token: &str) -> Key {
    Key::new(format!("SESSION#{}", digest(token)), "SESSION")
}

pub(crate) fn customer_of(item: &Item) -> Result<Customer, AccountError> {
    serde_json::from_value(item.get("customer").cloned().unwrap_or(Value::Null))
        .map_err(|e| AccountError::Table(TableError::Backend(format!("corrupt customer: {e}"))))
}

/// The customer `customer_id`, from their profile; a missing one is an
/// error, as whatever names a customer outlives nobody's profile.
pub(crate) async fn load_customer(
    table: &dyn crate::store::Table,
    customer_id: &CustomerId,
) -> Result<Customer, TableError> {
    let profile = table
        .get(&customer_key(customer_id))
        .await?
        .ok_or_else(|| TableError::Backend(format!("customer {customer_id} is gone")))?;
    customer_of(&profile).map_err(|e| TableError::Backend(e.to_string()))
}

/// The writes that create a verified customer: the marker that claims the
/// address (it fails when the address has an account) and the profile.
pub(crate) fn create_customer_ops(customer: &Customer, password_hash: &str) -> (TxOp, TxOp) {
    let mut marker = email_key(&customer.email).to_item();
    marker.insert("customer_id".into(), customer.id.clone().into());
    let mut profile = customer_key(&customer.id).to_item();
    profile.insert("kind".into(), "customer".into());
    profile.insert("v".into(), 1.into());
    profile.insert("customer".into(), json!(customer));
    profile.insert("password_hash".into(), password_hash.into());
    profile.insert(
        "email_verified_at".into(),
        customer.created_at.clone().into(),
    );
    // Staff find customers by name.
    profile.insert("gsi2pk".into(), "CUSTOMERS".into());
    profile.insert(
        "gsi2sk".into(),
        name_index(&customer.name, customer.id.as_str()).into(),
    );
    let create = |item| TxOp::Put {
        item,
        condition: Some(Condition::NotExists),
    };
    (create(marker), create(profile))
}

/// How a customer is filed by name for staff: lower case, then the id.
pub(crate) fn name_index(name: &str, id: &str) -> String {
    format!("{}#{id}", name.trim().to_lowercase())
}

/// A signup waiting for its emailed link to be followed.
pub(crate) struct PendingSignup {
    pub email: String,
    pub name: String,
    pub country: String,
    pub password_hash: String,
    /// The visitor's cart, kept with the account it makes.
    pub cart: Option<crate::cart::Cart>,
}

impl PendingSignup {
    pub fn key(token: &str) -> Key {
        Key::new(format!("SIGNUP#{}", digest(token)), "PENDING")
    }

    /// The signup under the link's `token`, kept until `until` (epoch seconds).
    pub fn item(&self, token: &str, until: i64) -> Item {
        let mut item = Self::key(token).to_item();
        item.insert("kind".into(), "pending_signup".into());
        item.insert("email".into(), self.email.clone().into());
        item.insert("name".into(), self.name.clone().into());
        item.insert("country".into(), self.country.clone().into());
        item.insert("password_hash".into(), self.password_hash.clone().into());
        if let Some(cart) = &self.cart {
            item.insert("cart".into(), serde_json::json!(cart));
        }
        item.insert("ttl".into(), until.into());
        item
    }

    pub fn of(item: &Item) -> PendingSignup {
        let text = |name: &str| item.str_attr(name).unwrap_or_default().to_string();
        PendingSignup {
            email: text("email"),
            name: text("name"),
            country: text("country"),
            password_hash: text("password_hash"),
            cart: item
                .get("cart")
                .and_then(|cart| serde_json::from_value(cart.clone()).ok()),
        }
    }
}

/// A session of `customer_id` under `token`, started at `started_ms`, until
/// `until` (epoch seconds); created once.
pub(crate) fn create_session_op(
    token: &str,
    customer_id: &CustomerId,
    started_ms: i64,
    until: i64,
) -> (Item, Condition) {
    let mut session = session_key(token).to_item();
    session.insert("kind".into(), "session".into());
    session.insert("customer_id".into(), customer_id.into());
    session.insert("started_ms".into(), started_ms.into());
    session.insert("ttl".into(), until.into());
    (session, Condition::NotExists)
}
