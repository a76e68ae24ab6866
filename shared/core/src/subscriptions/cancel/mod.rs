//! Cancelling a service: now, or at the end of the paid term, never sooner
//! than the plan's notice period allows (a dedicated server needs 30 days).
//! A pending cancellation can be withdrawn until it takes effect. When it
//! does (the daily billing run ends every service due that day), the
//! service leaves the billing run and is suspended, and a workflow tears it
//! down step by step: the account is suspended at the panel and backed up,
//! the account with its mailboxes is removed (its address and its place on
//! the server return to the pools), and its zone stops being served; then
//! the service is cancelled. The customer's domains stay theirs. Every
//! change is in the audit log, and every step may run twice.

mod domain_choice;
mod teardown;

pub use teardown::tear_down;

use serde::Deserialize;
use serde_json::json;

use super::{Subscription, SubscriptionStatus, find, key};
use crate::CustomerId;
use crate::audit::{Actor, AuditEntry};
use crate::billing::invoice::InvoiceStatus;
use crate::catalog::cycle_months;
use crate::jobs::Job;
use crate::lifecycle::MovedOn;
use crate::store::{
    Condition, Index, Pages, Query, SortKey, TableError, Tx, TxError, TxOp, Update,
};
use crate::{Catalogs, Queueing, Storage};

/// When a cancellation takes effect.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum When {
    /// As soon as the notice period allows (today, for most plans).
    Now,
    /// At the end of the term paid for, or the first term end the notice allows.
    EndOfTerm,
    /// On the day the service's domain expires (a domain registered here),
    /// or the first day the notice allows after it.
    DomainExpiry,
}

/// What becomes of the service's domain, registered here, when the service
/// ends: the domain is billed on its own, so it is the customer's choice.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DomainChoice {
    /// It stays as it is, renewing by itself if it did.
    #[default]
    Keep,
    /// It stops renewing by itself, and expires at the end of its term.
    Lapse,
    /// It stays, renewing by itself if it did, and when the service ends
    /// its zone points at the parking page, with no mail.
    Park,
}

#[derive(Debug, thiserror::Error)]
pub enum CancelError {
    #[error("no such service of yours")]
    NotFound,
    #[error("{message}")]
    Conflict { code: &'static str, message: String },
    #[error(transparent)]
    Table(#[from] TableError),
}

/// What a cancellation did, by whom: who acted, and from where when staff did.
pub struct Acting<'a> {
    pub actor: Actor,
    pub client: Option<&'a str>,
    /// The staff member's role, when staff act.
    pub role: Option<crate::audit::Role>,
}

impl Acting<'_> {
    /// `actor` acting by itself: the customer, or a run of the system.
    pub fn only(actor: Actor) -> Acting<'static> {
        Acting {
            actor,
            client: None,
            role: None,
        }
    }
}

fn audit(
    service: &Subscription,
    by: &Acting,
    action: &str,
    change: (Option<String>, Option<String>),
    why: String,
    at: String,
) -> TxOp {
    AuditEntry {
        at,
        actor: by.actor.clone(),
        subject: format!("service:{}", service.id),
        customer_id: Some(service.customer_id.clone()),
        action: action.into(),
        from: change.0,
        to: change.1,
        why,
        client: by.client.map(str::to_string),
        role: by.role.map(|r| r.as_str().to_string()),
    }
    .put_op()
}

/// Asks for the service to end `when` says; returns it with its `cancel_at`.
pub async fn request(
    ports: &(impl Storage + Catalogs + Queueing),
    by: Acting<'_>,
    customer_id: &CustomerId,
    service_id: &str,
    when: When,
) -> Result<Subscription, CancelError> {
    let wish = (when, DomainChoice::Keep);
    request_with(ports, by, customer_id, service_id, wish).await
}

