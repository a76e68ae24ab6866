//! What every Lambda entrypoint shares: configuration from the environment,
//! logs as JSON, and the same services the local server builds.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;

use aws_lambda_events::event::sqs::{BatchItemFailure, SqsBatchResponse, SqsEvent};
use axum::extract::{ConnectInfo, Request};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::IntoResponse;
use hostfront::Ports;
use hostfront::clock::SystemClock;
use hostfront::http::ApiError;
use hostfront::http::GroupRoutes;
use hostfront::http::client::ThroughCdn;
use hostfront::jobs::{JobHandler, process};
use hostfront::queue::{Message, Queue};
use hostfront::settings::{Engine, Settings};
pub use hostfront::wiring::AwsAdapters;
use secrecy::{ExposeSecret, SecretString};
use subtle::ConstantTimeEq;
use tracing::Instrument;

pub type Error = lambda_runtime::Error;

/// Builds the services from the environment, on DynamoDB, SQS and KMS, with
/// the optional `adapters` the function uses: it runs on nothing else.
pub async fn ports_from_env(adapters: AwsAdapters) -> Result<Ports, Error> {
    let started = std::time::Instant::now();
    // The cores tokio counted already, rather than reading the cgroup's quota again.
    let cores = tokio::runtime::Handle::current()
        .metrics()
        .num_workers()
        .to_string();
    let settings = Settings::from_lookup(|name| match name {
        "HOSTFRONT_ENGINE" => Some("aws".into()),
        "HOSTFRONT_HASH_CONCURRENCY" => std::env::var(name).ok().or_else(|| Some(cores.clone())),
        _ => std::env::var(name).ok(),
    })?;
    debug_assert_eq!(settings.engine, Engine::Aws);
    let read = started.elapsed();
    hostfront::telemetry::init(settings.log.format, &settings.log.filter);
    let configured = started.elapsed();
    let sdk = hostfront::wiring::lambda_sdk_config(&settings)?;
    let sdk_ready = started.elapsed();
    let clock = std::sync::Arc::new(SystemClock);
    let ports = hostfront::wiring::on_aws(settings, clock, adapters, sdk).await?;
    // The cold start's parts, for whoever tunes it (HOSTFRONT_LOG=debug).
    tracing::debug!(
        config_us = read.as_micros() as u64,
        logging_us = (configured - read).as_micros() as u64,
        sdk_config_us = (sdk_ready - configured).as_micros() as u64,
        ports_us = (started.elapsed() - sdk_ready).as_micros() as u64,
        "services ready"
    );
    Ok(ports)
}

/// Serves one route group behind API Gateway: the very routes the local
/// server mounts. `group` is the group module's `routes()` (such as
/// `hostfront::http::orders::routes`), so that the binary links no other
/// group, with the optional AWS `adapters` the group uses.
pub async fn serve_routes(group: fn() -> GroupRoutes, adapters: AwsAdapters) -> Result<(), Error> {
    serve_routes_and(group, adapters, |routes, _| routes).await
}

/// `serve_routes`, with what `and` adds to the group's routes once the
/// ports are known (the simulated provider's card page, in a demonstration).
pub async fn serve_routes_and(
    group: fn() -> GroupRoutes,
    adapters: AwsAdapters,
    and: fn(GroupRoutes, &Ports) -> GroupRoutes,
) -> Result<(), Error> {
    let ports = ports_from_env(adapters).await?;
    let started = std::time::Instant::now();
    let origin = OriginCheck::from_env();
    let guard = axum::middleware::from_fn(move |request: Request, next: Next| {
        let origin = origin.clone();
        async move {
            match origin.client(&request) {
                Ok(client) => {
                    let mut request = with_peer(request, client);
                    if origin.proves_cdn() {
                        request.extensions_mut().insert(ThroughCdn);
                    }
                    next.run(request).await
                }
                Err(refusal) => refusal.into_response(),
            }
        }
    });
    let routes = and(group(), &ports);
    let router = hostfront::http::group_router(ports, routes, guard);
    tracing::debug!(
        routes_us = started.elapsed().as_micros() as u64,
        "routes ready"
    );
    lambda_http::run(router).await
}

