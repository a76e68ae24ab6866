//! What an erased account keeps, with placeholders for whatever named
//! its holder: the profile and contacts, the orders' buyer, the domains'
//! registrant; registrar accounts are deleted. Invoices and credit notes are not touched: tax law keeps
//! them as issued.

use serde_json::json;

use super::erasure::{ERASED, ErasureError, audit_op, partition_of};
use crate::accounts::{Contact, Customer};
use crate::store::{Condition, Item, ItemExt, Key, TxOp, Update};
use crate::{CustomerId, Storage};

/// Orders keep what was bought, without who bought it; domains that left
/// keep no registrant.
pub(super) async fn records(
    ports: &impl Storage,
    customer_id: &CustomerId,
) -> Result<(), ErasureError> {
    let partition = format!("CUSTOMER#{customer_id}");
    for item in partition_of(ports, customer_id, "ORDER#").await? {
        let key = Key::new(partition.clone(), item.str_attr("sk").unwrap_or_default());
        let update = Update::new()
            .set("email", placeholder_email(customer_id))
            .set("customer_name", ERASED);
        ports
            .table()
            .update(&key, update, Some(Condition::Exists))
            .await?;
    }
    for item in partition_of(ports, customer_id, "DOMAIN#").await? {
        if item.get("registrant").is_some_and(|r| !r.is_null()) {
            let key = Key::new(partition.clone(), item.str_attr("sk").unwrap_or_default());
            let update = Update::new().remove("registrant");
            ports
                .table()
                .update(&key, update, Some(Condition::Exists))
                .await?;
        }
    }
    // The registrar accounts' domains are gone (an erasure waits for them
    // to leave): their usernames and sealed passwords serve nobody.
    for item in partition_of(ports, customer_id, "REGACCOUNT#").await? {
        let key = Key::new(partition.clone(), item.str_attr("sk").unwrap_or_default());
        ports.table().delete(&key, None).await?;
    }
    Ok(())
}

/// The address an erased account shows: nobody's, and never deliverable.
pub fn placeholder_email(customer_id: &CustomerId) -> String {
    format!(
        "erased-{}@erased.invalid",
        customer_id.as_str().to_lowercase()
    )
}

/// The account as it stands once erased: its id and country (the country
/// says which tax its kept invoices were issued under) and nothing else.
fn anonymised(customer: &Customer, at: &str) -> Customer {
    let nobody = Contact {
        name: ERASED.into(),
        email: placeholder_email(&customer.id),
    };
    Customer {
        id: customer.id.clone(),
        email: nobody.email.clone(),
        name: ERASED.into(),
        country: customer.country.clone(),
        billing_contact: nobody.clone(),
        technical_contact: nobody,
        created_at: customer.created_at.clone(),
        vat: None,
        company: None,
        address: None,
        erased_at: Some(at.to_string()),
    }
}

pub(super) async fn profile(
    ports: &impl Storage,
    profile: &Item,
    customer: &Customer,
) -> Result<(), ErasureError> {
    let at = crate::clock::rfc3339(ports.clock().now());
    let erased = anonymised(customer, &at);
    let version = profile.i64_attr("v").unwrap_or(0);
    let mut ops = vec![
        TxOp::Update {
            key: crate::accounts::customer_key(&customer.id),
            update: Update::new()
                .set("customer", json!(erased))
                .set("erased_at", at)
                .set("gsi2sk", format!("{ERASED}#{}", customer.id))
                .remove("email_verified_at")
                .bump_version(),
            condition: Some(Condition::VersionIs(version)),
        },
        TxOp::Delete {
            key: crate::cart::key(&customer.id),
            condition: None,
        },
        TxOp::Delete {
            key: Key::new(
                crate::accounts::vat::PENDING,
                format!("CUSTOMER#{}", customer.id),
            ),
            condition: None,
        },
        audit_op(
            ports,
            &customer.id,
            "account_erased",
            "erased at the customer's request: profile, contacts, cart and saved card; invoices and credit notes kept as tax law requires",
        ),
    ];
    let marker_key = crate::accounts::email_key(&customer.email);
    let marker = ports.table().get(&marker_key).await?;
    if marker.as_ref().and_then(|m| m.str_attr("customer_id")) == Some(customer.id.as_str()) {
        ops.push(TxOp::Delete {
            key: marker_key,
            condition: Some(Condition::eq("customer_id", customer.id.as_str())),
        });
    }
    ports.table().transact(ops).await?;
    Ok(())
}
