//! Keeps the calls made to a registrar within its quota, whoever makes them
//! and in whichever process (the shared budget), so that no crowd of
//! searches, and no one abusive client, spends it for everybody.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;

use super::budget::{Share, SharedBudget};
use super::{
    Availability, ClientAccount, Contact, DomainInfo, Registrar, RegistrarError, Registration,
    Renewal, TransferRequest, TransferState,
};

pub struct Capped {
    inner: Arc<dyn Registrar>,
    budget: Arc<SharedBudget>,
    share: Share,
    /// How long a call may wait for its turn before it gives up.
    max_wait: Duration,
}

impl Capped {
    pub fn new(
        inner: Arc<dyn Registrar>,
        budget: Arc<SharedBudget>,
        share: Share,
        max_wait: Duration,
    ) -> Self {
        Capped {
            inner,
            budget,
            share,
            max_wait,
        }
    }

    async fn turn(&self) -> Result<(), RegistrarError> {
        self.budget.turn(self.share, self.max_wait).await
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

    fn client_accounts_required(&self) -> bool {
        self.inner.client_accounts_required()
    }

    async fn create_client_account(
        &self,
        account: &ClientAccount,
        idempotency_key: &str,
    ) -> Result<(), RegistrarError> {
        self.turn().await?;
        self.inner
            .create_client_account(account, idempotency_key)
            .await
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

    fn max_info_batch(&self) -> usize {
        self.inner.max_info_batch()
    }

    /// One turn of the budget per call, however many names it carries.
    async fn info_many(
        &self,
        domains: &[String],
    ) -> Result<Vec<Result<DomainInfo, RegistrarError>>, RegistrarError> {
        self.turn().await?;
        self.inner.info_many(domains).await
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