/// Who the client is. Behind CloudFront, API Gateway's peer is CloudFront
/// itself, so the client's address is CloudFront's `CloudFront-Viewer-Address`
/// header, believed only when the request carries the origin secret that
/// CloudFront adds (`HOSTFRONT_ORIGIN_SECRET`). A request without it did not
/// come through CloudFront and its firewall, and is refused.
#[derive(Debug, Clone)]
pub struct OriginCheck {
    secret: Option<Arc<SecretString>>,
}

/// The header CloudFront adds to every request it sends to the API.
pub const ORIGIN_HEADER: &str = "x-hostfront-origin";

impl OriginCheck {
    pub fn from_env() -> OriginCheck {
        let secret = std::env::var("HOSTFRONT_ORIGIN_SECRET")
            .ok()
            .filter(|s| !s.is_empty());
        OriginCheck {
            secret: secret.map(|s| Arc::new(s.into())),
        }
    }

    /// Whether a request `client` admitted surely came through CloudFront
    /// (it carried the origin secret), so that CloudFront's own headers
    /// about the client (`CloudFront-Viewer-Country`) may be believed.
    pub fn proves_cdn(&self) -> bool {
        self.secret.is_some()
    }

    /// The client's address, or the refusal of a request that bypassed CloudFront.
    pub fn client(&self, request: &Request) -> Result<IpAddr, ApiError> {
        let source = source_ip(request);
        let Some(secret) = &self.secret else {
            return Ok(source);
        };
        let given = request
            .headers()
            .get(ORIGIN_HEADER)
            .map(|v| v.as_bytes())
            .unwrap_or_default();
        if !bool::from(given.ct_eq(secret.expose_secret().as_bytes())) {
            return Err(ApiError::new(
                StatusCode::FORBIDDEN,
                "forbidden",
                "requests reach the API through the site's address only",
            ));
        }
        Ok(request
            .headers()
            .get("cloudfront-viewer-address")
            .and_then(|v| v.to_str().ok())
            .and_then(viewer_ip)
            .unwrap_or(source))
    }
}

/// Whether an authorizer event (API Gateway's payload 2.0) carries the
/// origin secret CloudFront adds; never without a secret to compare with.
pub fn through_cloudfront(event: &serde_json::Value, secret: &str) -> bool {
    let given = event["headers"][ORIGIN_HEADER].as_str().unwrap_or_default();
    !secret.is_empty() && bool::from(given.as_bytes().ct_eq(secret.as_bytes()))
}

/// The address of `CloudFront-Viewer-Address`: `192.0.2.1:46532`, or for
/// IPv6 `2001:db8::1:46532` (the port after the last colon, no brackets).
fn viewer_ip(value: &str) -> Option<IpAddr> {
    let (ip, port) = value.trim().rsplit_once(':')?;
    port.parse::<u16>().ok()?;
    ip.trim_matches(['[', ']']).parse().ok()
}

/// The address that connected to API Gateway, from its request context.
fn source_ip(request: &Request) -> IpAddr {
    use lambda_http::request::RequestContext;
    match request.extensions().get::<RequestContext>() {
        Some(RequestContext::ApiGatewayV2(context)) => context
            .http
            .source_ip
            .as_deref()
            .and_then(|ip| ip.parse().ok()),
        _ => None,
    }
    .unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED))
}

/// The routes read the client's address as the peer's.
fn with_peer(mut request: Request, client: IpAddr) -> Request {
    request
        .extensions_mut()
        .insert(ConnectInfo(SocketAddr::new(client, 0)));
    request
}

