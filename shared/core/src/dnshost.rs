//! The `DnsHost` port: the DNS service that answers for customers' zones.
//! `TableZones` (in the adapters crate) keeps each zone in the table,
//! created once per order and exported as a BIND file.

use async_trait::async_trait;

use crate::dns::Zone;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the DNS host failed: {0}")]
pub struct DnsError(pub String);

#[async_trait]
pub trait DnsHost: Send + Sync {
    fn name(&self) -> &'static str;

    /// Creates `zone` for `order_id`; a zone made by an earlier try stays as it is.
    async fn create_zone(&self, zone: &Zone, order_id: &str) -> Result<(), DnsError>;

    /// The zone of `origin` and the order it belongs to, if it exists.
    async fn zone(&self, origin: &str) -> Result<Option<(Zone, String)>, DnsError>;

    /// Stops serving `origin`; removing a zone that is gone does nothing.
    async fn remove_zone(&self, origin: &str) -> Result<(), DnsError>;
}
