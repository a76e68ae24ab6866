//! What every Lambda entrypoint shares: configuration from the environment,
//! logs as JSON, and the same services the local server builds.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use axum::extract::{ConnectInfo, Request};
use hostfront::Services;
use hostfront::config::{Config, Engine};
use hostfront::http::RouteGroup;

pub type Error = lambda_runtime::Error;

/// Builds the services from the environment (the AWS engines unless
/// `HOSTFRONT_ENGINE` says otherwise).
pub async fn services_from_env() -> Result<Services, Error> {
    let mut config = Config::from_lookup(|name| match name {
        "HOSTFRONT_ENGINE" => std::env::var(name).ok().or_else(|| Some("aws".into())),
        _ => std::env::var(name).ok(),
    })?;
    if config.engine == Engine::Aws {
        config.workers = 0;
    }
    hostfront::telemetry::init(config.log_format, &config.log_filter);
    Ok(Services::from_config(config).await?)
}

/// Serves one route group behind API Gateway: the very router the local server mounts.
pub async fn serve_routes(group: RouteGroup) -> Result<(), Error> {
    let services = services_from_env().await?;
    let router = hostfront::http::api_router(services, &[group])
        .layer(axum::middleware::map_request(source_ip));
    lambda_http::run(router).await
}

/// API Gateway is the client's peer: its request context names the address
/// that connected to it, which the routes read as the peer address.
async fn source_ip(mut request: Request) -> Request {
    use lambda_http::request::RequestContext;
    let ip = match request.extensions().get::<RequestContext>() {
        Some(RequestContext::ApiGatewayV2(context)) => context
            .http
            .source_ip
            .as_deref()
            .and_then(|ip| ip.parse().ok()),
        _ => None,
    };
    let peer = SocketAddr::new(ip.unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED)), 0);
    request.extensions_mut().insert(ConnectInfo(peer));
    request
}
