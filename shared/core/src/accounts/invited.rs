//! The account of a client who accepted a proposal: the customer who has
//! the contact's email already, or a new account made for it. A new
//! account has no password (none works until one is set): the mail that
//! welcomes the client carries a link, like a reset link, with which they
//! choose it. Nobody ever holds a temporary password.

use super::repo::{create_customer_ops, email_key};
use super::reset::reset_key;
use super::{Contact, Customer, random_token};
use crate::store::{ItemExt, TableError, TxOp};
use crate::{CustomerId, Storage};

/// What no password hash is: no password matches it (`Hashing::verify`
/// refuses a hash it cannot parse).
const NO_PASSWORD: &str = "!none";

/// How long the link that sets a new account's password works.
pub const SET_PASSWORD_DAYS: i64 = 7;

/// Whose the accepted proposal becomes.
pub(crate) enum Holder {
    /// The customer who has the contact's email.
    Existing(CustomerId),
    /// A new account, and the two writes that make it (the email's
    /// marker, which fails if the email was taken meanwhile, then the profile).
    New(Box<(Customer, TxOp, TxOp)>),
}

impl Holder {
    pub(crate) fn id(&self) -> CustomerId {
        match self {
            Holder::Existing(id) => id.clone(),
            Holder::New(new) => new.0.id.clone(),
        }
    }
}

/// The details of the client's account, if it must be made.
pub(crate) struct Client<'a> {
    pub email: &'a str,
    pub name: &'a str,
    pub company: &'a str,
    pub country: &'a str,
    pub created_at: String,
}

/// The customer with `client.email`, or the account to make for them.
pub(crate) async fn holder_for(
    ports: &impl Storage,
    client: Client<'_>,
) -> Result<Holder, TableError> {
    let marker = ports.table().get(&email_key(client.email)).await?;
    if let Some(id) = marker.as_ref().and_then(|m| m.str_attr("customer_id")) {
        return Ok(Holder::Existing(CustomerId::new(id)));
    }
    let contact = Contact {
        name: client.name.to_string(),
        email: client.email.to_string(),
    };
    let customer = Customer {
        id: CustomerId::generate(),
        email: client.email.to_string(),
        name: client.name.to_string(),
        country: client.country.to_string(),
        billing_contact: contact.clone(),
        technical_contact: contact,
        created_at: client.created_at,
        vat: None,
        company: Some(client.company.to_string()),
        address: None,
        erased_at: None,
    };
    let (marker, profile) = create_customer_ops(&customer, NO_PASSWORD);
    Ok(Holder::New(Box::new((customer, marker, profile))))
}

/// A link that sets the password of `customer`'s new account: its token
/// (for the mail only) and the write that makes it, stored by digest and
/// working once, for `SET_PASSWORD_DAYS`.
pub(crate) fn set_password_link(customer: &Customer, now_ms: i64) -> (String, TxOp) {
    let token = random_token();
    let mut item = reset_key(&token).to_item();
    item.insert("kind".into(), "password_reset".into());
    item.insert("customer_id".into(), customer.id.clone().into());
    item.insert("issued_ms".into(), now_ms.into());
    item.insert("email".into(), customer.email.clone().into());
    let until = now_ms / 1000 + SET_PASSWORD_DAYS * 86_400;
    item.insert("ttl".into(), until.into());
    let op = TxOp::Put {
        item,
        condition: Some(crate::store::Condition::NotExists),
    };
    (token, op)
}
