//! Development tools, mounted only by the local server and only when a
//! setting turns them on (`HOSTFRONT_DEV_TOOLS`); never on Lambda, never in
//! the API description: the outbox of sent mail, the simulated DNS, where
//! a developer publishes the TXT record that proves a domain is theirs, and the
//! simulated panel, changed as its admins would (`dev/panel.rs`). They answer only a caller on this machine: the TCP
//! peer itself must be a loopback address (forwarding headers are not read)
//! and the `Host` must name this machine, so a page elsewhere cannot reach
//! them through a browser on it by DNS rebinding.

mod panel;

use std::net::SocketAddr;

use axum::Json;
use axum::Router;
use axum::extract::Path;
use axum::extract::{ConnectInfo, FromRequestParts, State};
use axum::http::StatusCode;
use axum::http::header;
use axum::http::request::Parts;
use axum::routing::{get, post, put};

use super::AppState;
use super::error::{ApiError, ApiJson};
use hostfront_core::Ports;
use hostfront_core::mail::{self, Mail};
use hostfront_core::registrar::{Drift, RegistrarError};
use hostfront_core::resolver::Pointing;

/// A request from this machine, to this machine.
pub struct LocalCaller;

impl FromRequestParts<AppState> for LocalCaller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &AppState) -> Result<Self, ApiError> {
        let peer_is_local = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .is_some_and(|ConnectInfo(peer)| peer.ip().to_canonical().is_loopback());
        let host = parts
            .headers
            .get(header::HOST)
            .and_then(|h| h.to_str().ok())
            .unwrap_or("");
        if peer_is_local && is_loopback_host(host) {
            Ok(LocalCaller)
        } else {
            Err(ApiError::not_found("no such API route"))
        }
    }
}

/// `localhost`, `127.0.0.1`, `[::1]` and other loopback addresses, with or without a port.
pub fn is_loopback_host(host: &str) -> bool {
    let name = match host.rsplit_once(':') {
        Some((name, port))
            if !name.is_empty()
                && port.chars().all(|c| c.is_ascii_digit())
                && !name.ends_with(':') =>
        {
            name
        }
        _ => host,
    };
    let name = name.trim_start_matches('[').trim_end_matches(']');
    name.eq_ignore_ascii_case("localhost")
        || name
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.to_canonical().is_loopback())
}

/// The mail the product sent, newest first: every customer's.
async fn outbox(
    State(state): State<AppState>,
    _: LocalCaller,
) -> Result<Json<Vec<Mail>>, ApiError> {
    // The table keeps mails with their secrets withheld; this page shows
    // them as the development mailbox received them.
    let folder = &state.ports.config.mailbox_folder;
    let mails = mail::outbox(&state.ports, 100).await?;
    Ok(Json(
        mails
            .into_iter()
            .map(|m| hostfront_core::mailbox::delivered(folder, m))
            .collect(),
    ))
}

#[derive(serde::Deserialize)]
struct Txt {
    txt: Vec<String>,
}

fn simulated_dns(state: &AppState) -> Result<&dyn hostfront_core::resolver::EditableDns, ApiError> {
    state
        .ports
        .simulated_dns
        .as_deref()
        .ok_or_else(|| ApiError::not_found("the DNS here is not simulated"))
}

/// Publishes TXT records of `name` in the simulated DNS.
async fn publish_txt(
    State(state): State<AppState>,
    _: LocalCaller,
    Path(name): Path<String>,
    ApiJson(record): ApiJson<Txt>,
) -> Result<StatusCode, ApiError> {
    simulated_dns(&state)?
        .publish_txt(&name, &record.txt)
        .await
        .map_err(|e| ApiError::unavailable(e.to_string()))?;
    Ok(StatusCode::NO_CONTENT)
}

/// Makes a change happen at the simulated registry behind Hostfront's back
/// (renewed elsewhere, transferred away, deleted, new nameservers), for the
/// daily registry sync to find.
async fn drift(
    State(state): State<AppState>,
    _: LocalCaller,
    Path(name): Path<String>,
    ApiJson(drift): ApiJson<Drift>,
) -> Result<StatusCode, ApiError> {
    let registry = state
        .ports
        .simulated_registry
        .as_ref()
        .ok_or_else(|| ApiError::not_found("the registry here is not simulated"))?;
    match registry.drift(&name, &drift).await {
        Ok(()) => Ok(StatusCode::NO_CONTENT),
        Err(RegistrarError::NotFound(_)) => Err(ApiError::not_found(
            "the registry holds no such domain for us",
        )),
        Err(other) => Err(ApiError::unavailable(other.to_string())),
    }
}

/// Points a domain somewhere else in the simulated DNS (`{"nameservers": [...],
/// "addresses": [...]}`), or back where its zone says (`DELETE`).
async fn point(
    State(state): State<AppState>,
    _: LocalCaller,
    Path(name): Path<String>,
    ApiJson(pointing): ApiJson<Pointing>,
) -> Result<StatusCode, ApiError> {
    repoint(&state, &name, Some(&pointing)).await
}

async fn point_back(
    State(state): State<AppState>,
    _: LocalCaller,
    Path(name): Path<String>,
) -> Result<StatusCode, ApiError> {
    repoint(&state, &name, None).await
}

async fn repoint(
    state: &AppState,
    name: &str,
    pointing: Option<&Pointing>,
) -> Result<StatusCode, ApiError> {
    simulated_dns(state)?
        .point(name, pointing)
        .await
        .map_err(|e| ApiError::unavailable(e.to_string()))?;
    Ok(StatusCode::NO_CONTENT)
}

/// The development routes, when the configuration turns them on (never on
/// the AWS engine: the composition root keeps them off there).
pub fn routes(ports: &Ports) -> Option<Router<AppState>> {
    ports.config.dev_tools.then(|| {
        Router::new()
            .route("/api/outbox", get(outbox))
            .route("/api/dev/dns/{name}", put(publish_txt))
            .route(
                "/api/dev/dns/{name}/pointing",
                put(point).delete(point_back),
            )
            .route("/api/dev/registry/{name}/drift", post(drift))
            .route(
                "/api/dev/panel/accounts/{username}",
                put(panel::change_account),
            )
    })
}

#[cfg(test)]
mod tests {
    use super::is_loopback_host;

    #[test]
    fn only_loopback_hosts_count() {
        for local in [
            "localhost",
            "LOCALHOST:8080",
            "127.0.0.1",
            "127.0.0.1:8080",
            "127.8.9.1:1",
            "[::1]",
            "[::1]:8080",
            "::1",
        ] {
            assert!(is_loopback_host(local), "{local}");
        }
        for remote in [
            "",
            "example.com",
            "localhost.example.com",
            "127.0.0.1.nip.io",
            "10.0.0.1:8080",
            "[2001:db8::1]:80",
            "evil.com:127.0.0.1",
        ] {
            assert!(!is_loopback_host(remote), "{remote}");
        }
    }
}
