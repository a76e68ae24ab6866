//! Creates the order's DNS zone from the plan's template, at the DNS host.

use crate::Provisioning;
use serde_json::json;

use super::super::saga::Saga;
use super::super::{Done, StepError, hosted_zone, zone_records};
use crate::dnshost::DnsError;
use crate::zone::customer::ZoneUse;
use crate::zone::{self, Zone};

pub(super) async fn run(saga: &Saga<'_, impl Provisioning>) -> Result<Done, StepError> {
    let order = &saga.order;
    let ports = saga.ports;
    let domain = order.domain.name.as_str();
    let zone = match &order.zone {
        Some(ZoneUse::Alias { .. }) => {
            let shown = super::site_alias::aliased(saga).await?;
            let records = zone::alias_records(domain, &shown.hosting.account);
            hosted_zone(ports, domain, records)
        }
        Some(zone_use) => served_zone(ports, domain, zone_use),
        None => {
            let account = saga
                .account
                .as_ref()
                .ok_or_else(|| StepError::Transient("no account yet".into()))?;
            let records = zone_records(order, account, saga.mail_domain.as_ref());
            hosted_zone(ports, domain, records)
        }
    };
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
    let what = match zone.primaries.is_empty() {
        true => format!("{} records", zone.records.len()),
        false => format!(
            "Copied from {}",
            zone.primaries
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        ),
    };
    Ok(Done {
        detail: format!("{what}, served by {}", zone.nameservers.join(" and ")),
        result: json!({"origin": zone.origin}),
    })
}

/// The zone a DNS-only or domain-only order asked for: the customer's
/// records, a secondary of the customer's primaries, or parking.
fn served_zone(ports: &impl Provisioning, domain: &str, zone_use: &ZoneUse) -> Zone {
    let config = ports.config();
    match zone_use {
        ZoneUse::Primary { records } => hosted_zone(ports, domain, records.clone()),
        ZoneUse::Secondary { primaries } => Zone {
            primaries: primaries.clone(),
            ..hosted_zone(ports, domain, Vec::new())
        },
        // An alias's zone needs the service it shows (above).
        ZoneUse::Parked | ZoneUse::Alias { .. } => {
            Zone::parked(domain, config, ports.clock().now())
        }
    }
}
