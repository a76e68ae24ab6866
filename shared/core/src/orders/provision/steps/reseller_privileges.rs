//! Reseller hosting: makes the order's account a reseller with its plan's
//! privilege list and limits, read from the catalog when the step runs.

use crate::Provisioning;
use serde_json::json;

use super::super::saga::Saga;
use super::super::{Done, StepError, from_panel};
use super::plan_of;

pub(super) async fn run(saga: &Saga<'_, impl Provisioning>) -> Result<Done, StepError> {
    let order = &saga.order;
    let ports = saga.ports;
    let plan = plan_of(saga).await?;
    let terms = plan.reseller_terms();
    let access = ports
        .panel()
        .make_reseller(&order.username, &terms)
        .await
        .map_err(from_panel)?;
    Ok(Done {
        detail: format!(
            "Reseller with {} privileges ({}), up to {} accounts and {} GB",
            terms.acls.len(),
            access.acl_list,
            access.account_limit,
            terms.disk_limit_mb / 1024
        ),
        result: json!(access),
    })
}
