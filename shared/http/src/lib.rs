//! HTTP entrypoints: one axum router per route group. The local server mounts
//! every group and the site; each Lambda function serves one group.

mod account_settings;
pub mod accounts;
pub mod admin;
mod card_data;
pub mod catalog;
pub mod client;
pub mod contract;
pub mod dev;
pub mod domains;
pub mod error;
pub mod inbound;
pub mod invoice_pdf;
pub mod orders;
mod page_policy;
pub mod portal;
mod privacy;
pub mod server;
pub mod simulated_gateway;
pub mod simulated_panel;
pub mod site;
pub mod system;
pub mod table;
mod two_step;

use page_policy::Answering;
pub use page_policy::{CONTENT_SECURITY_POLICY, FRAMED_POLICY, preview_policy};
use std::convert::Infallible;
use std::path::Path;
use std::sync::{Arc, OnceLock};

use axum::Router;
use axum::body::Body;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderName, HeaderValue, Request, Uri, header};
use axum::response::{IntoResponse, Response};
use tower::{Layer, Service, ServiceBuilder};
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::CompressionLayer;
use tower_http::compression::predicate::{DefaultPredicate, Predicate};
use tower_http::request_id::{
    MakeRequestId, PropagateRequestIdLayer, RequestId, SetRequestIdLayer,
};
use tower_http::trace::{DefaultOnResponse, TraceLayer};
use utoipa::OpenApi as _;
use utoipa_axum::router::OpenApiRouter;

pub use error::{ApiError, ApiJson, ApiQuery};

/// A route group's routes without their description: what a Lambda function mounts.
pub type GroupRoutes = Router<AppState>;

use hostfront_core::Ports;
use hostfront_core::config::Config;

#[derive(Clone)]
pub struct AppState {
    pub ports: Ports,
    /// The API description, completed with the answers every route shares,
    /// made by `describe` on its first request.
    pub openapi: Arc<OnceLock<serde_json::Value>>,
    /// Makes the description (given whether cookies are `Secure`).
    pub describe: fn(bool) -> serde_json::Value,
}

/// The route groups, each deployable as its own Lambda function.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RouteGroup {
    System,
    Catalog,
    Domains,
    Accounts,
    Orders,
    /// The customer portal: services, domains, invoices, renewals.
    Portal,
    /// The staff console's API, under `/api/admin/`.
    Admin,
}

impl RouteGroup {
    pub const ALL: &[RouteGroup] = &[
        RouteGroup::System,
        RouteGroup::Catalog,
        RouteGroup::Domains,
        RouteGroup::Accounts,
        RouteGroup::Orders,
        RouteGroup::Portal,
        RouteGroup::Admin,
    ];

    /// The group's routes with their description.
    pub fn routes(self) -> OpenApiRouter<AppState> {
        match self {
            RouteGroup::System => system::routes(),
            RouteGroup::Catalog => catalog::routes(),
            RouteGroup::Domains => domains::routes(),
            RouteGroup::Accounts => accounts::routes(),
            RouteGroup::Orders => orders::routes(),
            RouteGroup::Portal => portal::routes(),
            RouteGroup::Admin => admin::routes(),
        }
    }
}

#[derive(utoipa::OpenApi)]
#[openapi(
    info(
        title = "Hostfront API",
        description = "Storefront and self-service portal of a web-hosting company."
    ),
    components(schemas(error::ErrorBody))
)]
struct ApiDoc;

/// The OpenAPI document of every group, as served.
pub fn openapi(cookie_secure: bool) -> serde_json::Value {
    let document = serde_json::to_value(split(RouteGroup::ALL).1).expect("the document serialises");
    contract::complete(
        document,
        accounts::session_cookie_name(cookie_secure),
        admin::staff_cookie_name(cookie_secure),
    )
}

fn split(groups: &[RouteGroup]) -> (Router<AppState>, utoipa::openapi::OpenApi) {
    let mut router = OpenApiRouter::with_openapi(ApiDoc::openapi());
    for group in groups {
        router = router.merge(group.routes());
    }
    router.split_for_parts()
}

