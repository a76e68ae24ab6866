//! The sweeper that finds paid orders whose provisioning stalled.

use std::time::Duration;

use super::{SagaError, enqueue};
use crate::Services;
use crate::orders::OrderStatus;
use crate::store::{ItemExt, Query};

/// Enqueues again every order that has been provisioning for longer than
/// `stalled_after`, a page at a time: a lost enqueue or a lost job must not
/// strand a paid order. A job for an order whose saga is running anyway finds
/// its steps leased or done.
pub async fn resume_stalled(
    services: &Services,
    stalled_after: Duration,
) -> Result<usize, SagaError> {
    let before = services.clock.now_secs() - stalled_after.as_secs() as i64;
    let mut sent = 0;
    let mut cursor = None;
    loop {
        let page = services
            .table
            .query(
                Query::index(
                    crate::store::Index::Gsi1,
                    format!("ORDERS#{}", OrderStatus::Provisioning.as_str()),
                )
                .sort(crate::store::SortKey::Lt(format!("{before:012}")))
                .limit(100)
                .after(cursor),
            )
            .await?;
        for item in &page.items {
            let (Some(customer), Some(order)) = (item.str_attr("customer_id"), item.str_attr("id"))
            else {
                continue;
            };
            enqueue(services, customer, order).await?;
            sent += 1;
        }
        match page.next {
            Some(next) => cursor = Some(next),
            None => return Ok(sent),
        }
    }
}
