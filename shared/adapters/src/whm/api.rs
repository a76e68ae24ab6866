//! WHM's JSON API as the adapter calls it: WHM API 1 functions, and the
//! cPanel APIs (UAPI, cPanel API 2) run as an account's user through WHM.
//! Every call is a GET to `https://<server>:2087/json-api/<function>` with
//! `Authorization: whm <user>:<token>`; WHM answers 200 whether or not the
//! function succeeded, and says which in the answer's own fields.

use bytes::Bytes;
use http_body_util::Full;
use serde_json::Value;

use super::WhmSettings;
use hostfront_core::panel::PanelError;

use crate::https::{HttpsClient, check_base_url};

/// Why a call did not succeed.
#[derive(Debug)]
pub enum Fault {
    /// The function ran and said no, with WHM's reason.
    Refused(String),
    /// The server refused us (no token for it, or a wrong one): people
    /// must fix the configuration; nothing was asked.
    Denied(String),
    /// No answer, or not one we can read: worth retrying.
    Unavailable(String),
}

impl Fault {
    /// What the port says of it, with `code` for a refusal.
    pub fn into_panel_error(self, code: &str) -> PanelError {
        match self {
            Fault::Refused(message) => PanelError::Refused {
                code: code.into(),
                message,
            },
            Fault::Denied(message) => PanelError::Refused {
                code: "panel_denied".into(),
                message,
            },
            Fault::Unavailable(message) => PanelError::Unavailable(message),
        }
    }
}

pub struct Api {
    http: HttpsClient,
    settings: WhmSettings,
}

impl Api {
    pub fn new(settings: WhmSettings) -> Result<Api, String> {
        check_base_url(&settings.url.replace("{server}", "server.example"))?;
        Ok(Api {
            http: HttpsClient::default(),
            settings,
        })
    }

    pub fn settings(&self) -> &WhmSettings {
        &self.settings
    }

    /// Runs `function` on `server` (`web1.example.net`) and reads its answer.
    async fn get(
        &self,
        server: &str,
        function: &str,
        params: &[(&str, &str)],
    ) -> Result<Value, Fault> {
        let label = server.split('.').next().unwrap_or_default();
        let token = self.settings.token(label).ok_or_else(|| {
            Fault::Denied(format!("HOSTFRONT_WHM_TOKENS has no token for {label}"))
        })?;
        let query = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(params)
            .finish();
        let base = self.settings.url.replace("{server}", server);
        let request = hyper::Request::get(format!("{base}/json-api/{function}?{query}"))
            .header(
                "authorization",
                format!("whm {}:{token}", self.settings.user),
            )
            .body(Full::new(Bytes::new()))
            .map_err(|e| Fault::Denied(format!("request: {e}")))?;
        let (status, body) = self
            .http
            .exchange(request, self.settings.timeout)
            .await
            .map_err(|e| Fault::Unavailable(e.of(server)))?;
        match status {
            200 => serde_json::from_slice(&body)
                .map_err(|_| Fault::Unavailable(format!("{server} answered something not JSON"))),
            // A token that is wrong or lacks the privilege: people must fix it.
            401 | 403 => Err(Fault::Denied(format!(
                "{server} refused the API token ({status})"
            ))),
            _ => Err(Fault::Unavailable(format!("{server} answered {status}"))),
        }
    }

    /// A WHM API 1 function: its `data` when `metadata.result` is 1.
    pub async fn whm(
        &self,
        server: &str,
        function: &str,
        params: &[(&str, &str)],
    ) -> Result<Value, Fault> {
        let mut all = vec![("api.version", "1")];
        all.extend_from_slice(params);
        let answer = self.get(server, function, &all).await?;
        match answer["metadata"]["result"].as_i64() {
            Some(1) => Ok(answer["data"].clone()),
            Some(_) => Err(Fault::Refused(
                answer["metadata"]["reason"]
                    .as_str()
                    .unwrap_or("refused")
                    .to_string(),
            )),
            None => Err(Fault::Unavailable(format!(
                "{server}: {function} answered without a result"
            ))),
        }
    }

    /// A UAPI function run as `user`: its `data` when its `status` is 1.
    pub async fn uapi(
        &self,
        server: &str,
        user: &str,
        module: &str,
        function: &str,
        params: &[(&str, &str)],
    ) -> Result<Value, Fault> {
        let mut all = vec![
            ("cpanel.user", user),
            ("cpanel.module", module),
            ("cpanel.function", function),
        ];
        all.extend_from_slice(params);
        let data = self.whm(server, "uapi_cpanel", &all).await?;
        let uapi = &data["uapi"];
        match uapi["status"].as_i64() {
            Some(1) => Ok(uapi["data"].clone()),
            Some(_) => Err(Fault::Refused(joined(&uapi["errors"]))),
            None => Err(Fault::Unavailable(format!(
                "{server}: {module}::{function} answered without a status"
            ))),
        }
    }

    /// A cPanel API 2 function run as `user` (addon domains have no UAPI).
    pub async fn api2(
        &self,
        server: &str,
        user: &str,
        module: &str,
        function: &str,
        params: &[(&str, &str)],
    ) -> Result<(), Fault> {
        let mut all = vec![
            ("cpanel_jsonapi_user", user),
            ("cpanel_jsonapi_apiversion", "2"),
            ("cpanel_jsonapi_module", module),
            ("cpanel_jsonapi_func", function),
        ];
        all.extend_from_slice(params);
        let answer = self.get(server, "cpanel", &all).await?;
        let result = &answer["cpanelresult"];
        if let Some(error) = result["error"].as_str() {
            return Err(Fault::Refused(error.to_string()));
        }
        match result["data"][0]["result"].as_i64() {
            Some(1) => Ok(()),
            Some(_) => Err(Fault::Refused(
                result["data"][0]["reason"]
                    .as_str()
                    .unwrap_or("refused")
                    .to_string(),
            )),
            None => Err(Fault::Unavailable(format!(
                "{server}: {module}::{function} answered without a result"
            ))),
        }
    }
}

/// UAPI's list of errors as one message.
fn joined(errors: &Value) -> String {
    match errors.as_array() {
        Some(list) if !list.is_empty() => list
            .iter()
            .filter_map(Value::as_str)
            .collect::<Vec<_>>()
            .join("; "),
        _ => "refused".into(),
    }
}
