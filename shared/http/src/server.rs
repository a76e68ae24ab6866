//! The local server's HTTP loop: hyper with the limits a public server needs.
//! A client that sends its headers too slowly is cut off, connections beyond
//! a bound wait in the kernel's backlog, and a request that takes too long,
//! or arrives while too many are running, gets a JSON 503.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::error_handling::HandleErrorLayer;
use axum::extract::ConnectInfo;
use axum::response::IntoResponse;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto::Builder;
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tower::{BoxError, ServiceBuilder, ServiceExt as _};

use super::error::ApiError;

#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Time a client has to send a request's headers.
    pub header_timeout: Duration,
    /// Time a request may take, from its headers to its answer.
    pub request_timeout: Duration,
    /// Connections served at once.
    pub max_connections: usize,
    /// Requests handled at once; more get a 503 straight away.
    pub max_requests: usize,
}

/// `router` with the request timeout and the concurrency bound.
pub fn limited(router: Router, limits: Limits) -> Router {
    router.layer(
        ServiceBuilder::new()
            .layer(HandleErrorLayer::new(|error: BoxError| async move {
                let message = if error.is::<tower::timeout::error::Elapsed>() {
                    "the request took too long; please try again"
                } else {
                    "the server is busy; please try again in a moment"
                };
                ApiError::unavailable(message)
                    .retry_after(1)
                    .into_response()
            }))
            .load_shed()
            .concurrency_limit(limits.max_requests.max(1))
            .timeout(limits.request_timeout),
    )
}

/// Serves `router` on `listener` until `shutdown` resolves, then lets the
/// open connections finish their requests.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    limits: Limits,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let router = limited(router, limits);
    let mut builder = Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_timeout);
    builder.http2().timer(TokioTimer::new());
    let builder = Arc::new(builder);
    let connections = Arc::new(Semaphore::new(limits.max_connections.max(1)));
    let graceful = GracefulShutdown::new();
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let slot = tokio::select! {
            _ = &mut shutdown => break,
            slot = connections.clone().acquire_owned() => slot.expect("never closed"),
        };
        let (stream, peer) = tokio::select! {
            _ = &mut shutdown => break,
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    // Out of file descriptors and the like: wait, do not spin.
                    tracing::warn!(%error, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
        };
        let service = router.clone().map_request(
            move |mut request: axum::extract::Request<hyper::body::Incoming>| {
                request
                    .extensions_mut()
                    .insert(ConnectInfo::<SocketAddr>(peer));
                request.map(axum::body::Body::new)
            },
        );
        let builder = builder.clone();
        let watcher = graceful.watcher();
        let header_timeout = limits.header_timeout;
        tokio::spawn(async move {
            // hyper's header timer starts once it knows the protocol, which it
            // learns from the first bytes: a client that sends none is cut off here.
            let mut first = [0u8; 1];
            if !matches!(
                tokio::time::timeout(header_timeout, stream.peek(&mut first)).await,
                Ok(Ok(1..))
            ) {
                return;
            }
            let connection = builder
                .serve_connection_with_upgrades(
                    TokioIo::new(stream),
                    TowerToHyperService::new(service),
                )
                .into_owned();
            if let Err(error) = watcher.watch(connection).await {
                tracing::debug!(%peer, %error, "connection ended with an error");
            }
            drop(slot);
        });
    }
    drop(listener);
    graceful.shutdown().await;
    Ok(())
}
