//! A customer's saved payment method: a card the gateway keeps, known here
//! by its token, last four digits and expiry. Renewals and recurring
//! invoices are charged to it; the customer sees only the last four digits.
//! It is kept only with the customer's consent (`consent`), recorded on it;
//! a card saved before consent was recorded reads as saved without it, and
//! stays until its owner confirms or removes it.
//!
//! Item: `CUSTOMER#<id>` / `PAYMENT_METHOD`.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;

use super::consent::{Consent, GivenAt};
use super::declines::{self, Paying, TooManyDeclines};
use crate::CustomerId;
use crate::payments::{PaymentError, PaymentMethodId, SavedCard};
use crate::store::{
    Condition, Item, Key, Table, TableError, TableResult, TxOp, Update, record_item, record_of,
};
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
    /// None for a card saved before consent was recorded.
    #[serde(default)]
    pub consent: Option<Consent>,
}

/// A card to save, as the payment provider's card form gave it.
#[derive(Debug, Clone, serde::Deserialize, ToSchema)]
pub struct SaveRequest {
    /// The payment provider's id of the card (`pm_…`).
    #[schema(pattern = r"^pm_[A-Za-z0-9_]{1,255}$")]
    pub payment_method: String,
    /// True when the customer ticked "Use this card for renewals", agreeing
    /// to `CONSENT_TEXT`; a card is not saved without it.
    #[serde(default)]
    pub consent: bool,
}

/// What the customer sees of their saved card.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct PaymentMethodView {
    pub last4: String,
    pub exp_month: u32,
    pub exp_year: i32,
    pub saved_at: String,
    /// When and how the customer agreed to charges without them; null for
    /// a card saved before that was recorded, which the customer is asked
    /// to confirm.
    pub consent: Option<Consent>,
}

impl PaymentMethod {
    pub fn view(&self) -> PaymentMethodView {
        PaymentMethodView {
            last4: self.last4.clone(),
            exp_month: self.exp_month,
            exp_year: self.exp_year,
            saved_at: self.saved_at.clone(),
            consent: self.consent.clone(),
        }
    }

    fn of(item: &Item) -> TableResult<PaymentMethod> {
        record_of(item, "payment method")
    }
}

pub(crate) fn key(customer_id: &CustomerId) -> Key {
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
/// method, in place of any before, the customer having agreed to
/// `CONSENT_TEXT` in the portal (the route asks for it); a retry under the
/// same key saves it once. A card the gateway declines counts against the customer's
/// declined cards.
pub async fn save(
    ports: &(impl Storage + Billing + Settings),
    customer_id: &CustomerId,
    method: &PaymentMethodId,
    idempotency_key: &str,
) -> Result<PaymentMethod, SaveError> {
    let paying = Paying::saved_card();
    declines::may_try::<SaveError>(ports, customer_id, &paying).await?;
    let setup_key = format!("{customer_id}-card-{idempotency_key}");
    // Recorded first: the provider may report the card set up after this
    // request was cut off (`card_setup`).
    super::card_setup::record(ports, customer_id, &setup_key).await?;
    let saved = match ports.payments().save_card(method, &setup_key).await {
        Ok(saved) => saved,
        Err(PaymentError::Declined { code, message }) => {
            let told = (code, message);
            let (code, message) = declines::declined(ports, customer_id, &paying, told).await?;
            return Err(SaveError::Declined { code, message });
        }
        Err(PaymentError::Invalid(message)) => return Err(SaveError::Invalid(message)),
        Err(PaymentError::Unavailable(message)) => return Err(SaveError::Unavailable(message)),
    };
    let kept = super::card_setup::kept_op(&setup_key);
    let now = ports.clock().now();
    let consent = Consent::given(crate::clock::rfc3339(now), GivenAt::Portal);
    let (method, mut ops) = method_and_ops(customer_id, saved, consent, now);
    ops.push(kept);
    ports.table().transact(ops).await?;
    Ok(method)
}

/// Records `saved` as the customer's payment method, in place of any
/// before, with their consent given now through `given_at`.
pub async fn keep(
    ports: &impl Storage,
    customer_id: &CustomerId,
    saved: SavedCard,
    given_at: GivenAt,
) -> TableResult<PaymentMethod> {
    let now = ports.clock().now();
    let consent = Consent::given(crate::clock::rfc3339(now), given_at);
    let (method, ops) = method_and_ops(customer_id, saved, consent, now);
    ports.table().transact(ops).await?;
    Ok(method)
}

/// The writes that keep `saved` as the customer's payment method with
/// `consent`, saved `at`, when `condition` holds on the card kept now: the
/// card, and its lookup for the card updater.
pub(super) fn keep_ops(
    customer_id: &CustomerId,
    saved: SavedCard,
    consent: Consent,
    (at, condition): (OffsetDateTime, Condition),
) -> (TxOp, TxOp) {
    let (_, mut ops) = method_and_ops(customer_id, saved, consent, at);
    let lookup = ops.pop().expect("the lookup");
    let card = match ops.pop().expect("the card") {
        TxOp::Put { item, .. } => TxOp::Put {
            item,
            condition: Some(condition),
        },
        other => other,
    };
    (card, lookup)
}

fn method_and_ops(
    customer_id: &CustomerId,
    saved: SavedCard,
    consent: Consent,
    at: OffsetDateTime,
) -> (PaymentMethod, Vec<TxOp>) {
    let method = PaymentMethod {
        token: saved.token,
        last4: saved.last4,
        exp_month: saved.exp_month,
        exp_year: saved.exp_year,
        saved_at: crate::clock::rfc3339(at),
        consent: Some(consent),
    };
    let item = record_item(&method, &key(customer_id), "payment_method");
    let lookup = super::card_updater::lookup_op(&method.token, customer_id);
    let card = TxOp::Put {
        item,
        condition: None,
    };
    (method, vec![card, lookup])
}

/// Records the customer's consent on the card saved before consent was
/// recorded; a card that has it keeps the first. None when no card is saved.
pub async fn confirm(
    ports: &impl Storage,
    customer_id: &CustomerId,
) -> TableResult<Option<PaymentMethod>> {
    let Some(mut method) = find(ports.table(), customer_id).await? else {
        return Ok(None);
    };
    if method.consent.is_some() {
        return Ok(Some(method));
    }
    let now = crate::clock::rfc3339(ports.clock().now());
    method.consent = Some(Consent::given(now, GivenAt::Portal));
    let consent = serde_json::to_value(&method.consent)
        .map_err(|e| TableError::Backend(format!("a consent that does not serialise: {e}")))?;
    // The same card, still without consent (an update alone would make
    // the item again after a removal).
    let unconfirmed = Condition::AttributeNotExists("consent".into())
        .and(Condition::eq("token", method.token.clone()));
    let recorded = Update::new().set("consent", consent);
    match ports
        .table()
        .update(&key(customer_id), recorded, Some(unconfirmed))
        .await
    {
        // Confirmed by another request meanwhile, or replaced by a new card.
        Ok(_) | Err(TableError::ConditionFailed) => find(ports.table(), customer_id).await,
        Err(other) => Err(other),
    }
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
    Table(#[from] TableError),
}
