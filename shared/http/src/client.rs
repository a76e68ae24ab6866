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
use axum::http::StatusCode;
use hostfront_core::Ports;
use hostfront_core::ratelimit::{ClientLimiter, Refusal};

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
        client_ip(peer, &parts.headers, &state.ports.config.trusted_proxies)
            .map(ClientIp)
            .map_err(|BadForwarding| {
                tracing::warn!(
                    %peer,
                    "a trusted proxy forwarded an X-Forwarded-For entry that is not an address"
                );
                ApiError::bad_request(
                    "bad_forwarding",
                    "the X-Forwarded-For header holds an entry that is not an address",
                )
            })
    }
}

/// Marks a request that surely came through the CDN in front of the API
/// (on AWS: it carried CloudFront's origin secret), so that the CDN's own
/// headers about the client may be believed.
#[derive(Debug, Clone, Copy)]
pub struct ThroughCdn;

/// The client's country, as the CDN or trusted proxy in front of the API
/// says it in `HOSTFRONT_CLIENT_COUNTRY_HEADER`: None when no header is
/// set up, when the request did not come through them (anyone can send a
/// header), or when its value is not an ISO 3166-1 country.
pub struct ClientCountry(pub Option<String>);

impl FromRequestParts<AppState> for ClientCountry {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let config = &state.ports.config;
        let Some(header) = &config.client_country_header else {
            return Ok(ClientCountry(None));
        };
        let from_proxy = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .is_some_and(|ConnectInfo(peer)| {
                let peer = peer.ip().to_canonical();
                config.trusted_proxies.iter().any(|net| net.contains(&peer))
            });
        if !from_proxy && parts.extensions.get::<ThroughCdn>().is_none() {
            return Ok(ClientCountry(None));
        }
        let country = parts
            .headers
            .get(header.as_str())
            .and_then(|value| value.to_str().ok())
            .and_then(hostfront_core::input::country_code);
        Ok(ClientCountry(country))
    }
}

/// Which per-client limit a route counts against.
pub trait Limit {
    /// What the client does too often, for the 429 message.
    const WHAT: &'static str;
    fn limiter(ports: &Ports) -> &ClientLimiter;
}

/// Domain and subdomain checks.
pub struct Searches;

impl Limit for Searches {
    const WHAT: &'static str = "searches";
    fn limiter(ports: &Ports) -> &ClientLimiter {
        &ports.check_limiter
    }
}

/// Signups and logins.
pub struct AuthAttempts;

impl Limit for AuthAttempts {
    const WHAT: &'static str = "attempts";
    fn limiter(ports: &Ports) -> &ClientLimiter {
        &ports.auth_limiter
    }
}

/// Placing orders and paying them, per client address and per customer.
pub struct Purchases;

impl Limit for Purchases {
    const WHAT: &'static str = "orders and payments";
    fn limiter(ports: &Ports) -> &ClientLimiter {
        &ports.purchase_limiter
    }
}

/// A customer's domain changes and refreshes, per customer.
pub struct DomainChanges;

impl Limit for DomainChanges {
    const WHAT: &'static str = "domain changes";
    fn limiter(ports: &Ports) -> &ClientLimiter {
        &ports.domain_change_limiter
    }
}

/// Counts one request of `key` against limit `L`, or answers 429 with when to come back.
pub async fn admit<L: Limit>(ports: &Ports, key: &str) -> Result<(), ApiError> {
    let result = L::limiter(ports)
        .admit(ports.table.as_ref(), ports.clock.as_ref(), key)
        .await;
    answer::<L>(result)
}

/// Counts one request from `client` against limit `L`: its own limit key,
/// then, for IPv6, the /48 around it, whose budget all its /64s share.
pub async fn admit_address<L: Limit>(ports: &Ports, client: IpAddr) -> Result<(), ApiError> {
    admit::<L>(ports, &limit_key(client)).await?;
    let Some(network) = network_key(client) else {
        return Ok(());
    };
    let result = L::limiter(ports)
        .admit_network(ports.table.as_ref(), ports.clock.as_ref(), &network)
        .await;
    answer::<L>(result)
}

fn answer<L: Limit>(result: Result<(), Refusal>) -> Result<(), ApiError> {
    match result {
        Ok(()) => Ok(()),
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
        admit_address::<L>(&state.ports, client).await?;
        Ok(Admitted(PhantomData))
    }
}

pub fn client_ip(
    peer: IpAddr,
    headers: &HeaderMap,
    trusted: &[IpNet],
) -> Result<IpAddr, BadForwarding> {
    let peer = peer.to_canonical();
    let is_trusted = |ip: &IpAddr| trusted.iter().any(|net| net.contains(ip));
    if !is_trusted(&peer) {
        return Ok(peer);
    }
    let mut entries = Vec::new();
    for value in headers.get_all("x-forwarded-for") {
        let value = value.to_str().map_err(|_| BadForwarding)?;
        entries.extend(value.split(',').map(str::trim).map(str::to_string));
    }
    for entry in entries.iter().rev() {
        let ip = forwarded_address(entry).ok_or(BadForwarding)?;
        if !is_trusted(&ip) {
            return Ok(ip);
        }
    }
    Ok(peer)
}

