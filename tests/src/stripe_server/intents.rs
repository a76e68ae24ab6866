//! SetupIntents and PaymentIntents: made and confirmed at once, as the
//! adapter makes them, then captured, cancelled or refunded.

use std::time::Instant;

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::charges::ChargeRecord;
use super::{Account, Form, Intent, cards, error, expands, field, missing};

impl Account {
    pub(super) fn setup_intent(&mut self, form: &Form) -> (u16, Value) {
        let Some(customer) = field(form, "customer").map(String::from) else {
            return error(
                400,
                "invalid_request_error",
                "parameter_missing",
                "Missing required param: customer.",
            );
        };
        if !self.customers.contains(&customer) {
            return missing("customer", &customer);
        }
        let method = match self.method_for(form, Some(customer.as_str())) {
            Ok(method) => method,
            Err(refusal) => return refusal,
        };
        let number = self.methods[&method].number.clone();
        // 0341 attaches and declines only when charged.
        if number != "4000000000000341"
            && let Err(refusal) = cards::bank_answer(&number)
        {
            return refusal;
        }
        let id = self.id("seti");
        let status = if cards::authenticates(&number) {
            "requires_action"
        } else {
            self.methods.get_mut(&method).expect("made").customer = Some(customer.clone());
            "succeeded"
        };
        let created = time::OffsetDateTime::now_utc().unix_timestamp();
        // The SetupIntent as Stripe documents it, its payment method unexpanded.
        let setup = json!({"id": id, "object": "setup_intent", "status": status,
            "customer": customer, "payment_method": method, "usage": "off_session",
            "metadata": metadata_of(form), "created": created, "livemode": false,
            "description": null, "last_setup_error": null, "next_action": null,
            "payment_method_types": ["card"]});
        self.setups.insert(id.clone(), setup.clone());
        if status == "succeeded" {
            let event = self.event("setup_intent.succeeded", setup);
            self.outbox.push(event);
        }
        (200, self.setup_json(&id, form))
    }

    /// A SetupIntent as it is now, its payment method expanded when asked.
    pub(super) fn setup_json(&self, id: &str, form: &Form) -> Value {
        let mut setup = self.setups[id].clone();
        if expands(form, "payment_method") {
            let method = setup["payment_method"].as_str().unwrap_or_default();
            setup["payment_method"] = self.method_json(method);
        }
        setup
    }

    pub(super) fn intent_json(&self, id: &str, form: &Form) -> Value {
        let i = &self.intents[id];
        let method = if expands(form, "payment_method") || expands(form, "data.payment_method") {
            self.method_json(&i.method)
        } else {
            json!(i.method)
        };
        let charge = match (&i.charge, expands(form, "latest_charge")) {
            (Some(c), true) => {
                let record = &self.charges[c];
                json!({"id": c, "object": "charge", "amount": record.amount, "amount_refunded": record.refunded})
            }
            (charge, _) => json!(charge),
        };
        let mut answer = json!({"id": id, "object": "payment_intent", "amount": i.amount,
            "created": i.created,
            "currency": i.currency, "status": i.status, "capture_method": "manual",
            "amount_capturable": i.capturable, "amount_received": i.received,
            "payment_method": method, "latest_charge": charge, "metadata": i.metadata,
            "customer": i.customer, "setup_future_usage": i.setup_future_usage});
        if i.status == "requires_action" {
            answer["next_action"] = match &i.return_url {
                Some(back) => json!({"type": "redirect_to_url",
                    "redirect_to_url": {"url": format!("{}/3ds/{id}", self.base), "return_url": back}}),
                None => json!({"type": "use_stripe_sdk", "use_stripe_sdk": {}}),
            };
        }
        answer
    }

    /// The card's bank checking its holder (3-D Secure): `/3ds/<intent>`
    /// asks, `/3ds/<intent>/approve` and `/3ds/<intent>/fail` answer, then
    /// send the holder back to the shop's return URL.
    pub(super) fn bank(&mut self, check: &str) -> Response {
        let (id, answer) = check.split_once('/').unwrap_or((check, ""));
        let Some(intent) = self.intents.get_mut(id) else {
            return (StatusCode::NOT_FOUND, "no such payment").into_response();
        };
        if answer.is_empty() {
            let page = format!(
                "<h1>Your bank</h1><p>Confirm the payment of {} {}?</p>\
                 <a href=\"/3ds/{id}/approve\">Confirm</a> <a href=\"/3ds/{id}/fail\">Refuse</a>",
                intent.amount, intent.currency
            );
            return axum::response::Html(page).into_response();
        }
        let back = intent.return_url.clone().unwrap_or_default();
        if intent.status == "requires_action" {
            let kind = if answer == "approve" {
                intent.status = "requires_capture";
                intent.capturable = intent.amount;
                "payment_intent.amount_capturable_updated"
            } else {
                intent.status = "requires_payment_method";
                "payment_intent.payment_failed"
            };
            let object = self.intent_json(id, &Vec::new());
            let event = self.event(kind, object);
            self.outbox.push(event);
        }
        self.attach_for_future_usage(id);
        axum::response::Redirect::to(&back).into_response()
    }

