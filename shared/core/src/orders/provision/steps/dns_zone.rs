//! Creates the order's DNS zone from the plan's template, at the DNS host.

use crate::Provisioning;
use serde_json::json;

use super::super::saga::Saga;
use super::super::{Done, StepError, hosted_zone, zone_records};
use crate::dnshost::DnsError;

pub(super) async fn run(saga: &Saga<'_, impl Provisioning>) -> Result<Done, StepError> {
    let order = &saga.order;
    let ports = saga.ports;
    let domain = order.domain.name.as_str();
    let account = saga
        .account
        .as_ref()
        .ok_or_else(|| StepError::Transient("no account yet".into()))?;
    let records = zone_records(order, account, saga.mail_domain.as_ref());
    let zone = hosted_zone(ports, domain, records);
    ports
        .dns_host()
        .create_zone(&zone, &order.id)
        .await
        .map_err(|e| match e {
            // Route 53 took the zone and serves it soon: no failure.
            DnsError::Pending { change, retry_in } => StepError::Later {
                reason: format!("the DNS host is still publishing the zone (change {change})"),
                retry_in,
            },
            failed => StepError::Transient(failed.to_string()),
        })?;
    Ok(Done {
        detail: format!(
            "{} records, served by {}",
            zone.records.len(),
            zone.nameservers.join(" and ")
        ),
        result: json!({"origin": zone.origin}),
    })
}
