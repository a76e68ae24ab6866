//! A business customer's VAT number, checked in the EU's register (VIES,
//! through the `TaxIds` port) before it counts. A valid number is kept on
//! the account with the register's answer as evidence: when it answered,
//! its consultation number, the registered name and address. A number the
//! register says is not valid is refused and nothing is kept. When the
//! register cannot answer now, the number is kept as pending: invoices go
//! on at the consumer's rate, and the hourly recheck (`billing::vat_recheck`) asks
//! again, marking the account in the `VATPENDING` partition meanwhile.

use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;

use super::{Customer, customer_key, customer_of};
use crate::CustomerId;
use crate::store::{Condition, ItemExt, Key, TableError, TxOp, Update};
use crate::tax_ids::{TaxIdError, VatCheck, VatNumber};
use crate::{Storage, TaxRegister};

/// The partition that lists the accounts whose VAT number waits for the register.
pub(crate) const PENDING: &str = "VATPENDING";

/// Whether the register confirmed the number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum VatStatus {
    /// VIES said it is a valid VAT number.
    Valid,
    /// VIES could not answer yet; asked again every hour.
    Pending,
}

/// A VAT number on an account, with the register's answer about it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct VatRegistration {
    /// As VIES writes it: the member state's code, then the number (`FR12345678901`).
    pub number: String,
    pub status: VatStatus,
    /// When the customer gave it, RFC 3339, UTC.
    pub given_at: String,
    /// When VIES answered that it is valid, RFC 3339, UTC.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub checked_at: Option<String>,
    /// VIES's consultation number (`requestIdentifier`), when it gave one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consultation: Option<String>,
    /// The registered name, when the member state publishes it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The registered address, when the member state publishes it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
}

impl VatRegistration {
    /// A number the register confirmed with `check`, given at `given_at`.
    pub fn confirmed(check: &VatCheck, given_at: String) -> VatRegistration {
        VatRegistration {
            number: check.number.to_string(),
            status: VatStatus::Valid,
            given_at,
            checked_at: Some(crate::clock::rfc3339(check.checked_at)),
            consultation: check.consultation.clone(),
            name: check.name.clone(),
            address: check.address.clone(),
        }
    }

