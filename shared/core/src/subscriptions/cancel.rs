//! Cancelling a service: now, or at the end of the paid term, never sooner
//! than the plan's notice period allows (a dedicated server needs 30 days).
//! A pending cancellation can be withdrawn until it takes effect. When it
//! does (the daily billing run ends every service due that day), the
//! service is cancelled and a job tears it down: the panel account with its
//! mailboxes is removed (its address and its place on the server return to
//! the pools) and its zone stops being served. The customer's domains stay
//! theirs. Every step is recorded in the audit log and may run twice.

use serde::Deserialize;
use serde_json::json;
use time::Date;

use super::{ServiceStatus, Subscription, find, key};
use crate::audit::{Actor, AuditEntry};
use crate::catalog::cycle_months;
use crate::jobs::Job;
use crate::lifecycle::MovedOn;
use crate::store::{
    Condition, Index, Pages, Query, SortKey, TableError, Tx, TxError, TxOp, Update,
};
use crate::{Catalogs, Hosting, Queueing, Storage, Zones};

/// When a cancellation takes effect.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum When {
    /// As soon as the notice period allows (today, for most plans).
    Now,
    /// At the end of the term paid for, or the first term end the notice allows.
    EndOfTerm,
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

fn audit(service: &Subscription, actor: Actor, action: &str, why: String, at: String) -> TxOp {
    AuditEntry {
        at,
        actor,
        subject: format!("service:{}", service.id),
        customer_id: Some(service.customer_id.clone()),
        action: action.into(),
        from: None,
        to: None,
        why,
    }
    .put_op()
}

fn parse_day(text: &str) -> Option<Date> {
    Date::parse(
        text,
        time::macros::format_description!("[year]-[month]-[day]"),
    )
    .ok()
}

/// Asks for the service to end `when` says; returns it with its `cancel_at`.
pub async fn request(
    services: &(impl Storage + Catalogs + Queueing),
    customer_id: &str,
    service_id: &str,
    when: When,
) -> Result<Subscription, CancelError> {
    let service = find(services.table(), customer_id, service_id)
        .await?
        .ok_or(CancelError::NotFound)?;
    if service.status == ServiceStatus::Cancelled {
        return Err(CancelError::Conflict {
            code: "already_cancelled",
            message: "this service has ended already".into(),
        });
    }
    let catalog = services
        .catalog()
        .get(services.table(), services.clock())
        .await?;
    let notice = catalog
        .plan(&service.plan_id)
        .map_or(0, |plan| plan.notice_days as i64);
    let today = services.clock().now().date();
    let earliest = today + time::Duration::days(notice);
    let ends = match when {
        When::Now => earliest,
        When::EndOfTerm => {
            let mut end = parse_day(&service.next_due).unwrap_or(earliest);
            while end < earliest {
                end = crate::clock::add_months(end, cycle_months(&service.cycle).unwrap_or(1));
            }
            end
        }
    };
    let now = services.clock().now();
    let why = format!("ends on {ends} ({notice} days' notice)");
    let ops = vec![
        TxOp::Update {
            key: key(customer_id, service_id),
            update: Update::new()
                .set("cancel_at", ends.to_string())
                .set("gsi2pk", "SERVICES#CANCEL")
                .set("gsi2sk", format!("{ends}#{service_id}"))
                .bump_version(),
            condition: Some(Condition::Not(Box::new(Condition::eq(
                "status",
                json!(ServiceStatus::Cancelled),
            )))),
        },
        audit(
            &service,
            Actor::Customer(customer_id.into()),
            "cancellation_requested",
            why,
            crate::clock::rfc3339_millis(now),
        ),
    ];
    services.table().transact(ops).await?;
    let service = find(services.table(), customer_id, service_id)
        .await?
        .ok_or(CancelError::NotFound)?;
    if ends <= today {
        end(services, &service).await?;
    }
    find(services.table(), customer_id, service_id)
        .await?
        .ok_or(CancelError::NotFound)
}

