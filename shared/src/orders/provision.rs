//! Provisioning: a paid order's saga, run by a queue worker.
//!
//! Steps run in order; each is recorded in `ORDER#<id>` / `STEP#<n>#<name>`:
//! leased (`running`, with an expiry) before its external call, `done` with its
//! result after. Every external call carries a key made from the order and the
//! step, so a job delivered twice, or a worker that died between the call and
//! the record, repeats nothing: the next run skips done steps and the
//! registrar, panel and mail outbox answer repeated keys from their records.
//!
//! A step that cannot succeed without people (no capacity, a refused transfer)
//! puts the order `on_hold` with a reason for staff and a message for the
//! customer. A step that fails for a passing reason fails the job, which the
//! queue retries with backoff; the last allowed delivery marks the order
//! `failed` with the step, and the job goes to the dead-letter queue.

use std::collections::HashMap;
use std::time::Duration;

use serde_json::{Value, json};

use super::letters::letter;
use super::secrets::{self as order_secrets, Secret};
use super::{
    DomainAction, Order, OrderStatus, Service, StepStatus, StepView, children_partition, order_key,
    status_index,
};
use crate::Services;
use crate::catalog::PlanKind;
use crate::dns::{self, Record, Target, Template, Zone};
use crate::mail::{self, Mail, MailKind};
use crate::panel::{HostingAccount, MailSetup, NewAccount, PanelError};
use crate::registrar::{RegistrarError, Registration, TransferRequest, TransferState};
use crate::store::{Condition, Item, ItemExt, Key, Query, TableError, TxOp, Update};

/// How long a worker holds a step before another may take it over: shorter
/// than a job's visibility, so that a job whose worker died comes back to a
/// lapsed lease.
const LEASE: Duration = Duration::from_secs(45);
const _: () = assert!(LEASE.as_secs() < crate::jobs::JOB_VISIBILITY.as_secs());

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    Domain,
    HostingAccount,
    DnsZone,
    MailAndAdmin,
    WelcomeMail,
}

pub const STEPS: [Step; 5] = [
    Step::Domain,
    Step::HostingAccount,
    Step::DnsZone,
    Step::MailAndAdmin,
    Step::WelcomeMail,
];

impl Step {
    pub fn name(self) -> &'static str {
        match self {
            Step::Domain => "domain",
            Step::HostingAccount => "hosting_account",
            Step::DnsZone => "dns_zone",
            Step::MailAndAdmin => "mail_and_admin",
            Step::WelcomeMail => "welcome_mail",
        }
    }

    pub fn title(self, order: &Order) -> String {
        let domain = &order.domain.unicode;
        match self {
            Step::Domain => match order.domain.action {
                DomainAction::Register => format!("Register {domain}"),
                DomainAction::Transfer => format!("Start the transfer of {domain}"),
                DomainAction::External => format!("Use {domain}, registered elsewhere"),
                DomainAction::Subdomain => format!("Reserve {domain}"),
            },
            Step::HostingAccount => "Create the hosting account".into(),
            Step::DnsZone => "Create the DNS zone".into(),
            Step::MailAndAdmin => "Create the site administrator and mailboxes".into(),
            Step::WelcomeMail => "Send the login details".into(),
        }
    }

    fn key(self, order_id: &str) -> Key {
        let index = STEPS.iter().position(|s| *s == self).unwrap_or(0);
        Key::new(
            children_partition(order_id),
            format!("STEP#{index}#{}", self.name()),
        )
    }
}

/// The job that runs an order's saga.
pub fn job(customer_id: &str, order_id: &str) -> String {
    crate::jobs::Job::Provision {
        customer_id: customer_id.into(),
        order_id: order_id.into(),
    }
    .body()
}

pub async fn enqueue(
    services: &Services,
    customer_id: &str,
    order_id: &str,
) -> Result<(), crate::queue::QueueError> {
    services
        .queue
        .send(&job(customer_id, order_id), Duration::ZERO)
        .await
        .map(|_| ())
}

