//! Recurring billing of hosting services, in the daily billing run: each
//! active service is invoiced for its next period ahead of the due date, the
//! saved card is charged on the due date (and again on the dunning days when
//! it fails), and a paid period moves the service's next due date on by one
//! cycle. After the last failed try the service is suspended. There is one
//! period record per service and period, one charge per attempt (the gateway
//! keys are made from the period), and one mail per period and attempt.
//!
//! The steps: `invoice` (ahead of the due date), `charge` (on it); a period
//! is the record `period` describes.

mod charge;
mod invoice;
mod period;

pub use period::{Period, PeriodStatus};
pub(super) use period::{day, open_periods, paying_key_of, period_key, periods_of};

use time::Date;

use super::{Subscription, SubscriptionStatus};
use crate::CustomerId;
use crate::audit::Actor;
use crate::lifecycle::MovedOn;
use crate::mail::{Letter, Mail, MailKind};
use crate::store::{Condition, Index, Pages, Query, SortKey, TableError, Tx, TxOp, Update};
use crate::{Billing, Catalogs, Mailing, Queueing, Settings, Storage};
use charge::{Charged, charge};

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
    ports: &(impl Storage + Settings + Billing + Mailing + Queueing + Catalogs),
) -> Result<ServiceBilling, TableError> {
    let mut run = ServiceBilling::default();
    let today = ports.clock().now().date();
    let horizon = today + time::Duration::days(ports.config().service_renewal_lead_days);
    let due = Query::index(Index::Gsi1, "SERVICES#DUE").sort(SortKey::Le(format!("{horizon}#~")));
    let mut pages = Pages::new(due, 100);
    while let Some(items) = pages.next(ports.table()).await? {
        for item in &items {
            let service = Subscription::of(item)?;
            if service.status == SubscriptionStatus::Active
                && invoice::invoice(ports, &service).await?
            {
                run.invoiced += 1;
            }
        }
    }
    let now = ports.clock().now_secs();
    let scheduled = Query::index(Index::Gsi1, "PERIODS#scheduled")
        .sort(SortKey::Le(format!("{:015}~", now * 1000)));
    let mut pages = Pages::new(scheduled, 100);
    while let Some(items) = pages.next(ports.table()).await? {
        for item in &items {
            match charge(ports, Period::of(item)?).await? {
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

pub(super) async fn customer(
    ports: &impl Storage,
    customer_id: &CustomerId,
) -> Result<crate::accounts::Customer, TableError> {
    crate::accounts::load_customer(ports.table(), customer_id).await
}

/// The letter of a mail about `service` to `name`.
pub(crate) fn letter(ports: &impl Settings, service: &Subscription, name: &str) -> Letter {
    Letter {
        plan_name: service.plan_name.clone(),
        domain: service.domain.clone(),
        ..crate::billing::letter::addressed(ports, name, "portal.html")
    }
}

/// The mail of `kind` about `service`, sent once per `occasion` (a
/// period, and its try).
pub(super) async fn service_mail(
    ports: &impl Storage,
    kind: MailKind,
    to: (&str, &Letter),
    service: &Subscription,
    occasion: &str,
) -> Result<Mail, TableError> {
    let subject = format!("service:{}", service.id);
    crate::billing::letter::mail(ports, kind, to, &subject, occasion).await
}

/// What a receipt for `period` says; `resumes` when the payment brought the
/// service back.
pub(super) fn receipt_action(service: &Subscription, period: &Period, resumes: bool) -> String {
    format!(
        "Thank you: {} on {} is paid until {}.{}",
        service.plan_name,
        service.domain,
        crate::clock::mail_day_text(&period.to),
        if resumes { " It is running again." } else { "" }
    )
}

/// The service's next due date moved to `next`.
pub(super) fn due_on(service: &Subscription, next: Date) -> Update {
    Update::new()
        .set("next_due", next.to_string())
        .set("gsi1sk", format!("{next}#{}", service.id))
}

/// Moves the service's next due date past `period`, unless another write
/// moved it first.
pub(super) fn move_due_op(service: &Subscription, period: &Period, next: Date) -> TxOp {
    TxOp::Update {
        key: super::key(&service.customer_id, &service.id),
        update: due_on(service, next).bump_version(),
        condition: Some(Condition::eq("next_due", period.from.clone())),
    }
}

/// Adds to `tx` the service's move to `to` (suspended for an unpaid period,
/// active again once paid) and the panel's sync that follows it; the caller
/// asks the panel once `tx` is written.
pub(super) fn change_at_panel(
    ports: &impl Storage,
    tx: &mut Tx<MovedOn>,
    service: &Subscription,
    (to, update): (SubscriptionStatus, Update),
    (actor, why): (Actor, &str),
) -> Result<(), TableError> {
    service
        .change(to, update, actor, why)
        .add_to(tx, MovedOn, ports.clock().now())
        .map_err(|e| TableError::Backend(e.to_string()))?;
    tx.push(super::panel::needed_op(service, ports.clock().now_millis()));
    Ok(())
}