    pub(super) fn payment_intent(&mut self, form: &Form) -> (u16, Value) {
        let amount = field(form, "amount")
            .and_then(|a| a.parse::<i64>().ok())
            .unwrap_or(0);
        if amount < 1 {
            return error(
                400,
                "invalid_request_error",
                "parameter_invalid_integer",
                "This value must be greater than or equal to 1.",
            );
        }
        if let Err(refusal) = self.future_usage(form) {
            return refusal;
        }
        let method = match self.method_for(form, field(form, "customer")) {
            Ok(method) => method,
            Err(refusal) => return refusal,
        };
        let metadata = metadata_of(form);
        let id = self.id("pi");
        let number = self.methods[&method].number.clone();
        let off_session = field(form, "off_session") == Some("true");
        let mut intent = Intent {
            amount,
            currency: field(form, "currency").unwrap_or("usd").to_string(),
            status: "requires_payment_method",
            capturable: 0,
            received: 0,
            method,
            charge: None,
            metadata,
            return_url: field(form, "return_url").map(String::from),
            customer: field(form, "customer").map(String::from),
            setup_future_usage: field(form, "setup_future_usage").map(String::from),
            created: time::OffsetDateTime::now_utc().unix_timestamp(),
            made: Instant::now(),
        };
        if let Err(refusal) = cards::bank_answer(&number) {
            self.intents.insert(id, intent);
            return refusal;
        }
        if cards::authenticates(&number) {
            if off_session {
                self.intents.insert(id, intent);
                return cards::card_error(
                    "authentication_required",
                    Some("authentication_required"),
                    "Your card was declined. This transaction requires authentication.",
                );
            }
            intent.status = "requires_action";
        } else {
            intent.status = "requires_capture";
            intent.capturable = amount;
        }
        self.intents.insert(id.clone(), intent);
        self.attach_for_future_usage(&id);
        (200, self.intent_json(&id, form))
    }

    pub(super) fn capture(&mut self, id: &str, form: &Form) -> (u16, Value) {
        let charge_id = self.id("ch");
        let Some(intent) = self.intents.get_mut(id) else {
            return missing("payment_intent", id);
        };
        if intent.status != "requires_capture" {
            return error(
                400,
                "invalid_request_error",
                "payment_intent_unexpected_state",
                &format!(
                    "This PaymentIntent could not be captured because it has a status of {}.",
                    intent.status
                ),
            );
        }
        let amount = field(form, "amount_to_capture")
            .and_then(|a| a.parse().ok())
            .unwrap_or(intent.capturable);
        if amount < 1 || amount > intent.capturable {
            return error(
                400,
                "invalid_request_error",
                "amount_too_large",
                "The amount to capture must be at most the amount capturable.",
            );
        }
        intent.status = "succeeded";
        intent.received = amount;
        intent.capturable = 0;
        intent.charge = Some(charge_id.clone());
        self.charges.insert(
            charge_id,
            ChargeRecord {
                amount,
                refunded: 0,
                intent: id.to_string(),
                created: time::OffsetDateTime::now_utc().unix_timestamp(),
                dispute: None,
            },
        );
        let event = self.event(
            "payment_intent.succeeded",
            self.intent_json(id, &Vec::new()),
        );
        self.outbox.push(event);
        (200, self.intent_json(id, form))
    }

    pub(super) fn cancel(&mut self, id: &str) -> (u16, Value) {
        let Some(intent) = self.intents.get_mut(id) else {
            return missing("payment_intent", id);
        };
        if ![
            "requires_capture",
            "requires_action",
            "requires_payment_method",
        ]
        .contains(&intent.status)
        {
            return error(
                400,
                "invalid_request_error",
                "payment_intent_unexpected_state",
                &format!(
                    "You cannot cancel this PaymentIntent because it has a status of {}.",
                    intent.status
                ),
            );
        }
        intent.status = "canceled";
        intent.capturable = 0;
        (200, self.intent_json(id, &Vec::new()))
    }
}

/// The `metadata[…]` fields of a request.
fn metadata_of(form: &Form) -> std::collections::HashMap<String, String> {
    form.iter()
        .filter_map(|(k, v)| {
            let name = k.strip_prefix("metadata[")?.strip_suffix(']')?;
            Some((name.to_string(), v.clone()))
        })
        .collect()
}

impl super::StripeServer {
    /// The `setup_intent.succeeded` event of the SetupIntent made under
    /// `key` (its `metadata[hostfront_key]`), as Stripe would send it again.
    pub fn setup_succeeded(&self, key: &str) -> Value {
        let mut account = self.account.lock().unwrap();
        let setup = account
            .setups
            .values()
            .find(|setup| setup["metadata"]["hostfront_key"] == key)
            .cloned()
            .expect("a SetupIntent made under this key");
        account.event("setup_intent.succeeded", setup)
    }
}
