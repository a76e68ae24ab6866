//! The `Payments` port on Stripe's PaymentIntents API: an authorisation is a
//! PaymentIntent confirmed with `capture_method=manual`, a capture captures
//! it (once; what it does not take is released), a void cancels it, a refund
//! refunds its charge, and a saved card is a PaymentMethod on a Customer,
//! set up for charges without its owner. Every request carries our
//! idempotency key (`Idempotency-Key`), so a retry after a timeout gets the
//! first answer and charges nothing more.
//!
//! Card numbers never pass through: the browser makes a PaymentMethod with
//! Stripe.js (its Payment Element, with the publishable key that
//! `client_setup` gives), and the adapter sends only its id
//! (`payment_method=pm_…`), as an ordinary account must. Webhooks are verified by
//! `webhook::verify`. A card whose bank asks its holder to confirm the
//! payment (3-D Secure) sends them to the bank's page when they are at hand
//! (`authorize_with_holder`, with the intent's `return_url`), and is declined
//! as `authentication_required`, its intent cancelled, when they are not.
//!
//! Written against API version 2024-06-20 and Stripe's OpenAPI description
//! of it (github.com/stripe/openapi, `openapi/spec3.json`, tag v1267). Since
//! 2023-08-16 every confirmation says where its holder comes back or that
//! none can: a `return_url` at checkout, `off_session=true` for a saved
//! card, no redirects for what the server does alone (`no_redirects`). A
//! lost answer is found again in Stripe's list of intents, never by Search,
//! which lags behind writes (`lookup`).

mod answers;
mod detach;
mod forms;
mod lookup;
mod settings;
/// Stripe's webhook signatures, shared with the simulated gateway.
pub use crate::webhook_signature as webhook;

use async_trait::async_trait;
use bytes::Bytes;
use http_body_util::Full;
use secrecy::ExposeSecret;
use serde_json::Value;

use crate::https::{Failure, HttpsClient, check_base_url};
pub(crate) use answers::event_of;
use answers::{authorization_of, bank_check, failure, saved_card_of, unexpected};
use forms::{no_redirects, path_segment};
use hostfront_core::payments::{
    Authorization, Authorized, Capture, Charge, ClientSetup, EventError, PaymentError,
    PaymentEvent, PaymentMethodId, PaymentSource, Payments, Refund, SavedCard,
};
pub use settings::StripeSettings;

pub struct StripePayments {
    settings: StripeSettings,
    http: HttpsClient,
}

/// The API version the adapter is written against.
const API_VERSION: &str = "2024-06-20";

impl StripePayments {
    pub fn new(settings: StripeSettings) -> Result<StripePayments, String> {
        check_base_url(&settings.api_base)?;
        Ok(StripePayments {
            settings,
            http: HttpsClient::default(),
        })
    }

    async fn send(
        &self,
        method: hyper::Method,
        path: &str,
        form: &[(String, String)],
        idempotency_key: Option<&str>,
    ) -> Result<Value, PaymentError> {
        let body = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(form)
            .finish();
        let mut request = hyper::Request::builder()
            .method(method)
            .uri(format!("{}{path}", self.settings.api_base))
            .header(
                "authorization",
                format!("Bearer {}", self.settings.secret_key.expose_secret()),
            )
            .header("stripe-version", API_VERSION)
            .header("content-type", "application/x-www-form-urlencoded");
        if let Some(key) = idempotency_key {
            request = request.header("idempotency-key", key);
        }
        let request = request
            .body(Full::new(Bytes::from(body)))
            .map_err(|e| PaymentError::Invalid(format!("request: {e}")))?;
        let (status, body) = self
            .http
            .exchange(request, self.settings.timeout)
            .await
            .map_err(|e| match e {
                Failure::TimedOut => {
                    PaymentError::Unavailable("Stripe did not answer in time".into())
                }
                Failure::Transport(e) => PaymentError::Unavailable(format!("Stripe: {e}")),
            })?;
        let answer: Value = serde_json::from_slice(&body)
            .map_err(|_| PaymentError::Unavailable(format!("Stripe answered {status}")))?;
        match status {
            200..=299 => Ok(answer),
            _ => Err(failure(status, &answer["error"])),
        }
    }

    async fn post(
        &self,
        path: &str,
        form: &[(String, String)],
        key: &str,
    ) -> Result<Value, PaymentError> {
        self.send(hyper::Method::POST, path, form, Some(key)).await
    }

