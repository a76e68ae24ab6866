//! Recurring billing of hosting services, in the daily billing run: each
//! active service is invoiced for its next period ahead of the due date, the
//! saved card is charged on the due date (and again on the dunning days when
//! it fails), and a paid period moves the service's next due date on by one
//! cycle. After the last failed try the service is suspended. There is one
//! period record per service and period, one charge per attempt (the gateway
//! keys are made from the period), and one mail per period and attempt.
//!
//! Item: `SERVICE#<service id>` / `PERIOD#<first day>`, filed in `gsi1` as
//! `PERIODS#<status>` / `<next attempt, ms>#<service id>`.

use serde::{Deserialize, Serialize};
use serde_json::json;
use time::Date;

use super::{ServiceStatus, Subscription};
use crate::audit::Actor;
use crate::billing::credit;
use crate::billing::invoice::{self, Invoice, InvoiceFor, InvoiceLine};
use crate::billing::payment_method;
use crate::catalog::cycle_months;
use crate::clock::{mail_day, mail_day_of, mail_day_text};
use crate::mail::{self, Letter, Mail, MailKind};
use crate::payments::{Charge, PaymentError, PaymentSource};
use crate::store::{
    Condition, Index, Item, Key, Pages, Query, SortKey, TableError, TableResult, Tx, TxError, TxOp,
    Update, record_item, record_of,
};
use crate::{Billing, Catalogs, Mailing, Queueing, Settings, Storage};

const DAY: i64 = 86_400;

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
    pub customer_id: String,
    /// The first day, `YYYY-MM-DD`; the service's due date.
    pub from: String,
    /// The day before the next period.
    pub to: String,
    pub status: PeriodStatus,
    pub invoice_number: String,
    pub total: i64,
    pub currency: String,
    pub attempts: u32,
    /// Epoch seconds.
    pub next_attempt: i64,
}

impl Period {
    pub(super) fn key(&self) -> Key {
        Key::new(
            format!("SERVICE#{}", self.service_id),
            format!("PERIOD#{}", self.from),
        )
    }

