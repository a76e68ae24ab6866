//! The sweeper that finds paid orders whose provisioning stalled.

use std::time::Duration;

use super::{SagaError, enqueue};
use crate::orders::{FiledBefore, OrderStatus};
use crate::{Queueing, Storage};

/// Enqueues again every order that has been provisioning for longer than
/// `stalled_after`, a page at a time: a lost enqueue or a lost job must not
/// strand a paid order. A job for an order whose saga is running anyway finds
/// its steps leased or done; one for an order whose step waits, with its own
/// job due later, ends at once (`Outcome::AlreadyWaiting`).
pub async fn resume_stalled(
    ports: &(impl Storage + Queueing),
    stalled_after: Duration,
) -> Result<usize, SagaError> {
    let before = ports.clock().now_secs() - stalled_after.as_secs() as i64;
    let mut stalled = FiledBefore::new(OrderStatus::Provisioning, before);
    let mut sent = 0;
    while let Some(orders) = stalled.next_page(ports).await? {
        for order in orders {
            enqueue(ports, &order.customer_id, &order.id).await?;
            sent += 1;
        }
    }
    Ok(sent)
}
