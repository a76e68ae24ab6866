//! Creates the hosting account on a server of the plan's pool with room.

use crate::Provisioning;
use serde_json::json;

use super::super::saga::Saga;
use super::super::{Done, StepError, from_panel};
use super::call_key;
use crate::catalog::PlanKind;
use crate::orders::secrets::Secret;
use crate::panel::NewAccount;

fn pool_for(kind: PlanKind) -> &'static str {
    match kind {
        PlanKind::Shared | PlanKind::Email | PlanKind::Reseller => "shared",
        PlanKind::Vps => "vps",
        PlanKind::Dedicated | PlanKind::Managed => "dedicated",
        // Never asked: these plans have no hosting account step.
        PlanKind::Dns | PlanKind::Domain => "dns",
    }
}

pub(super) async fn run(saga: &Saga<'_, impl Provisioning>) -> Result<Done, StepError> {
    let order = &saga.order;
    let request = NewAccount {
        username: order.username.clone(),
        password: saga.secret(Secret::PanelPassword).await?.into(),
        domain: order.domain.name.clone(),
        plan_id: order.plan_id.clone(),
        pool: pool_for(order.plan_kind).into(),
        idempotency_key: call_key(order, "account"),
    };
    let account = saga
        .ports
        .panel()
        .create_account(&request)
        .await
        .map_err(from_panel)?;
    Ok(Done {
        detail: format!("Created on {} ({})", account.server, account.ipv4),
        result: json!(account),
    })
}
