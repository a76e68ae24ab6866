//! A renewal whose request was cut off while the card was being authorised,
//! and never sent again: the sweep ends it, releases what the gateway holds,
//! and the domain can be renewed again. On both engines.

use std::sync::Arc;

use async_trait::async_trait;
use hostfront::Ports;
use hostfront::adapters::sim::APPROVED;
use hostfront::billing::{InvoiceStatus, invoice};
use hostfront::clock::ManualClock;
use hostfront::payments::{
    Authorization, Capture, Charge, PaymentError, PaymentMethodId, Payments, Refund, SavedCard,
};
use hostfront::renewals::{self, RenewalError, RenewalStatus};

use super::{live_domain, paying_with};

/// The app's gateway, whose answers to authorisations are lost on the way
/// back: the gateway holds the money, the caller hears a timeout.
struct LostAnswers(Arc<dyn Payments>);

#[async_trait]
impl Payments for LostAnswers {
    fn name(&self) -> &'static str {
        "lost-answers"
    }
    async fn save_card(
        &self,
        card: &PaymentMethodId,
        key: &str,
    ) -> Result<SavedCard, PaymentError> {
        self.0.save_card(card, key).await
    }
    async fn authorize(&self, charge: &Charge) -> Result<Authorization, PaymentError> {
        self.0.authorize(charge).await?;
        Err(PaymentError::Unavailable("simulated timeout".into()))
    }
    async fn authorization_made_with(
        &self,
        key: &str,
    ) -> Result<Option<Authorization>, PaymentError> {
        self.0.authorization_made_with(key).await
    }
    async fn capture(&self, id: &str, amount: i64, key: &str) -> Result<Capture, PaymentError> {
        self.0.capture(id, amount, key).await
    }
    async fn void(&self, id: &str, key: &str) -> Result<(), PaymentError> {
        self.0.void(id, key).await
    }
    async fn refund(&self, id: &str, amount: i64, key: &str) -> Result<Refund, PaymentError> {
        self.0.refund(id, amount, key).await
    }
}

async fn a_renewal_cut_off_while_authorising_is_ended(clock: &ManualClock, ports: &Ports) {
    let (customer, domain) = live_domain(ports).await;
    let mut cut_off = ports.clone();
    cut_off.payments = Arc::new(LostAnswers(ports.payments.clone()));
    let lost = renewals::renew(
        &cut_off,
        &customer,
        &domain.name,
        "k-lost",
        paying_with(APPROVED, 1),
    )
    .await;
    assert!(
        matches!(lost, Err(RenewalError::Unavailable(_))),
        "{lost:?}"
    );
    let renewal = renewals::find(
        ports.table.as_ref(),
        &domain.name,
        domain.expires_at.unwrap(),
    )
    .await
    .unwrap()
    .unwrap();
    assert_eq!(renewal.status, RenewalStatus::Authorizing);
    let held = ports
        .payments
        .authorization_made_with(&format!("{}-authorize", renewal.id))
        .await
        .unwrap()
        .expect("the gateway holds the amount");
    let again = || {
        renewals::renew(
            ports,
            &customer,
            &domain.name,
            "k-new",
            paying_with(APPROVED, 1),
        )
    };
    assert!(matches!(again().await, Err(RenewalError::Underway)));

    let sweep = || renewals::abandon_stale(ports, hostfront::scheduler::STALLED_AFTER);
    assert_eq!(sweep().await.unwrap(), 0, "not stale yet");
    clock.advance_secs(11 * 60);
    let (first, second) = tokio::join!(sweep(), sweep());
    assert_eq!(first.unwrap() + second.unwrap(), 1);
    let ended = renewals::find(ports.table.as_ref(), &domain.name, renewal.current_expiry)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(ended.status, RenewalStatus::Abandoned);
    let bill = invoice::find(ports.table.as_ref(), &customer.id, &ended.invoice_number)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(bill.status, InvoiceStatus::Void);
    let capture = ports
        .payments
        .capture(&held.id, held.amount, "after-abandon")
        .await;
    assert!(capture.is_err(), "the hold was released: {capture:?}");

    // A late retry of the lost request finds it ended; a new one renews.
    let (late, _) = renewals::renew(
        ports,
        &customer,
        &domain.name,
        "k-lost",
        paying_with(APPROVED, 1),
    )
    .await
    .unwrap();
    assert_eq!(late.status, RenewalStatus::Abandoned);
    let (renewed, created) = again().await.unwrap();
    assert!(created);
    assert_eq!(renewed.status, RenewalStatus::Queued);
}

with_clock_on_both_engines!(a_renewal_cut_off_while_authorising_is_ended: abandoned_embedded, abandoned_cloud);
