//! The app's gateway, watched: how many cards reached it, what it captured
//! and refunded; and, when a test holds it, authorising nothing until the
//! test lets it, so that two requests surely overlap.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering::SeqCst};
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use hostfront::Ports;
use hostfront::payments::{
    Authorization, Authorized, Capture, Charge, PaymentError, PaymentMethodId, Payments, Refund,
    SavedCard,
};

#[derive(Default)]
pub(crate) struct Seen {
    /// Cards tried: saved, authorised (with or without their holder).
    pub cards: AtomicUsize,
    pub captures: Mutex<Vec<Capture>>,
    pub refunds: Mutex<Vec<Refund>>,
    /// Authorisations wait while this holds.
    held: AtomicBool,
    released: tokio::sync::Notify,
}

impl Seen {
    pub fn cards(&self) -> usize {
        self.cards.load(SeqCst)
    }

    /// The distinct ids of the captures made since `from` captures had been.
    pub fn captured_since(&self, from: usize) -> std::collections::HashSet<String> {
        let captures = self.captures.lock().unwrap();
        captures[from..].iter().map(|c| c.id.clone()).collect()
    }

    /// Authorisations from now on wait until `release`.
    pub fn hold(&self) {
        self.held.store(true, SeqCst);
    }

    /// Lets every waiting and later authorisation through.
    pub fn release(&self) {
        self.held.store(false, SeqCst);
        self.released.notify_waiters();
    }

    async fn until_released(&self) {
        loop {
            // Made before the look, so that a release in between still wakes it.
            let released = self.released.notified();
            if !self.held.load(SeqCst) {
                return;
            }
            released.await;
        }
    }
}

pub(crate) struct Watched {
    inner: Arc<dyn Payments>,
    seen: Arc<Seen>,
}

/// `services` with their gateway watched.
pub(crate) fn watched(mut ports: Ports) -> (Ports, Arc<Seen>) {
    let seen = Arc::new(Seen::default());
    ports.payments = Arc::new(Watched {
        inner: ports.payments.clone(),
        seen: seen.clone(),
    });
    (ports, seen)
}

#[async_trait]
impl Payments for Watched {
    fn name(&self) -> &'static str {
        self.inner.name()
    }
    fn client_setup(&self) -> Option<hostfront::payments::ClientSetup> {
        self.inner.client_setup()
    }

    async fn save_card(
        &self,
        card: &PaymentMethodId,
        key: &str,
    ) -> Result<SavedCard, PaymentError> {
        self.seen.cards.fetch_add(1, SeqCst);
        self.inner.save_card(card, key).await
    }
    async fn authorize(&self, charge: &Charge) -> Result<Authorization, PaymentError> {
        self.seen.cards.fetch_add(1, SeqCst);
        self.seen.until_released().await;
        self.inner.authorize(charge).await
    }
    async fn authorize_with_holder(
        &self,
        charge: &Charge,
        return_url: &str,
    ) -> Result<Authorized, PaymentError> {
        self.seen.cards.fetch_add(1, SeqCst);
        self.seen.until_released().await;
        self.inner.authorize_with_holder(charge, return_url).await
    }
    async fn authenticated(&self, id: &str) -> Result<Authorized, PaymentError> {
        self.inner.authenticated(id).await
    }
    async fn answer_bank_check(&self, id: &str, confirmed: bool) -> Result<String, PaymentError> {
        self.inner.answer_bank_check(id, confirmed).await
    }
    async fn authorization_made_with(
        &self,
        key: &str,
    ) -> Result<Option<Authorization>, PaymentError> {
        self.inner.authorization_made_with(key).await
    }
    async fn capture(&self, id: &str, amount: i64, key: &str) -> Result<Capture, PaymentError> {
        let capture = self.inner.capture(id, amount, key).await?;
        self.seen.captures.lock().unwrap().push(capture.clone());
        Ok(capture)
    }
    async fn void(&self, id: &str, key: &str) -> Result<(), PaymentError> {
        self.inner.void(id, key).await
    }
    async fn refund(&self, id: &str, amount: i64, key: &str) -> Result<Refund, PaymentError> {
        let refund = self.inner.refund(id, amount, key).await?;
        self.seen.refunds.lock().unwrap().push(refund.clone());
        Ok(refund)
    }
}

/// The check of the simulated bank a payment waiting there sends its holder
/// to, read from the bank page's address it was given.
pub(crate) fn bank_check(payment_action_url: Option<&str>) -> String {
    payment_action_url
        .expect("sent to the bank")
        .strip_prefix("/bank.html?check=")
        .expect("the simulated bank's page")
        .to_string()
}

/// The holder answers the simulated bank's check; the page it sends them back to.
pub(crate) async fn answer_bank(ports: &Ports, check: &str, confirmed: bool) -> String {
    ports
        .payments
        .answer_bank_check(check, confirmed)
        .await
        .expect("the simulated bank answers")
}
