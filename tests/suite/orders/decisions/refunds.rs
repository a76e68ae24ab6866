//! A refund that failed when an order was rejected is finished by rejecting
//! it again.

use super::{held_for_review, history, staff};
use crate::orders::mail_kinds;
use async_trait::async_trait;
use hostfront::mail::MailKind;
use hostfront::orders::decisions;
use hostfront::orders::{OrderError, OrderStatus};
use hostfront::payments::{
    Authorization, Capture, Charge, PaymentError, PaymentMethodId, Payments, Refund, SavedCard,
};
use hostfront::staff::Role;
use hostfront_tests::App;
use hostfront_tests::shopper::{Shopper, fresh_username};
use std::sync::Arc;

/// The app's gateway, with refunds out of order.
struct RefundsDown(Arc<dyn Payments>);

#[async_trait]
impl Payments for RefundsDown {
    fn name(&self) -> &'static str {
        "refunds-down"
    }

    async fn save_card(
        &self,
        card: &PaymentMethodId,
        key: &str,
    ) -> Result<SavedCard, PaymentError> {
        self.0.save_card(card, key).await
    }

    async fn authorize(&self, charge: &Charge) -> Result<Authorization, PaymentError> {
        self.0.authorize(charge).await
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

    async fn refund(&self, _: &str, _: i64, _: &str) -> Result<Refund, PaymentError> {
        Err(PaymentError::Unavailable("simulated outage".into()))
    }
}

async fn a_refund_that_failed_is_finished_by_rejecting_again(app: &App) {
    let ada = Shopper::sign_up(app, &format!("{}@example.com", fresh_username()), "GB").await;
    let (id, _) = held_for_review(&ada).await;
    let mut outage = app.ports.clone();
    outage.payments = Arc::new(RefundsDown(app.ports.payments.clone()));
    let why = "The card holder did not answer.";
    let failed = decisions::reject(&outage, (&staff(), Role::Support, "127.0.0.1"), &id, why).await;
    assert!(
        matches!(failed, Err(OrderError::Unavailable(_))),
        "{failed:?}"
    );
    let pending = decisions::locate(&app.ports, &id).await.unwrap();
    assert_eq!(
        pending.status,
        OrderStatus::Rejected,
        "rejected before any money moves"
    );
    assert!(pending.refund_pending && pending.refund.is_none());
    assert!(
        decisions::approve(
            &app.ports,
            (&staff(), Role::Support, "127.0.0.1"),
            &id,
            "no"
        )
        .await
        .is_err(),
        "a rejected order cannot be approved while its refund is pending"
    );

    let grace = staff();
    let (first, second) = tokio::join!(
        decisions::reject(&app.ports, (&grace, Role::Billing, "127.0.0.1"), &id, why),
        decisions::reject(&app.ports, (&grace, Role::Billing, "127.0.0.1"), &id, why),
    );
    let done = first.or(second).unwrap();
    assert!(!done.refund_pending);
    assert_eq!(done.refund.unwrap().amount, done.payment.unwrap().amount);
    let mails = mail_kinds(app, id.as_str()).await;
    assert_eq!(
        mails
            .iter()
            .filter(|k| **k == MailKind::OrderRejected)
            .count(),
        1
    );
    let rejected: Vec<_> = history(app, &id)
        .await
        .into_iter()
        .filter(|(action, _)| action == "rejected")
        .collect();
    assert_eq!(rejected.len(), 1, "one move, however often it is retried");
    let (_, notes) = ada.get("/api/credit-notes").await;
    assert_eq!(
        notes.as_array().map(Vec::len),
        Some(1),
        "one credit note: {notes}"
    );
}

on_both_engines!(
    a_refund_that_failed_is_finished_by_rejecting_again: refund_retry_embedded,
    refund_retry_cloud
);

/// Staff gave the whole payment back before the order was rejected: the
/// rejection asks the gateway for nothing more, finishes at once and tells
/// the customer.
async fn a_rejection_after_a_full_refund_finishes(app: &App) {
    use hostfront::billing::refund::{self, RefundRequest};
    let ada = Shopper::sign_up(app, &format!("{}@example.com", fresh_username()), "GB").await;
    let (id, _) = held_for_review(&ada).await;
    let order = decisions::locate(&app.ports, &id).await.unwrap();
    let by = (&staff(), Role::Admin, "127.0.0.1");
    let request = RefundRequest {
        amount: None,
        why: "asked by the customer".into(),
    };
    refund::refund(&app.ports, by, &order.invoice_number, request)
        .await
        .unwrap();
    let why = "The card holder did not answer.";
    let rejected = decisions::reject(&app.ports, by, &id, why).await.unwrap();
    assert_eq!(rejected.status, OrderStatus::Rejected);
    assert!(!rejected.refund_pending, "{rejected:?}");
    assert_eq!(rejected.refund.unwrap().amount, 0, "nothing left to give");
    let mails = mail_kinds(app, id.as_str()).await;
    assert!(mails.contains(&MailKind::OrderRejected), "{mails:?}");
    let (_, notes) = ada.get("/api/credit-notes").await;
    assert_eq!(notes.as_array().map(Vec::len), Some(1), "{notes}");
}

on_both_engines!(
    a_rejection_after_a_full_refund_finishes: rejected_after_refund_embedded,
    rejected_after_refund_cloud
);