    pub(super) fn index(
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

    fn item(&self) -> Item {
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

    /// Moves the scheduled period on, guarded by the attempts it had.
    fn moved(&self, status: PeriodStatus, update: Update, next_attempt: i64) -> TxOp {
        let mut update = update.set("status", json!(status)).bump_version();
        for (attribute, value) in Self::index(status, next_attempt, &self.service_id) {
            update = update.set(attribute, value);
        }
        TxOp::Update {
            key: self.key(),
            update,
            condition: Some(
                Condition::eq("status", json!(PeriodStatus::Scheduled))
                    .and(Condition::eq("attempts", self.attempts)),
            ),
        }
    }
}

/// The periods of `service_id` still owed or still to be charged.
pub(super) async fn open_periods(
    table: &dyn crate::store::Table,
    service_id: &str,
) -> TableResult<Vec<Period>> {
    let query = Query::partition(format!("SERVICE#{service_id}"))
        .sort(SortKey::BeginsWith("PERIOD#".into()));
    let mut open = Vec::new();
    for item in &crate::store::all_items(table, query).await? {
        let period = Period::of(item)?;
        if matches!(
            period.status,
            PeriodStatus::Scheduled | PeriodStatus::Unpaid
        ) {
            open.push(period);
        }
    }
    Ok(open)
}

impl Period {
    /// Voids the period as its service ends, guarded by the status and
    /// attempts it was read with: a payment or a charge recorded meanwhile
    /// refuses it.
    pub(super) fn voided_op(&self, now: i64) -> TxOp {
        let mut update = Update::new()
            .set("status", json!(PeriodStatus::Void))
            .bump_version();
        for (attribute, value) in Self::index(PeriodStatus::Void, now, &self.service_id) {
            update = update.set(attribute, value);
        }
        TxOp::Update {
            key: self.key(),
            update,
            condition: Some(
                Condition::eq("status", json!(self.status))
                    .and(Condition::eq("attempts", self.attempts)),
            ),
        }
    }
}

pub(super) fn day(text: &str) -> Option<Date> {
    Date::parse(
        text,
        time::macros::format_description!("[year]-[month]-[day]"),
    )
    .ok()
}

fn epoch(date: Date) -> i64 {
    date.midnight().assume_utc().unix_timestamp()
}

/// What one run did for services.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct ServiceBilling {
    pub invoiced: usize,
    pub charged: usize,
    pub declined: usize,
    pub suspended: usize,
}

/// Invoices the periods due within the lead time and charges those due.
pub async fn run(
    services: &(impl Storage + Settings + Billing + Mailing + Queueing + Catalogs),
) -> Result<ServiceBilling, TableError> {
    let mut run = ServiceBilling::default();
    let today = services.clock().now().date();
    let horizon = today + time::Duration::days(services.config().service_renewal_lead_days);
    let due = Query::index(Index::Gsi1, "SERVICES#DUE").sort(SortKey::Le(format!("{horizon}#~")));
    let mut pages = Pages::new(due, 100);
    while let Some(items) = pages.next(services.table()).await? {
        for item in &items {
            let service = Subscription::of(item)?;
            if service.status == ServiceStatus::Active && invoice(services, &service).await? {
                run.invoiced += 1;
            }
        }
    }
    let now = services.clock().now_secs();
    let scheduled = Query::index(Index::Gsi1, "PERIODS#scheduled")
        .sort(SortKey::Le(format!("{:015}~", now * 1000)));
    let mut pages = Pages::new(scheduled, 100);
    while let Some(items) = pages.next(services.table()).await? {
        for item in &items {
            match charge(services, Period::of(item)?).await? {
                Some(Charged::Paid) => run.charged += 1,
                Some(Charged::Declined) => run.declined += 1,
                Some(Charged::Suspended) => {
                    run.declined += 1;
                    run.suspended += 1;
                }
                None => {}
            }
        }
    }
    Ok(run)
}

/// Why a period was not made.
#[derive(Debug, Clone, Copy)]
enum Refusal {
    Exists,
    CounterMoved,
    CreditMoved,
}

pub(super) async fn customer(
    services: &impl Storage,
    customer_id: &str,
) -> Result<crate::accounts::Customer, TableError> {
    crate::accounts::load_customer(services.table(), customer_id).await
}

pub(crate) fn letter(services: &impl Settings, service: &Subscription, name: &str) -> Letter {
    let config = services.config();
    let base = config.public_url.trim_end_matches('/');
    Letter {
        company: config.company_name.clone(),
        name: name.into(),
        plan_name: service.plan_name.clone(),
        domain: service.domain.clone(),
        link: format!("{base}/portal.html"),
        ..Letter::default()
    }
}

/// Invoices the service's next period, unless it was; true when it made one.
async fn invoice(
    services: &(impl Storage + Settings + Mailing),
    service: &Subscription,
) -> Result<bool, TableError> {
    let Some(from) = day(&service.next_due) else {
        return Ok(false);
    };
    let to = crate::clock::add_months(from, cycle_months(&service.cycle).unwrap_or(1))
        - time::Duration::days(1);
    let owner = customer(services, &service.customer_id).await?;
    for _ in 0..20 {
        let (sequence, claim) = invoice::next_number(services.table()).await?;
        let lines = vec![InvoiceLine {
            description: format!(
                "{}, {} to {}",
                service.plan_name,
                mail_day(from),
                mail_day(to)
            ),
            amount: service.price,
        }];
        let mut bill = Invoice::new(
            &service.customer_id,
            InvoiceFor::Period {
                service_id: service.id.clone(),
                from: from.to_string(),
                to: to.to_string(),
            },
            crate::clock::rfc3339(services.clock().now()),
            &service.currency,
            lines,
            services.config().tax_rate_bps,
        );
        bill.number = invoice::format_number(sequence);
        // Account credit comes off before any card is charged.
        let (credit, credit_version) =
            credit::balance(services.table(), &service.customer_id).await?;
        let credit_used = bill.take_credit(credit);
        let period = Period {
            service_id: service.id.clone(),
            customer_id: service.customer_id.clone(),
            from: from.to_string(),
            to: to.to_string(),
            status: PeriodStatus::Scheduled,
            invoice_number: bill.number.clone(),
            total: bill.total,
            currency: bill.currency.clone(),
            attempts: 0,
            next_attempt: epoch(from),
        };
        let mut letter =
            crate::billing::letter::with_invoice(letter(services, service, &owner.name), &bill);
        let (from_day, to_day) = (mail_day(from), mail_day(to));
        letter.action = match bill.total {
            0 => format!(
                "Your invoice for {} on {}, {from_day} to {to_day}: your account credit pays all of it.",
                service.plan_name, service.domain
            ),
            _ => format!(
                "Your invoice for {} on {}, {from_day} to {to_day}: your saved card is charged {} on {from_day}.",
                service.plan_name, service.domain, letter.total
            ),
        };
        let notice = Mail::compose_about(
            services,
            MailKind::ServiceInvoice,
            &owner.email,
            &letter,
            &format!("service:{}", service.id),
        )?
        .for_period(&period.from);
        let mut tx = Tx::new();
        tx.guard(
            Refusal::Exists,
            TxOp::Put {
                item: period.item(),
                condition: Some(Condition::NotExists),
            },
        )
        .guard(Refusal::CounterMoved, claim)
        .push(bill.put_op(sequence))
        .push(notice.put_op(services.clock().now_secs()));
        if credit_used > 0 {
            tx.guard(
                Refusal::CreditMoved,
                credit::use_op(&service.customer_id, credit_used, credit_version),
            );
        }
        match tx.commit(services.table()).await {
            Ok(()) => {
                mail::deliver(services, &notice).await;
                return Ok(true);
            }
            Err(TxError::Refused(Refusal::Exists)) => return Ok(false),
            Err(TxError::Refused(Refusal::CounterMoved | Refusal::CreditMoved)) => {}
            Err(TxError::Table(error)) => return Err(error),
        }
    }
    Ok(false)
}

enum Charged {
    Paid,
    Declined,
    Suspended,
}

/// The period was moved on by another run.
#[derive(Debug, Clone, Copy)]
struct MovedOn;

/// Charges a due period to the saved card.
async fn charge(
    services: &(impl Storage + Settings + Billing + Mailing + Queueing + Catalogs),
    period: Period,
) -> Result<Option<Charged>, TableError> {
    let now = services.clock().now_secs();
    if period.status != PeriodStatus::Scheduled || period.next_attempt > now {
        return Ok(None);
    }
    let Some(service) =
        super::find(services.table(), &period.customer_id, &period.service_id).await?
    else {
        return Ok(None);
    };
    let attempt = period.attempts + 1;
    let key = format!("period-{}-{}", period.service_id, period.from);
    let saved = payment_method::find(services.table(), &period.customer_id).await?;
    let paid = match &saved {
        // Account credit paid all of it: nothing to charge.
        _ if period.total == 0 => Ok(None),
        None => Err("no card is saved".to_string()),
        Some(card) => {
            let request = Charge {
                amount: period.total,
                currency: period.currency.clone(),
                source: PaymentSource::Saved(card.token.clone()),
                reference: period.invoice_number.clone(),
                idempotency_key: format!("{key}-authorize-{attempt}"),
            };
            let taken = async {
                let held = services.payments().authorize(&request).await?;
                services
                    .payments()
                    .capture(&held.id, period.total, &format!("{key}-capture-{attempt}"))
                    .await
            }
            .await;
            match taken {
                Ok(capture) => Ok(Some(capture.id)),
                Err(PaymentError::Unavailable(_)) => return Ok(None),
                Err(other) => Err(other.to_string()),
            }
        }
    };
    let owner = customer(services, &period.customer_id).await?;
    let bill = invoice::find(
        services.table(),
        &period.customer_id,
        &period.invoice_number,
    )
    .await?
    .ok_or_else(|| TableError::Backend(format!("invoice {} is missing", period.invoice_number)))?;
    let mut letter =
        crate::billing::letter::with_invoice(letter(services, &service, &owner.name), &bill);
    let mut tx = Tx::new();
    let outcome = match paid {
        Ok(capture_id) => {
            let next = crate::clock::add_months(
                day(&period.from).unwrap_or(services.clock().now().date()),
                cycle_months(&service.cycle).unwrap_or(1),
            );
            letter.paid = true;
            letter.action = format!(
                "Thank you: {} on {} is paid until {}.",
                service.plan_name,
                service.domain,
                mail_day_text(&period.to)
            );
            tx.guard(
                MovedOn,
                period.moved(
                    PeriodStatus::Paid,
                    match &capture_id {
                        Some(id) => Update::new().set("capture_id", id.clone()),
                        None => Update::new(),
                    },
                    now,
                ),
            )
            .push(bill.paid_op(
                &crate::clock::rfc3339(services.clock().now()),
                capture_id.as_deref(),
            ))
            .push(TxOp::Update {
                key: super::key(&service.customer_id, &service.id),
                update: Update::new()
                    .set("next_due", next.to_string())
                    .set("gsi1sk", format!("{next}#{}", service.id))
                    .bump_version(),
                condition: Some(Condition::eq("next_due", period.from.clone())),
            });
            Charged::Paid
        }
        Err(reason) => {
            let due = day(&period.from).map_or(now, epoch);
            let catalog = services
                .catalog()
                .get(services.table(), services.clock())
                .await?;
            let dunning = match catalog.plan(&service.plan_id) {
                Some(plan) => plan.dunning_days(&services.config().dunning_days),
                None => services.config().dunning_days.clone(),
            };
            let next = dunning.get(attempt as usize).map(|days| due + days * DAY);
            let update = Update::new()
                .set("attempts", attempt)
                .set("failure", reason.clone());
            match next {
                Some(next) => {
                    letter.action = format!(
                        "We could not charge your saved card {} for {} on {} ({reason}). We will try again on {}; update your card to keep the service running.",
                        letter.total,
                        service.plan_name,
                        service.domain,
                        mail_day_of(next)
                    );
                    tx.guard(
                        MovedOn,
                        period.moved(
                            PeriodStatus::Scheduled,
                            update.set("next_attempt", next),
                            next,
                        ),
                    );
                    Charged::Declined
                }
                None => {
                    letter.action = format!(
                        "We could not charge your saved card for {} on {} ({reason}), and have suspended it. Pay the invoice in your account to have it back: a new card alone is not charged for it.",
                        service.plan_name, service.domain
                    );
                    tx.guard(MovedOn, period.moved(PeriodStatus::Unpaid, update, now));
                    if service.status == ServiceStatus::Active {
                        service
                            .change(
                                ServiceStatus::Suspended,
                                Update::new(),
                                Actor::system("billing"),
                                "unpaid",
                            )
                            .add_to(&mut tx, MovedOn, services.clock().now())
                            .map_err(|e| TableError::Backend(e.to_string()))?;
                        tx.push(super::panel::needed_op(
                            &service,
                            services.clock().now_millis(),
                        ));
                    }
                    Charged::Suspended
                }
            }
        }
    };
    let kind = match outcome {
        Charged::Paid => MailKind::ServiceReceipt,
        _ => MailKind::ServicePaymentFailed,
    };
    let notice = Mail::compose_about(
        services,
        kind,
        &owner.email,
        &letter,
        &format!("service:{}", service.id),
    )?
    .for_period(&format!("{}-{attempt}", period.from));
    tx.push(notice.put_op(now));
    match tx.commit(services.table()).await {
        Ok(()) => {
            mail::deliver(services, &notice).await;
            if matches!(outcome, Charged::Suspended) {
                super::panel::request(services, &service).await;
            }
            Ok(Some(outcome))
        }
        Err(TxError::Refused(MovedOn)) => Ok(None),
        Err(TxError::Table(error)) => Err(error),
    }
}
