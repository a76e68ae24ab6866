//! `Route53Zones`: the `DnsHost` on Amazon Route 53. Each customer zone is a
//! public hosted zone, its order named in the zone's comment (`order:<id>`);
//! its records are written in one change batch, and a creation waits until
//! Route 53 says the change is `INSYNC` (served by every nameserver). With a
//! reusable delegation set every zone is served by the same nameservers, the
//! ones the registrar is told (`HOSTFRONT_NAMESERVERS`). The client is made
//! on first use: most functions never touch a zone.

use std::collections::BTreeMap;
use std::time::Duration;

use async_trait::async_trait;
use aws_sdk_route53::Client;
use aws_sdk_route53::types::{
    Change, ChangeAction, ChangeBatch, ChangeStatus, HostedZone, HostedZoneConfig, ResourceRecord,
    ResourceRecordSet, RrType,
};
use hostfront_core::dns::{Record, Zone};
use hostfront_core::dnshost::{DnsError, DnsHost};

/// How long a creation waits for its change to be served everywhere.
const INSYNC_WAIT: Duration = Duration::from_secs(30);
const POLL: Duration = Duration::from_millis(500);

pub struct Route53Zones {
    client: super::OnFirstUse<Client>,
    /// A reusable delegation set: every zone gets its nameservers.
    delegation_set_id: Option<String>,
}

fn failed(error: impl std::fmt::Display) -> DnsError {
    DnsError(format!("Route 53: {error}"))
}

/// The full name of `name` (`@` or a label) in `origin`, with the final dot.
fn fqdn(name: &str, origin: &str) -> String {
    match name {
        "@" => format!("{origin}."),
        label => format!("{label}.{origin}."),
    }
}

/// `name` (a full name) relative to `origin`: `@` for the apex.
fn relative(name: &str, origin: &str) -> String {
    let name = name.trim_end_matches('.');
    match name.strip_suffix(origin) {
        Some("") => "@".into(),
        Some(label) => label.trim_end_matches('.').into(),
        None => name.into(),
    }
}

fn order_of(zone: &HostedZone) -> String {
    zone.config()
        .and_then(|c| c.comment())
        .and_then(|c| c.strip_prefix("order:"))
        .unwrap_or_default()
        .to_string()
}

impl Route53Zones {
    pub fn new(
        client: impl Into<super::OnFirstUse<Client>>,
        delegation_set_id: Option<String>,
    ) -> Self {
        Route53Zones {
            client: client.into(),
            delegation_set_id,
        }
    }

    /// The hosted zone of `origin`, if there is one.
    async fn find(&self, origin: &str) -> Result<Option<HostedZone>, DnsError> {
        let listed = self
            .client
            .list_hosted_zones_by_name()
            .dns_name(origin)
            .max_items(1)
            .send()
            .await
            .map_err(|e| failed(e.into_service_error()))?;
        let wanted = format!("{origin}.");
        Ok(listed
            .hosted_zones()
            .iter()
            .find(|z| z.name() == wanted)
            .cloned())
    }

    /// Every record set of the zone `id`, page after page.
    async fn record_sets(&self, id: &str) -> Result<Vec<ResourceRecordSet>, DnsError> {
        let mut sets = Vec::new();
        let (mut name, mut kind) = (None, None);
        loop {
            let page = self
                .client
                .list_resource_record_sets()
                .hosted_zone_id(id)
                .set_start_record_name(name)
                .set_start_record_type(kind)
                .send()
                .await
                .map_err(|e| failed(e.into_service_error()))?;
            sets.extend(page.resource_record_sets().iter().cloned());
            if !page.is_truncated() {
                return Ok(sets);
            }
            name = page.next_record_name().map(str::to_string);
            kind = page.next_record_type().cloned();
        }
    }

    /// Applies `changes` to the zone `id` and waits until they are served.
    async fn apply(&self, id: &str, changes: Vec<Change>) -> Result<(), DnsError> {
        if changes.is_empty() {
            return Ok(());
        }
        let batch = ChangeBatch::builder()
            .set_changes(Some(changes))
            .build()
            .map_err(failed)?;
        let submitted = self
            .client
            .change_resource_record_sets()
            .hosted_zone_id(id)
            .change_batch(batch)
            .send()
            .await
            .map_err(|e| failed(e.into_service_error()))?;
        let mut change = submitted.change_info().cloned();
        let started = std::time::Instant::now();
        while let Some(info) = change {
            if *info.status() == ChangeStatus::Insync {
                return Ok(());
            }
            if started.elapsed() > INSYNC_WAIT {
                return Err(DnsError(format!(
                    "Route 53 has not served change {} yet",
                    info.id()
                )));
            }
            tokio::time::sleep(POLL).await;
            change = self
                .client
                .get_change()
                .id(info.id())
                .send()
                .await
                .map_err(|e| failed(e.into_service_error()))?
                .change_info()
                .cloned();
        }
        Ok(())
    }
}

