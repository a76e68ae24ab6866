//! The local server's HTTP loop: hyper with the limits a public server needs,
//! on HTTP/1 and cleartext HTTP/2 alike. A client has the header timeout to
//! send its first request; a connection idle longer than the idle timeout is
//! closed, and when every connection slot is taken, the one idle longest
//! closes to make room for a newcomer. A request that takes too long, or
//! arrives while too many are running, gets a JSON 503.

mod connections;

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
use hyper_util::service::TowerToHyperService;
use tokio::net::{TcpListener, TcpStream};
use tokio_util::sync::CancellationToken;
use tower::{BoxError, ServiceBuilder, ServiceExt as _};

use self::connections::{Connection, Connections, IdleTimes};
use super::error::ApiError;

/// The local server's bounds, which the composition root reads from the
/// environment (`HOSTFRONT_*_TIMEOUT_MS`, `HOSTFRONT_MAX_CONNECTIONS`,
/// `HOSTFRONT_MAX_CONCURRENT_REQUESTS`).
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Time a client has to send a request's headers, and to send its first
    /// request at all; over HTTP/2, also the time between keep-alive pings
    /// and the time a ping's answer may take.
    pub header_timeout: Duration,
    /// Time a request may take, from its headers to its answer.
    pub request_timeout: Duration,
    /// Time a connection may sit with no request under way after an answer
    /// (HTTP/1's header timer also runs while it waits for the next request,
    /// so a keep-alive wait ends at the sooner of the two). An answer still
    /// being sent then has `CLOSE_GRACE` left: a client that will not read
    /// cannot hold its slot.
    pub idle_timeout: Duration,
    /// Connections served at once.
    pub max_connections: usize,
    /// Requests handled at once; more get a 503 straight away.
    pub max_requests: usize,
}

/// Requests one HTTP/2 connection may have open at once (RFC 9113 asks for
/// no fewer than 100).
const MAX_STREAMS_PER_CONNECTION: u32 = 100;

/// Bytes of headers an HTTP/2 request may send (HTTP/1 has hyper's bounds:
/// 100 headers in a 400 KiB buffer).
const MAX_HEADER_LIST_BYTES: u32 = 16 * 1024;

/// Time a closing connection has, once its requests are answered, to send
/// the rest of the answers and its goodbye (HTTP/2's GOAWAY).
const CLOSE_GRACE: Duration = Duration::from_secs(1);

/// `router` behind the request timeout and the bound on requests at once,
/// all routes together; its refusals are JSON 503s.
pub fn limited(router: Router, limits: &Limits) -> Router {
    let service = ServiceBuilder::new()
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
        .timeout(limits.request_timeout)
        .service(router);
    Router::new().fallback_service(service)
}

/// HTTP/1 and HTTP/2, each with its bounds.
fn protocols(limits: &Limits) -> Builder<TokioExecutor> {
    let mut builder = Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_timeout);
    builder
        .http2()
        .timer(TokioTimer::new())
        .keep_alive_interval(limits.header_timeout)
        .keep_alive_timeout(limits.header_timeout)
        .max_concurrent_streams(MAX_STREAMS_PER_CONNECTION)
        .max_header_list_size(MAX_HEADER_LIST_BYTES);
    builder
}

/// Serves `router` (the app, already `limited`) on `listener` until
/// `shutdown` resolves, then lets the open connections finish their requests.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    limits: Limits,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let builder = Arc::new(protocols(&limits));
    let connections = Arc::new(Connections::new(limits.max_connections));
    let idle = IdleTimes {
        before_first_request: limits.header_timeout,
        between_requests: limits.idle_timeout,
    };
    let stop = CancellationToken::new();
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        // Accepted first, so that a full house makes room only for a client
        // who is there; while none can, the others wait in the kernel's backlog.
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
        // Answers go out as soon as they are written: without it, a header
        // and a body written apart wait out the client's delayed ACK.
        if let Err(error) = stream.set_nodelay(true) {
            tracing::debug!(%error, %peer, "TCP_NODELAY was refused");
        }
        let connection = tokio::select! {
            _ = &mut shutdown => break,
            connection = connections.admit() => connection,
        };
        let served = Served {
            builder: builder.clone(),
            connections: connections.clone(),
            connection,
            idle,
            stop: stop.clone(),
        };
        tokio::spawn(served.run(stream, peer, router.clone()));
    }
    drop(listener);
    stop.cancel();
    connections.all_closed().await;
    Ok(())
}

/// One admitted connection, and what serving it needs.
struct Served {
    builder: Arc<Builder<TokioExecutor>>,
    connections: Arc<Connections>,
    connection: Arc<Connection>,
    idle: IdleTimes,
    stop: CancellationToken,
}

impl Served {
    /// Serves `router` on `stream` until the client leaves, or until the
    /// connection is closed for idling or for the server's stop, when its
    /// requests under way have `CLOSE_GRACE` to be answered.
    async fn run(self, stream: TcpStream, peer: SocketAddr, router: Router) {
        let tracked = self.connection.clone();
        let service = tower::service_fn(
            move |request: axum::extract::Request<hyper::body::Incoming>| {
                let busy = tracked.begin();
                let mut request = request.map(axum::body::Body::new);
                request
                    .extensions_mut()
                    .insert(ConnectInfo::<SocketAddr>(peer));
                let answer = router.clone().oneshot(request);
                async move {
                    let answer = answer.await;
                    drop(busy);
                    answer
                }
            },
        );
        let served = self
            .builder
            .serve_connection_with_upgrades(TokioIo::new(stream), TowerToHyperService::new(service))
            .into_owned();
        let mut served = std::pin::pin!(served);
        let mut ended = tokio::select! {
            ended = served.as_mut() => Some(ended),
            () = self.connection.until_closing(self.idle, &self.stop) => None,
        };
        if ended.is_none() {
            served.as_mut().graceful_shutdown();
            ended = tokio::select! {
                ended = served.as_mut() => Some(ended),
                () = self.connection.until_answered_then(CLOSE_GRACE) => None,
            };
        }
        if let Some(Err(error)) = ended {
            tracing::debug!(%peer, %error, "connection ended with an error");
        }
        self.connections.closed(&self.connection);
    }
}
