//! Proxmox VE's REST API as the adapter calls it: `<url>/api2/json/<path>`
//! with `Authorization: PVEAPIToken=USER@REALM!TOKENID=SECRET`, parameters
//! form-encoded, answers in a `{"data": …}` envelope; 400 carries
//! `{"errors": {parameter: message}}`, other failures a `message`.
//! Long operations answer a task id (UPID) whose status is polled at
//! `GET /nodes/{node}/tasks/{upid}/status` until it is `stopped`, with an
//! `exitstatus` of `OK` when it succeeded.
//! (pve.proxmox.com/pve-docs/api-viewer, and pve-manager's PVE/API2.)

use std::time::Duration;

use bytes::Bytes;
use hostfront_core::hypervisor::HypervisorError;
use http_body_util::Full;
use secrecy::ExposeSecret;
use serde_json::Value;

use super::ProxmoxSettings;
use crate::https::{HttpsClient, check_base_url};

pub struct Api {
    http: HttpsClient,
    settings: ProxmoxSettings,
}

/// Why a call did not succeed, as far as the adapter must tell apart.
#[derive(Debug)]
pub enum Fault {
    /// Proxmox answered a failure (status, message).
    Answered(u16, String),
    /// No answer, or none we can read.
    Unavailable(String),
}

impl Fault {
    pub fn into_error(self) -> HypervisorError {
        match self {
            Fault::Answered(401 | 403, message) => {
                HypervisorError::refused("hypervisor_denied", message)
            }
            Fault::Answered(400, message) => {
                HypervisorError::refused("invalid_parameters", message)
            }
            Fault::Answered(status, message) => {
                HypervisorError::Unavailable(format!("Proxmox answered {status}: {message}"))
            }
            Fault::Unavailable(message) => HypervisorError::Unavailable(message),
        }
    }
}

/// Percent-encodes everything but RFC 3986's unreserved characters, as
/// Proxmox wants `sshkeys` (it decodes it with `uri_unescape`, which
/// leaves a `+` a plus).
pub fn percent_encoded(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The message of a failed answer: its parameter errors, or its message.
fn message_of(status: u16, body: &[u8]) -> String {
    let answer: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
    if let Some(errors) = answer["errors"].as_object() {
        return errors
            .iter()
            .map(|(name, message)| format!("{name}: {}", message.as_str().unwrap_or("invalid")))
            .collect::<Vec<_>>()
            .join("; ");
    }
    answer["message"]
        .as_str()
        .map(|m| m.trim().to_string())
        .unwrap_or_else(|| format!("status {status}"))
}

impl Api {
    pub fn new(settings: ProxmoxSettings) -> Result<Api, String> {
        check_base_url(&settings.url)?;
        Ok(Api {
            http: HttpsClient::default(),
            settings,
        })
    }

    pub fn settings(&self) -> &ProxmoxSettings {
        &self.settings
    }

    /// Calls `method` on `path` with `params` (in the query for GET and
    /// DELETE, form-encoded in the body otherwise) and reads its `data`.
    pub async fn call(
        &self,
        method: &str,
        path: &str,
        params: &[(&str, &str)],
    ) -> Result<Value, Fault> {
        let encoded = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(params)
            .finish();
        let in_query = matches!(method, "GET" | "DELETE");
        let mut uri = format!("{}/api2/json{path}", self.settings.url);
        if in_query && !encoded.is_empty() {
            uri = format!("{uri}?{encoded}");
        }
        let body = if in_query { String::new() } else { encoded };
        let token = format!(
            "PVEAPIToken={}={}",
            self.settings.token_id,
            self.settings.token_secret.expose_secret()
        );
        let request = hyper::Request::builder()
            .method(method)
            .uri(uri)
            .header("authorization", token)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(Full::new(Bytes::from(body)))
            .map_err(|e| Fault::Unavailable(format!("request: {e}")))?;
        let (status, body) = self
            .http
            .exchange(request, self.settings.timeout)
            .await
            .map_err(|e| Fault::Unavailable(e.of("Proxmox")))?;
        if status != 200 {
            return Err(Fault::Answered(status, message_of(status, &body)));
        }
        let answer: Value = serde_json::from_slice(&body)
            .map_err(|_| Fault::Unavailable("Proxmox answered something not JSON".into()))?;
        Ok(answer["data"].clone())
    }

    /// Waits for the task a call answered, if it answered one (a UPID);
    /// a task that ends other than `OK` is a refusal with its exit status.
    pub async fn wait(&self, node: &str, answer: &Value) -> Result<(), HypervisorError> {
        let Some(upid) = answer.as_str().filter(|a| a.starts_with("UPID:")) else {
            return Ok(());
        };
        let path = format!("/nodes/{node}/tasks/{}/status", percent_encoded(upid));
        let deadline = tokio::time::Instant::now() + self.settings.task_timeout;
        let mut pause = Duration::from_millis(25);
        loop {
            let status = self
                .call("GET", &path, &[])
                .await
                .map_err(Fault::into_error)?;
            if status["status"] == "stopped" {
                return match status["exitstatus"].as_str() {
                    Some("OK") => Ok(()),
                    other => Err(HypervisorError::refused(
                        "task_failed",
                        format!("the task {upid} ended: {}", other.unwrap_or("unknown")),
                    )),
                };
            }
            if tokio::time::Instant::now() >= deadline {
                return Err(HypervisorError::Unavailable(format!(
                    "the task {upid} did not finish in time"
                )));
            }
            tokio::time::sleep(pause).await;
            pause = (pause * 2).min(Duration::from_secs(2));
        }
    }

    /// Calls and waits for the task it starts.
    pub async fn run(
        &self,
        method: &str,
        node: &str,
        path: &str,
        params: &[(&str, &str)],
    ) -> Result<(), HypervisorError> {
        let answer = self
            .call(method, path, params)
            .await
            .map_err(Fault::into_error)?;
        self.wait(node, &answer).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_percent_encoded_with_spaces_as_percent_20() {
        assert_eq!(
            percent_encoded("ssh-ed25519 AB+/= c@d"),
            "ssh-ed25519%20AB%2B%2F%3D%20c%40d"
        );
    }

    #[test]
    fn failures_say_which_parameter() {
        let body = br#"{"data":null,"errors":{"sshkeys":"invalid format"}}"#;
        assert_eq!(message_of(400, body), "sshkeys: invalid format");
        assert_eq!(
            message_of(500, br#"{"data":null,"message":"VM 100 already exists\n"}"#),
            "VM 100 already exists"
        );
    }
}