/// Runs an SQS batch through the same `jobs::process` the local workers use,
/// every record at once, each in a span of its own: a job that succeeds is
/// deleted, one that fails is hidden for its backoff and reported, so that
/// SQS delivers only the failed ones again.
pub async fn run_batch(
    queue: &dyn Queue,
    jobs: &dyn JobHandler,
    event: SqsEvent,
) -> SqsBatchResponse {
    let runs = event.records.into_iter().map(|record| {
        let receive_count = record
            .attributes
            .get("ApproximateReceiveCount")
            .and_then(|c| c.parse().ok())
            .unwrap_or(1);
        let message = Message {
            id: record.message_id.unwrap_or_default(),
            receipt: record.receipt_handle.unwrap_or_default(),
            body: record.body.unwrap_or_default(),
            receive_count,
        };
        let span = tracing::info_span!("job", message_id = %message.id, attempt = receive_count);
        async move { (process(queue, jobs, &message).await, message.id) }.instrument(span)
    });
    let failures = futures::future::join_all(runs)
        .await
        .into_iter()
        .filter(|(done, _)| !done)
        .map(|(_, id)| {
            let mut failure = BatchItemFailure::default();
            failure.item_identifier = id;
            failure
        })
        .collect();
    let mut response = SqsBatchResponse::default();
    response.batch_item_failures = failures;
    response
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_authorizer_passes_only_the_origin_secret() {
        use super::through_cloudfront;
        let event = |value: &str| serde_json::json!({"headers": {"x-hostfront-origin": value}});
        let secret = "an origin secret CloudFront adds";
        assert!(through_cloudfront(&event(secret), secret));
        assert!(!through_cloudfront(&event("a guess"), secret));
        assert!(!through_cloudfront(
            &serde_json::json!({"headers": {}}),
            secret
        ));
        assert!(
            !through_cloudfront(&event(""), ""),
            "never without a secret"
        );
    }

    #[test]
    fn viewer_addresses_of_both_families() {
        use super::viewer_ip;
        assert_eq!(
            viewer_ip("192.0.2.1:46532"),
            Some("192.0.2.1".parse().unwrap())
        );
        assert_eq!(
            viewer_ip("2001:db8::1:46532"),
            Some("2001:db8::1".parse().unwrap())
        );
        assert_eq!(
            viewer_ip("[2001:db8::1]:443"),
            Some("2001:db8::1".parse().unwrap())
        );
        assert_eq!(
            viewer_ip("192.0.2.1"),
            None,
            "no port: not CloudFront's format"
        );
        assert_eq!(viewer_ip("nonsense:80"), None);
    }

    use std::sync::Arc;
    use std::time::Duration;

    use async_trait::async_trait;
    use aws_lambda_events::event::sqs::SqsMessage;
    use hostfront::adapters::embedded::EmbeddedDb;
    use hostfront::adapters::embedded::SqliteQueue;
    use hostfront::clock::SystemClock;
    use hostfront::jobs::JobError;

    use super::*;

    /// Succeeds for bodies starting with "ok", after a fifth of a second.
    struct OkOnly;

    #[async_trait]
    impl JobHandler for OkOnly {
        async fn handle(&self, message: &Message) -> Result<(), JobError> {
            tokio::time::sleep(Duration::from_millis(200)).await;
            if message.body.starts_with("ok") {
                Ok(())
            } else {
                Err(JobError::Failed("refused".into()))
            }
        }
    }

    #[tokio::test]
    async fn only_failed_jobs_are_reported_and_kept() {
        let dir = tempfile::TempDir::new().unwrap();
        let queue = SqliteQueue::new(
            EmbeddedDb::open(dir.path()).unwrap(),
            "jobs",
            5,
            Arc::new(SystemClock),
        );
        for body in ["ok 1", "bad 2", "ok 3", "ok 4", "ok 5"] {
            queue.send(body, Duration::ZERO).await.unwrap();
        }
        let received = queue
            .receive(10, Duration::from_secs(30), Duration::ZERO)
            .await
            .unwrap();
        let mut event = SqsEvent::default();
        event.records = received
            .iter()
            .map(|m| {
                let mut record = SqsMessage::default();
                record.message_id = Some(m.id.clone());
                record.receipt_handle = Some(m.receipt.clone());
                record.body = Some(m.body.clone());
                record
                    .attributes
                    .insert("ApproximateReceiveCount".into(), "1".into());
                record
            })
            .collect();
        let started = std::time::Instant::now();
        let response = run_batch(&queue, &OkOnly, event).await;
        assert!(
            started.elapsed() < Duration::from_millis(600),
            "five jobs of 200 ms run at once: {:?}",
            started.elapsed()
        );
        let failed: Vec<&str> = response
            .batch_item_failures
            .iter()
            .map(|f| f.item_identifier.as_str())
            .collect();
        let bad = received.iter().find(|m| m.body == "bad 2").unwrap();
        assert_eq!(failed, [bad.id.as_str()]);
        // The successes are gone; the failure waits out its backoff (2 s) and comes back.
        tokio::time::sleep(Duration::from_millis(2100)).await;
        let again = queue
            .receive(10, Duration::from_secs(30), Duration::ZERO)
            .await
            .unwrap();
        assert_eq!(
            again.iter().map(|m| m.body.as_str()).collect::<Vec<_>>(),
            ["bad 2"]
        );
    }
}
