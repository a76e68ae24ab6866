//! The `DnsHost` port: the DNS service that answers for customers' zones.
//! `TableZones` (in the adapters crate) keeps each zone in the table,
//! created once per order and exported as a BIND file.

use std::time::Duration;

use async_trait::async_trait;

use crate::OrderId;
use crate::zone::Zone;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DnsError {
    #[error("the DNS host failed: {0}")]
    Failed(String),
    /// The change was taken but is not served everywhere yet: ask again
    /// (the same call) after `retry_in`, which carries on waiting for it.
    #[error("the DNS host has not served change {change} yet")]
    Pending { change: String, retry_in: Duration },
}

#[async_trait]
pub trait DnsHost: Send + Sync {
    fn name(&self) -> &'static str;

    /// Whether its nameservers can serve a secondary zone, copied from the
    /// customer's own primary servers (Route 53, for one, cannot).
    fn serves_secondaries(&self) -> bool {
        false
    }

    /// Creates `zone` for `order_id`; a zone made by an earlier try stays as
    /// it is. Done once every nameserver of the host serves it; `Pending`
    /// until then.
    async fn create_zone(&self, zone: &Zone, order_id: &OrderId) -> Result<(), DnsError>;

    /// The zone of `origin` and the order it belongs to, if it exists.
    async fn zone(&self, origin: &str) -> Result<Option<(Zone, OrderId)>, DnsError>;

    /// Serves `zone`'s records in place of those of the zone of the same
    /// origin, which must be `order_id`'s (`Failed` otherwise, or when there
    /// is none). Asked again with the same records, it changes nothing.
    async fn replace_records(&self, zone: &Zone, order_id: &OrderId) -> Result<(), DnsError>;

    /// Stops serving `origin`; removing a zone that is gone does nothing.
    async fn remove_zone(&self, origin: &str) -> Result<(), DnsError>;
}
