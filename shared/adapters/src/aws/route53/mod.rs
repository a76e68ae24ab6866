//! `Route53Zones`: the `DnsHost` on Amazon Route 53. Each customer zone is a
//! public hosted zone, its order named in the zone's comment (`order:<id>`);
//! its records are written in one change batch, and a creation is done when
//! Route 53 says the change is `INSYNC` (served by every nameserver).
//! Changes start `PENDING` and usually take under a minute; a call waits
//! for one (polling `GetChange`, each pause longer) at most `INSYNC_WAIT`,
//! well inside the worker function's timeout, then answers `Pending`: the
//! provisioning job comes back later and waits on, for the same change,
//! which the zone's comment names (`order:<id> change:<change id>`), so a
//! retry never writes the records again. With a reusable delegation set
//! every zone is served by the same nameservers, the ones the registrar is
//! told (`HOSTFRONT_NAMESERVERS`). The client is made on first use: most
//! functions never touch a zone.

mod records;
mod replace;

use std::time::{Duration, SystemTime};

use async_trait::async_trait;
use aws_sdk_route53::Client;
use aws_sdk_route53::types::{
    Change, ChangeAction, ChangeBatch, ChangeStatus, HostedZone, HostedZoneConfig,
    ResourceRecordSet, RrType,
};
use hostfront_core::OrderId;
use hostfront_core::dnshost::{DnsError, DnsHost};
use hostfront_core::zone::{Record, Zone};
use records::{change, managed, record_sets, relative};

/// How long one call waits for its change to be served everywhere: a
/// third of the worker function's 60 s, so the steps after it still fit.
const INSYNC_WAIT: Duration = Duration::from_secs(20);
/// The first pause between two looks at a change; each next one doubles.
const FIRST_POLL: Duration = Duration::from_millis(250);
const LONGEST_POLL: Duration = Duration::from_secs(4);
/// When a job that stopped waiting comes back to the change.
const RETRY_IN: Duration = Duration::from_secs(15);
/// A change still pending this long after it was submitted has failed:
/// Route 53 serves changes within about a minute.
const GIVE_UP_AFTER: Duration = Duration::from_secs(3600);

pub struct Route53Zones {
    client: super::OnFirstUse<Client>,
    /// A reusable delegation set: every zone gets its nameservers.
    delegation_set_id: Option<String>,
    /// How long one call waits for a change (`INSYNC_WAIT`).
    wait: Duration,
}

fn failed(error: impl std::fmt::Display) -> DnsError {
    DnsError::Failed(format!("Route 53: {error}"))
}

/// The value of `name:` in the zone's comment (`order:<id> change:<id>`).
fn noted(zone: &HostedZone, name: &str) -> Option<String> {
    let comment = zone.config().and_then(|c| c.comment())?;
    comment
        .split_whitespace()
        .find_map(|word| word.strip_prefix(name)?.strip_prefix(':'))
        .map(str::to_string)
}

fn order_of(zone: &HostedZone) -> OrderId {
    OrderId::new(noted(zone, "order").unwrap_or_default())
}

/// What a look at a change found.
#[derive(Debug, PartialEq)]
enum Progress {
    Served,
    Pending,
    /// Pending for longer than Route 53 ever takes.
    Stuck,
}

fn progress(status: &ChangeStatus, submitted: Option<SystemTime>, now: SystemTime) -> Progress {
    let age = submitted.and_then(|at| now.duration_since(at).ok());
    match status {
        ChangeStatus::Insync => Progress::Served,
        _ if age.is_some_and(|age| age > GIVE_UP_AFTER) => Progress::Stuck,
        _ => Progress::Pending,
    }
}

impl Route53Zones {
    pub fn new(
        client: impl Into<super::OnFirstUse<Client>>,
        delegation_set_id: Option<String>,
    ) -> Self {
        Route53Zones {
            client: client.into(),
            delegation_set_id,
            wait: INSYNC_WAIT,
        }
    }