    fn pending(number: &VatNumber, given_at: String) -> VatRegistration {
        VatRegistration {
            number: number.to_string(),
            status: VatStatus::Pending,
            given_at,
            checked_at: None,
            consultation: None,
            name: None,
            address: None,
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct VatNumberRequest {
    /// The VAT number with its country code, as VIES takes it (`FR 123 456 789 01`).
    #[schema(min_length = 4, max_length = 40)]
    pub vat_number: String,
}

#[derive(Debug, thiserror::Error)]
pub enum VatError {
    /// Not a VAT number in form: the customer's to correct.
    #[error("{0}")]
    Malformed(String),
    /// The register says the number is not a valid VAT number.
    #[error("{0}")]
    NotValid(String),
    /// The register refuses our requests: staff must fix the configuration.
    #[error("VAT numbers cannot be checked right now; try again later")]
    Refused,
    #[error("the account changed meanwhile; try again")]
    Busy,
    #[error(transparent)]
    Table(#[from] TableError),
}

/// What to do with the account's line in the pending list when its VAT
/// number is written.
pub(crate) enum Listing {
    /// List it: the register must be asked again.
    Add,
    /// Leave it: the recheck still has invoices to correct.
    Keep,
    Remove,
}

fn pending_key(customer_id: &CustomerId) -> Key {
    Key::new(PENDING, format!("CUSTOMER#{customer_id}"))
}

/// Checks `input` in the register and keeps it on the account: valid, or
/// pending when the register cannot answer now.
pub async fn give(
    ports: &(impl Storage + TaxRegister),
    customer: &Customer,
    input: &str,
) -> Result<VatRegistration, VatError> {
    if input.chars().count() > 40 {
        return Err(VatError::Malformed(
            "a VAT number has at most 40 characters".into(),
        ));
    }
    let number = VatNumber::parse(input).map_err(|e| VatError::Malformed(e.to_string()))?;
    let now = crate::clock::rfc3339(ports.clock().now());
    let (registration, listing) = match ports.tax_ids().check(&number).await {
        Ok(check) if check.valid => {
            let was_pending = customer.vat.as_ref().is_some_and(|vat| {
                vat.status == VatStatus::Pending && vat.number == number.to_string()
            });
            // Invoices issued while it was pending are the recheck's to correct.
            let listing = if was_pending {
                Listing::Keep
            } else {
                Listing::Remove
            };
            (VatRegistration::confirmed(&check, now), listing)
        }
        Ok(_) => {
            return Err(VatError::NotValid(format!(
                "the EU's VAT register (VIES) says {number} is not a valid VAT number; check it, or buy without one"
            )));
        }
        Err(TaxIdError::Malformed(reason)) => {
            return Err(VatError::Malformed(format!(
                "VIES does not take {number}: {reason}"
            )));
        }
        Err(TaxIdError::Unavailable(reason)) => {
            tracing::info!(%reason, "VIES cannot answer now: the VAT number is kept as pending");
            (VatRegistration::pending(&number, now), Listing::Add)
        }
        Err(TaxIdError::Misconfigured(reason)) => {
            tracing::error!(%reason, "VIES refuses our requests");
            return Err(VatError::Refused);
        }
    };
    write(ports, &customer.id, Some(&registration), listing).await?;
    Ok(registration)
}

/// Takes the VAT number off the account: invoices from now on are a consumer's.
pub async fn remove(ports: &impl Storage, customer_id: &CustomerId) -> Result<(), VatError> {
    write(ports, customer_id, None, Listing::Remove)
        .await
        .map(|_| ())
}

/// Writes `registration` on the account (none: takes it off), guarded by
/// the profile's version, with its line in the pending list.
pub(crate) async fn write(
    ports: &impl Storage,
    customer_id: &CustomerId,
    registration: Option<&VatRegistration>,
    listing: Listing,
) -> Result<Customer, VatError> {
    for _ in 0..3 {
        let key = customer_key(customer_id);
        let profile = ports
            .table()
            .get(&key)
            .await?
            .ok_or_else(|| TableError::Backend(format!("customer {customer_id} is gone")))?;
        let mut customer = customer_of(&profile).map_err(|e| TableError::Backend(e.to_string()))?;
        customer.vat = registration.cloned();
        let version = profile.i64_attr("v").unwrap_or(0);
        let mut ops = vec![TxOp::Update {
            key,
            update: Update::new()
                .set("customer", json!(customer))
                .bump_version(),
            condition: Some(Condition::VersionIs(version)),
        }];
        if let Some(op) = listing_op(customer_id, registration, &listing) {
            ops.push(op);
        }
        match ports.table().transact(ops).await {
            Ok(()) => return Ok(customer),
            Err(TableError::TransactionConflict { .. }) => continue,
            Err(other) => return Err(other.into()),
        }
    }
    Err(VatError::Busy)
}

fn listing_op(
    customer_id: &CustomerId,
    registration: Option<&VatRegistration>,
    listing: &Listing,
) -> Option<TxOp> {
    let key = pending_key(customer_id);
    match (listing, registration) {
        (Listing::Add, Some(registration)) => {
            let mut item = key.to_item();
            item.insert("kind".into(), "vat_pending".into());
            item.insert("customer_id".into(), customer_id.clone().into());
            item.insert("number".into(), registration.number.clone().into());
            Some(TxOp::Put {
                item,
                condition: None,
            })
        }
        (Listing::Keep, _) => None,
        _ => Some(TxOp::Delete {
            key,
            condition: None,
        }),
    }
}

/// Takes the account off the pending list, once nothing is left to do for it.
pub(crate) async fn unlist(
    ports: &impl Storage,
    customer_id: &CustomerId,
) -> Result<(), TableError> {
    ports
        .table()
        .delete(&pending_key(customer_id), None)
        .await?;
    Ok(())
}