/// The OpenAPI document as served over HTTPS, generated from the code and
/// kept in the repository (`docs/openapi.json`, held equal by a test): the
/// Lambda functions serve it as it is, so none carries the description code.
pub const DOCUMENT: &str = include_str!("../../../docs/openapi.json");

fn committed_document(_cookie_secure: bool) -> serde_json::Value {
    serde_json::from_str(DOCUMENT).expect("docs/openapi.json is JSON")
}

/// The API routes of one group (a module's `routes()`, such as
/// `orders::routes()`, without their description), with the conventions
/// every route shares: what a Lambda function serves. Naming the module, not
/// a `RouteGroup`, keeps every other group out of the function's binary.
/// `guard` stands before the routes, inside the conventions, so that its
/// refusals carry the headers and request ID every answer does.
pub fn group_router<L>(ports: Ports, group: GroupRoutes, guard: L) -> Router
where
    L: Layer<Router>,
    L::Service: Service<Request<Body>, Response = Response, Error = Infallible>
        + Clone
        + Send
        + Sync
        + 'static,
    <L::Service as Service<Request<Body>>>::Future: Send + 'static,
{
    let (config, answering) = (ports.config.clone(), Answering::of(&ports));
    let routes = finish(group, ports, committed_document);
    with_conventions(guard.layer(routes), &config, answering)
}

/// Every route and the static site in `site_dir`, behind the request
/// timeout and bound on requests at once of `limits`: what the local server
/// serves.
pub fn app_router(ports: Ports, site_dir: &Path, limits: &server::Limits) -> Router {
    let (config, answering) = (ports.config.clone(), Answering::of(&ports));
    let app = routes(ports, RouteGroup::ALL, true)
        .layer(
            CompressionLayer::new()
                .compress_when(DefaultPredicate::new().and(is_public_answer as AnswerTest)),
        )
        .fallback_service(site::router(site_dir));
    with_conventions(server::limited(app, limits), &config, answering)
}

/// Answers any cache may keep (`Cache-Control: public`, such as the
/// catalog): the only API answers compressed, as they carry nothing of
/// anyone's, so compression cannot leak a secret beside what a client
/// sent (BREACH).
fn is_public(headers: &axum::http::HeaderMap) -> bool {
    headers
        .get(axum::http::header::CACHE_CONTROL)
        .is_some_and(|value| value.as_bytes().starts_with(b"public"))
}

fn is_public_answer(
    _: axum::http::StatusCode,
    _: axum::http::Version,
    headers: &axum::http::HeaderMap,
    _: &axum::http::Extensions,
) -> bool {
    is_public(headers)
}

type AnswerTest = fn(
    axum::http::StatusCode,
    axum::http::Version,
    &axum::http::HeaderMap,
    &axum::http::Extensions,
) -> bool;

/// `routes` and the pages of the simulations that have pages of their own:
/// the payment provider's card page, the panel's web server.
pub fn simulated_pages(routes: GroupRoutes, ports: &Ports) -> GroupRoutes {
    simulated_panel::mount(simulated_gateway::mount(routes, ports), ports)
}

/// The routes of `groups`; on the local server (`local`), also the
/// development tools its configuration turns on.
fn routes(ports: Ports, groups: &[RouteGroup], local: bool) -> Router {
    let (mut routes, _) = split(groups);
    if local && let Some(dev) = dev::routes(&ports) {
        routes = routes.merge(dev);
    }
    if local {
        routes = simulated_pages(routes, &ports);
    }
    finish(routes, ports, openapi)
}

/// The answers for unknown routes and methods, the body limit and the state.
fn finish(
    routes: Router<AppState>,
    ports: Ports,
    describe: fn(bool) -> serde_json::Value,
) -> Router {
    let state = AppState {
        ports,
        openapi: Arc::default(),
        describe,
    };
    routes
        .route("/api/{*rest}", axum::routing::any(api_not_found))
        .method_not_allowed_fallback(method_not_allowed)
        .with_state(state)
}