    /// The same, waiting at most `wait` in one call for a change.
    pub fn waiting(mut self, wait: Duration) -> Self {
        self.wait = wait;
        self
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

    /// Applies `changes` to the zone `id`; the change's id, if any.
    async fn submit(&self, id: &str, changes: Vec<Change>) -> Result<Option<String>, DnsError> {
        if changes.is_empty() {
            return Ok(None);
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
        Ok(submitted.change_info().map(|c| c.id().to_string()))
    }

    /// Names `change` in the comment of the zone `id`, made for `order_id`.
    async fn note_change(
        &self,
        id: &str,
        order_id: &OrderId,
        change: &str,
    ) -> Result<(), DnsError> {
        self.client
            .update_hosted_zone_comment()
            .id(id)
            .comment(format!("order:{order_id} change:{change}"))
            .send()
            .await
            .map_err(|e| failed(e.into_service_error()))
            .map(|_| ())
    }

    /// Waits for `change` to be served, each look later than the last, for
    /// this call's share of time; `Pending` when it is not served by then.
    async fn served(&self, change: &str) -> Result<(), DnsError> {
        let started = std::time::Instant::now();
        let mut pause = FIRST_POLL;
        loop {
            let answer = self
                .client
                .get_change()
                .id(change)
                .send()
                .await
                .map_err(|e| failed(e.into_service_error()))?;
            let info = answer
                .change_info()
                .ok_or_else(|| failed("GetChange answered without the change"))?;
            let submitted = SystemTime::try_from(*info.submitted_at()).ok();
            match progress(info.status(), submitted, SystemTime::now()) {
                Progress::Served => return Ok(()),
                Progress::Stuck => {
                    return Err(failed(format!(
                        "change {change} has been pending for over an hour"
                    )));
                }
                Progress::Pending => {}
            }
            if started.elapsed() + pause > self.wait {
                return Err(DnsError::Pending {
                    change: change.to_string(),
                    retry_in: RETRY_IN,
                });
            }
            tokio::time::sleep(pause).await;
            pause = (pause * 2).min(LONGEST_POLL);
        }
    }

    /// Makes the zone `origin` for `order_id`; its id.
    async fn make(&self, origin: &str, order_id: &OrderId) -> Result<String, DnsError> {
        let config = HostedZoneConfig::builder()
            .comment(format!("order:{order_id}"))
            .build();
        let created = self
            .client
            .create_hosted_zone()
            .name(origin)
            .caller_reference(format!("{order_id}-{origin}"))
            .hosted_zone_config(config)
            .set_delegation_set_id(self.delegation_set_id.clone())
            .send()
            .await
            .map_err(|e| failed(e.into_service_error()))?;
        created
            .hosted_zone()
            .map(|z| z.id().to_string())
            .ok_or_else(|| failed("no hosted zone in the answer"))
    }
}

#[async_trait]
impl DnsHost for Route53Zones {
    fn name(&self) -> &'static str {
        "route53"
    }

    async fn create_zone(&self, zone: &Zone, order_id: &OrderId) -> Result<(), DnsError> {
        if !zone.primaries.is_empty() {
            return Err(failed("Route 53 serves no secondary zones"));
        }
        let found = self.find(&zone.origin).await?;
        if let Some(found) = &found {
            // Another order's zone stays as it is.
            if order_of(found) != *order_id {
                return Ok(());
            }
            // An earlier call wrote the records: wait on for its change.
            if let Some(change) = noted(found, "change") {
                return self.served(&change).await;
            }
        }
        let id = match found {
            // An earlier try made it: its records are written below.
            Some(found) => found.id().to_string(),
            None => self.make(&zone.origin, order_id).await?,
        };
        let changes = record_sets(zone)?
            .into_iter()
            .map(|set| change(ChangeAction::Upsert, set))
            .collect::<Result<Vec<_>, _>>()?;
        let Some(change) = self.submit(&id, changes).await? else {
            return Ok(());
        };
        self.note_change(&id, order_id, &change).await?;
        self.served(&change).await
    }

    async fn zone(&self, origin: &str) -> Result<Option<(Zone, OrderId)>, DnsError> {
        let Some(found) = self.find(origin).await? else {
            return Ok(None);
        };
        let mut zone = Zone {
            origin: origin.to_string(),
            serial: 0,
            nameservers: Vec::new(),
            hostmaster: String::new(),
            records: Vec::new(),
            primaries: Vec::new(),
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

    async fn replace_records(&self, zone: &Zone, order_id: &OrderId) -> Result<(), DnsError> {
        self.replace(zone, order_id).await
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
        // Nothing is left to serve: the zone goes without waiting.
        self.submit(found.id(), deletions).await?;
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
    fn a_change_pending_for_an_hour_has_failed() {
        let now = SystemTime::now();
        let ago = |secs| Some(now - Duration::from_secs(secs));
        assert_eq!(
            progress(&ChangeStatus::Insync, ago(7200), now),
            Progress::Served
        );
        assert_eq!(
            progress(&ChangeStatus::Pending, ago(60), now),
            Progress::Pending
        );
        assert_eq!(
            progress(&ChangeStatus::Pending, None, now),
            Progress::Pending
        );
        assert_eq!(
            progress(&ChangeStatus::Pending, ago(3601), now),
            Progress::Stuck
        );
    }
}
