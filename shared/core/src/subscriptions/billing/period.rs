//! A service's billing period: invoiced ahead, charged when due, moved on
//! by each try, paid, left unpaid or voided.
//!
//! Item: `SERVICE#<service id>` / `PERIOD#<first day>`, filed in `gsi1` as
//! `PERIODS#<status>` / `<next attempt, ms>#<service id>`.

use crate::money::Currency;
use serde::{Deserialize, Serialize};
use serde_json::json;
use time::Date;

use crate::CustomerId;
use crate::catalog::cycle_months;
use crate::store::{
    Condition, Item, Key, Query, SortKey, Table, TableResult, TxOp, Update, record_item, record_of,
};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PeriodStatus {
    Scheduled,
    Paid,
    /// Every try failed; the service was suspended.
    Unpaid,
    /// The service ended before the period was paid: its invoice is void.
    Void,
}

/// One period of a service, invoiced ahead and charged when due.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Period {
    pub service_id: String,
    pub customer_id: CustomerId,
    /// The first day, `YYYY-MM-DD`; the service's due date.
    pub from: String,
    /// The day before the next period.
    pub to: String,
    pub status: PeriodStatus,
    pub invoice_number: String,
    pub total: i64,
    pub currency: Currency,
    pub attempts: u32,
    /// Epoch seconds.
    pub next_attempt: i64,
    /// The last automatic try was declined because the card's bank asks its
    /// holder to confirm the payment: they may pay it by hand meanwhile.
    #[serde(default)]
    pub needs_holder: bool,
}

impl Period {
    pub(crate) fn key(&self) -> Key {
        period_key(&self.service_id, &self.from)
    }

    pub(crate) fn index(
        status: PeriodStatus,
        at: i64,
        service_id: &str,
    ) -> [(String, serde_json::Value); 2] {
        let status = serde_json::to_value(status).expect("a status serialises");
        [
            (
                "gsi1pk".into(),
                format!("PERIODS#{}", status.as_str().unwrap_or_default()).into(),
            ),
            (
                "gsi1sk".into(),
                format!("{:015}#{service_id}", at * 1000).into(),
            ),
        ]
    }

    pub(super) fn item(&self) -> Item {
        let mut item = record_item(self, &self.key(), "service_period");
        item.extend(Self::index(
            self.status,
            self.next_attempt,
            &self.service_id,
        ));
        item
    }

    pub(crate) fn of(item: &Item) -> TableResult<Period> {
        record_of(item, "service period")
    }

    /// The period moved to `to` with `update`, filed for `at`, while `guard` holds.
    fn move_op(&self, to: PeriodStatus, update: Update, at: i64, guard: Condition) -> TxOp {
        let mut update = update.set("status", json!(to)).bump_version();
        for (attribute, value) in Self::index(to, at, &self.service_id) {
            update = update.set(attribute, value);
        }
        TxOp::Update {
            key: self.key(),
            update,
            condition: Some(guard),
        }
    }

    /// Moves the scheduled period on, guarded by the attempts it had.
    pub(super) fn moved(&self, status: PeriodStatus, update: Update, next_attempt: i64) -> TxOp {
        let guard = Condition::eq("status", json!(PeriodStatus::Scheduled))
            .and(Condition::eq("attempts", self.attempts));
        self.move_op(status, update, next_attempt, guard)
    }

    /// Voids the period as its service ends, guarded by the status and
    /// attempts it was read with: a payment or a charge recorded meanwhile
    /// refuses it.
    pub(in crate::subscriptions) fn voided_op(&self, now: i64) -> TxOp {
        let guard = Condition::eq("status", json!(self.status))
            .and(Condition::eq("attempts", self.attempts));
        self.move_op(PeriodStatus::Void, Update::new(), now, guard)
    }

    /// The unpaid period paid by hand with `capture_id`, unless it was
    /// paid or voided meanwhile; a scheduled one whose bank wants its
    /// holder, unless the billing run tried it again meanwhile.
    pub(in crate::subscriptions) fn paid_by_hand_op(&self, capture_id: &str, now: i64) -> TxOp {
        let waits_for_holder = Condition::eq("status", json!(PeriodStatus::Scheduled))
            .and(Condition::eq("needs_holder", true))
            .and(Condition::eq("attempts", self.attempts));
        let guard = Condition::eq("status", json!(PeriodStatus::Unpaid)).or(waits_for_holder);
        let update = Update::new().set("capture_id", capture_id);
        self.move_op(PeriodStatus::Paid, update, now, guard)
    }

    /// The lease a payment of the period holds while the gateway is called:
    /// a payment by hand, or the billing run's try of a period that may be
    /// paid by hand (`needs_holder`), so that never both charge it.
    pub(in crate::subscriptions) fn paying_key(&self) -> Key {
        paying_key_of(&self.service_id, &self.from)
    }

    /// The first day of the period after this one, for a service billed
    /// every `cycle` (`today` should the period's own day not read).
    pub(in crate::subscriptions) fn following(&self, cycle: &str, today: Date) -> Date {
        crate::clock::add_months(
            day(&self.from).unwrap_or(today),
            cycle_months(cycle).unwrap_or(1),
        )
    }
}

/// The payment lease of the period of `service_id` that starts on `from`.
pub(in crate::subscriptions) fn paying_key_of(service_id: &str, from: &str) -> Key {
    Key::new(format!("SERVICE#{service_id}"), format!("PAYING#{from}"))
}

/// Where the period of `service_id` that starts on `from` is kept.
pub(in crate::subscriptions) fn period_key(service_id: &str, from: &str) -> Key {
    Key::new(format!("SERVICE#{service_id}"), format!("PERIOD#{from}"))
}

/// Every period of `service_id`, oldest first.
pub(in crate::subscriptions) async fn periods_of(
    table: &dyn Table,
    service_id: &str,
) -> TableResult<Vec<Period>> {
    let query = Query::partition(format!("SERVICE#{service_id}"))
        .sort(SortKey::BeginsWith("PERIOD#".into()));
    crate::store::all_items(table, query)
        .await?
        .iter()
        .map(Period::of)
        .collect()
}

/// The periods of `service_id` still owed or still to be charged.
pub(in crate::subscriptions) async fn open_periods(
    table: &dyn Table,
    service_id: &str,
) -> TableResult<Vec<Period>> {
    let mut periods = periods_of(table, service_id).await?;
    periods.retain(|period| {
        matches!(
            period.status,
            PeriodStatus::Scheduled | PeriodStatus::Unpaid
        )
    });
    Ok(periods)
}

/// A day written `YYYY-MM-DD`.
pub(in crate::subscriptions) fn day(text: &str) -> Option<Date> {
    Date::parse(
        text,
        time::macros::format_description!("[year]-[month]-[day]"),
    )
    .ok()
}

/// Midnight UTC of `date`, in epoch seconds.
pub(super) fn epoch(date: Date) -> i64 {
    date.midnight().assume_utc().unix_timestamp()
}
