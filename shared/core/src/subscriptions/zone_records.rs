//! DNS hosting's records, changed by the customer once the zone is live:
//! checked as when ordering, served by the DNS host with a serial above
//! the one it serves, then kept on the service with an audit entry.

use serde_json::json;

use super::Subscription;
use super::addons::{AddonError, changeable, record_change};
use crate::dnshost::DnsError;
use crate::store::Update;
use crate::zone::Zone;
use crate::zone::customer::{self, RecordInput, ZoneUse};
use crate::{CustomerId, Settings, Storage, Zones};

/// Serves `inputs` as the records of the customer's primary DNS service.
pub async fn set_zone_records(
    ports: &(impl Storage + Settings + Zones),
    customer_id: &CustomerId,
    service_id: &str,
    inputs: &[RecordInput],
) -> Result<Subscription, AddonError> {
    let service = primary_dns(ports, customer_id, service_id).await?;
    let records = customer::records(inputs).map_err(|refused| AddonError::Invalid {
        code: refused.code,
        message: refused.message,
    })?;
    let unavailable = |e: DnsError| AddonError::Unavailable(e.to_string());
    let host = ports.dns_host();
    let origin = service.domain.as_str();
    let served = host.zone(origin).await.map_err(unavailable)?;
    let config = ports.config();
    let mut zone = Zone::hosted(
        origin,
        records.clone(),
        &config.subdomain_zone,
        ports.clock().now(),
    );
    // Secondaries copy the zone again only when its serial grows (RFC 1996).
    if let Some((served, _)) = &served {
        zone.serial = zone.serial.max(served.serial + 1);
    }
    match host.replace_records(&zone, &service.order_id).await {
        // Taken, and published within minutes.
        Ok(()) | Err(DnsError::Pending { .. }) => {}
        Err(failed) => return Err(unavailable(failed)),
    }
    let count = records.len();
    record_change(
        ports,
        &service,
        Update::new().set("zone", json!(ZoneUse::Primary { records })),
        "zone_records_changed",
        format!("{count} records, serial {}", zone.serial),
    )
    .await
}

/// The customer's live DNS hosting service whose records are theirs.
async fn primary_dns(
    ports: &impl Storage,
    customer_id: &CustomerId,
    service_id: &str,
) -> Result<Subscription, AddonError> {
    let service = changeable(ports, customer_id, service_id).await?;
    if !matches!(service.zone, Some(ZoneUse::Primary { .. })) {
        return Err(AddonError::Conflict {
            code: "not_primary_dns",
            message: "only DNS hosting whose records are yours takes records; a secondary zone's are your primary server's".into(),
        });
    }
    Ok(service)
}
