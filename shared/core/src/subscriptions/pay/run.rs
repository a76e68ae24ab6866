//! The billing run's side of a period that may be paid by hand: it charges
//! the period only under the invoice's payment lease, so never together
//! with its holder.

use crate::Billing;
use crate::Storage;
use crate::billing::by_hand::let_go;
use crate::billing::lease::{self, AtBank};
use crate::store::TableError;
use crate::subscriptions::billing::Period;

/// The billing run's lease on a period that may be paid by hand: refused
/// while a payment runs or its holder is at their bank; once their time
/// there is over, taken over, and what the bank held let go.
pub(in crate::subscriptions) async fn take_for_run(
    ports: &(impl Storage + Billing),
    period: &Period,
) -> Result<Option<i64>, TableError> {
    let (table, key) = (ports.table(), period.paying_key());
    let now = ports.clock().now_secs();
    let Some(waiting) = lease::at_bank(table, &key).await? else {
        return lease::take(table, &key, now).await;
    };
    if waiting.until >= now || !lease::take_from_bank(table, &key, &waiting, now, false).await? {
        return Ok(None);
    }
    let AtBank {
        authorization_id,
        attempt,
        ..
    } = waiting;
    let_go(ports, &period.invoice_number, attempt, &authorization_id).await;
    Ok(Some(attempt + 1))
}
