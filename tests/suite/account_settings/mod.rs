//! What a customer changes on their account, over real HTTP: a forgotten
//! password, the password, the email, the name and country, and two-step
//! login.

mod changes;
mod email;
mod reset;
mod two_step;

use hostfront::audit::{self, AuditQuery};
use hostfront::mail::MailKind;
use hostfront_tests::{App, http, link_tokens, unique};
use serde_json::{Value, json};

pub const PASSWORD: &str = "correct horse battery";

/// A fresh address, so that no other test's mail is mistaken for this one's.
pub fn address(name: &str) -> String {
    format!("{}@example.com", unique(name))
}

/// The status, the session cookie set (its `name=value`), and the body.
pub async fn send(
    app: &App,
    method: reqwest::Method,
    path: &str,
    body: Value,
    cookie: Option<&str>,
) -> (u16, Option<String>, Value) {
    let mut request = http().request(method, app.url(path)).json(&body);
    if let Some(cookie) = cookie {
        request = request.header("cookie", cookie);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let cookie = response
        .headers()
        .get("set-cookie")
        .map(|c| c.to_str().unwrap().split(';').next().unwrap().to_string());
    (status, cookie, response.json().await.unwrap_or(Value::Null))
}

pub async fn post(app: &App, path: &str, body: Value) -> (u16, Value) {
    let (status, _, body) = send(app, reqwest::Method::POST, path, body, None).await;
    (status, body)
}

/// Logs in; the session cookie, or the refusal's status.
pub async fn login(app: &App, email: &str, password: &str) -> Result<String, u16> {
    let body = json!({"email": email, "password": password});
    match send(app, reqwest::Method::POST, "/api/login", body, None).await {
        (200, Some(cookie), _) => Ok(cookie),
        (status, _, _) => Err(status),
    }
}

/// The status of `/api/me` with `cookie`, and the customer.
pub async fn me(app: &App, cookie: &str) -> (u16, Value) {
    let (status, _, body) = app.get_with("/api/me", &[("cookie", cookie)]).await;
    (status, body)
}

/// The tokens of the links of `kind` mailed to `email`, oldest first.
pub async fn tokens(app: &App, email: &str, kind: MailKind, fragment: &str) -> Vec<String> {
    link_tokens(&app.ports, email, kind, fragment).await
}

/// The actions audited about the customer `id`, newest first.
pub async fn audited(app: &App, id: &str) -> Vec<String> {
    let id = hostfront::CustomerId::new(id);
    audit::read(app.ports.table.as_ref(), AuditQuery::Customer(&id), 50)
        .await
        .unwrap()
        .into_iter()
        .map(|entry| entry.action)
        .collect()
}

/// The error code of a refusal.
pub fn code(body: &Value) -> &str {
    body["error"]["code"].as_str().unwrap_or("")
}