/// The steps of `order` as its owner sees them, from the step records.
pub fn step_views(order: &Order, records: &[&Item]) -> Vec<StepView> {
    STEPS
        .iter()
        .map(|step| {
            let record = records
                .iter()
                .find(|r| r.str_attr("name") == Some(step.name()));
            let status = record
                .and_then(|r| r.get("status").cloned())
                .and_then(|s| serde_json::from_value(s).ok())
                .unwrap_or(StepStatus::Pending);
            StepView {
                name: step.name().into(),
                title: step.title(order),
                status,
                attempts: record.and_then(|r| r.i64_attr("attempts")).unwrap_or(0) as u32,
                detail: record
                    .and_then(|r| r.str_attr("detail"))
                    .map(str::to_string),
                finished_at: record
                    .and_then(|r| r.str_attr("finished_at"))
                    .map(str::to_string),
            }
        })
        .collect()
}

pub fn nameservers(services: &Services) -> Vec<String> {
    let zone = &services.config.subdomain_zone;
    vec![format!("ns1.{zone}"), format!("ns2.{zone}")]
}

/// For a domain registered elsewhere, once live: the records its DNS host must serve.
pub fn records_to_set(order: &Order) -> Vec<Record> {
    match (&order.domain.action, &order.service) {
        (DomainAction::External, Some(service)) => dns::records(
            Template::for_plan(order.plan_kind),
            &order.domain.name,
            &target(&service.account),
        ),
        _ => Vec::new(),
    }
}

fn target(account: &HostingAccount) -> Target<'_> {
    Target {
        ipv4: &account.ipv4,
        ipv6: &account.ipv6,
        mail_host: &account.mail_host,
    }
}

fn pool_for(kind: PlanKind) -> &'static str {
    match kind {
        PlanKind::Shared | PlanKind::Email | PlanKind::Reseller => "shared",
        PlanKind::Vps => "vps",
        PlanKind::Dedicated => "dedicated",
    }
}

/// How a step that did not finish ended.
#[derive(Debug)]
enum StepError {
    /// Needs people: staff see `staff`, the customer `customer`.
    Hold { staff: String, customer: String },
    /// Worth retrying later.
    Transient(String),
}

impl From<TableError> for StepError {
    fn from(error: TableError) -> Self {
        StepError::Transient(format!("table: {error}"))
    }
}

fn from_registrar(domain: &str, error: RegistrarError) -> StepError {
    match error {
        RegistrarError::Refused { code, message } => StepError::Hold {
            staff: format!("the registry refused {domain}: {code}: {message}"),
            customer: format!(
                "We could not register {domain}: {message}. Our team will contact you to choose another way."
            ),
        },
        other => StepError::Transient(other.to_string()),
    }
}

fn from_panel(error: PanelError) -> StepError {
    match error {
        PanelError::NoCapacity(reason) => StepError::Hold {
            staff: format!("no capacity: {reason}"),
            customer: "Our servers for your plan are full right now. We are adding room; your order continues by itself as soon as it is ready, and you need to do nothing.".into(),
        },
        PanelError::Refused { code, message } => StepError::Hold {
            staff: format!("the panel refused: {code}: {message}"),
            customer: "Setting up your hosting account needs a hand from our team; we will finish it and let you know.".into(),
        },
        PanelError::Unavailable(message) => StepError::Transient(message),
    }
}

/// What a done step did: in words for the customer, and its result.
struct Done {
    detail: String,
    result: Value,
}

/// The saga's view of one order while it runs.
struct Saga<'a> {
    services: &'a Services,
    order: Order,
    item: Item,
    account: Option<HostingAccount>,
    mail: Option<MailSetup>,
}

/// Why a run of the saga stopped short; the job is retried later.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SagaError {
    #[error("step {step} failed: {error}")]
    StepFailed {
        step: &'static str,
        error: String,
        /// An earlier step finished in the same run: the job made progress,
        /// so this failure does not count against its deliveries.
        progressed: bool,
    },
    #[error("step {step} is running in another worker, or just finished")]
    Busy {
        step: &'static str,
        /// When the other worker's lease lapses.
        retry_in: Duration,
    },
    #[error(transparent)]
    Table(#[from] TableError),
    #[error(transparent)]
    Queue(#[from] crate::queue::QueueError),
}

/// How a run of the saga ended.
#[derive(Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Every step is done; the order is active.
    Live,
    /// A step put the order on hold.
    Held,
    /// The order is not provisioning (not paid, held, or live already).
    NothingToDo,
}