/// A forwarded address as proxies write it: `1.2.3.4`, `1.2.3.4:5678`,
/// `2001:db8::1` or `[2001:db8::1]:443`; IPv4-mapped IPv6 reads as IPv4.
fn forwarded_address(entry: &str) -> Option<IpAddr> {
    let ip = entry
        .parse::<IpAddr>()
        .ok()
        .or_else(|| entry.parse::<SocketAddr>().ok().map(|s| s.ip()))?;
    Some(ip.to_canonical())
}

/// A trusted proxy forwarded something that is not an address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BadForwarding;

/// What per-client limits count under: an IPv4 address, or the /64 an IPv6
/// address belongs to (one subscriber's allocation, which can hold billions of
/// addresses).
pub fn limit_key(ip: IpAddr) -> String {
    match ip.to_canonical() {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => prefix(v6, 64),
    }
}

/// The network whose clients share a larger limit: the /48 around an IPv6
/// address (a site's allocation: 65,536 /64s). None for IPv4.
pub fn network_key(ip: IpAddr) -> Option<String> {
    match ip.to_canonical() {
        IpAddr::V4(_) => None,
        IpAddr::V6(v6) => Some(prefix(v6, 48)),
    }
}

fn prefix(address: std::net::Ipv6Addr, bits: u32) -> String {
    let network = u128::from(address) & !(u128::MAX >> bits);
    format!("{}/{bits}", std::net::Ipv6Addr::from(network))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(xff: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert("x-forwarded-for", xff.parse().unwrap());
        h
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn forwarding_headers_count_only_from_trusted_proxies() {
        let trusted: Vec<IpNet> = vec!["10.0.0.0/8".parse().unwrap()];
        let proxy = ip("10.1.2.3");
        let stranger = ip("203.0.113.9");
        let client = |peer, xff: &str| client_ip(peer, &headers(xff), &trusted);
        assert_eq!(
            client(stranger, "1.2.3.4"),
            Ok(stranger),
            "a spoofed header is ignored"
        );
        assert_eq!(client(proxy, "1.2.3.4"), Ok(ip("1.2.3.4")));
        // A client may prepend anything; the proxy appends the real address last.
        assert_eq!(
            client(proxy, "6.6.6.6, 198.51.100.2, 10.9.9.9"),
            Ok(ip("198.51.100.2"))
        );
        assert_eq!(client_ip(proxy, &HeaderMap::new(), &trusted), Ok(proxy));
    }

    #[test]
    fn forwarded_entries_that_are_not_addresses_are_refused_not_skipped() {
        let trusted: Vec<IpNet> = vec!["10.0.0.0/8".parse().unwrap()];
        let proxy = ip("10.1.2.3");
        for bad in [
            "garbage",
            "unknown",
            "1.2.3.4, unknown",
            "1.2.3.4,",
            "::1 extra",
        ] {
            assert_eq!(
                client_ip(proxy, &headers(bad), &trusted),
                Err(BadForwarding),
                "{bad:?}"
            );
        }
        // Left of the real client, a client's own junk is never read.
        assert_eq!(
            client_ip(proxy, &headers("junk, 198.51.100.2"), &trusted),
            Ok(ip("198.51.100.2"))
        );
        assert_eq!(
            client_ip(proxy, &headers("198.51.100.2:5123"), &trusted),
            Ok(ip("198.51.100.2"))
        );
        assert_eq!(
            client_ip(proxy, &headers("[2001:db8::7]:443"), &trusted),
            Ok(ip("2001:db8::7"))
        );
        assert_eq!(
            client_ip(proxy, &headers("::ffff:198.51.100.2"), &trusted),
            Ok(ip("198.51.100.2"))
        );
    }

    #[test]
    fn limits_count_ipv6_by_64_and_mapped_ipv4_as_ipv4() {
        assert_eq!(limit_key(ip("2001:db8:1:2:aaaa::1")), "2001:db8:1:2::/64");
        assert_eq!(
            limit_key(ip("2001:db8:1:2:ffff:ffff:ffff:ffff")),
            "2001:db8:1:2::/64"
        );
        assert_ne!(
            limit_key(ip("2001:db8:1:3::1")),
            limit_key(ip("2001:db8:1:2::1"))
        );
        assert_eq!(limit_key(ip("::ffff:198.51.100.2")), "198.51.100.2");
        assert_eq!(limit_key(ip("198.51.100.2")), "198.51.100.2");
    }

    #[test]
    fn an_ipv6_48_is_one_network_and_ipv4_has_none() {
        assert_eq!(
            network_key(ip("2001:db8:1:2:aaaa::1")).as_deref(),
            Some("2001:db8:1::/48")
        );
        assert_eq!(
            network_key(ip("2001:db8:1:ffff::1")),
            network_key(ip("2001:db8:1::1"))
        );
        assert_ne!(
            network_key(ip("2001:db8:2::1")),
            network_key(ip("2001:db8:1::1"))
        );
        assert_eq!(network_key(ip("::ffff:198.51.100.2")), None);
        assert_eq!(network_key(ip("198.51.100.2")), None);
    }
}