/// Asks for the service to end when `wish` says, its domain kept or left
/// to lapse as it says; returns the service with its `cancel_at`.
pub async fn request_with(
    ports: &(impl Storage + Catalogs + Queueing),
    by: Acting<'_>,
    customer_id: &CustomerId,
    service_id: &str,
    (when, domain): (When, DomainChoice),
) -> Result<Subscription, CancelError> {
    let service = find(ports.table(), customer_id, service_id)
        .await?
        .ok_or(CancelError::NotFound)?;
    if service.ended_at.is_some() || service.status == SubscriptionStatus::Cancelled {
        return Err(CancelError::Conflict {
            code: "already_cancelled",
            message: "this service has ended already".into(),
        });
    }
    let catalog = ports.catalog().get(ports.table(), ports.clock()).await?;
    let notice = catalog
        .plan(&service.plan_id)
        .map_or(0, |plan| plan.notice_days as i64);
    let today = ports.clock().now().date();
    let earliest = today + time::Duration::days(notice);
    let ends = last_day(ports, &service, when, earliest).await?;
    domain_choice::check(ports, &service, domain).await?;
    let mut update = Update::new()
        .set("cancel_at", ends.to_string())
        .set("gsi2pk", "SERVICES#CANCEL")
        .set("gsi2sk", format!("{ends}#{service_id}"))
        .bump_version();
    update = match domain {
        DomainChoice::Park => update.set("park_domain", true),
        _ => update.remove("park_domain"),
    };
    let now = ports.clock().now();
    let why = format!("ends on {ends} ({notice} days' notice)");
    let ops = vec![
        TxOp::Update {
            key: key(customer_id, service_id),
            update,
            condition: Some(
                Condition::AttributeNotExists("ended_at".into()).and(Condition::Not(Box::new(
                    Condition::eq("status", json!(SubscriptionStatus::Cancelled)),
                ))),
            ),
        },
        audit(
            &service,
            &by,
            "cancellation_requested",
            (service.cancel_at.clone(), Some(ends.to_string())),
            why,
            crate::clock::rfc3339_millis(now),
        ),
    ];
    ports.table().transact(ops).await?;
    if domain == DomainChoice::Lapse {
        domain_choice::lapse(ports, &service, &by).await?;
    }
    let service = find(ports.table(), customer_id, service_id)
        .await?
        .ok_or(CancelError::NotFound)?;
    if ends <= today && end(ports, &service).await? {
        teardown_job(&service).send(ports).await;
    }
    find(ports.table(), customer_id, service_id)
        .await?
        .ok_or(CancelError::NotFound)
}

/// The last day of a service asked to end `when`, no sooner than `earliest`.
async fn last_day(
    ports: &impl Storage,
    service: &Subscription,
    when: When,
    earliest: time::Date,
) -> Result<time::Date, CancelError> {
    Ok(match when {
        When::Now => earliest,
        When::EndOfTerm => {
            let mut end = super::billing::day(&service.next_due).unwrap_or(earliest);
            while end < earliest {
                end = crate::clock::add_months(end, cycle_months(&service.cycle).unwrap_or(1));
            }
            end
        }
        When::DomainExpiry => domain_choice::domain_expiry(ports, service)
            .await?
            .max(earliest),
    })
}

/// Withdraws a pending cancellation: the service carries on.
pub async fn withdraw(
    ports: &impl Storage,
    customer_id: &CustomerId,
    service_id: &str,
) -> Result<Subscription, CancelError> {
    let service = find(ports.table(), customer_id, service_id)
        .await?
        .ok_or(CancelError::NotFound)?;
    if service.cancel_at.is_none() || service.ended_at.is_some() {
        return Err(CancelError::Conflict {
            code: "nothing_to_withdraw",
            message: "this service has no pending cancellation".into(),
        });
    }
    let ops = vec![
        TxOp::Update {
            key: key(customer_id, service_id),
            update: Update::new()
                .remove("cancel_at")
                .remove("park_domain")
                .remove("gsi2pk")
                .remove("gsi2sk")
                .bump_version(),
            condition: Some(Condition::AttributeNotExists("ended_at".into())),
        },
        audit(
            &service,
            &Acting::only(Actor::Customer(customer_id.into())),
            "cancellation_withdrawn",
            (service.cancel_at.clone(), None),
            "the customer's choice".into(),
            crate::clock::rfc3339_millis(ports.clock().now()),
        ),
    ];
    match ports.table().transact(ops).await {
        Ok(()) => {}
        Err(TableError::TransactionConflict { .. }) => {
            return Err(CancelError::Conflict {
                code: "nothing_to_withdraw",
                message: "this service has ended already".into(),
            });
        }
        Err(other) => return Err(other.into()),
    }
    find(ports.table(), customer_id, service_id)
        .await?
        .ok_or(CancelError::NotFound)
}

