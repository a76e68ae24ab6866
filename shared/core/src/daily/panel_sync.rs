//! "What the panel says": each live service's account is read from its
//! panel, one read per server for the package, suspension and use of all
//! the batch's accounts there, and one per account for its domains. What
//! the panel says is kept on the service (`panel_state`), for staff and
//! its owner to see. Where it differs from what was sold (suspended there
//! but active here or the reverse, another package, domains added in the
//! panel, use over the plan's limits), staff see it once per run among
//! the run's exceptions. Nothing is changed on the panel or in billing.
//! A service whose own change is still on its way to the panel is read
//! and kept, but not raised: the panel has not caught up yet.

use std::collections::BTreeMap;

use serde_json::json;

use super::{BatchError, Tally};
use crate::catalog::Catalog;
use crate::panel::{AccountUsage, PanelError};
use crate::store::{Condition, Key, TableError, Update};
use crate::subscriptions::panel_state::PanelState;
use crate::subscriptions::{Subscription, SubscriptionStatus};
use crate::{Catalogs, Hosting, Storage};

const MB_PER_GB: u64 = 1024;

fn later(error: PanelError) -> BatchError {
    BatchError::Later(error.to_string())
}

pub(super) async fn batch(
    ports: &(impl Storage + Hosting + Catalogs),
    keys: &[Key],
    tally: &mut Tally,
) -> Result<(), BatchError> {
    let catalog = ports.catalog().get(ports.table(), ports.clock()).await?;
    let mut by_server: BTreeMap<String, Vec<Subscription>> = BTreeMap::new();
    for item in ports.table().get_many(keys).await?.iter().flatten() {
        let service = Subscription::of(item)?;
        if service.status == SubscriptionStatus::Cancelled || service.ended_at.is_some() {
            continue;
        }
        if !service.on_panel() {
            tally.count("not_on_a_panel");
            continue;
        }
        let server = service.hosting.account.server.clone();
        by_server.entry(server).or_default().push(service);
    }
    for (server, services) in by_server {
        let usernames: Vec<String> = services
            .iter()
            .map(|s| s.hosting.account.username.clone())
            .collect();
        let usage = ports
            .panel()
            .usage(&server, &usernames)
            .await
            .map_err(later)?;
        for service in services {
            look_at(ports, &catalog, &service, &usage, tally).await?;
        }
    }
    Ok(())
}

async fn look_at(
    ports: &(impl Storage + Hosting),
    catalog: &Catalog,
    service: &Subscription,
    usage: &[AccountUsage],
    tally: &mut Tally,
) -> Result<(), BatchError> {
    let account = &service.hosting.account;
    let item = format!("service:{}", service.id);
    tally.count("checked");
    let Some(used) = usage.iter().find(|u| u.username == account.username) else {
        tally.count("missing_on_panel");
        tally.exception(
            &item,
            &service.customer_id,
            format!(
                "{}: the panel has no account {} on {}",
                service.domain, account.username, account.server
            ),
        );
        return Ok(());
    };
    let sites = ports
        .panel()
        .sites(&account.username)
        .await
        .map_err(later)?
        .unwrap_or_default();
    let now = crate::clock::rfc3339(ports.clock().now());
    let state = state_of(catalog, service, used, sites, now);
    keep(ports, service, &state).await?;
    if crate::subscriptions::panel::on_its_way(ports.table(), service).await? {
        tally.count("catching_up");
        return Ok(());
    }
    let found = differences(service, &state, tally);
    if !found.is_empty() {
        tally.count("differing");
        tally.exception(
            &item,
            &service.customer_id,
            format!(
                "{} (account {}): {}; nothing was changed",
                service.domain,
                account.username,
                found.join("; ")
            ),
        );
    }
    Ok(())
}

/// The plan's limit `name` (`disk_gb`, `bandwidth_gb`) in MB, else the panel's.
fn limit_mb(catalog: &Catalog, plan_id: &str, name: &str, panel: Option<u64>) -> Option<u64> {
    catalog
        .plan(plan_id)
        .and_then(|plan| plan.limits.get(name))
        .map(|gb| u64::from(*gb) * MB_PER_GB)
        .or(panel)
}

fn state_of(
    catalog: &Catalog,
    service: &Subscription,
    used: &AccountUsage,
    sites: Vec<String>,
    read_at: String,
) -> PanelState {
    let unknown_sites = sites
        .into_iter()
        .filter(|site| *site != service.domain && !service.sites.contains(site))
        .collect();
    PanelState {
        suspended: used.suspended,
        plan_id: used.plan_id.clone(),
        unknown_sites,
        disk_used_mb: used.disk_used_mb,
        disk_limit_mb: limit_mb(catalog, &service.plan_id, "disk_gb", used.disk_limit_mb),
        bandwidth_used_mb: used.bandwidth_used_mb,
        bandwidth_limit_mb: limit_mb(
            catalog,
            &service.plan_id,
            "bandwidth_gb",
            used.bandwidth_limit_mb,
        ),
        read_at,
    }
}

/// How the panel differs from what was sold, each counted.
fn differences(service: &Subscription, state: &PanelState, tally: &mut Tally) -> Vec<String> {
    let mut found = Vec::new();
    let active_here = service.status == SubscriptionStatus::Active;
    if state.suspended && active_here {
        tally.count("suspended_on_panel");
        found.push("suspended on the panel but active here".to_string());
    } else if !state.suspended && !active_here {
        tally.count("active_on_panel");
        found.push("active on the panel but suspended here".to_string());
    }
    if state.plan_id != service.plan_id {
        tally.count("other_package");
        found.push(format!(
            "the panel has package {} where {} was sold",
            state.plan_id, service.plan_id
        ));
    }
    if !state.unknown_sites.is_empty() {
        tally.count("unknown_domains");
        found.push(format!(
            "domains added in the panel: {}",
            state.unknown_sites.join(", ")
        ));
    }
    let over = |used: u64, limit: Option<u64>| limit.is_some_and(|limit| used > limit);
    if over(state.disk_used_mb, state.disk_limit_mb) {
        tally.count("over_disk");
        found.push(format!(
            "{} MB of disk used, over the plan's {} MB",
            state.disk_used_mb,
            state.disk_limit_mb.unwrap_or_default()
        ));
    }
    if over(state.bandwidth_used_mb, state.bandwidth_limit_mb) {
        tally.count("over_bandwidth");
        found.push(format!(
            "{} MB of bandwidth used this month, over the plan's {} MB",
            state.bandwidth_used_mb,
            state.bandwidth_limit_mb.unwrap_or_default()
        ));
    }
    found
}

/// Keeps what the panel said on the service. The service's own fields and
/// version are left alone: this is the panel's word beside the record.
async fn keep(
    ports: &impl Storage,
    service: &Subscription,
    state: &PanelState,
) -> Result<(), TableError> {
    match ports
        .table()
        .update(
            &crate::subscriptions::key(&service.customer_id, &service.id),
            Update::new().set("panel_state", json!(state)),
            Some(Condition::Exists),
        )
        .await
    {
        Ok(_) | Err(TableError::ConditionFailed) => Ok(()),
        Err(other) => Err(other),
    }
}