/// Runs `order_id`'s saga from its first unfinished step. `last_try` says
/// that the queue will not deliver this job again.
pub async fn run(
    services: &Services,
    customer_id: &str,
    order_id: &str,
    last_try: bool,
) -> Result<Outcome, SagaError> {
    let key = order_key(customer_id, order_id);
    let Some(item) = services.table.get(&key).await? else {
        return Ok(Outcome::NothingToDo);
    };
    let order = Order::of(&item)?;
    match order.status {
        OrderStatus::Provisioning => {}
        // A job redriven from the dead-letter queue resumes the order.
        OrderStatus::Failed => {
            set_status(
                services,
                &order,
                OrderStatus::Failed,
                Update::new().remove("failed_step"),
                OrderStatus::Provisioning,
            )
            .await?;
        }
        _ => return Ok(Outcome::NothingToDo),
    }
    let records = services
        .table
        .query(Query::partition(children_partition(order_id)))
        .await?;
    let done: HashMap<String, Value> = records
        .items
        .iter()
        .filter(|r| r.str_attr("status") == Some("done"))
        .filter_map(|r| Some((r.str_attr("name")?.to_string(), r.get("result")?.clone())))
        .collect();
    let mut saga = Saga {
        services,
        order,
        item,
        account: None,
        mail: None,
    };
    let mut progressed = false;
    for step in STEPS {
        if let Some(result) = done.get(step.name()) {
            saga.absorb(step, result);
            continue;
        }
        saga.lease(step).await?;
        match saga.execute(step).await {
            Ok(done) => {
                saga.finish(step, &done).await?;
                saga.absorb(step, &done.result);
                progressed = true;
            }
            Err(StepError::Hold { staff, customer }) => {
                saga.hold(step, &staff, &customer).await?;
                return Ok(Outcome::Held);
            }
            Err(StepError::Transient(error)) => {
                saga.fail(step, &error, last_try && !progressed).await?;
                return Err(SagaError::StepFailed {
                    step: step.name(),
                    error,
                    progressed,
                });
            }
        }
    }
    saga.go_live().await?;
    Ok(Outcome::Live)
}

/// Moves `order` from status `from` to `to` with `update`; false when it had moved on.
async fn set_status(
    services: &Services,
    order: &Order,
    from: OrderStatus,
    mut update: Update,
    to: OrderStatus,
) -> Result<bool, TableError> {
    update = update.set("status", json!(to)).bump_version();
    for (attribute, value) in status_index(to, services.clock.now_secs(), &order.id) {
        update = update.set(attribute, value);
    }
    match services
        .table
        .update(
            &order_key(&order.customer_id, &order.id),
            update,
            Some(Condition::eq("status", json!(from))),
        )
        .await
    {
        Ok(_) => Ok(true),
        Err(TableError::ConditionFailed) => Ok(false),
        Err(other) => Err(other),
    }
}

