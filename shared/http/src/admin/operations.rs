//! Operations for staff: the audit log, the dead-letter queue, and the
//! scheduled tasks run by hand.

use crate::table::RouteTable;
use axum::Json;
use axum::extract::{Path, RawQuery, State};
use axum::http::HeaderMap;
use axum::response::Response;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{AsAdmin, AsSupport, Staff, listing};
use crate::AppState;
use crate::error::{ApiError, ErrorBody};
use hostfront_core::CustomerId;
use hostfront_core::audit::{Actor, AuditQuery};
use hostfront_core::daily::{self, Run};
use hostfront_core::listing::{Asked, ListParams, Listed};
use hostfront_core::scheduler::{self, Task};
use hostfront_core::staff;
use hostfront_core::staff::audit_log::{self, AUDIT};
use hostfront_core::staff::dashboard::Dashboard;
use hostfront_core::staff::dead_letters::{self, DeadLetterError, FailedJob};
use hostfront_core::staff::names::NamedEntry;

impl From<DeadLetterError> for ApiError {
    fn from(error: DeadLetterError) -> Self {
        match error {
            DeadLetterError::Queue(error) => {
                tracing::error!(%error, "the queue did not answer");
                ApiError::unavailable("the queue is not answering").retry_after(5)
            }
            DeadLetterError::Table(error) => error.into(),
        }
    }
}

/// The figures of the day: orders, revenue, services, what waits for staff.
#[utoipa::path(get, path = "/api/admin/dashboard", tag = "admin", security(("staff" = ["support"])),
    responses((status = 200, body = Dashboard)))]
async fn dashboard(
    State(state): State<AppState>,
    _: Staff<AsSupport>,
) -> Result<Json<Dashboard>, ApiError> {
    Ok(Json(staff::dashboard::dashboard(&state.ports).await?))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct AuditSearch {
    /// A subject: `order:<id>`, `service:<id>`, `domain:<name>`, `staff:<id>`, `export:<list>`.
    #[param(max_length = 300)]
    subject: Option<String>,
    /// A customer's id.
    customer: Option<CustomerId>,
    /// A member of staff's id.
    #[param(max_length = 100)]
    staff: Option<String>,
}

/// The audit entries about a subject, a customer or by a member of staff
/// (exactly one of the three), a page at a time (see `docs/api.md`,
/// Lists): `newest` (default) or `oldest` first; `from`/`to` days; `q` the
/// start of an action (`exported`); with the names of who acted, whose it
/// is and what it is about. `format=csv` downloads every page.
#[utoipa::path(get, path = "/api/admin/audit", tag = "admin", security(("staff" = ["admin"])),
    params(AuditSearch, ListParams),
    responses(
        (status = 200, description = "a page, or with `format=csv` the list as CSV (`X-Truncated`, `X-Next-Cursor`)",
            content((Listed<NamedEntry> = "application/json"), (String = "text/csv"))),
        (status = 400, body = ErrorBody, description = "`invalid_query`: an unknown or malformed parameter"),
        (status = 422, body = ErrorBody, description = "`one_filter`: give exactly one of subject, customer, staff (a subject of at most 300 characters, an id of staff of at most 100); `invalid_limit`, `invalid_sort`, `invalid_status`, `invalid_kind`, `invalid_date`, `invalid_search`, `invalid_cursor`"),
    ))]
async fn read_audit(
    State(state): State<AppState>,
    staff: Staff<AsAdmin>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Result<Response, ApiError> {
    let (search, params): (AuditSearch, _) =
        listing::split(query.as_deref(), &["subject", "customer", "staff"])?;
    let mut asked = listing::asked(&AUDIT, params, &headers)?;
    let longer = |value: &Option<String>, most: usize| {
        value.as_ref().is_some_and(|v| v.chars().count() > most)
    };
    if longer(&search.subject, 300) || longer(&search.staff, 100) {
        return Err(ApiError::unprocessable(
            "one_filter",
            "a subject of at most 300 characters, a member of staff's id of at most 100",
        ));
    }
    let actor = search.staff.map(Actor::Staff);
    let whose = match (&search.subject, &search.customer, &actor) {
        (Some(subject), None, None) => AuditQuery::Subject(subject),
        (None, Some(customer), None) => AuditQuery::Customer(customer),
        (None, None, Some(actor)) => AuditQuery::Actor(actor),
        _ => {
            return Err(ApiError::unprocessable(
                "one_filter",
                "give exactly one of subject, customer and staff",
            ));
        }
    };
    asked.scope = Some(match &whose {
        AuditQuery::Subject(subject) => format!("subject {subject}"),
        AuditQuery::Customer(customer) => format!("customer {}", customer.as_str()),
        AuditQuery::Actor(actor) => format!("actor {}", actor.label()),
    });
    let ports = &state.ports;
    let page = |asked: Asked| async move { audit_log::list(ports, whose, &asked).await };
    listing::answer(&state, &staff, (&AUDIT, asked), page).await
}

/// The jobs that kept failing, with what each was for and its last error:
/// at most 100, and not paged. SQS cannot page a dead-letter queue: a
/// receive gives a sample of its messages in no order and with no cursor,
/// hiding each for a while, so a second page could neither start where the
/// first ended nor leave out what it showed. The embedded queue could, but
/// both engines answer alike; a redrive moves them all.
#[utoipa::path(get, path = "/api/admin/dead-letters", tag = "admin", security(("staff" = ["support"])),
    responses((status = 200, body = Vec<FailedJob>, description = "at most 100 failed jobs, not paged")))]
async fn list_dead_letters(
    State(state): State<AppState>,
    _: Staff<AsSupport>,
) -> Result<Json<Vec<FailedJob>>, ApiError> {
    Ok(Json(dead_letters::list(&state.ports).await?))
}

