//! The card provider's updates of a saved card (Stripe's card updater: a
//! new expiry or number from the card's network, and changes made in its
//! dashboard): the saved card is found by its token through a lookup item
//! written with it, and takes the new last four digits and expiry. Events
//! may come out of order: each update carries when the provider made it,
//! and one older than the last applied changes nothing.
//!
//! Item: `PAYCARD#<token>` / `CUSTOMER` (`customer_id`), beside the saved
//! card it names.

use serde_json::json;

use crate::CustomerId;
use crate::payments::SavedCard;
use crate::store::{Condition, ItemExt, Key, Table, TableError, TableResult, TxOp, Update};

pub(crate) fn lookup_key(token: &str) -> Key {
    Key::new(format!("PAYCARD#{token}"), "CUSTOMER")
}

/// The lookup item of a saved card's token, written with the card.
pub(super) fn lookup_op(token: &str, customer_id: &CustomerId) -> TxOp {
    let mut item = lookup_key(token).to_item();
    item.insert("kind".into(), json!("payment_card"));
    item.insert("customer_id".into(), json!(customer_id));
    TxOp::Put {
        item,
        condition: None,
    }
}

/// Applies the provider's update of `card`, made at `made` (unix seconds),
/// to the saved card with its token; false when no customer keeps that
/// card any more, or a later update was applied already.
pub async fn updated(table: &dyn Table, card: &SavedCard, made: i64) -> TableResult<bool> {
    let Some(lookup) = table.get(&lookup_key(&card.token)).await? else {
        return Ok(false);
    };
    let Some(customer_id) = lookup.str_attr("customer_id") else {
        return Ok(false);
    };
    let customer_id = CustomerId::new(customer_id);
    let update = Update::new()
        .set("last4", card.last4.clone())
        .set("exp_month", card.exp_month)
        .set("exp_year", card.exp_year)
        .set("updated_by_provider_at", made);
    // Still this card (not replaced or removed), and no newer update applied.
    let current = Condition::eq("token", card.token.clone()).and(
        Condition::AttributeNotExists("updated_by_provider_at".into())
            .or(Condition::lt("updated_by_provider_at", made)),
    );
    match table
        .update(
            &super::payment_method::key(&customer_id),
            update,
            Some(current),
        )
        .await
    {
        Ok(_) => Ok(true),
        Err(TableError::ConditionFailed) => Ok(false),
        Err(other) => Err(other),
    }
}
