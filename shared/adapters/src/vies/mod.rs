//! The `TaxIds` port on VIES, the European Commission's VAT Information
//! Exchange System, through its REST API: `POST /check-vat-number` with the
//! number's member-state code and national number, and our own VAT number as
//! the requester when one is configured, for which VIES gives each answer a
//! consultation number (`requestIdentifier`) we keep as evidence.
//!
//! Written against the Commission's description of the API
//! (`swagger_publicVAT.yaml`, "Vies on-the-Web Endpoint" 1.0.0, kept in
//! `tests/specs/vies/`) and the error codes and test numbers its test service
//! documents (`answers`). A refusal comes back as `errorWrappers`; the
//! description gives it the status 400 or 500, and the adapter reads it
//! whatever the status, 200 included.
//!
//! Nothing is logged here: an error names the member state and VIES's code,
//! never the number or the name and address VIES returns.

mod answers;
mod settings;

use std::sync::Arc;

use async_trait::async_trait;
use bytes::Bytes;
use http_body_util::Full;
use serde_json::json;

use crate::https::{Failure, HttpsClient, check_base_url};
use hostfront_core::clock::Clock;
use hostfront_core::tax_ids::{TaxIdError, TaxIds, VatCheck, VatNumber};

pub(crate) use answers::{TEST_SERVICE_ERRORS, refusal};
pub use settings::{DEFAULT_URL, ViesSettings};

pub struct ViesTaxIds {
    settings: ViesSettings,
    clock: Arc<dyn Clock>,
    http: HttpsClient,
}

impl ViesTaxIds {
    /// The adapter; refuses a URL that is neither `https://` nor loopback.
    pub fn new(settings: ViesSettings, clock: Arc<dyn Clock>) -> Result<ViesTaxIds, String> {
        check_base_url(&settings.url)?;
        Ok(ViesTaxIds {
            settings,
            clock,
            http: HttpsClient::default(),
        })
    }

    /// The request's body: the number, and our own when configured.
    fn body(&self, number: &VatNumber) -> serde_json::Value {
        let mut body = json!({
            "countryCode": number.country(),
            "vatNumber": number.number(),
        });
        if let Some(requester) = &self.settings.requester {
            body["requesterMemberStateCode"] = json!(requester.country());
            body["requesterNumber"] = json!(requester.number());
        }
        body
    }
}

#[async_trait]
impl TaxIds for ViesTaxIds {
    fn name(&self) -> &'static str {
        "vies"
    }

    async fn check(&self, number: &VatNumber) -> Result<VatCheck, TaxIdError> {
        let url = format!(
            "{}/check-vat-number",
            self.settings.url.trim_end_matches('/')
        );
        let request = hyper::Request::post(url)
            .header("content-type", "application/json")
            .header("accept", "application/json")
            .body(Full::new(Bytes::from(self.body(number).to_string())))
            .map_err(|e| TaxIdError::Misconfigured(format!("the VIES request: {e}")))?;
        let country = number.country();
        let (status, body) = self
            .http
            .exchange(request, self.settings.timeout)
            .await
            .map_err(|failure| match failure {
                Failure::TimedOut => {
                    TaxIdError::Unavailable(format!("VIES did not answer in time for {country}"))
                }
                Failure::Transport(e) => TaxIdError::Unavailable(format!("VIES: {e}")),
            })?;
        answers::check_of(number, status, &body, self.clock.now())
    }
}
