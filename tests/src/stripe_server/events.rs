//! The events the stand-in sends to the shop's webhook endpoint, signed as
//! Stripe signs them (`Stripe-Signature`, HMAC-SHA256 of `<t>.<body>` under
//! the endpoint's secret), each about a change of its own state: so far the
//! card updater's new expiry of a card (`payment_method.automatically_updated`,
//! whose object is the PaymentMethod as it is now).

use serde_json::{Value, json};

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
            let id = account.id("evt");
            let created = time::OffsetDateTime::now_utc().unix_timestamp();
            let event = json!({"id": id, "object": "event", "type": "payment_method.automatically_updated",
                "created": created, "api_version": super::API_VERSION, "data": {"object": object}});
            (
                event,
                account
                    .endpoint
                    .clone()
                    .expect("an endpoint to send events to"),
            )
        };
        let status = self.send(&endpoint, &event).await;
        (event, status)
    }

    /// Posts `event` to `endpoint`, signed now, as Stripe delivers it.
    pub async fn send(&self, endpoint: &str, event: &Value) -> u16 {
        let now = time::OffsetDateTime::now_utc().unix_timestamp();
        let (body, signature) = StripeServer::signed_event(event, now);
        crate::http()
            .post(endpoint)
            .header("content-type", "application/json")
            .header("stripe-signature", signature)
            .body(body)
            .send()
            .await
            .expect("the shop answers")
            .status()
            .as_u16()
    }
}
