//! A customer's client accounts at the registrar. Some registrars (OpenSRS
//! with its `reg_username` and `reg_password` profiles, for one) manage a
//! customer's domains under a client account of the customer's own; a
//! customer may keep several (one for the family's domains, say). Each is an
//! item of the customer's partition, `CUSTOMER#<id>` / `REGACCOUNT#<id>`,
//! its password sealed by the `Sealer` and never shown after the order that
//! made it. The order chooses or makes one (`orders::create`); provisioning
//! makes it at the registrar and files the domain under it.

mod write;

pub use write::{add_domain, claim_username_op, new_account, open_password};

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::ids::RegistrarAccountId;
use crate::store::{ItemExt, Key, Query, SortKey, TableResult, all_items, record_of};
use crate::{CustomerId, Storage};

/// The most client accounts one customer keeps.
pub const MAX_PER_CUSTOMER: usize = 20;

/// The longest label, in characters.
pub const MAX_LABEL: usize = 40;

const SK_PREFIX: &str = "REGACCOUNT#";

/// A client account as the customer and staff see it: never its password.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct RegistrarAccount {
    #[schema(value_type = String)]
    pub id: RegistrarAccountId,
    #[schema(value_type = String)]
    pub customer_id: CustomerId,
    /// The customer's name for it, such as `Family`.
    pub label: String,
    pub username: String,
    /// The registrar it is held at (the `Registrar` adapter's name).
    pub registrar: String,
    /// RFC 3339.
    pub created_at: String,
    /// The domains registered or transferred under it, ASCII form.
    #[serde(default)]
    pub domains: Vec<String>,
}

pub(crate) fn key(customer_id: &CustomerId, id: &RegistrarAccountId) -> Key {
    Key::new(
        format!("CUSTOMER#{customer_id}"),
        format!("{SK_PREFIX}{id}"),
    )
}

/// The customer's accounts, oldest first.
pub async fn list(
    ports: &impl Storage,
    customer_id: &CustomerId,
) -> TableResult<Vec<RegistrarAccount>> {
    let query = Query::partition(format!("CUSTOMER#{customer_id}"))
        .sort(SortKey::BeginsWith(SK_PREFIX.into()));
    all_items(ports.table(), query)
        .await?
        .iter()
        .map(|item| record_of(item, "registrar account"))
        .collect()
}

/// A customer's accounts, for staff; none when there is no such customer.
pub async fn of_customer(
    ports: &impl Storage,
    customer_id: &CustomerId,
) -> TableResult<Option<Vec<RegistrarAccount>>> {
    let profile = Key::new(format!("CUSTOMER#{customer_id}"), "PROFILE");
    if ports.table().get(&profile).await?.is_none() {
        return Ok(None);
    }
    list(ports, customer_id).await.map(Some)
}

/// The customer's account `id`; none for another customer's.
pub async fn find(
    ports: &impl Storage,
    customer_id: &CustomerId,
    id: &RegistrarAccountId,
) -> TableResult<Option<RegistrarAccount>> {
    if !id.is_ulid() {
        return Ok(None);
    }
    let item = ports.table().get(&key(customer_id, id)).await?;
    item.filter(|i| i.str_attr("kind") == Some(KIND))
        .map(|i| record_of(&i, "registrar account"))
        .transpose()
}

const KIND: &str = "registrar_account";

/// The label trimmed, or why it cannot be one.
pub fn check_label(label: &str) -> Result<String, String> {
    let label = label.trim();
    let length = label.chars().count();
    if length == 0 || length > MAX_LABEL {
        return Err(format!("a label has 1 to {MAX_LABEL} characters"));
    }
    if label.chars().any(char::is_control) {
        return Err("a label is one line of text".into());
    }
    Ok(label.to_string())
}

/// The username, or why a registrar would not take it: 3 to 20 lowercase
/// letters and digits, starting with a letter.
pub fn check_username(username: &str) -> Result<String, String> {
    let username = username.trim().to_ascii_lowercase();
    let well_formed = (3..=20).contains(&username.len())
        && username.starts_with(|c: char| c.is_ascii_lowercase())
        && username
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit());
    if !well_formed {
        return Err(
            "a registrar username has 3 to 20 letters and digits, starting with a letter".into(),
        );
    }
    Ok(username)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_are_one_short_line() {
        assert_eq!(check_label("  Family ").unwrap(), "Family");
        assert!(check_label("   ").is_err());
        assert!(check_label(&"x".repeat(41)).is_err());
        assert!(check_label(&"é".repeat(40)).is_ok());
        assert!(check_label("two\nlines").is_err());
    }

    #[test]
    fn usernames_are_letters_and_digits() {
        assert_eq!(check_username("Family2024").unwrap(), "family2024");
        for bad in ["ab", "1abc", "with space", "dash-name", &"a".repeat(21)] {
            assert!(check_username(bad).is_err(), "{bad}");
        }
    }
}
