//! Renewing a customer's domain, as Freeside does it: invoice, authorise the
//! card, renew at the registrar as a job on the queue, capture, record the
//! new expiry, mail the receipt. A declined card reaches no registrar; a
//! registrar that is down leaves the renewal queued, its authorisation held,
//! while the job retries; on final failure the authorisation is released and
//! the customer and staff are told.
//!
//! There is at most one renewal per domain per expiry: the record's key is
//! the domain and the expiry it extends, and the registrar is told that
//! expiry too (as EPP does), so a double click, concurrent requests, a job
//! delivered twice or a worker killed mid-way give one renewal, one capture
//! and one receipt.
//!
//! Items (see `docs/data-model.md`):
//! - `RENEWAL#<domain>` / `<expiry, epoch s>`: the renewal;
//! - `gsi1`: `RENEWALS#<status>` / `<created, ms>#<domain>`, for staff.

mod auto;
pub mod bank;
mod by_credit;
mod dunning;
mod end;
mod job;
mod made;
mod quote;
mod remind;
mod request;
mod sweep;
mod trusted;

pub use auto::{BillingRun, run_billing};
pub use job::run;
pub use quote::{Quote, quote, quote_from_record};
pub use request::{RenewRequest, renew};
pub use sweep::{abandon_stale, resume_stalled};

use crate::money::Currency;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::Queueing;
use crate::audit::Actor;
use crate::billing::InvoiceLine;
use crate::jobs::Job;
use crate::lifecycle::{self, Status};
use crate::store::{
    Condition, Item, Key, Table, TableResult, TxOp, Update, record_item, record_of,
};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RenewalStatus {
    /// An automatic renewal, invoiced ahead: the saved card is charged on
    /// the due date, and again on the dunning days when it fails.
    Scheduled,
    /// Invoiced; the card is being authorised.
    Authorizing,
    /// The card's bank asks its holder to confirm the payment (3-D Secure):
    /// waiting for them to come back from its page, for `bank::BANK_SECS`.
    AtBank,
    /// Authorised; the job renews it at the registrar, then captures.
    Queued,
    Renewed,
    /// The card was declined: nothing reached the registrar.
    Declined,
    /// The registrar did not renew it; the authorisation was released.
    Failed,
    /// Its request was cut off while the card was being authorised, and not
    /// sent again, or its holder never came back from their bank: any
    /// authorisation was released; nothing was charged.
    Abandoned,
}

use crate::CustomerId;
use RenewalStatus::*;

impl Status for RenewalStatus {
    const RECORD: &'static str = "renewal";
    const NOUN: &'static str = "a renewal";
    const TRANSITIONS: &'static [(Self, Self, &'static str)] = &[
        (Scheduled, Queued, "charged"),
        (Scheduled, Declined, "dunning_ended"),
        (Scheduled, Abandoned, "withdrawn"),
        (Authorizing, Queued, "authorised"),
        (Authorizing, Declined, "declined"),
        (Authorizing, Abandoned, "abandoned"),
        (Authorizing, AtBank, "sent_to_bank"),
        (AtBank, Queued, "authorised"),
        (AtBank, Declined, "declined"),
        (AtBank, Abandoned, "abandoned"),
        (Queued, Renewed, "renewed"),
        (Queued, Failed, "failed"),
    ];
}

/// The statuses a new renewal of the same expiry may take the place of (a
/// scheduled one gives way to the customer renewing by hand).
const REPLACEABLE: [RenewalStatus; 4] = [Declined, Failed, Abandoned, Scheduled];

impl RenewalStatus {
    /// The status, in plain words for the customer.
    pub fn explain(self) -> &'static str {
        match self {
            Scheduled => "Invoiced: your saved card is charged on the due date.",
            Authorizing => "Checking your card.",
            AtBank => {
                "Waiting for your bank: confirm the payment on its page, then come back to renew."
            }
            Queued => {
                "Renewal queued: your card is authorised, and we are renewing the domain with the registry."
            }
            Renewed => "Renewed.",
            Declined => {
                "Your card was declined; nothing was charged and the domain was not renewed."
            }
            Failed => {
                "The registry did not renew the domain. Nothing was charged; our team has been told."
            }
            Abandoned => {
                "The payment was not completed, so nothing was charged and the domain was not renewed. You can renew it again."
            }
        }
    }
}

/// A renewal, as stored and shown to its owner.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Renewal {
    pub id: String,
    pub customer_id: CustomerId,
    /// ASCII form.
    pub domain: String,
    pub years: u32,
    /// The expiry it extends, epoch seconds.
    pub current_expiry: i64,
    pub status: RenewalStatus,
    /// The status in plain words.
    #[serde(default)]
    pub status_message: String,
    pub invoice_number: String,
    pub lines: Vec<InvoiceLine>,
    /// What is left to pay after the account credit its invoice took.
    pub total: i64,
    /// Account credit its invoice took, minor units; all of it when
    /// `total` is 0: no card is charged.
    #[serde(default)]
    pub credit: i64,
    pub currency: Currency,
    pub authorization_id: Option<String>,
    pub card_last4: Option<String>,
    /// While at the bank: its page, where the card's holder confirms the
    /// payment, sending them back to the portal to confirm the renewal.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payment_action_url: Option<String>,
    /// While at the bank: until when (epoch seconds); then the sweep ends it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bank_until: Option<i64>,
    /// Once renewed: the new expiry, epoch seconds.
    pub new_expiry: Option<i64>,
    /// Why it failed, for staff.
    pub failure: Option<String>,
    /// Made by the daily billing run, to be charged to the saved card.
    #[serde(default)]
    pub automatic: bool,
    /// Automatic charges tried so far.
    #[serde(default)]
    pub attempts: u32,
    /// When the next automatic charge is due, epoch seconds.
    #[serde(default)]
    pub next_attempt: Option<i64>,
    /// RFC 3339, UTC.
    pub created_at: String,
    #[serde(default)]
    pub v: i64,
}

