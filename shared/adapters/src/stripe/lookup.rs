//! What an earlier request made, found again after its answer was lost,
//! or when an event names it only.

use serde_json::Value;

use super::{StripePayments, answers, authorization_of, path_segment};
use hostfront_core::payments::{Authorization, PaymentError, SavedCard};

impl StripePayments {
    /// The card SetupIntent `setup` keeps on its Customer, once it succeeded.
    pub(super) async fn card_of_setup(
        &self,
        setup: &str,
    ) -> Result<Option<SavedCard>, PaymentError> {
        let path = format!(
            "/v1/setup_intents/{}?expand[]=payment_method",
            path_segment(setup)
        );
        let setup = self.send(hyper::Method::GET, &path, &[], None).await?;
        match (setup["status"].as_str(), setup["customer"].as_str()) {
            (Some("succeeded"), Some(customer)) => {
                answers::saved_card_of(customer, &setup["payment_method"]).map(Some)
            }
            _ => Ok(None),
        }
    }

    /// The authorisation the intent made with `idempotency_key` holds (or
    /// held, if captured), read from Stripe's list of the intents made since
    /// a hold could still be on a card, newest first: a list shows an
    /// intent the moment it is made. Search would not do: Stripe's OpenAPI
    /// description for 2024-06-20 says not to use it "in read-after-write
    /// flows where strict consistency is necessary" (it is "less than a
    /// minute" behind normally, up to an hour during outages), and it is not
    /// available to merchants in India.
    pub(super) async fn held_with_key(
        &self,
        idempotency_key: &str,
    ) -> Result<Option<Authorization>, PaymentError> {
        let since = unix_now() - HOLDS_FOR_SECS;
        let mut after: Option<String> = None;
        loop {
            let page = self.intents_since(since, after.as_deref()).await?;
            let intents = page["data"].as_array().map(Vec::as_slice).unwrap_or(&[]);
            let made = intents.iter().find(|intent| {
                intent["metadata"]["hostfront_key"].as_str() == Some(idempotency_key)
                    && matches!(
                        intent["status"].as_str(),
                        Some("requires_capture" | "succeeded")
                    )
            });
            if let Some(intent) = made {
                return Ok(authorization_of(intent));
            }
            match (page["has_more"].as_bool(), intents.last()) {
                (Some(true), Some(last)) => {
                    after = Some(last["id"].as_str().unwrap_or_default().to_string());
                }
                _ => return Ok(None),
            }
        }
    }

    /// The reference charge `charge` paid for, read from the charge with
    /// its PaymentIntent expanded (`GET /v1/charges/<id>`): the charge's
    /// own `metadata[reference]` or description when it carries them, else
    /// the intent's, which this adapter always sets (the Charge object's
    /// `payment_intent` is documented as expandable); None for a charge
    /// Stripe does not know.
    pub(super) async fn reference_of(&self, charge: &str) -> Result<Option<String>, PaymentError> {
        let path = format!(
            "/v1/charges/{}?expand[]=payment_intent",
            path_segment(charge)
        );
        match self.send(hyper::Method::GET, &path, &[], None).await {
            Ok(charge) => Ok(answers::charge_reference(&charge)
                .or_else(|| answers::charge_reference(&charge["payment_intent"]))),
            Err(PaymentError::Unavailable(message)) => Err(PaymentError::Unavailable(message)),
            Err(_) => Ok(None),
        }
    }

    /// A page of up to 100 intents made at `since` (unix seconds) or later,
    /// newest first, after the intent `after`.
    async fn intents_since(&self, since: i64, after: Option<&str>) -> Result<Value, PaymentError> {
        let mut query = vec![
            ("limit", "100".to_string()),
            ("created[gte]", since.to_string()),
            ("expand[]", "data.payment_method".to_string()),
        ];
        if let Some(after) = after {
            query.push(("starting_after", path_segment(after)));
        }
        let query = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(query)
            .finish();
        let path = format!("/v1/payment_intents?{query}");
        self.send(hyper::Method::GET, &path, &[], None).await
    }
}

/// How far back a hold can still be on a card: Stripe cancels an
/// uncaptured online card payment after 7 days (its guide to placing a
/// hold), and a day more covers the time it takes to.
const HOLDS_FOR_SECS: i64 = 8 * 24 * 3600;

fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |since| since.as_secs() as i64)
}