/// Withdraws a pending cancellation: the service carries on.
pub async fn withdraw(
    services: &impl Storage,
    customer_id: &str,
    service_id: &str,
) -> Result<Subscription, CancelError> {
    let service = find(services.table(), customer_id, service_id)
        .await?
        .ok_or(CancelError::NotFound)?;
    if service.cancel_at.is_none() || service.status == ServiceStatus::Cancelled {
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
                .remove("gsi2pk")
                .remove("gsi2sk")
                .bump_version(),
            condition: Some(Condition::Not(Box::new(Condition::eq(
                "status",
                json!(ServiceStatus::Cancelled),
            )))),
        },
        audit(
            &service,
            Actor::Customer(customer_id.into()),
            "cancellation_withdrawn",
            "the customer's choice".into(),
            crate::clock::rfc3339_millis(services.clock().now()),
        ),
    ];
    match services.table().transact(ops).await {
        Ok(()) => {}
        Err(TableError::TransactionConflict { .. }) => {
            return Err(CancelError::Conflict {
                code: "nothing_to_withdraw",
                message: "this service has ended already".into(),
            });
        }
        Err(other) => return Err(other.into()),
    }
    find(services.table(), customer_id, service_id)
        .await?
        .ok_or(CancelError::NotFound)
}

/// Ends every service whose cancellation takes effect today or earlier;
/// returns how many it ended.
pub async fn end_due(services: &(impl Storage + Queueing)) -> Result<usize, TableError> {
    let today = services.clock().now().date();
    let due = Query::index(Index::Gsi2, "SERVICES#CANCEL").sort(SortKey::Le(format!("{today}#~")));
    let mut pages = Pages::new(due, 100);
    let mut ended = 0;
    while let Some(items) = pages.next(services.table()).await? {
        for item in &items {
            if end(services, &Subscription::of(item)?).await? {
                ended += 1;
            }
        }
    }
    Ok(ended)
}

/// Cancels the service and queues its teardown; false when another run did.
async fn end(
    services: &(impl Storage + Queueing),
    service: &Subscription,
) -> Result<bool, TableError> {
    let why = format!(
        "cancelled at the customer's request, effective {}",
        service.cancel_at.as_deref().unwrap_or("now")
    );
    let mut tx = Tx::new();
    service
        .change(
            ServiceStatus::Cancelled,
            Update::new(),
            Actor::system("cancellations"),
            &why,
        )
        .add_to(&mut tx, MovedOn, services.clock().now())
        .map_err(|e| TableError::Backend(e.to_string()))?;
    match tx.commit(services.table()).await {
        Ok(()) => {}
        Err(TxError::Refused(MovedOn)) => return Ok(false),
        Err(TxError::Table(error)) => return Err(error),
    }
    let job = Job::TearDown {
        customer_id: service.customer_id.clone(),
        service_id: service.id.clone(),
    };
    // Should this fail, the next run's teardown of cancelled services is
    // not needed to keep money right: nothing more is billed.
    if let Err(error) = services
        .queue()
        .send(&job.body(), std::time::Duration::ZERO)
        .await
    {
        tracing::error!(service = %service.id, %error, "could not enqueue a teardown");
    }
    Ok(true)
}

/// Removes a cancelled service's panel account (with its mailboxes; its
/// address and server place return to the pools) and its zone. Each removal
/// is idempotent, so a job delivered twice removes nothing twice.
pub async fn tear_down(
    services: &(impl Storage + Hosting + Zones),
    customer_id: &str,
    service_id: &str,
) -> Result<(), String> {
    let Some(service) = find(services.table(), customer_id, service_id)
        .await
        .map_err(|e| e.to_string())?
    else {
        return Ok(());
    };
    if service.status != ServiceStatus::Cancelled || service.torn_down_at.is_some() {
        return Ok(());
    }
    services
        .panel()
        .remove_account(&service.hosting.account.username)
        .await
        .map_err(|e| e.to_string())?;
    services
        .dns_host()
        .remove_zone(&service.domain)
        .await
        .map_err(|e| e.to_string())?;
    let now = services.clock().now();
    let ops = vec![
        TxOp::Update {
            key: key(customer_id, service_id),
            update: Update::new().set("torn_down_at", crate::clock::rfc3339(now)),
            condition: Some(Condition::Exists),
        },
        audit(
            &service,
            Actor::system("cancellations"),
            "torn_down",
            "panel account, mailboxes and zone removed".into(),
            crate::clock::rfc3339_millis(now),
        ),
    ];
    services
        .table()
        .transact(ops)
        .await
        .map_err(|e| e.to_string())
}
