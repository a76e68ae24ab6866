//! A customer's saved payment method: a card the gateway keeps, known here
//! by its token, last four digits and expiry. Renewals and recurring
//! invoices are charged to it; the customer sees only the last four digits.
//!
//! Item: `CUSTOMER#<id>` / `PAYMENT_METHOD`.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::declines::{self, Paying, TooManyDeclines};
use crate::CustomerId;
use crate::payments::{PaymentError, PaymentMethodId};
use crate::store::{Item, Key, Table, TableResult, record_item, record_of};
use crate::{Billing, Settings, Storage};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaymentMethod {
    /// The gateway's token; never shown.
    pub token: String,
    pub last4: String,
    pub exp_month: u32,
    pub exp_year: i32,
    /// RFC 3339, UTC.
    pub saved_at: String,
}

/// A card to save, as the payment provider's card form gave it.
#[derive(Debug, Clone, serde::Deserialize, ToSchema)]
pub struct SaveRequest {
    /// The payment provider's id of the card (`pm_…`).
    #[schema(pattern = r"^pm_[A-Za-z0-9_]{1,255}$")]
    pub payment_method: String,
}

/// What the customer sees of their saved card.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct PaymentMethodView {
    pub last4: String,
    pub exp_month: u32,
    pub exp_year: i32,
    pub saved_at: String,
}

impl PaymentMethod {
    pub fn view(&self) -> PaymentMethodView {
        PaymentMethodView {
            last4: self.last4.clone(),
            exp_month: self.exp_month,
            exp_year: self.exp_year,
            saved_at: self.saved_at.clone(),
        }
    }

    fn of(item: &Item) -> TableResult<PaymentMethod> {
        record_of(item, "payment method")
    }
}

fn key(customer_id: &CustomerId) -> Key {
    Key::new(format!("CUSTOMER#{customer_id}"), "PAYMENT_METHOD")
}

/// The customer's saved card, if any.
pub async fn find(
    table: &dyn Table,
    customer_id: &CustomerId,
) -> TableResult<Option<PaymentMethod>> {
    table
        .get(&key(customer_id))
        .await?
        .map(|item| PaymentMethod::of(&item))
        .transpose()
}

/// Saves the card of `method` with the gateway as the customer's payment
/// method, in place of any before; a retry under the same key saves it
/// once. A card the gateway declines counts against the customer's
/// declined cards.
pub async fn save(
    ports: &(impl Storage + Billing + Settings),
    customer_id: &CustomerId,
    method: &PaymentMethodId,
    idempotency_key: &str,
) -> Result<PaymentMethod, SaveError> {
    let paying = Paying::saved_card();
    declines::may_try::<SaveError>(ports, customer_id, &paying).await?;
    let saved = match ports
        .payments()
        .save_card(method, &format!("{customer_id}-card-{idempotency_key}"))
        .await
    {
        Ok(saved) => saved,
        Err(PaymentError::Declined { code, message }) => {
            let told = (code, message);
            let (code, message) = declines::declined(ports, customer_id, &paying, told).await?;
            return Err(SaveError::Declined { code, message });
        }
        Err(PaymentError::Invalid(message)) => return Err(SaveError::Invalid(message)),
        Err(PaymentError::Unavailable(message)) => return Err(SaveError::Unavailable(message)),
    };
    let method = PaymentMethod {
        token: saved.token,
        last4: saved.last4,
        exp_month: saved.exp_month,
        exp_year: saved.exp_year,
        saved_at: crate::clock::rfc3339(ports.clock().now()),
    };
    let item = record_item(&method, &key(customer_id), "payment_method");
    ports.table().put(item, None).await?;
    Ok(method)
}

/// Forgets the customer's saved card.
pub async fn remove(table: &dyn Table, customer_id: &CustomerId) -> TableResult<()> {
    table.delete(&key(customer_id), None).await.map(|_| ())
}

#[derive(Debug, thiserror::Error)]
pub enum SaveError {
    #[error("{0}")]
    Invalid(String),
    /// The card's bank or the gateway said no.
    #[error("{message}")]
    Declined { code: String, message: String },
    #[error(transparent)]
    TooManyDeclines(#[from] TooManyDeclines),
    #[error("{0}")]
    Unavailable(String),
    #[error(transparent)]
    Table(#[from] crate::store::TableError),
}
