//! What reached the customers' mailboxes and the gateway, recorded by a
//! mailer and a gateway around the real ones.

use async_trait::async_trait;
use hostfront::mail::{Mail, MailKind};
use hostfront::mailer::{Mailer, MailerError};
use hostfront::payments::{
    Authorization, Authorized, Capture, Charge, EventError, PaymentError, PaymentEvent,
    PaymentMethodId, Payments, Refund, SavedCard,
};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::{Arc, Mutex};

/// What reached the customers' mailboxes and the gateway.
#[derive(Default)]
pub(super) struct Recorder {
    pub(super) mails: Mutex<Vec<Mail>>,
    /// Each authorisation's reference: the invoice it pays.
    references: Mutex<HashMap<String, String>>,
    /// Each invoice's captures.
    captures: Mutex<BTreeMap<String, BTreeSet<String>>>,
}

impl Recorder {
    /// Mails of `kind` delivered to `to` whose id ends with `suffix`.
    pub(super) fn sent(&self, to: &str, kind: MailKind, suffix: &str) -> usize {
        let mails = self.mails.lock().unwrap();
        let ids: BTreeSet<&str> = mails
            .iter()
            .filter(|m| m.to == to && m.kind == kind && m.id.ends_with(suffix))
            .map(|m| m.id.as_str())
            .collect();
        ids.len()
    }

    pub(super) fn captures_of(&self, invoice: &str) -> usize {
        self.captures
            .lock()
            .unwrap()
            .get(invoice)
            .map_or(0, BTreeSet::len)
    }

    fn hold(&self, authorization: &Authorization, charge: &Charge) {
        self.references
            .lock()
            .unwrap()
            .insert(authorization.id.clone(), charge.reference.clone());
    }
}

pub(super) struct RecordingMailer(pub(super) Arc<dyn Mailer>, pub(super) Arc<Recorder>);

#[async_trait]
impl Mailer for RecordingMailer {
    fn name(&self) -> &'static str {
        self.0.name()
    }
    async fn deliver(&self, mail: &Mail) -> Result<(), MailerError> {
        self.1.mails.lock().unwrap().push(mail.clone());
        self.0.deliver(mail).await
    }
}

pub(super) struct RecordingGateway(pub(super) Arc<dyn Payments>, pub(super) Arc<Recorder>);

#[async_trait]
impl Payments for RecordingGateway {
    fn name(&self) -> &'static str {
        self.0.name()
    }
    fn event(&self, signature: &str, body: &[u8], now: i64) -> Result<PaymentEvent, EventError> {
        self.0.event(signature, body, now)
    }
    async fn save_card(
        &self,
        card: &PaymentMethodId,
        key: &str,
    ) -> Result<SavedCard, PaymentError> {
        self.0.save_card(card, key).await
    }
    async fn authorize(&self, charge: &Charge) -> Result<Authorization, PaymentError> {
        let held = self.0.authorize(charge).await?;
        self.1.hold(&held, charge);
        Ok(held)
    }
    async fn authorize_with_holder(
        &self,
        charge: &Charge,
        return_url: &str,
    ) -> Result<Authorized, PaymentError> {
        let answer = self.0.authorize_with_holder(charge, return_url).await?;
        if let Authorized::Held(held) = &answer {
            self.1.hold(held, charge);
        }
        Ok(answer)
    }
    async fn authenticated(&self, authorization_id: &str) -> Result<Authorized, PaymentError> {
        self.0.authenticated(authorization_id).await
    }
    async fn answer_bank_check(&self, id: &str, confirmed: bool) -> Result<String, PaymentError> {
        self.0.answer_bank_check(id, confirmed).await
    }
    async fn authorization_made_with(
        &self,
        key: &str,
    ) -> Result<Option<Authorization>, PaymentError> {
        self.0.authorization_made_with(key).await
    }
    async fn capture(&self, id: &str, amount: i64, key: &str) -> Result<Capture, PaymentError> {
        let capture = self.0.capture(id, amount, key).await?;
        let reference = self.1.references.lock().unwrap().get(id).cloned();
        self.1
            .captures
            .lock()
            .unwrap()
            .entry(reference.unwrap_or_else(|| format!("unknown {id}")))
            .or_default()
            .insert(capture.id.clone());
        Ok(capture)
    }
    async fn void(&self, id: &str, key: &str) -> Result<(), PaymentError> {
        self.0.void(id, key).await
    }
    async fn refund(&self, id: &str, amount: i64, key: &str) -> Result<Refund, PaymentError> {
        self.0.refund(id, amount, key).await
    }
}
