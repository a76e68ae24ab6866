//! Who is calling: the client's IP address. A forwarding header is believed
//! only when the request came from a configured trusted proxy; then the
//! client is the right-most address in `X-Forwarded-For` that is not itself a
//! trusted proxy.

use std::marker::PhantomData;
use std::net::{IpAddr, SocketAddr};

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::HeaderMap;
use axum::http::request::Parts;
use ipnet::IpNet;

use super::AppState;
use super::error::ApiError;
use crate::Services;
use crate::ratelimit::{ClientLimiter, Refusal};
use axum::http::StatusCode;

pub struct ClientIp(pub IpAddr);

impl FromRequestParts<AppState> for ClientIp {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|ConnectInfo(addr)| addr.ip())
            .ok_or_else(|| {
                tracing::error!(
                    "no peer address on the request; the entrypoint must provide ConnectInfo"
                );
                ApiError::internal()
            })?;
        Ok(ClientIp(client_ip(
            peer,
            &parts.headers,
            &state.services.config.trusted_proxies,
        )))
    }
}

/// Which per-client limit a route counts against.
pub trait Limit {
    /// What the client does too often, for the 429 message.
    const WHAT: &'static str;
    fn limiter(services: &Services) -> &ClientLimiter;
}

/// Domain and subdomain checks.
pub struct Searches;

impl Limit for Searches {
    const WHAT: &'static str = "searches";
    fn limiter(services: &Services) -> &ClientLimiter {
        &services.check_limiter
    }
}

/// Signups and logins.
pub struct AuthAttempts;

impl Limit for AuthAttempts {
    const WHAT: &'static str = "attempts";
    fn limiter(services: &Services) -> &ClientLimiter {
        &services.auth_limiter
    }
}

/// A request counted against limit `L`. As an extractor it runs before the
/// body is read: a refused client gets a 429 that says when to come back.
pub struct Admitted<L>(PhantomData<L>);

impl<L: Limit + Send> FromRequestParts<AppState> for Admitted<L> {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let ClientIp(client) = ClientIp::from_request_parts(parts, state).await?;
        let services = &state.services;
        match L::limiter(services)
            .admit(services.table.as_ref(), services.clock.as_ref(), client)
            .await
        {
            Ok(()) => Ok(Admitted(PhantomData)),
            Err(Refusal::Limited(limited)) => Err(ApiError::new(
                StatusCode::TOO_MANY_REQUESTS,
                "rate_limited",
                format!(
                    "too many {}; try again in {} seconds",
                    L::WHAT,
                    limited.retry_after_secs
                ),
            )
            .retry_after(limited.retry_after_secs)),
            Err(Refusal::Storage(error)) => Err(error.into()),
        }
    }
}

pub fn client_ip(peer: IpAddr, headers: &HeaderMap, trusted: &[IpNet]) -> IpAddr {
    let is_trusted = |ip: &IpAddr| trusted.iter().any(|net| net.contains(ip));
    if !is_trusted(&peer) {
        return peer;
    }
    let forwarded = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|part| part.trim().parse::<IpAddr>().ok())
        .collect::<Vec<_>>();
    forwarded
        .into_iter()
        .rev()
        .find(|ip| !is_trusted(ip))
        .unwrap_or(peer)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(xff: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert("x-forwarded-for", xff.parse().unwrap());
        h
    }

    #[test]
    fn forwarding_headers_count_only_from_trusted_proxies() {
        let trusted: Vec<IpNet> = vec!["10.0.0.0/8".parse().unwrap()];
        let proxy: IpAddr = "10.1.2.3".parse().unwrap();
        let stranger: IpAddr = "203.0.113.9".parse().unwrap();
        assert_eq!(
            client_ip(stranger, &headers("1.2.3.4"), &trusted),
            stranger,
            "a spoofed header is ignored"
        );
        assert_eq!(
            client_ip(proxy, &headers("1.2.3.4"), &trusted).to_string(),
            "1.2.3.4"
        );
        // A client may prepend anything; the proxy appends the real address last.
        assert_eq!(
            client_ip(proxy, &headers("6.6.6.6, 198.51.100.2, 10.9.9.9"), &trusted).to_string(),
            "198.51.100.2"
        );
        assert_eq!(client_ip(proxy, &HeaderMap::new(), &trusted), proxy);
        assert_eq!(client_ip(proxy, &headers("garbage"), &trusted), proxy);
    }
}
