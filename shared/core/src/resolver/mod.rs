//! The `Resolver` port: what the public DNS says about a name. Hostfront asks
//! it whether a customer has set the TXT record that proves they control a
//! domain registered elsewhere, before that domain is theirs here.

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
}

/// A DNS whose records are set by hand: the simulation, which tests and the
/// local development tools publish records in.
#[async_trait]
pub trait EditableDns: Resolver {
    /// Publishes `values` as the TXT record of `name`, replacing what was there.
    async fn publish_txt(&self, name: &str, values: &[String]) -> Result<(), ResolverError>;
}
