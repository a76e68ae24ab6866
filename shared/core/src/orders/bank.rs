//! Whose check at the bank an answer may settle: a payment waiting for the
//! card holder's bank (3-D Secure) is answered only by the customer whose
//! order waits for it, logged in. Knowing the check's id is not enough.

use super::{OrderStatus, repo};
use crate::CustomerId;
use crate::Storage;
use crate::store::TableError;

/// How many of the customer's newest orders are looked through: a check
/// belongs to an order awaiting payment, and those are few and recent
/// (each holds its names for a week at most).
const LOOKED_THROUGH: usize = 100;

/// True when one of the customer's orders awaiting payment waits for the
/// bank's check of `authorization_id`.
pub async fn awaits_check(
    ports: &impl Storage,
    customer_id: &CustomerId,
    authorization_id: &str,
) -> Result<bool, TableError> {
    let orders = repo::newest(ports.table(), customer_id, LOOKED_THROUGH).await?;
    Ok(orders.iter().any(|order| {
        order.status == OrderStatus::AwaitingPayment
            && order
                .payment_action
                .as_ref()
                .is_some_and(|action| action.authorization_id == authorization_id)
    }))
}
