//! The events the stand-in sends to the shop's webhook endpoint, signed as
//! Stripe signs them (`Stripe-Signature`, HMAC-SHA256 of `<t>.<body>` under
//! the endpoint's secret), each about a change of its own state: the card
//! updater's new expiry of a card (`payment_method.automatically_updated`,
//! whose object is the PaymentMethod as it is now) and refunds
//! (`charge.refunded`, `charges`), a payment's outcome at the bank's check
//! (`payment_intent.amount_capturable_updated` or `.payment_failed`) and
//! its capture (`payment_intent.succeeded`), each with the PaymentIntent,
//! and a card set up (`setup_intent.succeeded`, with the SetupIntent). Events a request made are sent once it
//! is answered, and sent again while the shop does not answer 2xx, as
//! Stripe retries (over days; here within seconds).

use std::time::Duration;

use serde_json::Value;

use super::StripeServer;

impl StripeServer {
    /// Sends this account's events to `url` from now on.
    pub fn send_events_to(&self, url: &str) {
        self.account.lock().unwrap().endpoint = Some(url.to_string());
    }

    /// The card network's new expiry of the card of payment method
    /// `method`, as Stripe's card updater applies it: the card changes, and
    /// the event is sent, signed; returns the event and the shop's status.
    pub async fn card_updated(&self, method: &str, exp_month: u32, exp_year: i32) -> (Value, u16) {
        let (event, endpoint) = {
            let mut account = self.account.lock().unwrap();
            let card = account
                .methods
                .get_mut(method)
                .expect("a payment method of this account");
            card.exp_month = exp_month;
            card.exp_year = exp_year;
            let object = account.method_json(method);
            let event = account.event("payment_method.automatically_updated", object);
            (event, account.events_endpoint())
        };
        let status = self.send(&endpoint, &event).await;
        (event, status)
    }

    /// Posts `event` to `endpoint`, signed now, as Stripe delivers it.
    pub async fn send(&self, endpoint: &str, event: &Value) -> u16 {
        post_signed(endpoint, event).await
    }
}

impl super::Account {
    /// The shop's webhook endpoint, which a test must have given.
    pub(super) fn events_endpoint(&self) -> String {
        self.endpoint
            .clone()
            .expect("an endpoint to send events to")
    }

    /// Sends the events the last request made, once it is answered.
    pub(super) fn send_outbox(&mut self) {
        deliver_later(self.endpoint.clone(), std::mem::take(&mut self.outbox));
    }
}

/// Sends `events` to `endpoint` (when there is one) after this request,
/// each until the shop answers 2xx or the tries run out.
fn deliver_later(endpoint: Option<String>, events: Vec<Value>) {
    let Some(endpoint) = endpoint.filter(|_| !events.is_empty()) else {
        return;
    };
    tokio::spawn(async move {
        for event in events {
            let mut wait = Duration::from_millis(100);
            for _ in 0..8 {
                if (200..300).contains(&post_signed(&endpoint, &event).await) {
                    break;
                }
                tokio::time::sleep(wait).await;
                wait *= 2;
            }
        }
    });
}

/// Posts `event` to `endpoint`, signed now, as Stripe delivers it; the
/// shop's status (0 when it did not answer).
async fn post_signed(endpoint: &str, event: &Value) -> u16 {
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let (body, signature) = StripeServer::signed_event(event, now);
    crate::http()
        .post(endpoint)
        .header("content-type", "application/json")
        .header("stripe-signature", signature)
        .body(body)
        .send()
        .await
        .map_or(0, |answer| answer.status().as_u16())
}
