//! Changing what a service includes, within its plan's limits: its
//! mailboxes. The panel sets them; the service's record and an audit entry
//! follow in one write.

use serde_json::json;

use super::{ServiceStatus, Subscription, find, key};
use crate::audit::{Actor, AuditEntry};
use crate::billing::invoice::{self, Invoice, InvoiceFor, InvoiceLine, InvoiceStatus};
use crate::idempotency::{Earlier, IdempotencyRecord};
use crate::panel::PanelError;
use crate::payments::{Charge, PaymentError, PaymentSource};
use crate::store::{Condition, TableError, Tx, TxError, TxOp, Update};
use crate::{Billing, Catalogs, Hosting, Queueing, Settings, Storage};

#[cfg(test)]
mod tests {
    use super::mailbox;

    #[test]
    fn mailboxes_are_names_of_the_services_domain() {
        assert_eq!(
            mailbox(" Info ", "bakery.com").as_deref(),
            Some("info@bakery.com")
        );
        assert_eq!(
            mailbox("sales@bakery.com", "bakery.com").as_deref(),
            Some("sales@bakery.com")
        );
        assert_eq!(mailbox("sales@evil.com", "bakery.com"), None);
        assert_eq!(mailbox("a b", "bakery.com"), None);
        assert_eq!(mailbox(".x", "bakery.com"), None);
    }
}

