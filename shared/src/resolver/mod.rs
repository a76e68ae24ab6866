//! The `Resolver` port: what the public DNS says about a name. Hostfront asks
//! it whether a customer has set the TXT record that proves they control a
//! domain registered elsewhere, before that domain is theirs here.

pub mod simulated;

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