pub fn key(domain: &str, current_expiry: i64) -> Key {
    Key::new(format!("RENEWAL#{domain}"), format!("{current_expiry:012}"))
}

/// The `gsi1` attributes that file a renewal under its status.
pub(crate) fn status_index(
    status: RenewalStatus,
    at_ms: i64,
    domain: &str,
) -> [(String, serde_json::Value); 2] {
    [
        (
            "gsi1pk".into(),
            format!("RENEWALS#{}", status.as_str()).into(),
        ),
        ("gsi1sk".into(), format!("{at_ms:015}#{domain}").into()),
    ]
}

#[derive(Debug, thiserror::Error)]
pub enum RenewalError {
    #[error("no such domain of yours")]
    NotFound,
    /// The request does not fit: years out of range, a malformed card or key.
    #[error("{message}")]
    Invalid { code: &'static str, message: String },
    /// Renewing for that many years would pass ten years from today.
    #[error("the domain can be renewed for at most {max_years} years now")]
    TooManyYears { max_years: u32 },
    #[error("{message}")]
    NotRenewable { code: &'static str, message: String },
    /// Another renewal of the same expiry is under way or done.
    #[error("a renewal of this domain is already under way")]
    Underway,
    /// No renewal of the domain waits for its card's bank.
    #[error("no renewal of this domain is waiting for your bank; renew it with a card")]
    NothingToConfirm,
    #[error("{message}")]
    Declined { code: String, message: String },
    #[error(transparent)]
    TooManyDeclines(#[from] crate::billing::declines::TooManyDeclines),
    #[error("{0}")]
    Unavailable(String),
    #[error(transparent)]
    Transition(#[from] lifecycle::InvalidTransition),
    #[error(transparent)]
    Table(#[from] crate::store::TableError),
}

impl From<lifecycle::ChangeError> for RenewalError {
    fn from(error: lifecycle::ChangeError) -> Self {
        match error {
            lifecycle::ChangeError::Invalid(invalid) => invalid.into(),
            lifecycle::ChangeError::Table(table) => table.into(),
        }
    }
}

impl Renewal {
    pub fn key(&self) -> Key {
        key(&self.domain, self.current_expiry)
    }

    /// Creates the renewal, unless one of the same expiry is under way or
    /// done; one the customer asks for also replaces one that was declined,
    /// failed or only scheduled, while the billing run makes one only where
    /// there is none. It is filed by when it was made, a scheduled one by
    /// when its charge is due.
    pub fn create_op(&self, now_ms: i64) -> TxOp {
        let mut item = record_item(self, &self.key(), "renewal");
        let filed_at = self.next_attempt.map_or(now_ms, |at| at * 1000);
        item.extend(status_index(self.status, filed_at, &self.domain));
        let condition = if self.automatic {
            Condition::NotExists
        } else {
            let replaceable = REPLACEABLE.map(|s| Condition::eq("status", serde_json::json!(s)));
            Condition::NotExists.or(Condition::Or(replaceable.to_vec()))
        };
        TxOp::Put {
            item,
            condition: Some(condition),
        }
    }

    pub fn of(item: &Item) -> TableResult<Renewal> {
        let mut renewal: Renewal = record_of(item, "renewal")?;
        renewal.status_message = match (renewal.status, renewal.paid_by_credit()) {
            (Scheduled, true) => "Invoiced: your account credit pays it; no card is charged.",
            (Queued, true) => {
                "Renewal queued: your account credit paid it, and we are renewing the domain with the registry."
            }
            (status, _) => status.explain(),
        }
        .into();
        Ok(renewal)
    }

    /// A move of this renewal, recorded as `actor`'s because of `why`.
    pub fn change(
        &self,
        to: RenewalStatus,
        update: Update,
        actor: Actor,
        why: &str,
        now_ms: i64,
    ) -> lifecycle::Change<RenewalStatus> {
        let mut update = update;
        for (attribute, value) in status_index(to, now_ms, &self.domain) {
            update = update.set(attribute, value);
        }
        lifecycle::Change::of(
            (
                self.key(),
                format!("{}@{}", self.domain, self.current_expiry),
                &self.customer_id,
            ),
            self.status,
            to,
            update,
            actor,
            why,
        )
    }
}

/// Sends the renewal's job; should that fail, the `resume-renewals` sweep
/// sends it again.
async fn enqueue(ports: &impl Queueing, renewal: &Renewal) {
    Job::RenewDomain {
        domain: renewal.domain.clone(),
        current_expiry: renewal.current_expiry,
    }
    .send(ports)
    .await;
}

/// The renewal of `domain` that extends `current_expiry`, if any.
pub async fn find(
    table: &dyn Table,
    domain: &str,
    current_expiry: i64,
) -> TableResult<Option<Renewal>> {
    table
        .get(&key(domain, current_expiry))
        .await?
        .map(|item| Renewal::of(&item))
        .transpose()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_renewal_ends_renewed_declined_or_failed() {
        lifecycle::assert_well_formed(&[Renewed, Declined, Failed, Abandoned]);
        // What a new renewal may replace has ended, or was only scheduled.
        let ended = |s: &RenewalStatus| {
            RenewalStatus::TRANSITIONS
                .iter()
                .all(|(from, _, _)| from != s)
        };
        assert!(REPLACEABLE.iter().all(|s| ended(s) || *s == Scheduled));
        assert!(!REPLACEABLE.contains(&Queued) && !REPLACEABLE.contains(&Authorizing));
        assert!(
            !REPLACEABLE.contains(&AtBank),
            "it holds the domain's renewal"
        );
    }
}