#[derive(Serialize, ToSchema)]
struct Redriven {
    /// How many failed jobs went back to the queue.
    moved: usize,
}

/// Sends every failed job back to the queue, once its cause is fixed.
#[utoipa::path(post, path = "/api/admin/dead-letters/redrive", tag = "admin", security(("staff" = ["support"])),
    responses((status = 200, body = Redriven)))]
async fn redrive(
    State(state): State<AppState>,
    staff: Staff<AsSupport>,
) -> Result<Json<Redriven>, ApiError> {
    let moved = state
        .ports
        .queue
        .redrive()
        .await
        .map_err(DeadLetterError::from)?;
    let why = format!("{moved} failed jobs sent back to the queue");
    staff::record_action(
        &state.ports,
        (&staff.actor(), staff.member.role, &staff.client),
        "queue:dead-letters",
        "redriven",
        why,
    )
    .await?;
    Ok(Json(Redriven { moved }))
}

/// Sends one failed job back to the queue. The audit log records the
/// retry; should the job fail again, it is back in the list with its new error.
#[utoipa::path(post, path = "/api/admin/dead-letters/{id}/retry", tag = "admin", security(("staff" = ["support"])),
    params(("id" = String, Path, description = "the failed job")),
    responses(
        (status = 200, body = Redriven),
        (status = 404, body = ErrorBody, description = "no such failed job (retried meanwhile?)"),
    ))]
async fn retry(
    State(state): State<AppState>,
    staff: Staff<AsSupport>,
    Path(id): Path<String>,
) -> Result<Json<Redriven>, ApiError> {
    let job = dead_letters::list(&state.ports)
        .await?
        .into_iter()
        .find(|job| job.id == id);
    let moved = state
        .ports
        .queue
        .redrive_one(&id)
        .await
        .map_err(DeadLetterError::from)?;
    if !moved {
        return Err(ApiError::not_found("no such failed job"));
    }
    let what = job
        .map(|j| format!("{} {}", j.kind, j.subject.unwrap_or_default()))
        .unwrap_or_else(|| "a job".into());
    let why = format!("{what} ({id}) sent back to the queue");
    staff::record_action(
        &state.ports,
        (&staff.actor(), staff.member.role, &staff.client),
        "queue:dead-letters",
        "retried",
        why,
    )
    .await?;
    Ok(Json(Redriven { moved: 1 }))
}

#[derive(Serialize, ToSchema)]
struct TaskRun {
    task: String,
    /// What it did, in words.
    outcome: String,
}

/// A scheduled task, and how its last run went.
#[derive(Serialize, ToSchema)]
struct TaskStatus {
    task: String,
    /// Its schedule: `rate(1 hour)`.
    schedule: String,
    /// Its last run's end, RFC 3339, and what it did (or why it failed).
    last_ran_at: Option<String>,
    last_outcome: Option<String>,
    last_failed: bool,
    /// For a daily check: today's or the latest day's run, with its counts
    /// and the items that need people.
    day: Option<Run>,
}

/// Every scheduled task with its last run; each daily check with its day's
/// counts and exceptions.
#[utoipa::path(get, path = "/api/admin/tasks", tag = "admin", security(("staff" = ["support"])),
    responses((status = 200, body = Vec<TaskStatus>)))]
async fn list_tasks(
    State(state): State<AppState>,
    _: Staff<AsSupport>,
) -> Result<Json<Vec<TaskStatus>>, ApiError> {
    let mut tasks = Vec::with_capacity(Task::ALL.len());
    for task in Task::ALL {
        let last = scheduler::last_run(&state.ports, task).await?;
        let day = match task {
            Task::Daily(check) => daily::last_run(&state.ports, check).await?,
            _ => None,
        };
        tasks.push(TaskStatus {
            task: task.name().into(),
            schedule: task.schedule_expression(),
            last_ran_at: last.as_ref().map(|l| l.at.clone()),
            last_failed: last.as_ref().is_some_and(|l| l.failed),
            last_outcome: last.map(|l| l.outcome),
            day,
        });
    }
    Ok(Json(tasks))
}

/// Runs a scheduled task now (`run-billing`, `resume-provisioning`, …); a
/// daily check makes a run of its own, even when today's is done.
#[utoipa::path(post, path = "/api/admin/tasks/{name}/run", tag = "admin", security(("staff" = ["admin"])),
    params(("name" = String, Path, description = "the task")),
    responses(
        (status = 200, body = TaskRun),
        (status = 404, body = ErrorBody, description = "no such task"),
    ))]
async fn run_task(
    State(state): State<AppState>,
    staff: Staff<AsAdmin>,
    Path(name): Path<String>,
) -> Result<Json<TaskRun>, ApiError> {
    let task = Task::named(&name).ok_or_else(|| ApiError::not_found("no such task"))?;
    let outcome = task.run_by_hand(&state.ports).await.map_err(|error| {
        tracing::error!(task = %name, %error, "a task run by staff failed");
        ApiError::unavailable(format!("the task failed: {error}"))
    })?;
    let subject = format!("task:{name}");
    staff::record_action(
        &state.ports,
        (&staff.actor(), staff.member.role, &staff.client),
        &subject,
        "run",
        outcome.clone(),
    )
    .await?;
    Ok(Json(TaskRun {
        task: name,
        outcome,
    }))
}

pub(super) fn routes<T: RouteTable>() -> T {
    T::default()
        .add(crate::handlers!(dashboard))
        .add(crate::handlers!(read_audit))
        .add(crate::handlers!(list_dead_letters))
        .add(crate::handlers!(redrive))
        .add(crate::handlers!(retry))
        .add(crate::handlers!(list_tasks))
        .add(crate::handlers!(run_task))
}
