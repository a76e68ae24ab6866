//! A renewal as it is made: from its invoice, and as its payment queues it
//! (authorised on the card, or paid by the account's credit).

use super::RenewalStatus::Queued;
use super::{Renewal, RenewalStatus};
use crate::audit::Actor;
use crate::billing::invoice::{self, Invoice};
use crate::lifecycle;
use crate::payments::Authorization;
use crate::store::{Table, TableError, TableResult, Update};

impl Renewal {
    /// A renewal of `domain` by `years` from `current_expiry`, billed by `bill`.
    pub fn new(
        bill: &Invoice,
        domain: &str,
        years: u32,
        current_expiry: i64,
        status: RenewalStatus,
        created_at: String,
    ) -> Renewal {
        Renewal {
            id: ulid::Ulid::new().to_string(),
            customer_id: bill.customer_id.clone(),
            domain: domain.into(),
            years,
            current_expiry,
            status,
            status_message: String::new(),
            invoice_number: bill.number.clone(),
            lines: bill.lines.clone(),
            total: bill.total,
            credit: bill.credit,
            currency: bill.currency.clone(),
            authorization_id: None,
            card_last4: None,
            payment_action_url: None,
            bank_until: None,
            new_expiry: None,
            failure: None,
            automatic: false,
            attempts: 0,
            next_attempt: None,
            created_at,
            v: 1,
        }
    }

    /// The renewal's invoice.
    pub async fn invoice(&self, table: &dyn Table) -> TableResult<Invoice> {
        invoice::find(table, &self.customer_id, &self.invoice_number)
            .await?
            .ok_or_else(|| {
                TableError::Backend(format!(
                    "renewal invoice {} is missing",
                    self.invoice_number
                ))
            })
    }

    /// True when account credit pays all of it: no card is charged.
    pub fn paid_by_credit(&self) -> bool {
        self.credit > 0 && self.total == 0
    }

    /// The move to queued of a renewal account credit pays in full.
    pub(super) fn queued_by_credit(
        &self,
        actor: Actor,
        now_ms: i64,
    ) -> lifecycle::Change<RenewalStatus> {
        self.change(
            Queued,
            Update::new(),
            actor,
            "paid by account credit",
            now_ms,
        )
    }

    /// The move to queued, once `authorization` holds the amount.
    pub(super) fn queued(
        &self,
        authorization: &Authorization,
        actor: Actor,
        why: &str,
        now_ms: i64,
    ) -> lifecycle::Change<RenewalStatus> {
        let update = Update::new()
            .set("authorization_id", authorization.id.clone())
            .set("card_last4", authorization.card_last4.clone())
            .remove("payment_action_url")
            .remove("bank_until");
        self.change(Queued, update, actor, why, now_ms)
    }
}