/// Ends every service whose cancellation takes effect today or earlier,
/// and sends again the teardown of any ended before whose teardown has not
/// finished; returns how many it ended.
pub async fn end_due(ports: &(impl Storage + Queueing)) -> Result<usize, TableError> {
    let today = ports.clock().now().date();
    let due = Query::index(Index::Gsi2, "SERVICES#CANCEL").sort(SortKey::Le(format!("{today}#~")));
    let mut pages = Pages::new(due, 100);
    let mut ended = 0;
    while let Some(items) = pages.next(ports.table()).await? {
        for item in &items {
            let service = Subscription::of(item)?;
            if service.ended_at.is_some() || end(ports, &service).await? {
                ended += usize::from(service.ended_at.is_none());
                teardown_job(&service).send(ports).await;
            }
        }
    }
    Ok(ended)
}

pub(crate) fn teardown_job(service: &Subscription) -> Job {
    Job::TearDown {
        customer_id: service.customer_id.clone(),
        service_id: service.id.clone(),
    }
}

/// The cancellation takes effect: the service leaves the billing run and is
/// suspended, for its teardown; false when another run did it.
async fn end(ports: &impl Storage, service: &Subscription) -> Result<bool, TableError> {
    let why = format!(
        "cancelled at the customer's request, effective {}",
        service.cancel_at.as_deref().unwrap_or("now")
    );
    end_as(
        ports,
        service,
        Actor::system("cancellations"),
        why,
        Update::new(),
    )
    .await
}

/// The service ends now because of `why`, as `actor` decided, with `update`
/// made in the same write; false when another run ended it. The caller
/// queues its teardown.
pub(crate) async fn end_as(
    ports: &impl Storage,
    service: &Subscription,
    actor: Actor,
    why: String,
    update: Update,
) -> Result<bool, TableError> {
    let now = ports.clock().now();
    let open = super::billing::open_periods(ports.table(), &service.id).await?;
    let leaves_billing = update
        .set("ended_at", crate::clock::rfc3339(now))
        .remove("gsi1pk")
        .remove("gsi1sk");
    let mut tx = Tx::new();
    if service.status == SubscriptionStatus::Active {
        service
            .change(
                SubscriptionStatus::Suspended,
                leaves_billing,
                actor.clone(),
                &why,
            )
            .add_to(&mut tx, MovedOn, now)
            .map_err(|e| TableError::Backend(e.to_string()))?;
    } else {
        // Suspended already (an unpaid invoice): it stays so, and ends.
        tx.guard(
            MovedOn,
            TxOp::Update {
                key: key(&service.customer_id, &service.id),
                update: leaves_billing.bump_version(),
                condition: Some(
                    Condition::eq("status", json!(SubscriptionStatus::Suspended))
                        .and(Condition::AttributeNotExists("ended_at".into())),
                ),
            },
        )
        .push(audit(
            service,
            &Acting::only(actor),
            "ended",
            (Some("suspended".into()), Some("ending".into())),
            why,
            crate::clock::rfc3339_millis(now),
        ));
    }
    // What it leaves open is voided with it: nothing is owed for a
    // service that has ended, and nothing more is charged for it.
    let mut bills = Vec::new();
    for period in &open {
        let bill = crate::billing::invoice::find(
            ports.table(),
            &period.customer_id,
            &period.invoice_number,
        )
        .await?;
        tx.guard(MovedOn, period.voided_op(now.unix_timestamp()));
        bills.extend(bill.filter(|b| b.status == InvoiceStatus::Open));
    }
    let bills: Vec<&_> = bills.iter().collect();
    tx.extend(crate::billing::void::void_ops(ports.table(), &bills, now).await?);
    match tx.commit(ports.table()).await {
        Ok(()) => Ok(true),
        Err(TxError::Refused(MovedOn)) => Ok(false),
        Err(TxError::Table(error)) => Err(error),
    }
}
