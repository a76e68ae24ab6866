//! Caps the calls made to a registrar per second, whoever makes them, so that
//! one abusive client cannot spend the registrar's quota for everybody.

use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};

use super::{
    Availability, Contact, DomainInfo, Registrar, RegistrarError, Registration, Renewal,
    TransferRequest, TransferState,
};

pub struct Capped {
    inner: Arc<dyn Registrar>,
    limiter: DefaultDirectRateLimiter,
    /// How long a call may wait for its turn before it gives up.
    max_wait: Duration,
}

impl Capped {
    pub fn new(inner: Arc<dyn Registrar>, calls_per_second: u32, max_wait: Duration) -> Self {
        let rate = NonZeroU32::new(calls_per_second.max(1)).expect("at least one");
        Capped {
            inner,
            limiter: RateLimiter::direct(Quota::per_second(rate)),
            max_wait,
        }
    }

    async fn turn(&self) -> Result<(), RegistrarError> {
        tokio::time::timeout(self.max_wait, self.limiter.until_ready())
            .await
            .map_err(|_| {
                RegistrarError::Unavailable("our registrar quota for this second is spent".into())
            })
    }
}

#[async_trait]
impl Registrar for Capped {
    fn name(&self) -> &'static str {
        self.inner.name()
    }

    fn max_check_batch(&self) -> usize {
        self.inner.max_check_batch()
    }

    async fn check(&self, domains: &[String]) -> Result<Vec<Availability>, RegistrarError> {
        self.turn().await?;
        self.inner.check(domains).await
    }

    async fn register(&self, request: &Registration) -> Result<DomainInfo, RegistrarError> {
        self.turn().await?;
        self.inner.register(request).await
    }

    async fn transfer(&self, request: &TransferRequest) -> Result<TransferState, RegistrarError> {
        self.turn().await?;
        self.inner.transfer(request).await
    }

    async fn transfer_status(&self, domain: &str) -> Result<TransferState, RegistrarError> {
        self.turn().await?;
        self.inner.transfer_status(domain).await
    }

    async fn renew(&self, request: &Renewal) -> Result<DomainInfo, RegistrarError> {
        self.turn().await?;
        self.inner.renew(request).await
    }

    async fn info(&self, domain: &str) -> Result<DomainInfo, RegistrarError> {
        self.turn().await?;
        self.inner.info(domain).await
    }

    async fn set_nameservers(
        &self,
        domain: &str,
        nameservers: &[String],
    ) -> Result<(), RegistrarError> {
        self.turn().await?;
        self.inner.set_nameservers(domain, nameservers).await
    }

    async fn set_lock(&self, domain: &str, locked: bool) -> Result<(), RegistrarError> {
        self.turn().await?;
        self.inner.set_lock(domain, locked).await
    }

    async fn auth_code(&self, domain: &str) -> Result<String, RegistrarError> {
        self.turn().await?;
        self.inner.auth_code(domain).await
    }

    async fn set_registrant(
        &self,
        domain: &str,
        registrant: &Contact,
    ) -> Result<(), RegistrarError> {
        self.turn().await?;
        self.inner.set_registrant(domain, registrant).await
    }
}