async fn api_not_found() -> ApiError {
    ApiError::not_found("no such API route")
}

async fn method_not_allowed() -> ApiError {
    ApiError::new(
        axum::http::StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        "this route does not take that method",
    )
}

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

#[derive(Clone, Copy)]
struct MakeUlid;

impl MakeRequestId for MakeUlid {
    fn make_request_id<B>(&mut self, _: &Request<B>) -> Option<RequestId> {
        ulid::Ulid::new()
            .to_string()
            .parse()
            .ok()
            .map(RequestId::new)
    }
}

/// Security headers on every answer, pages and API alike.
const SECURITY_HEADERS: [(HeaderName, &str); 4] = [
    (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
    (header::REFERRER_POLICY, "strict-origin-when-cross-origin"),
    (
        HeaderName::from_static("cross-origin-opener-policy"),
        "same-origin",
    ),
    (
        HeaderName::from_static("permissions-policy"),
        "camera=(), microphone=(), geolocation=(), payment=()",
    ),
];

/// The security headers, HSTS only where the public address is HTTPS (a
/// browser must never be told to insist on TLS for a plain-HTTP local run),
/// and `no-store` on API answers: they carry sessions' data, so no browser
/// or proxy may keep them; those a route marks public (the catalog) it may.
async fn answer_headers(
    State(answering): State<Answering>,
    uri: Uri,
    mut response: Response,
) -> Response {
    let headers = response.headers_mut();
    for (name, value) in SECURITY_HEADERS {
        headers.insert(name, HeaderValue::from_static(value));
    }
    let path = uri.path();
    let framed = [simulated_gateway::PREFIX, simulated_panel::PREFIX]
        .iter()
        .any(|prefix| path.starts_with(prefix));
    let (policy, framing) = match (framed, path == "/preview.html") {
        (true, _) => (HeaderValue::from_static(FRAMED_POLICY), "SAMEORIGIN"),
        (false, true) => (answering.preview_policy, "DENY"),
        (false, false) => (HeaderValue::from_static(CONTENT_SECURITY_POLICY), "DENY"),
    };
    headers.insert(header::CONTENT_SECURITY_POLICY, policy);
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static(framing));
    if answering.https {
        headers.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000; includeSubDomains"),
        );
    }
    if (uri.path().starts_with("/api/") || framed) && !is_public(headers) {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
}

/// Around `inner`, once (not around each route, which cost the console's
/// function 0.3 ms of its cold start): one slash between path segments, the
/// answer headers, request IDs (kept when the caller sent one, echoed in the
/// response), a tracing span per request carrying that ID, a JSON 500 for a
/// panic, no form's content type on a state change, and the body limit.
fn with_conventions<S>(inner: S, config: &Config, answering: Answering) -> Router
where
    S: Service<Request<Body>, Response = Response, Error = Infallible>
        + Clone
        + Send
        + Sync
        + 'static,
    S::Future: Send + 'static,
{
    let service = ServiceBuilder::new()
        .map_request(inbound::merge_slashes)
        .layer(axum::middleware::map_response_with_state(answering, answer_headers))
        .map_response(IntoResponse::into_response)
        .layer(SetRequestIdLayer::new(REQUEST_ID, MakeUlid))
        .layer(TraceLayer::new_for_http().make_span_with(|request: &Request<Body>| {
            let id = request.headers().get(REQUEST_ID).and_then(|v| v.to_str().ok()).unwrap_or("-");
            tracing::info_span!("request", request_id = %id, method = %request.method(), path = %inbound::loggable_path(request.uri().path()))
        })
        .on_response(DefaultOnResponse::new().level(tracing::Level::INFO)))
        .layer(PropagateRequestIdLayer::new(REQUEST_ID))
        .layer(CatchPanicLayer::custom(|_| ApiError::internal().into_response()))
        .layer(axum::middleware::from_fn(inbound::refuse_form_posts))
        .layer(DefaultBodyLimit::max(config.max_body_bytes))
        .service(inner);
    Router::new().fallback_service(service)
}
