//! Keeping the panel in step with a service's record. The record is what
//! the customer paid for; the panel enforces it. A change the panel must
//! follow (an upgrade, a suspension for an unpaid invoice, its lifting)
//! writes a marker in the same transaction as the change, and a job makes
//! the panel's account match the record and then removes the marker. A lost
//! job leaves the marker, and the `resume-provisioning` sweep sends the job
//! again, so a crash between the change and the panel loses nothing.
//!
//! Item: `PANELSYNC` / `<customer id>#<service id>`, with `since` (ms).

use std::time::Duration;

use super::{Subscription, SubscriptionStatus, find};
use crate::CustomerId;
use crate::jobs::Job;
use crate::store::{Condition, ItemExt, Key, Pages, Query, Table, TableError, TxOp};
use crate::{Hosting, Queueing, Storage};

const PARTITION: &str = "PANELSYNC";

fn marker_key(customer_id: &CustomerId, service_id: &str) -> Key {
    Key::new(PARTITION, format!("{customer_id}#{service_id}"))
}

/// The marker that asks for `service`'s panel account to follow its record;
/// goes in the transaction of the change.
pub fn needed_op(service: &Subscription, now_ms: i64) -> TxOp {
    let mut item = marker_key(&service.customer_id, &service.id).to_item();
    item.insert("kind".into(), "panel_sync".into());
    item.insert("since".into(), now_ms.into());
    TxOp::Put {
        item,
        condition: None,
    }
}

/// Whether a change of `service` is still on its way to the panel.
pub async fn on_its_way(
    table: &dyn crate::store::Table,
    service: &Subscription,
) -> crate::store::TableResult<bool> {
    Ok(table
        .get(&marker_key(&service.customer_id, &service.id))
        .await?
        .is_some())
}

/// Sends the job for a change whose transaction wrote the marker.
pub async fn request(ports: &impl Queueing, service: &Subscription) {
    Job::SyncPanel {
        customer_id: service.customer_id.clone(),
        service_id: service.id.clone(),
    }
    .send(ports)
    .await;
}

/// Makes the panel account of the service match its record: the plan, and
/// suspended exactly when the service is. Running it twice changes nothing.
pub async fn sync(
    ports: &(impl Storage + Hosting),
    customer_id: &CustomerId,
    service_id: &str,
) -> Result<(), String> {
    let marker = marker_key(customer_id, service_id);
    let table = ports.table();
    let since = table
        .get(&marker)
        .await
        .map_err(|e| e.to_string())?
        .and_then(|m| m.i64_attr("since"));
    let service = find(table, customer_id, service_id)
        .await
        .map_err(|e| e.to_string())?;
    // A cancelled service's account is the teardown's to remove.
    // A zone alone has no account anywhere: its zone is served until the
    // service ends, a suspension or a plan changing nothing there.
    let has_account =
        |s: &Subscription| s.status != SubscriptionStatus::Cancelled && s.zone.is_none();
    if let Some(service) = service.filter(has_account) {
        // A VPS or a machine is suspended by powering it off; its size is
        // the plan's from the day it was made.
        let running = service.status != SubscriptionStatus::Suspended;
        if let Some(vm) = &service.hosting.vm {
            ports
                .hypervisor()
                .set_power(&vm.id, running)
                .await
                .map_err(|e| e.to_string())?;
            return forget_marker(table, &marker, since).await;
        }
        if let Some(server) = &service.hosting.machine {
            ports
                .machines()
                .set_power(&server.machine.id, running)
                .await
                .map_err(|e| e.to_string())?;
            return forget_marker(table, &marker, since).await;
        }
        let panel = ports.panel();
        let username = &service.hosting.account.username;
        panel
            .set_plan(username, &service.plan_id)
            .await
            .map_err(|e| e.to_string())?;
        panel
            .set_suspended(username, service.status == SubscriptionStatus::Suspended)
            .await
            .map_err(|e| e.to_string())?;
    }
    forget_marker(table, &marker, since).await
}

/// Removes the marker the sync was for, unless a change made meanwhile
/// wrote a newer one, which has its own job.
async fn forget_marker(table: &dyn Table, marker: &Key, since: Option<i64>) -> Result<(), String> {
    let Some(since) = since else {
        return Ok(());
    };
    match table
        .delete(marker, Some(Condition::eq("since", since)))
        .await
    {
        Ok(_) | Err(TableError::ConditionFailed) => Ok(()),
        Err(error) => Err(error.to_string()),
    }
}

/// Sends the job again for every marker older than `stalled_after`.
pub async fn resume_stalled(
    ports: &(impl Storage + Queueing),
    stalled_after: Duration,
) -> Result<usize, TableError> {
    let before = ports.clock().now_millis() - stalled_after.as_millis() as i64;
    let mut pages = Pages::new(Query::partition(PARTITION), 100);
    let mut sent = 0;
    while let Some(items) = pages.next(ports.table()).await? {
        for item in &items {
            if item.i64_attr("since").unwrap_or(0) > before {
                continue;
            }
            let Some((customer_id, service_id)) =
                item.str_attr("sk").and_then(|sk| sk.split_once('#'))
            else {
                continue;
            };
            Job::SyncPanel {
                customer_id: CustomerId::new(customer_id),
                service_id: service_id.into(),
            }
            .send(ports)
            .await;
            sent += 1;
        }
    }
    Ok(sent)
}
