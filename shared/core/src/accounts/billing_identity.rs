//! Who the customer is on their invoices: a company name, when they buy as
//! a company, and a postal address. Both are optional: an account without
//! them still gets invoices, naming the account holder and their country.
//! Setting them changes invoices issued from then on only.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::repo::{customer_key, customer_of};
use super::{AccountError, Customer, invalid};
use crate::CustomerId;
use crate::Storage;
use crate::store::{Condition, ItemExt, TableError, Update};

/// The longest company name, and the longest line of an address.
pub const MAX_NAME: usize = 100;
/// At most this many street lines.
pub const MAX_LINES: usize = 3;

/// A postal address, without the country (the account's).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PostalAddress {
    /// Street and house, 1 to 3 lines of at most 100 characters.
    #[schema(min_items = 1, max_items = 3)]
    pub lines: Vec<String>,
    #[schema(min_length = 1, max_length = 60)]
    pub city: String,
    #[schema(min_length = 1, max_length = 16)]
    pub postal_code: String,
    /// A state, province or county, where addresses name one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(max_length = 60)]
    pub region: Option<String>,
}

impl PostalAddress {
    /// The address as an invoice prints it: the street lines, the postal
    /// code and city, then the region.
    pub fn printed(&self) -> Vec<String> {
        let mut printed = self.lines.clone();
        printed.push(format!("{} {}", self.postal_code, self.city));
        printed.extend(self.region.clone());
        printed
    }
}

/// The customer's identity on invoices; each part absent or null is none.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BillingIdentity {
    /// The company's legal name, when the customer buys as a company: it
    /// is the buyer's name on invoices.
    #[serde(default)]
    #[schema(min_length = 1, max_length = 100)]
    pub company: Option<String>,
    #[serde(default)]
    pub address: Option<PostalAddress>,
}

/// `text` trimmed, when it is 1 to `max` characters of plain text
/// (`input::is_plain_text`); otherwise the 422 `code` naming `what`.
fn field(text: &str, max: usize, code: &'static str, what: &str) -> Result<String, AccountError> {
    let text = text.trim();
    let length = text.chars().count();
    if length == 0 || length > max || !crate::input::is_plain_text(text) {
        return Err(invalid(
            code,
            format!(
                "{what} must be 1 to {max} characters, without control or invisible characters"
            ),
        ));
    }
    Ok(text.to_string())
}

impl BillingIdentity {
    /// The identity as it will be kept: trimmed, every part checked.
    pub fn checked(self) -> Result<BillingIdentity, AccountError> {
        let company = self
            .company
            .map(|name| field(&name, MAX_NAME, "invalid_company", "the company name"))
            .transpose()?;
        let address = self.address.map(checked_address).transpose()?;
        Ok(BillingIdentity { company, address })
    }
}

fn checked_address(address: PostalAddress) -> Result<PostalAddress, AccountError> {
    const CODE: &str = "invalid_address";
    if address.lines.is_empty() || address.lines.len() > MAX_LINES {
        return Err(invalid(CODE, "give 1 to 3 street lines"));
    }
    let lines = address
        .lines
        .iter()
        .map(|line| field(line, MAX_NAME, CODE, "each street line"))
        .collect::<Result<_, _>>()?;
    let postal_code = field(&address.postal_code, 16, CODE, "the postal code")?;
    if !postal_code
        .chars()
        .all(|c| c.is_alphanumeric() || c == ' ' || c == '-')
    {
        return Err(invalid(
            CODE,
            "the postal code may have letters, digits, spaces and hyphens only",
        ));
    }
    Ok(PostalAddress {
        lines,
        city: field(&address.city, 60, CODE, "the city")?,
        postal_code,
        region: address
            .region
            .filter(|region| !region.trim().is_empty())
            .map(|region| field(&region, 60, CODE, "the region"))
            .transpose()?,
    })
}

/// Sets the customer's company name and address (each replaced, none
/// clears it); refused whole, changing nothing, when any part is bad.
pub async fn set_billing_identity(
    ports: &impl Storage,
    customer_id: &CustomerId,
    identity: BillingIdentity,
) -> Result<Customer, AccountError> {
    let identity = identity.checked()?;
    let key = customer_key(customer_id);
    let profile = ports
        .table()
        .get(&key)
        .await?
        .ok_or(AccountError::NotLoggedIn)?;
    let mut customer = customer_of(&profile)?;
    customer.company = identity.company;
    customer.address = identity.address;
    let version = profile.i64_attr("v").unwrap_or(1);
    let update = Update::new()
        .set("customer", serde_json::json!(customer))
        .set("v", version + 1);
    match ports
        .table()
        .update(&key, update, Some(Condition::eq("v", version)))
        .await
    {
        Ok(_) => Ok(customer),
        Err(TableError::ConditionFailed) => Err(invalid(
            "account_changed",
            "the account changed meanwhile; send it again",
        )),
        Err(error) => Err(error.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(company: Option<&str>, address: Option<PostalAddress>) -> &'static str {
        let identity = BillingIdentity {
            company: company.map(str::to_string),
            address,
        };
        match identity.checked() {
            Ok(_) => "ok",
            Err(AccountError::Invalid { code, .. }) => code,
            Err(_) => "other",
        }
    }

    fn address(lines: &[&str], postal_code: &str) -> PostalAddress {
        PostalAddress {
            lines: lines.iter().map(|l| l.to_string()).collect(),
            city: "København".into(),
            postal_code: postal_code.into(),
            region: None,
        }
    }

    #[test]
    fn names_and_addresses_are_checked() {
        assert_eq!(
            code(
                Some("Müller & Søn ApS"),
                Some(address(&["Strøget 1"], "1160"))
            ),
            "ok"
        );
        assert_eq!(code(None, None), "ok");
        assert_eq!(code(Some("  "), None), "invalid_company");
        assert_eq!(code(Some("Evil\u{7}Corp"), None), "invalid_company");
        assert_eq!(code(Some(&"x".repeat(101)), None), "invalid_company");
        assert_eq!(code(None, Some(address(&[], "1160"))), "invalid_address");
        assert_eq!(
            code(None, Some(address(&["a", "b", "c", "d"], "1160"))),
            "invalid_address"
        );
        assert_eq!(
            code(None, Some(address(&["line\nbreak"], "1160"))),
            "invalid_address"
        );
        assert_eq!(
            code(None, Some(address(&["Strøget 1"], "11<60"))),
            "invalid_address"
        );
        assert_eq!(
            address(&["Strøget 1"], "1160").printed(),
            vec!["Strøget 1", "1160 København"]
        );
    }
}
