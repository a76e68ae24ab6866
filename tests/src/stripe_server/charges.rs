//! Charges and their refunds, asked for through the API (`POST
//! /v1/refunds`) or made by someone in Stripe's dashboard: each refund
//! sends `charge.refunded`, whose object is the Charge as Stripe's API
//! reference documents it (`amount_refunded`: all given back of it so far;
//! `payment_intent`; the `metadata` and `description` of the payment that
//! made it). A cardholder may dispute a charge (one dispute a charge, as
//! at Stripe): `charge.dispute.created`, then `charge.dispute.closed` once
//! decided, whose object is the Dispute as Stripe's API reference documents
//! it.

use serde_json::{Value, json};

use super::{Account, Form, StripeServer, error, expands, field, missing};

pub(super) struct ChargeRecord {
    pub amount: i64,
    pub refunded: i64,
    /// The PaymentIntent that made it.
    pub intent: String,
    pub created: i64,
    pub dispute: Option<DisputeRecord>,
}

pub(super) struct DisputeRecord {
    id: String,
    reason: String,
    status: &'static str,
    created: i64,
}

impl Account {
    pub(super) fn charge_json(&self, id: &str) -> Value {
        let charge = &self.charges[id];
        let intent = &self.intents[&charge.intent];
        let mut charge = json!({"id": id, "object": "charge", "amount": charge.amount,
            "amount_captured": charge.amount, "amount_refunded": charge.refunded,
            "captured": true, "paid": true, "refunded": charge.refunded == charge.amount,
            "status": "succeeded", "currency": intent.currency, "created": charge.created,
            "payment_intent": charge.intent, "payment_method": intent.method,
            "customer": intent.customer, "metadata": intent.metadata,
            "description": intent.metadata.get("reference"), "livemode": false});
        if self.bare_charges {
            charge["metadata"] = json!({});
            charge["description"] = Value::Null;
        }
        charge
    }

    /// `GET /v1/charges/<id>`, its `payment_intent` expanded when asked
    /// (`expand[]=payment_intent`).
    pub(super) fn get_charge(&self, id: &str, query: &Form) -> (u16, Value) {
        if !self.charges.contains_key(id) {
            return missing("charge", id);
        }
        let mut charge = self.charge_json(id);
        if expands(query, "payment_intent") {
            let intent = self.charges[id].intent.clone();
            charge["payment_intent"] = self.intent_json(&intent, &Form::new());
        }
        (200, charge)
    }

    fn dispute_json(&self, charge: &str) -> Value {
        let record = &self.charges[charge];
        let dispute = record.dispute.as_ref().expect("a disputed charge");
        let intent = &self.intents[&record.intent];
        json!({"id": dispute.id, "object": "dispute", "amount": record.amount,
            "currency": intent.currency, "charge": charge, "payment_intent": record.intent,
            "reason": dispute.reason, "status": dispute.status, "created": dispute.created,
            "is_charge_refundable": false, "livemode": false, "metadata": {},
            "balance_transactions": [], "evidence": {},
            "evidence_details": {"due_by": dispute.created + 7 * 86_400, "has_evidence": false,
                "past_due": false, "submission_count": 0}})
    }

    /// `POST /v1/refunds`.
    pub(super) fn refund(&mut self, form: &Form) -> (u16, Value) {
        let charge = field(form, "charge").unwrap_or_default().to_string();
        let amount = field(form, "amount").and_then(|a| a.parse().ok());
        self.give_back(&charge, amount)
    }

