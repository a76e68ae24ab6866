//! The `Resolver` port: what the public DNS says about a name. Hostfront asks
//! it whether a customer has set the TXT record that proves they control a
//! domain registered elsewhere, before that domain is theirs here; and, each
//! day, where a hosted domain's nameservers and web address point.

use std::net::IpAddr;

use async_trait::async_trait;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ResolverError {
    /// Timeouts and server failures: worth asking again later.
    #[error("DNS lookup failed: {0}")]
    Unavailable(String),
}

#[async_trait]
pub trait Resolver: Send + Sync {
    fn name(&self) -> &'static str;

    /// The TXT strings published at `name` (none when the name has none or does not exist).
    async fn txt(&self, name: &str) -> Result<Vec<String>, ResolverError>;

    /// The nameservers `name` is delegated to (its NS records), lower case,
    /// without the trailing dot; none when it is not delegated.
    async fn nameservers(&self, name: &str) -> Result<Vec<String>, ResolverError>;

    /// The addresses `name` resolves to (its A and AAAA records).
    async fn addresses(&self, name: &str) -> Result<Vec<IpAddr>, ResolverError>;
}

/// Where a name points: its delegation and its web addresses.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Pointing {
    pub nameservers: Vec<String>,
    pub addresses: Vec<IpAddr>,
}

/// A DNS whose records are set by hand: the simulation, which tests and the
/// local development tools publish records in.
#[async_trait]
pub trait EditableDns: Resolver {
    /// Publishes `values` as the TXT record of `name`, replacing what was there.
    async fn publish_txt(&self, name: &str, values: &[String]) -> Result<(), ResolverError>;

    /// Makes `name` point as `pointing` says (moved to another host), or,
    /// with None, as the zone Hostfront serves for it says again.
    async fn point(&self, name: &str, pointing: Option<&Pointing>) -> Result<(), ResolverError>;
}
