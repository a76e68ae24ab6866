//! Overdue services. The billing run suspends a service whose invoice is
//! still unpaid on the plan's suspension day (`suspend_after_days` after
//! the due date, its last automatic charge); paying the invoice by hand
//! unsuspends it at once. This check ends a service that has stayed
//! suspended for its plan's `terminate_after_days`: the cancellation
//! workflow takes over (the account is backed up, then removed), and the
//! owner is told once.

use super::{BatchError, Tally};
use crate::audit::Actor;
use crate::store::{Index, Key, Query, TableError, Update};
use crate::subscriptions::billing::{Period, PeriodStatus};
use crate::subscriptions::{SubscriptionStatus, cancel};
use crate::{Catalogs, Mailing, Queueing, Settings, Storage};

const DAY: i64 = 86_400;

/// Every period left unpaid, filed by when its service was suspended.
pub(super) fn items() -> Query {
    Query::index(Index::Gsi1, "PERIODS#unpaid")
}

pub(super) async fn batch(
    ports: &(impl Storage + Settings + Mailing + Queueing + Catalogs),
    day: &str,
    keys: &[Key],
    tally: &mut Tally,
) -> Result<(), BatchError> {
    let catalog = ports.catalog().get(ports.table(), ports.clock()).await?;
    let now = ports.clock().now_secs();
    for item in ports.table().get_many(keys).await?.iter().flatten() {
        let period = Period::of(item)?;
        tally.count("checked");
        if period.status != PeriodStatus::Unpaid {
            continue;
        }
        let Some(service) =
            crate::subscriptions::find(ports.table(), &period.customer_id, &period.service_id)
                .await?
        else {
            continue;
        };
        if service.status != SubscriptionStatus::Suspended || service.ended_at.is_some() {
            continue;
        }
        let Some(plan) = catalog.plan(&service.plan_id) else {
            tally.exception(
                &format!("service:{}", service.id),
                &service.customer_id,
                format!("its plan {} is no longer in the catalog", service.plan_id),
            );
            continue;
        };
        let suspended_at = period.next_attempt;
        let terminate_at = suspended_at + plan.terminate_after_days as i64 * DAY;
        if now < terminate_at {
            continue;
        }
        if terminate(ports, day, &service, &period, plan.terminate_after_days).await? {
            tally.count("terminated");
        }
    }
    Ok(())
}

/// Ends the service through the cancellation workflow and tells its owner.
async fn terminate(
    ports: &(impl Storage + Settings + Mailing + Queueing),
    day: &str,
    service: &crate::subscriptions::Subscription,
    period: &Period,
    after_days: u32,
) -> Result<bool, TableError> {
    let why = format!(
        "invoice {} unpaid: suspended for {after_days} days",
        period.invoice_number
    );
    let today = ports.clock().now().date().to_string();
    // Filed as a cancellation taking effect today, so the teardown sweep
    // finds it if its job is lost.
    let cancelled_today = Update::new()
        .set("cancel_at", today.clone())
        .set("gsi2pk", "SERVICES#CANCEL")
        .set("gsi2sk", format!("{today}#{}", service.id));
    if !cancel::end_as(
        ports,
        service,
        Actor::system("overdue-services"),
        why,
        cancelled_today,
    )
    .await?
    {
        return Ok(false);
    }
    cancel::teardown_job(service).send(ports).await;
    let words = (
        format!("{} on {} has ended", service.plan_name, service.domain),
        format!(
            "Invoice {} for {} on {} stayed unpaid for {after_days} days after we suspended the service, so it has ended. We keep a backup of its files and mail for a while: contact us if you want it back.",
            period.invoice_number, service.plan_name, service.domain
        ),
    );
    let about = format!("service:{}", service.id);
    super::notice::tell_owner(
        ports,
        service,
        (&about, &format!("terminated-{day}")),
        words,
    )
    .await?;
    Ok(true)
}