impl Saga<'_> {
    fn absorb(&mut self, step: Step, result: &Value) {
        match step {
            Step::HostingAccount => self.account = serde_json::from_value(result.clone()).ok(),
            Step::MailAndAdmin => self.mail = serde_json::from_value(result.clone()).ok(),
            _ => {}
        }
    }

    /// Takes the step for this worker, unless another holds an unexpired lease.
    async fn lease(&self, step: Step) -> Result<(), SagaError> {
        let now = self.services.clock.now_secs();
        let update = Update::new()
            .set("kind", "step")
            .set("name", step.name())
            .set("status", json!(StepStatus::Running))
            .set("lease_until", now + LEASE.as_secs() as i64)
            .add("attempts", 1);
        let free = Condition::AttributeNotExists("lease_until".into())
            .or(Condition::lt("lease_until", now));
        let not_done = Condition::Not(Box::new(Condition::eq("status", json!(StepStatus::Done))));
        match self
            .services
            .table
            .update(&step.key(&self.order.id), update, Some(free.and(not_done)))
            .await
        {
            Ok(_) => Ok(()),
            Err(TableError::ConditionFailed) => {
                // Done meanwhile (the next run skips it), or leased until `lease_until`.
                let record = self.services.table.get(&step.key(&self.order.id)).await?;
                let lease_until = record
                    .as_ref()
                    .filter(|r| r.str_attr("status") != Some("done"))
                    .and_then(|r| r.i64_attr("lease_until"))
                    .unwrap_or(now);
                Err(SagaError::Busy {
                    step: step.name(),
                    retry_in: Duration::from_secs((lease_until - now).max(0) as u64 + 1),
                })
            }
            Err(other) => Err(other.into()),
        }
    }

    async fn finish(&self, step: Step, done: &Done) -> Result<(), TableError> {
        let update = Update::new()
            .set("status", json!(StepStatus::Done))
            .set("detail", done.detail.clone())
            .set("result", done.result.clone())
            .set(
                "finished_at",
                crate::clock::rfc3339(self.services.clock.now()),
            )
            .remove("lease_until")
            .remove("error");
        let mut ops = vec![TxOp::Update {
            key: step.key(&self.order.id),
            update,
            condition: None,
        }];
        // A secret goes in the same write that records the step that needed it.
        let secret = match step {
            Step::Domain if self.order.domain.action == DomainAction::Transfer => {
                Some(Secret::AuthCode)
            }
            Step::HostingAccount => Some(Secret::PanelPassword),
            _ => None,
        };
        if let Some(secret) = secret {
            ops.push(order_secrets::forget_op(&self.order.id, secret));
            // Orders placed before secrets were sealed kept them on the order.
            if self.item.contains_key(secret.name()) {
                ops.push(TxOp::Update {
                    key: order_key(&self.order.customer_id, &self.order.id),
                    update: Update::new().remove(secret.name()).bump_version(),
                    condition: None,
                });
            }
        }
        self.services.table.transact(ops).await
    }

    async fn record_failure(&self, step: Step, error: &str) -> Result<(), TableError> {
        let update = Update::new()
            .set("status", json!(StepStatus::Failed))
            .set("error", error)
            .remove("lease_until");
        self.services
            .table
            .update(&step.key(&self.order.id), update, None)
            .await
            .map(|_| ())
    }

    async fn hold(&self, step: Step, staff: &str, customer: &str) -> Result<(), TableError> {
        self.record_failure(step, staff).await?;
        tracing::warn!(order = %self.order.id, step = step.name(), reason = staff, "order on hold");
        let update = Update::new()
            .set("hold_reason", staff)
            .set("customer_message", customer)
            .set("failed_step", step.name());
        if set_status(
            self.services,
            &self.order,
            OrderStatus::Provisioning,
            update,
            OrderStatus::OnHold,
        )
        .await?
        {
            let mut letter = letter(self.services, &self.order);
            letter.action = customer.to_string();
            self.send(MailKind::ActionNeeded, &letter).await?;
        }
        Ok(())
    }

    async fn fail(&self, step: Step, error: &str, last_try: bool) -> Result<(), TableError> {
        self.record_failure(step, error).await?;
        if !last_try {
            return Ok(());
        }
        tracing::error!(order = %self.order.id, step = step.name(), %error, "provisioning gave up; the job goes to the dead-letter queue");
        let update = Update::new()
            .set("hold_reason", format!("step {} kept failing: {error}", step.name()))
            .set(
                "customer_message",
                format!("\"{}\" did not work yet. Our team has been told and will finish it; you need to do nothing.", step.title(&self.order)),
            )
            .set("failed_step", step.name());
        set_status(
            self.services,
            &self.order,
            OrderStatus::Provisioning,
            update,
            OrderStatus::Failed,
        )
        .await
        .map(|_| ())
    }

    async fn go_live(&self) -> Result<(), TableError> {
        let Some(account) = self.account.clone() else {
            return Err(TableError::Backend("live without an account".into()));
        };
        let service = Service {
            account,
            mail: self.mail.clone(),
            nameservers: nameservers(self.services),
        };
        let update = Update::new()
            .set("service", json!(service))
            .remove("hold_reason")
            .remove("customer_message")
            .remove("failed_step");
        if set_status(
            self.services,
            &self.order,
            OrderStatus::Provisioning,
            update,
            OrderStatus::Active,
        )
        .await?
        {
            tracing::info!(order = %self.order.id, "order live");
        }
        Ok(())
    }

    async fn send(&self, kind: MailKind, letter: &mail::Letter) -> Result<(), TableError> {
        let mail = Mail::compose(self.services, kind, &self.order.email, letter)?;
        mail::send(self.services, &[mail]).await.map(|_| ())
    }

    async fn secret(&self, secret: Secret) -> Result<String, StepError> {
        let sealed = order_secrets::read(self.services, &self.order.id, secret)
            .await
            .map_err(|e| StepError::Transient(format!("reading the {}: {e}", secret.name())))?;
        sealed
            .or_else(|| self.item.str_attr(secret.name()).map(str::to_string))
            .ok_or_else(|| StepError::Hold {
                staff: format!("the order has no {} any more", secret.name()),
                customer: "We need a detail from you to continue; our team will contact you."
                    .into(),
            })
    }

    async fn execute(&self, step: Step) -> Result<Done, StepError> {
        let order = &self.order;
        let key = |what: &str| format!("{}-{what}", order.id);
        let domain = order.domain.name.as_str();
        match step {
            Step::Domain => self.domain_step(key("domain")).await,
            Step::HostingAccount => {
                let request = NewAccount {
                    username: order.username.clone(),
                    password: self.secret(Secret::PanelPassword).await?,
                    domain: domain.to_string(),
                    plan_id: order.plan_id.clone(),
                    pool: pool_for(order.plan_kind).into(),
                    idempotency_key: key("account"),
                };
                let account = self
                    .services
                    .panel
                    .create_account(&request)
                    .await
                    .map_err(from_panel)?;
                Ok(Done {
                    detail: format!("Created on {} ({})", account.server, account.ipv4),
                    result: json!(account),
                })
            }
            Step::DnsZone => {
                let account = self
                    .account
                    .as_ref()
                    .ok_or_else(|| StepError::Transient("no account yet".into()))?;
                let zone = Zone {
                    origin: domain.to_string(),
                    serial: dns::serial_for(self.services.clock.now()),
                    nameservers: nameservers(self.services),
                    hostmaster: format!("hostmaster@{}", self.services.config.subdomain_zone),
                    records: dns::records(
                        Template::for_plan(order.plan_kind),
                        domain,
                        &target(account),
                    ),
                };
                self.services
                    .dns_host
                    .create_zone(&zone, &order.id)
                    .await
                    .map_err(|e| StepError::Transient(e.to_string()))?;
                Ok(Done {
                    detail: format!(
                        "{} records, served by {}",
                        zone.records.len(),
                        zone.nameservers.join(" and ")
                    ),
                    result: json!({"origin": zone.origin}),
                })
            }
            Step::MailAndAdmin => {
                let mailboxes = vec![format!("info@{domain}"), format!("postmaster@{domain}")];
                let setup = self
                    .services
                    .panel
                    .set_up_mail_and_admin(&order.username, &order.email, &mailboxes, &key("mail"))
                    .await
                    .map_err(from_panel)?;
                Ok(Done {
                    detail: format!(
                        "Mailboxes {}; site administrator {}",
                        setup.mailboxes.join(", "),
                        setup.site_admin
                    ),
                    result: json!(setup),
                })
            }
            Step::WelcomeMail => {
                let mut letter = letter(self.services, order);
                letter.account = self.account.clone();
                if let Some(mail) = &self.mail {
                    letter.mailboxes = mail.mailboxes.clone();
                    letter.admin_url = mail.admin_url.clone();
                }
                if order.domain.action == DomainAction::External
                    && let Some(account) = &self.account
                {
                    letter.dns_records = dns::records(
                        Template::for_plan(order.plan_kind),
                        domain,
                        &target(account),
                    )
                    .iter()
                    .map(|r| {
                        format!(
                            "{} {} {}{}",
                            r.name,
                            r.kind,
                            r.priority.map(|p| format!("{p} ")).unwrap_or_default(),
                            r.value
                        )
                    })
                    .collect();
                    letter.nameservers = nameservers(self.services).join(" and ");
                }
                self.send(MailKind::AccountReady, &letter).await?;
                Ok(Done {
                    detail: format!("Sent to {}", order.email),
                    result: json!({"to": order.email}),
                })
            }
        }
    }

    async fn domain_step(&self, key: String) -> Result<Done, StepError> {
        let order = &self.order;
        let domain = order.domain.name.clone();
        let shown = &order.domain.unicode;
        match order.domain.action {
            DomainAction::Register => {
                let registration = Registration {
                    domain: domain.clone(),
                    years: 1,
                    registrant: order.customer_id.clone(),
                    nameservers: nameservers(self.services),
                    idempotency_key: key,
                };
                let info = self
                    .services
                    .registrar
                    .register(&registration)
                    .await
                    .map_err(|e| from_registrar(shown, e))?;
                self.send(MailKind::DomainRegistered, &letter(self.services, order))
                    .await?;
                let until = time::OffsetDateTime::from_unix_timestamp(info.expires_at)
                    .map(|t| t.date().to_string())
                    .unwrap_or_default();
                Ok(Done {
                    detail: format!("Registered until {until}"),
                    result: json!(info),
                })
            }
            DomainAction::Transfer => {
                let request = TransferRequest {
                    domain: domain.clone(),
                    auth_code: self.secret(Secret::AuthCode).await?,
                    idempotency_key: key,
                };
                let state = self
                    .services
                    .registrar
                    .transfer(&request)
                    .await
                    .map_err(|e| from_registrar(shown, e))?;
                if let TransferState::Rejected { reason } = &state {
                    return Err(StepError::Hold {
                        staff: format!("transfer of {domain} rejected: {reason}"),
                        customer: format!(
                            "The transfer of {shown} was refused: {reason}. Ask your current registrar for the auth code and send it to us by replying to this mail."
                        ),
                    });
                }
                self.send(MailKind::TransferStarted, &letter(self.services, order))
                    .await?;
                Ok(Done {
                    detail: "Transfer requested; registries take up to five days to complete it"
                        .into(),
                    result: json!(state),
                })
            }
            DomainAction::External if !order.ownership.as_ref().is_some_and(|c| c.verified()) => {
                Err(StepError::Hold {
                    staff: format!("{domain} reached provisioning without proof of ownership"),
                    customer: format!(
                        "We still need proof that {shown} is yours; see the record to publish on your order page."
                    ),
                })
            }
            DomainAction::External => Ok(Done {
                detail: format!(
                    "Point {shown} at us with the records shown once your hosting is ready"
                ),
                result: json!({"domain": domain}),
            }),
            DomainAction::Subdomain => Ok(Done {
                detail: format!("{shown} is yours"),
                result: json!({"domain": domain}),
            }),
        }
    }
}

/// Enqueues again every order that has been provisioning for longer than
/// `stalled_after`, a page at a time: a lost enqueue or a lost job must not
/// strand a paid order. A job for an order whose saga is running anyway finds
/// its steps leased or done.
pub async fn resume_stalled(
    services: &Services,
    stalled_after: Duration,
) -> Result<usize, SagaError> {
    let before = services.clock.now_secs() - stalled_after.as_secs() as i64;
    let mut sent = 0;
    let mut cursor = None;
    loop {
        let page = services
            .table
            .query(
                Query::index(
                    crate::store::Index::Gsi1,
                    format!("ORDERS#{}", OrderStatus::Provisioning.as_str()),
                )
                .sort(crate::store::SortKey::Lt(format!("{before:012}")))
                .limit(100)
                .after(cursor),
            )
            .await?;
        for item in &page.items {
            let (Some(customer), Some(order)) = (item.str_attr("customer_id"), item.str_attr("id"))
            else {
                continue;
            };
            enqueue(services, customer, order).await?;
            sent += 1;
        }
        match page.next {
            Some(next) => cursor = Some(next),
            None => return Ok(sent),
        }
    }
}