    /// Gives back `amount` (all that is left when None) of `charge`, and
    /// queues its `charge.refunded` event for the shop's endpoint.
    fn give_back(&mut self, charge: &str, amount: Option<i64>) -> (u16, Value) {
        let id = self.id("re");
        let Some(record) = self.charges.get_mut(charge) else {
            return missing("charge", charge);
        };
        let left = record.amount - record.refunded;
        let amount = amount.unwrap_or(left);
        if amount < 1 || amount > left {
            return error(
                400,
                "invalid_request_error",
                "amount_too_large",
                &format!(
                    "Refund amount ({amount}) is greater than unrefunded amount on charge ({left})"
                ),
            );
        }
        record.refunded += amount;
        let intent = record.intent.clone();
        let event = self.event("charge.refunded", self.charge_json(charge));
        self.outbox.push(event);
        (
            200,
            json!({"id": id, "object": "refund", "amount": amount, "charge": charge,
                "payment_intent": intent, "status": "succeeded"}),
        )
    }

    /// An event of `kind` about `object`, as it is now.
    pub(super) fn event(&mut self, kind: &str, object: Value) -> Value {
        let id = self.id("evt");
        let created = time::OffsetDateTime::now_utc().unix_timestamp();
        json!({"id": id, "object": "event", "type": kind, "created": created,
            "api_version": super::API_VERSION, "livemode": false, "data": {"object": object}})
    }
}

impl StripeServer {
    /// From now on, charges are shown without the metadata and description
    /// of the payment that made it: what a shop would see if Stripe did not
    /// carry them over, so it must find the payment through the charge's
    /// `payment_intent`.
    pub fn charges_without_payment_details(&self) {
        self.account.lock().unwrap().bare_charges = true;
    }

    /// The charge that paid `reference` (the payment's `metadata[reference]`).
    pub fn charge_paying(&self, reference: &str) -> String {
        let account = self.account.lock().unwrap();
        account
            .intents
            .values()
            .filter(|intent| {
                intent.metadata.get("reference").map(String::as_str) == Some(reference)
            })
            .find_map(|intent| intent.charge.clone())
            .expect("a charge that paid this reference")
    }

    /// The cardholder disputes `charge` for `reason`; returns the
    /// `charge.dispute.created` event and the shop's status.
    pub async fn dispute(&self, charge: &str, reason: &str) -> (Value, u16) {
        self.dispute_changes(charge, "charge.dispute.created", |account| DisputeRecord {
            id: account.id("dp"),
            reason: reason.to_string(),
            status: "needs_response",
            created: time::OffsetDateTime::now_utc().unix_timestamp(),
        })
        .await
    }

    /// The card network decides the dispute of `charge`: `won` or `lost`;
    /// returns the `charge.dispute.closed` event and the shop's status.
    pub async fn close_dispute(&self, charge: &str, status: &'static str) -> (Value, u16) {
        self.dispute_changes(charge, "charge.dispute.closed", |account| {
            let open = account.charges.get_mut(charge).unwrap().dispute.take();
            DisputeRecord {
                status,
                ..open.expect("a disputed charge")
            }
        })
        .await
    }

    async fn dispute_changes(
        &self,
        charge: &str,
        kind: &str,
        change: impl FnOnce(&mut Account) -> DisputeRecord,
    ) -> (Value, u16) {
        let (event, endpoint) = {
            let mut account = self.account.lock().unwrap();
            let dispute = change(&mut account);
            account.charges.get_mut(charge).expect("a charge").dispute = Some(dispute);
            let object = account.dispute_json(charge);
            let event = account.event(kind, object);
            (event, account.events_endpoint())
        };
        let status = self.send(&endpoint, &event).await;
        (event, status)
    }

    /// Someone gives back `amount` of `charge` in Stripe's dashboard: the
    /// shop learns of it only from the event, sent now; returns the event
    /// and the shop's status.
    pub async fn refund_in_dashboard(&self, charge: &str, amount: i64) -> (Value, u16) {
        let (event, endpoint) = {
            let mut account = self.account.lock().unwrap();
            let (status, answer) = account.give_back(charge, Some(amount));
            assert_eq!(status, 200, "{answer}");
            let event = account.outbox.pop().expect("the refund's event");
            (event, account.events_endpoint())
        };
        let status = self.send(&endpoint, &event).await;
        (event, status)
    }
}
