//! Declined cards, counted against card testing: someone with a list of
//! stolen numbers tries each against a cheap order and reads which bank says
//! what. Declines are counted per order (on the order) and per customer per
//! UTC day (`CUSTOMER#<id>` / `DECLINES#<date>`); past either cap no card is
//! tried, and after the first few of a day a decline no longer says why.

use super::{Order, OrderError, conflict};
use crate::store::{ItemExt, Key, TableError, Update};
use crate::{Settings, Storage};

/// Declines of a day whose reason is named; later ones answer generically.
const NAMED_PER_DAY: i64 = 2;

fn day_key(customer_id: &str, day: &str) -> Key {
    Key::new(format!("CUSTOMER#{customer_id}"), format!("DECLINES#{day}"))
}

fn today(services: &impl Storage) -> String {
    services.clock().now().date().to_string()
}

/// Seconds until the next UTC day, when the daily count starts again.
fn until_tomorrow(services: &impl Storage) -> u64 {
    let now = services.clock().now_secs();
    (86_400 - now.rem_euclid(86_400)).max(1) as u64
}

async fn declined_today(services: &impl Storage, customer_id: &str) -> Result<i64, TableError> {
    let item = services
        .table()
        .get(&day_key(customer_id, &today(services)))
        .await?;
    Ok(item.and_then(|i| i.i64_attr("count")).unwrap_or(0))
}

/// Refuses a new card attempt past either cap.
pub async fn check(services: &(impl Storage + Settings), order: &Order) -> Result<(), OrderError> {
    if order.declines >= services.config().declines_per_order {
        return Err(conflict(
            "too_many_declines",
            "too many cards were declined for this order; cancel it and place a new one, or contact us",
        ));
    }
    if declined_today(services, &order.customer_id).await?
        >= services.config().declines_per_day as i64
    {
        let retry_after = until_tomorrow(services);
        return Err(OrderError::Limited {
            code: "too_many_declines",
            message: "too many cards were declined today; try again tomorrow or contact us".into(),
            retry_after,
        });
    }
    Ok(())
}

/// Counts a decline for the customer's day; returns the day's count so far.
pub async fn count(services: &impl Storage, customer_id: &str) -> Result<i64, TableError> {
    let counted = services
        .table()
        .update(
            &day_key(customer_id, &today(services)),
            Update::new()
                .set("kind", "decline_count")
                .add("count", 1)
                .set("ttl", services.clock().now_secs() + 2 * 86_400),
            None,
        )
        .await?;
    Ok(counted.i64_attr("count").unwrap_or(1))
}

/// The decline as the customer is told it: by its reason while the day's
/// count is low, generically after that.
pub fn as_told(code: String, message: String, declined_today: i64) -> (String, String) {
    if declined_today <= NAMED_PER_DAY {
        (code, message)
    } else {
        (
            "payment_declined".into(),
            "The payment was not accepted".into(),
        )
    }
}
