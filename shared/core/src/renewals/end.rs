//! How a renewal ends without a charge: declined, or abandoned.

use super::{Renewal, RenewalError, RenewalStatus};
use crate::Storage;
use crate::audit::Actor;
use crate::lifecycle::MovedOn;
use crate::store::{Tx, Update};

impl Renewal {
    /// Adds to `tx` the end of the renewal in `to` (declined or abandoned),
    /// with the voiding of its invoice: nothing was charged.
    pub(super) async fn end_in(
        &self,
        ports: &impl Storage,
        tx: &mut Tx<MovedOn>,
        (to, actor, why): (RenewalStatus, Actor, &str),
    ) -> Result<(), RenewalError> {
        let now = ports.clock().now();
        // Leaving the bank: its page is of no use any more.
        let update = Update::new()
            .remove("payment_action_url")
            .remove("bank_until");
        self.change(to, update, actor, why, ports.clock().now_millis())
            .add_to(tx, MovedOn, now)?;
        let bill = self.invoice(ports.table()).await?;
        tx.extend(crate::billing::void::void_op(ports.table(), &bill, now).await?);
        Ok(())
    }
}