/// The zone's records as Route 53 record sets: one per name and type.
fn record_sets(zone: &Zone) -> Result<Vec<ResourceRecordSet>, DnsError> {
    let mut grouped: BTreeMap<(String, String), (u32, Vec<String>)> = BTreeMap::new();
    for record in &zone.records {
        let value = match record.priority {
            Some(priority) => format!("{priority} {}", record.value),
            None => record.value.clone(),
        };
        grouped
            .entry((fqdn(&record.name, &zone.origin), record.kind.clone()))
            .or_insert((record.ttl, Vec::new()))
            .1
            .push(value);
    }
    grouped
        .into_iter()
        .map(|((name, kind), (ttl, values))| {
            let records = values
                .into_iter()
                .map(|value| ResourceRecord::builder().value(value).build())
                .collect::<Result<Vec<_>, _>>()
                .map_err(failed)?;
            ResourceRecordSet::builder()
                .name(name)
                .r#type(RrType::from(kind.as_str()))
                .ttl(ttl as i64)
                .set_resource_records(Some(records))
                .build()
                .map_err(failed)
        })
        .collect()
}

fn change(action: ChangeAction, set: ResourceRecordSet) -> Result<Change, DnsError> {
    Change::builder()
        .action(action)
        .resource_record_set(set)
        .build()
        .map_err(failed)
}

/// Whether Route 53 keeps this set itself: the apex SOA and NS.
fn managed(set: &ResourceRecordSet, origin: &str) -> bool {
    matches!(set.r#type(), RrType::Soa | RrType::Ns) && relative(set.name(), origin) == "@"
}

#[async_trait]
impl DnsHost for Route53Zones {
    fn name(&self) -> &'static str {
        "route53"
    }

    async fn create_zone(&self, zone: &Zone, order_id: &str) -> Result<(), DnsError> {
        let id = match self.find(&zone.origin).await? {
            // Another order's zone stays as it is.
            Some(found) if order_of(&found) != order_id => return Ok(()),
            // An earlier try made it: its records are written again below.
            Some(found) => found.id().to_string(),
            None => {
                let config = HostedZoneConfig::builder()
                    .comment(format!("order:{order_id}"))
                    .build();
                let created = self
                    .client
                    .create_hosted_zone()
                    .name(&zone.origin)
                    .caller_reference(format!("{order_id}-{}", zone.origin))
                    .hosted_zone_config(config)
                    .set_delegation_set_id(self.delegation_set_id.clone())
                    .send()
                    .await
                    .map_err(|e| failed(e.into_service_error()))?;
                created
                    .hosted_zone()
                    .map(|z| z.id().to_string())
                    .ok_or_else(|| failed("no hosted zone in the answer"))?
            }
        };
        let changes = record_sets(zone)?
            .into_iter()
            .map(|set| change(ChangeAction::Upsert, set))
            .collect::<Result<Vec<_>, _>>()?;
        self.apply(&id, changes).await
    }

    async fn zone(&self, origin: &str) -> Result<Option<(Zone, String)>, DnsError> {
        let Some(found) = self.find(origin).await? else {
            return Ok(None);
        };
        let mut zone = Zone {
            origin: origin.to_string(),
            serial: 0,
            nameservers: Vec::new(),
            hostmaster: String::new(),
            records: Vec::new(),
        };
        for set in self.record_sets(found.id()).await? {
            let name = relative(set.name(), origin);
            let values = set.resource_records().iter().map(|r| r.value());
            match set.r#type() {
                RrType::Soa if name == "@" => {
                    // `primary hostmaster serial refresh retry expire minimum`
                    let soa: Vec<&str> = values.flat_map(|v| v.split_whitespace()).collect();
                    zone.hostmaster = soa
                        .get(1)
                        .map(|m| m.trim_end_matches('.').replacen('.', "@", 1))
                        .unwrap_or_default();
                    zone.serial = soa.get(2).and_then(|s| s.parse().ok()).unwrap_or(0);
                }
                RrType::Ns if name == "@" => {
                    zone.nameservers = values
                        .map(|v| v.trim_end_matches('.').to_string())
                        .collect();
                }
                kind => {
                    for value in values {
                        let (priority, value) = match kind {
                            RrType::Mx => match value.split_once(' ') {
                                Some((p, rest)) => (p.parse().ok(), rest.to_string()),
                                None => (None, value.to_string()),
                            },
                            _ => (None, value.to_string()),
                        };
                        zone.records.push(Record {
                            name: name.clone(),
                            kind: kind.as_str().to_string(),
                            ttl: set.ttl().unwrap_or(300) as u32,
                            priority,
                            value,
                        });
                    }
                }
            }
        }
        Ok(Some((zone, order_of(&found))))
    }

    async fn remove_zone(&self, origin: &str) -> Result<(), DnsError> {
        let Some(found) = self.find(origin).await? else {
            return Ok(());
        };
        let deletions = self
            .record_sets(found.id())
            .await?
            .into_iter()
            .filter(|set| !managed(set, origin))
            .map(|set| change(ChangeAction::Delete, set))
            .collect::<Result<Vec<_>, _>>()?;
        self.apply(found.id(), deletions).await?;
        match self.client.delete_hosted_zone().id(found.id()).send().await {
            Ok(_) => Ok(()),
            // Another call removed it meanwhile.
            Err(e)
                if e.as_service_error()
                    .is_some_and(|s| s.is_no_such_hosted_zone()) =>
            {
                Ok(())
            }
            Err(e) => Err(failed(e.into_service_error())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_relative_to_their_zone() {
        assert_eq!(fqdn("@", "bakery.com"), "bakery.com.");
        assert_eq!(fqdn("www", "bakery.com"), "www.bakery.com.");
        assert_eq!(relative("bakery.com.", "bakery.com"), "@");
        assert_eq!(relative("www.bakery.com.", "bakery.com"), "www");
        assert_eq!(relative("_dmarc.bakery.com.", "bakery.com"), "_dmarc");
    }
}
