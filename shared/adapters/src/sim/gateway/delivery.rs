//! Delivering the simulated provider's events as Stripe does: a POST of
//! the event to the endpoint, signed at the moment it is sent; anything
//! but a 2xx answer (or no answer) is tried again later, waiting longer
//! each time, for up to three days. An event may so arrive twice (an
//! answer lost after it was taken): the shop takes each event id once.

use std::time::Duration;

use bytes::Bytes;
use http_body_util::Full;

use hostfront_core::payments::PaymentError;
use hostfront_core::payments::sim_dashboard::Deliveries;
use hostfront_core::store::{Condition, Item, ItemExt, TableError, Update};

use super::events::event_key;
use super::{SimulatedGateway, storage};
use crate::webhook_signature;

/// How long a delivery may take before it counts as failed.
const TIMEOUT: Duration = Duration::from_secs(10);
/// The first wait after a failed delivery; each next one doubles, up to `LONGEST_WAIT_SECS`.
const FIRST_WAIT_SECS: i64 = 10;
const LONGEST_WAIT_SECS: i64 = 3600;
/// How long an event is tried (Stripe: three days, in live mode).
const GIVE_UP_AFTER_SECS: i64 = 3 * 86_400;

/// The wait before the next try, after `attempts` failed deliveries.
pub(super) fn wait_after(attempts: u32) -> i64 {
    let doublings = attempts.saturating_sub(1).min(20);
    (FIRST_WAIT_SECS << doublings).min(LONGEST_WAIT_SECS)
}

impl SimulatedGateway {
    /// Sends every pending event whose time has come to `endpoint`.
    pub(super) async fn deliver(&self, endpoint: &str) -> Result<Deliveries, PaymentError> {
        let now = self.clock.now_secs();
        let due: Vec<Item> = self
            .events()
            .await
            .map_err(storage)?
            .into_iter()
            .filter(|e| e.str_attr("state") == Some("pending"))
            .filter(|e| e.i64_attr("next_attempt").unwrap_or(0) <= now)
            .collect();
        let mut done = Deliveries::default();
        // Oldest first, as they were made.
        for event in due.iter().rev() {
            match self.post(endpoint, event).await {
                Ok(()) => done.delivered += 1,
                Err(why) => {
                    tracing::info!(event = event.str_attr("event_id"), %why, "a simulated event was not taken; it is sent again later");
                    done.failed += 1;
                }
            }
        }
        Ok(done)
    }

    /// Sends `event` once and records how it went.
    async fn post(&self, endpoint: &str, event: &Item) -> Result<(), String> {
        let secret = self.event_secret().await.map_err(|e| e.to_string())?;
        let body = event.str_attr("body").unwrap_or_default().to_string();
        let now = self.clock.now_secs();
        let signature = webhook_signature::sign(secret, body.as_bytes(), now);
        let request = hyper::Request::post(endpoint)
            .header("content-type", "application/json; charset=utf-8")
            .header("stripe-signature", signature)
            .header(
                "user-agent",
                "Stripe/1.0 (+https://stripe.com/docs/webhooks)",
            )
            .body(Full::new(Bytes::from(body)))
            .map_err(|e| format!("request: {e}"))?;
        let outcome = match self.http.exchange(request, TIMEOUT).await {
            Ok((status, _)) if (200..300).contains(&status) => Ok(()),
            Ok((status, _)) => Err(format!("answered {status}")),
            Err(failure) => Err(failure.to_string()),
        };
        self.record_attempt(event, now, outcome.clone())
            .await
            .map_err(|e| e.to_string())?;
        outcome
    }

    /// Marks `event` delivered, or schedules its next try (or gives up
    /// after three days). A delivery recorded meanwhile by another
    /// process stands.
    async fn record_attempt(
        &self,
        event: &Item,
        now: i64,
        outcome: Result<(), String>,
    ) -> Result<(), TableError> {
        let attempts = event.i64_attr("attempts").unwrap_or(0);
        let tried = u32::try_from(attempts + 1).unwrap_or(u32::MAX);
        let created = event.i64_attr("created").unwrap_or(now);
        let update = match outcome {
            Ok(()) => Update::new().set("state", "delivered"),
            Err(why) if now - created >= GIVE_UP_AFTER_SECS => {
                Update::new().set("state", "failed").set("last_error", why)
            }
            Err(why) => Update::new()
                .set("next_attempt", now + wait_after(tried))
                .set("last_error", why),
        };
        let id = event.str_attr("event_id").unwrap_or_default();
        let unchanged = Condition::eq("state", "pending").and(Condition::eq("attempts", attempts));
        match self
            .table
            .update(
                &event_key(id),
                update.set("attempts", attempts + 1),
                Some(unchanged),
            )
            .await
        {
            Ok(_) | Err(TableError::ConditionFailed) => Ok(()),
            Err(other) => Err(other),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::wait_after;

    #[test]
    fn each_wait_doubles_up_to_an_hour() {
        assert_eq!(wait_after(1), 10);
        assert_eq!(wait_after(2), 20);
        assert_eq!(wait_after(3), 40);
        assert_eq!(wait_after(10), 3600);
        assert_eq!(wait_after(u32::MAX), 3600);
    }
}
