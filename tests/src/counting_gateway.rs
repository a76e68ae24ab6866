//! A `Payments` gateway that counts every call made through it to the one
//! it wraps, to show that a payment reached no gateway at all.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use async_trait::async_trait;
use hostfront::payments::{
    Authorization, Authorized, Capture, Charge, ClientSetup, EventError, PaymentError,
    PaymentEvent, PaymentMethodId, Payments, Refund, SavedCard,
};

pub struct CountingGateway {
    inner: Arc<dyn Payments>,
    calls: AtomicUsize,
}

impl CountingGateway {
    pub fn new(inner: Arc<dyn Payments>) -> Self {
        CountingGateway {
            inner,
            calls: AtomicUsize::new(0),
        }
    }

    /// Calls that could move or check money so far.
    pub fn calls(&self) -> usize {
        self.calls.load(Ordering::SeqCst)
    }

    fn count(&self) {
        self.calls.fetch_add(1, Ordering::SeqCst);
    }
}

#[async_trait]
impl Payments for CountingGateway {
    fn name(&self) -> &'static str {
        self.inner.name()
    }
    fn event(&self, signature: &str, body: &[u8], now: i64) -> Result<PaymentEvent, EventError> {
        self.inner.event(signature, body, now)
    }
    async fn reference_of_charge(&self, charge: &str) -> Result<Option<String>, PaymentError> {
        self.count();
        self.inner.reference_of_charge(charge).await
    }
    async fn card_saved_by(&self, setup: &str) -> Result<Option<SavedCard>, PaymentError> {
        self.count();
        self.inner.card_saved_by(setup).await
    }
    fn client_setup(&self) -> Option<ClientSetup> {
        self.inner.client_setup()
    }
    async fn save_card(
        &self,
        method: &PaymentMethodId,
        key: &str,
    ) -> Result<SavedCard, PaymentError> {
        self.count();
        self.inner.save_card(method, key).await
    }
    async fn forget_card(&self, token: &str) -> Result<(), PaymentError> {
        self.count();
        self.inner.forget_card(token).await
    }
    async fn authorize(&self, charge: &Charge) -> Result<Authorization, PaymentError> {
        self.count();
        self.inner.authorize(charge).await
    }
    async fn authorize_with_holder(
        &self,
        charge: &Charge,
        return_url: &str,
    ) -> Result<Authorized, PaymentError> {
        self.count();
        self.inner.authorize_with_holder(charge, return_url).await
    }
    async fn authenticated(&self, authorization_id: &str) -> Result<Authorized, PaymentError> {
        self.count();
        self.inner.authenticated(authorization_id).await
    }
    async fn answer_bank_check(&self, id: &str, confirmed: bool) -> Result<String, PaymentError> {
        self.count();
        self.inner.answer_bank_check(id, confirmed).await
    }
    async fn authorization_made_with(
        &self,
        key: &str,
    ) -> Result<Option<Authorization>, PaymentError> {
        self.count();
        self.inner.authorization_made_with(key).await
    }
    async fn capture(&self, id: &str, amount: i64, key: &str) -> Result<Capture, PaymentError> {
        self.count();
        self.inner.capture(id, amount, key).await
    }
    async fn void(&self, id: &str, key: &str) -> Result<(), PaymentError> {
        self.count();
        self.inner.void(id, key).await
    }
    async fn refund(&self, id: &str, amount: i64, key: &str) -> Result<Refund, PaymentError> {
        self.count();
        self.inner.refund(id, amount, key).await
    }
}