    /// Creates and confirms the intent of `charge`. With a `return_url`
    /// the holder is at hand, and a bank that asks them to confirm gets to;
    /// without one, such an intent is cancelled and the card declined.
    async fn confirm(
        &self,
        charge: &Charge,
        return_url: Option<&str>,
    ) -> Result<Authorized, PaymentError> {
        if charge.amount.minor() <= 0 {
            return Err(PaymentError::Invalid("the amount must be positive".into()));
        }
        let mut form = vec![
            ("amount".to_string(), charge.amount.minor().to_string()),
            (
                "currency".into(),
                charge.amount.currency().as_str().to_lowercase(),
            ),
            ("capture_method".into(), "manual".into()),
            ("confirm".into(), "true".into()),
            ("description".into(), charge.reference.clone()),
            ("metadata[reference]".into(), charge.reference.clone()),
            (
                "metadata[hostfront_key]".into(),
                charge.idempotency_key.clone(),
            ),
            ("expand[]".into(), "payment_method".into()),
        ];
        match &charge.source {
            PaymentSource::Method(method) => {
                form.push(("payment_method".into(), method.as_str().into()));
                // Kept for later: attached to a Customer of its own once paid.
                if charge.keep_for_later {
                    let customer = self.new_customer(&charge.idempotency_key).await?;
                    form.push(("customer".into(), customer));
                    form.push(("setup_future_usage".into(), "off_session".into()));
                }
            }
            PaymentSource::Saved(token) => {
                let Some((customer, method)) = token.split_once('.') else {
                    return Err(PaymentError::Invalid(format!("no saved card {token}")));
                };
                form.push(("customer".into(), customer.into()));
                form.push(("payment_method".into(), method.into()));
                form.push(("off_session".into(), "true".into()));
            }
        }
        // Since 2023-08-16 a confirmation needs somewhere to send the holder
        // back to, unless it is off session or allows no redirect.
        match (return_url, &charge.source) {
            (Some(url), _) => form.push(("return_url".into(), url.into())),
            (None, PaymentSource::Saved(_)) => {}
            (None, PaymentSource::Method(_)) => form.extend(no_redirects()),
        }
        let intent = self
            .post("/v1/payment_intents", &form, &charge.idempotency_key)
            .await?;
        match intent["status"].as_str() {
            Some("requires_capture") => authorization_of(&intent)
                .map(Authorized::Held)
                .ok_or_else(|| unexpected("an intent")),
            Some("requires_action") if return_url.is_some() => {
                bank_check(&intent).ok_or_else(|| unexpected("a bank's check"))
            }
            Some("requires_action") => {
                let id = intent["id"].as_str().unwrap_or_default();
                self.cancel(id, &format!("{}-cancel", charge.idempotency_key))
                    .await?;
                Err(PaymentError::Declined {
                    code: "authentication_required".into(),
                    message: "your bank asks you to confirm this payment, which cannot be done without you; pay with the card while you are at hand".into(),
                })
            }
            other => Err(PaymentError::Declined {
                code: "card_declined".into(),
                message: format!(
                    "the payment was not authorised ({})",
                    other.unwrap_or("no status")
                ),
            }),
        }
    }

    /// A Customer to keep a card on, made once per key.
    async fn new_customer(&self, key: &str) -> Result<String, PaymentError> {
        let form = [("description".into(), "Hostfront saved card".into())];
        let customer = self
            .post("/v1/customers", &form, &format!("{key}-customer"))
            .await?;
        customer["id"]
            .as_str()
            .map(String::from)
            .ok_or_else(|| unexpected("a customer"))
    }

    /// Cancels an intent that cannot be captured, so nothing stays reserved.
    async fn cancel(&self, intent: &str, key: &str) -> Result<(), PaymentError> {
        let path = format!("/v1/payment_intents/{}/cancel", path_segment(intent));
        match self.post(&path, &[], key).await {
            Ok(_) => Ok(()),
            // Cancelled already (by an earlier void under another key).
            Err(PaymentError::Invalid(message)) if message.contains("canceled") => Ok(()),
            Err(other) => Err(other),
        }
    }
}

