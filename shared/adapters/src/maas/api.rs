//! MAAS's REST API 2.0 as the adapter calls it: `<url>/api/2.0/<path>`,
//! an operation named in the query (`?op=allocate`), parameters in the
//! query for GET and as `multipart/form-data` otherwise, each request
//! signed with OAuth 1.0 PLAINTEXT from the user's API key
//! (`consumer_key:token_key:token_secret`, the consumer secret empty).
//! Answers are JSON; 400 carries `{parameter: [messages]}`, 401 a bad
//! signature, 404 an unknown `system_id`, 409 an allocation nothing
//! matches or an operation the machine's state forbids, each with a text.
//! (canonical.com/maas/docs: "API login", "API v2 reference"; canonical/maas's
//! `src/maasserver/api/machines.py` and `nodes.py`.)

use bytes::Bytes;
use http_body_util::Full;
use secrecy::ExposeSecret;
use serde_json::Value;

use hostfront_core::machines::MachineError;

use super::MaasSettings;
use crate::https::{HttpsClient, check_base_url};
use crate::proxmox::percent_encoded;

pub struct Api {
    http: HttpsClient,
    settings: MaasSettings,
}

/// Why a call did not succeed, as far as the adapter must tell apart.
#[derive(Debug)]
pub enum Fault {
    /// MAAS answered a failure (status, message).
    Answered(u16, String),
    /// No answer, or none we can read.
    Unavailable(String),
}

impl Fault {
    pub fn into_error(self) -> MachineError {
        match self {
            Fault::Answered(401 | 403, message) => MachineError::refused("pool_denied", message),
            Fault::Answered(400, message) => MachineError::refused("invalid_parameters", message),
            Fault::Answered(404, message) => MachineError::refused("no_such_machine", message),
            Fault::Answered(409, message) => MachineError::refused("machine_state", message),
            Fault::Answered(status, message) => {
                MachineError::Unavailable(format!("MAAS answered {status}: {message}"))
            }
            Fault::Unavailable(message) => MachineError::Unavailable(message),
        }
    }
}

/// The message of a failed answer: its parameter errors, or its text.
fn message_of(status: u16, body: &[u8]) -> String {
    if let Ok(Value::Object(errors)) = serde_json::from_slice::<Value>(body) {
        return errors
            .iter()
            .map(|(name, messages)| {
                let said: Vec<&str> = messages
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(Value::as_str)
                    .collect();
                format!("{name}: {}", said.join(" "))
            })
            .collect::<Vec<_>>()
            .join("; ");
    }
    let text = String::from_utf8_lossy(body).trim().to_string();
    if text.is_empty() {
        format!("status {status}")
    } else {
        text
    }
}

/// `params` as a `multipart/form-data` body with `boundary`.
fn multipart(boundary: &str, params: &[(&str, &str)]) -> String {
    let mut body = String::new();
    for (name, value) in params {
        body.push_str(&format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
        ));
    }
    body.push_str(&format!("--{boundary}--\r\n"));
    body
}

impl Api {
    pub fn new(settings: MaasSettings) -> Result<Api, String> {
        check_base_url(&settings.url)?;
        if settings.api_key.expose_secret().split(':').count() != 3 {
            return Err("the API key is not consumer_key:token_key:token_secret".into());
        }
        Ok(Api {
            http: HttpsClient::default(),
            settings,
        })
    }

    pub fn settings(&self) -> &MaasSettings {
        &self.settings
    }

    /// The `Authorization` header of one request: OAuth 1.0 PLAINTEXT,
    /// whose signature is the consumer secret (empty) and the token
    /// secret joined by `&`, with a fresh nonce and timestamp.
    fn authorization(&self) -> String {
        let key = self.settings.api_key.expose_secret();
        let mut parts = key.split(':');
        let (consumer, token, secret) = (
            parts.next().unwrap_or_default(),
            parts.next().unwrap_or_default(),
            parts.next().unwrap_or_default(),
        );
        let timestamp = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0);
        let nonce = fastrand::u64(..);
        format!(
            "OAuth oauth_version=\"1.0\", oauth_signature_method=\"PLAINTEXT\", \
             oauth_consumer_key=\"{}\", oauth_token=\"{}\", oauth_signature=\"{}\", \
             oauth_nonce=\"{nonce}\", oauth_timestamp=\"{timestamp}\"",
            percent_encoded(consumer),
            percent_encoded(token),
            percent_encoded(&format!("&{secret}")),
        )
    }

    /// Calls `method` on `path` (`machines/`, `machines/abc123/`), with
    /// the operation `op` if any, and reads its JSON answer (`null` when
    /// it has none).
    pub async fn call(
        &self,
        method: &str,
        path: &str,
        op: Option<&str>,
        params: &[(&str, &str)],
    ) -> Result<Value, Fault> {
        let in_query = method == "GET";
        let query = {
            let mut query = form_urlencoded::Serializer::new(String::new());
            if let Some(op) = op {
                query.append_pair("op", op);
            }
            if in_query {
                query.extend_pairs(params);
            }
            query.finish()
        };
        let mut uri = format!("{}/api/2.0/{path}", self.settings.url);
        if !query.is_empty() {
            uri = format!("{uri}?{query}");
        }
        let boundary = format!("hostfront-{:016x}", fastrand::u64(..));
        let body = if in_query {
            String::new()
        } else {
            multipart(&boundary, params)
        };
        let request = hyper::Request::builder()
            .method(method)
            .uri(uri)
            .header("authorization", self.authorization())
            .header("accept", "application/json")
            .header(
                "content-type",
                format!("multipart/form-data; boundary={boundary}"),
            )
            .body(Full::new(Bytes::from(body)))
            .map_err(|e| Fault::Unavailable(format!("request: {e}")))?;
        let (status, body) = self
            .http
            .exchange(request, self.settings.timeout)
            .await
            .map_err(|e| Fault::Unavailable(e.of("MAAS")))?;
        if !(200..300).contains(&status) {
            return Err(Fault::Answered(status, message_of(status, &body)));
        }
        if body.is_empty() {
            return Ok(Value::Null);
        }
        serde_json::from_slice(&body)
            .map_err(|_| Fault::Unavailable("MAAS answered something not JSON".into()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failures_say_which_parameter() {
        let body = br#"{"hostname": ["Invalid hostname: a label is too long."]}"#;
        assert_eq!(
            message_of(400, body),
            "hostname: Invalid hostname: a label is too long."
        );
        assert_eq!(
            message_of(409, b"No machine available."),
            "No machine available."
        );
    }

    #[test]
    fn parameters_are_parts_of_a_multipart_body() {
        assert_eq!(
            multipart("b", &[("erase", "true")]),
            "--b\r\nContent-Disposition: form-data; name=\"erase\"\r\n\r\ntrue\r\n--b--\r\n"
        );
    }
}
