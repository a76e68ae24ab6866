//! A zone's records replaced by its owner's: the sets no longer wanted are
//! deleted and the others written, in one change, waited for as a new
//! zone's is.

use aws_sdk_route53::types::{ChangeAction, ResourceRecordSet};
use hostfront_core::OrderId;
use hostfront_core::dnshost::DnsError;
use hostfront_core::zone::Zone;

use super::records::{change, managed, record_sets};
use super::{Route53Zones, failed, order_of};

impl Route53Zones {
    pub(super) async fn replace(&self, zone: &Zone, order_id: &OrderId) -> Result<(), DnsError> {
        let origin = &zone.origin;
        let found = self
            .find(origin)
            .await?
            .filter(|found| order_of(found) == *order_id)
            .ok_or_else(|| failed(format!("{origin} is not the zone of order {order_id}")))?;
        let wanted = record_sets(zone)?;
        let kept = |set: &ResourceRecordSet| {
            wanted
                .iter()
                .any(|w| w.name() == set.name() && w.r#type() == set.r#type())
        };
        // Sets no longer wanted go; the others are written as they are now.
        let mut changes = self
            .record_sets(found.id())
            .await?
            .into_iter()
            .filter(|set| !managed(set, origin) && !kept(set))
            .map(|set| change(ChangeAction::Delete, set))
            .collect::<Result<Vec<_>, _>>()?;
        for set in wanted {
            changes.push(change(ChangeAction::Upsert, set)?);
        }
        match self.submit(found.id(), changes).await? {
            Some(change) => self.served(&change).await,
            None => Ok(()),
        }
    }
}