#[async_trait]
impl Payments for StripePayments {
    fn name(&self) -> &'static str {
        "stripe"
    }

    fn event(&self, signature: &str, body: &[u8], now: i64) -> Result<PaymentEvent, EventError> {
        let Some(secret) = &self.settings.webhook_secret else {
            return Err(EventError::NotTaken);
        };
        webhook::verify(
            secret.expose_secret(),
            signature,
            body,
            now,
            webhook::TOLERANCE_SECS,
        )
        .map_err(|e| EventError::BadSignature(e.to_string()))?;
        answers::event_of(body)
    }

    async fn card_saved_by(&self, setup: &str) -> Result<Option<SavedCard>, PaymentError> {
        self.card_of_setup(setup).await
    }

    fn client_setup(&self) -> Option<ClientSetup> {
        let publishable_key = self.settings.publishable_key.clone()?;
        Some(ClientSetup::Stripe { publishable_key })
    }

    async fn save_card(
        &self,
        method: &PaymentMethodId,
        idempotency_key: &str,
    ) -> Result<SavedCard, PaymentError> {
        let customer = self.new_customer(idempotency_key).await?;
        let customer = customer.as_str();
        let mut form = vec![
            ("customer".to_string(), customer.to_string()),
            ("confirm".into(), "true".into()),
            ("usage".into(), "off_session".into()),
            ("expand[]".into(), "payment_method".into()),
            // Names our request in `setup_intent.succeeded`, for when its
            // answer never reaches us.
            ("metadata[hostfront_key]".into(), idempotency_key.into()),
        ];
        form.extend(no_redirects());
        form.push(("payment_method".into(), method.as_str().into()));
        let setup = self
            .post("/v1/setup_intents", &form, idempotency_key)
            .await?;
        if setup["status"] != "succeeded" {
            return Err(PaymentError::Declined {
                code: "authentication_required".into(),
                message:
                    "your bank asks you to confirm this card, which this shop cannot ask for yet"
                        .into(),
            });
        }
        saved_card_of(customer, &setup["payment_method"])
    }

    async fn forget_card(&self, token: &str) -> Result<(), PaymentError> {
        self.detach(token).await
    }

    async fn authorize(&self, charge: &Charge) -> Result<Authorization, PaymentError> {
        match self.confirm(charge, None).await? {
            Authorized::Held(authorization) => Ok(authorization),
            Authorized::Authenticate { .. } => Err(unexpected("an intent held")),
        }
    }

    async fn authorize_with_holder(
        &self,
        charge: &Charge,
        return_url: &str,
    ) -> Result<Authorized, PaymentError> {
        self.confirm(charge, Some(return_url)).await
    }

    async fn authenticated(&self, authorization_id: &str) -> Result<Authorized, PaymentError> {
        let path = format!(
            "/v1/payment_intents/{}?expand[]=payment_method",
            path_segment(authorization_id)
        );
        let intent = self.send(hyper::Method::GET, &path, &[], None).await?;
        match intent["status"].as_str() {
            Some("requires_capture" | "succeeded") => authorization_of(&intent)
                .map(Authorized::Held)
                .ok_or_else(|| unexpected("an intent")),
            Some("requires_action") => {
                bank_check(&intent).ok_or_else(|| unexpected("a bank's check"))
            }
            Some("requires_payment_method") => Err(PaymentError::Declined {
                code: "authentication_failed".into(),
                message: "your bank did not confirm the payment; nothing was charged".into(),
            }),
            other => Err(PaymentError::Declined {
                code: "card_declined".into(),
                message: format!(
                    "the payment was not authorised ({})",
                    other.unwrap_or("no status")
                ),
            }),
        }
    }

    async fn authorization_made_with(
        &self,
        idempotency_key: &str,
    ) -> Result<Option<Authorization>, PaymentError> {
        self.held_with_key(idempotency_key).await
    }

    async fn capture(
        &self,
        authorization_id: &str,
        amount: i64,
        idempotency_key: &str,
    ) -> Result<Capture, PaymentError> {
        let path = format!(
            "/v1/payment_intents/{}/capture",
            path_segment(authorization_id)
        );
        let form = [
            ("amount_to_capture".to_string(), amount.to_string()),
            ("expand[]".into(), "latest_charge".into()),
        ];
        let intent = self.post(&path, &form, idempotency_key).await?;
        Ok(Capture {
            id: intent["latest_charge"]["id"]
                .as_str()
                .ok_or_else(|| unexpected("a charge"))?
                .to_string(),
            authorization_id: authorization_id.to_string(),
            amount: intent["amount_received"].as_i64().unwrap_or(amount),
        })
    }

    async fn void(
        &self,
        authorization_id: &str,
        idempotency_key: &str,
    ) -> Result<(), PaymentError> {
        self.cancel(authorization_id, idempotency_key).await
    }

    async fn reference_of_charge(&self, charge: &str) -> Result<Option<String>, PaymentError> {
        self.reference_of(charge).await
    }

    async fn refund(
        &self,
        capture_id: &str,
        amount: i64,
        idempotency_key: &str,
    ) -> Result<Refund, PaymentError> {
        let form = [
            ("charge".to_string(), capture_id.to_string()),
            ("amount".into(), amount.to_string()),
        ];
        let refund = self.post("/v1/refunds", &form, idempotency_key).await?;
        Ok(Refund {
            id: refund["id"]
                .as_str()
                .ok_or_else(|| unexpected("a refund"))?
                .to_string(),
            capture_id: capture_id.to_string(),
            amount: refund["amount"].as_i64().unwrap_or(amount),
        })
    }
}