#[derive(Debug, thiserror::Error)]
pub enum AddonError {
    #[error("no such service of yours")]
    NotFound,
    #[error("{message}")]
    Invalid { code: &'static str, message: String },
    #[error("{message}")]
    Conflict { code: &'static str, message: String },
    #[error("{message}")]
    Declined { code: String, message: String },
    #[error("{0}")]
    Unavailable(String),
    #[error(transparent)]
    Table(#[from] TableError),
}

/// `name` as a mailbox of `domain`: `info` and `info@domain` are the same.
fn mailbox(name: &str, domain: &str) -> Option<String> {
    let name = name.trim().to_ascii_lowercase();
    let local = match name.split_once('@') {
        Some((local, at)) if at == domain => local.to_string(),
        Some(_) => return None,
        None => name,
    };
    let valid = (1..=64).contains(&local.len())
        && local
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
        && !local.starts_with('.')
        && !local.ends_with('.');
    valid.then(|| format!("{local}@{domain}"))
}

/// The customer's service, if it is active: only an active service changes.
pub(super) async fn active_service(
    services: &impl Storage,
    customer_id: &str,
    service_id: &str,
) -> Result<Subscription, AddonError> {
    let service = find(services.table(), customer_id, service_id)
        .await?
        .ok_or(AddonError::NotFound)?;
    if service.status != ServiceStatus::Active {
        return Err(AddonError::Conflict {
            code: "service_not_active",
            message: "only an active service can be changed".into(),
        });
    }
    Ok(service)
}

/// Refuses `count` of `what` (a key of the plan's `limits`) beyond the plan's.
pub(super) async fn within_limit(
    services: &(impl Storage + Catalogs),
    service: &Subscription,
    what: &str,
    count: usize,
) -> Result<(), AddonError> {
    let catalog = services
        .catalog()
        .get(services.table(), services.clock())
        .await?;
    let limit = catalog
        .plan(&service.plan_id)
        .and_then(|plan| plan.limits.get(what).copied())
        .unwrap_or(0) as usize;
    if count > limit {
        return Err(AddonError::Invalid {
            code: "over_plan_limit",
            message: format!(
                "{} includes {limit} {what}; choose a larger plan for more",
                service.plan_name
            ),
        });
    }
    Ok(())
}

pub(super) fn panel_error(error: PanelError) -> AddonError {
    match error {
        PanelError::Unavailable(message) => AddonError::Unavailable(message),
        other => AddonError::Conflict {
            code: "panel_refused",
            message: other.to_string(),
        },
    }
}

/// Records what the panel now has: `update` on the service, with the
/// customer's audit entry `action`, in one write; returns the service.
pub(super) async fn record_change(
    services: &impl Storage,
    service: &Subscription,
    update: Update,
    action: &str,
    why: String,
) -> Result<Subscription, AddonError> {
    crate::audit::customer_update(
        services.table(),
        (key(&service.customer_id, &service.id), update),
        (&service.customer_id, format!("service:{}", service.id)),
        (
            action,
            why,
            crate::clock::rfc3339_millis(services.clock().now()),
        ),
    )
    .await?;
    find(services.table(), &service.customer_id, &service.id)
        .await?
        .ok_or(AddonError::NotFound)
}

/// Sets the service's mailboxes to `names`, at most as many as its plan has.
pub async fn set_mailboxes(
    services: &(impl Storage + Hosting + Catalogs),
    customer_id: &str,
    service_id: &str,
    names: &[String],
) -> Result<Subscription, AddonError> {
    let service = active_service(services, customer_id, service_id).await?;
    let mut mailboxes = Vec::new();
    for name in names {
        let address = mailbox(name, &service.domain).ok_or_else(|| AddonError::Invalid {
            code: "invalid_mailbox",
            message: format!("{name:?} is not a mailbox name of {}", service.domain),
        })?;
        if !mailboxes.contains(&address) {
            mailboxes.push(address);
        }
    }
    within_limit(services, &service, "mailboxes", mailboxes.len()).await?;
    let admin = service
        .hosting
        .mail
        .as_ref()
        .map(|m| m.site_admin.clone())
        .unwrap_or_default();
    // The same list asked for again is the same call, answered from the panel's record.
    let call_key = format!("{service_id}-mailboxes-{}", mailboxes.join(","));
    let setup = services
        .panel()
        .set_up_mail_and_admin(
            &service.hosting.account.username,
            &admin,
            &mailboxes,
            &call_key,
        )
        .await
        .map_err(panel_error)?;
    let mut hosting = service.hosting.clone();
    hosting.mail = Some(setup);
    record_change(
        services,
        &service,
        Update::new().set("hosting", json!(hosting)),
        "mailboxes_changed",
        mailboxes.join(", "),
    )
    .await
}

/// Why an upgrade's first write may be refused.
#[derive(Debug, Clone, Copy)]
enum Refusal {
    CounterMoved,
    KeyTaken,
}

/// Moves the service to the larger plan `plan_id` of the same kind, for a
/// prorated invoice paid now: the difference in price for the days left of
/// the period. The same `Idempotency-Key` repeats nothing.
pub async fn upgrade(
    services: &(impl Storage + Settings + Billing + Catalogs + Queueing),
    customer_id: &str,
    service_id: &str,
    plan_id: &str,
    source: PaymentSource,
    key_given: &str,
) -> Result<Subscription, AddonError> {
    let service = find(services.table(), customer_id, service_id)
        .await?
        .ok_or(AddonError::NotFound)?;
    let fingerprint = format!("upgrade:{service_id}:{plan_id}");
    let earlier = IdempotencyRecord::earlier(
        services.table(),
        customer_id,
        key_given,
        "upgrade",
        &fingerprint,
    )
    .await?;
    let bill = match earlier {
        Some(Earlier::Other) => {
            return Err(AddonError::Invalid {
                code: "idempotency_key_reused",
                message: "this Idempotency-Key was used for a different request; use a new key"
                    .into(),
            });
        }
        Some(Earlier::Same(number)) => invoice::find(services.table(), customer_id, &number)
            .await?
            .ok_or_else(|| TableError::Backend(format!("upgrade invoice {number} is missing")))?,
        None => invoice_upgrade(services, &service, plan_id, key_given, &fingerprint).await?,
    };
    if bill.status == InvoiceStatus::Open {
        charge(services, &service, &bill, plan_id, source).await?;
    }
    find(services.table(), customer_id, service_id)
        .await?
        .ok_or(AddonError::NotFound)
}

/// Invoices the prorated difference, numbered, with the key's record.
async fn invoice_upgrade(
    services: &(impl Storage + Settings + Catalogs),
    service: &Subscription,
    plan_id: &str,
    key_given: &str,
    fingerprint: &str,
) -> Result<Invoice, AddonError> {
    if service.status != ServiceStatus::Active {
        return Err(AddonError::Conflict {
            code: "service_not_active",
            message: "only an active service can be changed".into(),
        });
    }
    let catalog = services
        .catalog()
        .get(services.table(), services.clock())
        .await?;
    let plan = catalog.plan(plan_id).ok_or_else(|| AddonError::Invalid {
        code: "unknown_plan",
        message: format!("there is no plan {plan_id:?}"),
    })?;
    let price = plan.prices.get(&service.cycle).copied().unwrap_or(0);
    if plan.kind != service.plan_kind || price <= service.price {
        return Err(AddonError::Conflict {
            code: "not_an_upgrade",
            message: format!("{} is not a larger plan of the same kind", plan.name),
        });
    }
    let today = services.clock().now().date();
    let due = time::Date::parse(
        &service.next_due,
        time::macros::format_description!("[year]-[month]-[day]"),
    )
    .unwrap_or(today);
    let months = crate::catalog::cycle_months(&service.cycle).unwrap_or(1);
    let period_days = (due - sub_months(due, months)).whole_days().max(1);
    let days_left = (due - today).whole_days().clamp(0, period_days);
    let amount = (price - service.price) * days_left / period_days;
    let lines = vec![InvoiceLine {
        description: format!(
            "Upgrade to {}, {days_left} of {period_days} days until {}",
            plan.name,
            crate::clock::mail_day(due)
        ),
        amount,
    }];
    for _ in 0..20 {
        let (sequence, claim) = invoice::next_number(services.table()).await?;
        let mut bill = Invoice::new(
            &service.customer_id,
            InvoiceFor::Upgrade {
                service_id: service.id.clone(),
                plan_id: plan_id.into(),
            },
            crate::clock::rfc3339(services.clock().now()),
            &service.currency,
            lines.clone(),
            services.config().tax_rate_bps,
        );
        bill.number = invoice::format_number(sequence);
        let record = IdempotencyRecord {
            customer_id: &service.customer_id,
            key: key_given,
            made: ("upgrade", &bill.number),
            fingerprint,
        };
        let until = services.clock().now_secs() + crate::idempotency::KEEP_DAYS * 86_400;
        let mut tx = Tx::new();
        tx.guard(Refusal::CounterMoved, claim)
            .guard(Refusal::KeyTaken, record.create_op(until))
            .push(bill.put_op(sequence));
        match tx.commit(services.table()).await {
            Ok(()) => return Ok(bill),
            Err(TxError::Refused(Refusal::CounterMoved)) => {}
            Err(TxError::Refused(Refusal::KeyTaken)) => {
                return Err(AddonError::Conflict {
                    code: "upgrade_in_progress",
                    message: "this upgrade is being made right now".into(),
                });
            }
            Err(TxError::Table(error)) => return Err(error.into()),
        }
    }
    Err(AddonError::Unavailable(
        "please try again in a moment".into(),
    ))
}

fn sub_months(date: time::Date, months: u32) -> time::Date {
    // The same day `months` earlier, clamped as `add_months` clamps.
    let index = date.year() * 12 + (date.month() as i32 - 1) - months as i32;
    let (year, month) = (index.div_euclid(12), index.rem_euclid(12) as u8 + 1);
    let month = time::Month::try_from(month).expect("a month index modulo 12 is a month");
    time::Date::from_calendar_date(year, month, date.day().min(month.length(year)))
        .expect("the day is clamped to the month")
}

/// Takes the invoice's total, then moves the service to the plan.
async fn charge(
    services: &(impl Storage + Billing + Catalogs + Queueing),
    service: &Subscription,
    bill: &Invoice,
    plan_id: &str,
    source: PaymentSource,
) -> Result<(), AddonError> {
    let request = Charge {
        amount: bill.total,
        currency: bill.currency.clone(),
        source,
        reference: bill.number.clone(),
        idempotency_key: format!("{}-authorize", bill.number),
    };
    let taken = async {
        let held = services.payments().authorize(&request).await?;
        services
            .payments()
            .capture(&held.id, bill.total, &format!("{}-capture", bill.number))
            .await
    }
    .await;
    let capture = match taken {
        Ok(capture) => capture,
        Err(PaymentError::Declined { code, message }) => {
            services.table().transact(vec![bill.void_op()]).await?;
            return Err(AddonError::Declined { code, message });
        }
        Err(PaymentError::Unavailable(message)) => return Err(AddonError::Unavailable(message)),
        Err(PaymentError::Invalid(message)) => {
            return Err(AddonError::Invalid {
                code: "invalid_payment",
                message,
            });
        }
    };
    let catalog = services
        .catalog()
        .get(services.table(), services.clock())
        .await?;
    let plan = catalog
        .plan(plan_id)
        .ok_or_else(|| TableError::Backend(format!("plan {plan_id} is gone")))?;
    let price = plan
        .prices
        .get(&service.cycle)
        .copied()
        .unwrap_or(service.price);
    let entry = AuditEntry {
        at: crate::clock::rfc3339_millis(services.clock().now()),
        actor: Actor::Customer(service.customer_id.clone()),
        subject: format!("service:{}", service.id),
        customer_id: Some(service.customer_id.clone()),
        action: "upgraded".into(),
        from: Some(service.plan_id.clone()),
        to: Some(plan_id.into()),
        why: format!("invoice {}", bill.number),
        client: None,
        role: None,
    };
    let ops = vec![
        bill.paid_op(
            &crate::clock::rfc3339(services.clock().now()),
            Some(&capture.id),
        ),
        super::panel::needed_op(service, services.clock().now_millis()),
        crate::stats::add_op(
            &crate::stats::mrr(&service.currency),
            &service.id,
            crate::stats::monthly(price, &service.cycle)
                - crate::stats::monthly(service.price, &service.cycle),
        ),
        TxOp::Update {
            key: key(&service.customer_id, &service.id),
            update: Update::new()
                .set("plan_id", plan_id)
                .set("plan_name", plan.name.clone())
                .set("price", price)
                .bump_version(),
            condition: Some(Condition::eq("plan_id", service.plan_id.clone())),
        },
        entry.put_op(),
    ];
    match services.table().transact(ops).await {
        Ok(()) => {
            super::panel::request(services, service).await;
            Ok(())
        }
        // A retry of the same upgrade recorded it first.
        Err(TableError::TransactionConflict { .. }) => Ok(()),
        Err(error) => Err(error.into()),
    }
}
