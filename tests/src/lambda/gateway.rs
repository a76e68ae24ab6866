//! A local stand-in for API Gateway's HTTP API in front of the functions.

use std::collections::HashMap;
use std::sync::Arc;

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode};
use axum::response::IntoResponse;

use super::runtime::{Function, Outcome};

/// A local stand-in for API Gateway's HTTP API: it turns each HTTP request
/// into a payload 2.0 event, invokes the function the template routes it to,
/// and turns the function's answer back into HTTP. Cookies travel in the
/// event's `cookies`, binary bodies in base64, the client's address in
/// `requestContext.http.sourceIp` (the `x-gateway-source-ip` header, which
/// only this stand-in reads, sets it in tests).
pub struct Gateway {
    pub base: String,
    server: tokio::task::JoinHandle<()>,
}

/// A function by binary name, and the routes to them.
#[derive(Clone)]
struct Routing {
    routes: Arc<Vec<crate::template::Route>>,
    functions: Arc<HashMap<String, Arc<Function>>>,
    base64_bodies: bool,
}

impl Gateway {
    /// Serves `routes` with `functions` (by binary name) on a loopback port.
    /// With `base64_bodies`, every request body is sent base64-encoded, as
    /// API Gateway does for binary media types.
    pub async fn start(
        routes: Vec<crate::template::Route>,
        functions: HashMap<String, Arc<Function>>,
        base64_bodies: bool,
    ) -> Gateway {
        let routing = Routing {
            routes: Arc::new(routes),
            functions: Arc::new(functions),
            base64_bodies,
        };
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("a loopback port");
        let base = format!("http://{}", listener.local_addr().expect("bound"));
        let app = Router::new().fallback(forward).with_state(routing);
        let server = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Gateway { base, server }
    }
}

impl Drop for Gateway {
    fn drop(&mut self) {
        self.server.abort();
    }
}

async fn forward(
    State(routing): State<Routing>,
    request: axum::extract::Request,
) -> axum::response::Response {
    let (parts, body) = request.into_parts();
    let path = parts.uri.path().to_string();
    let method = parts.method.as_str().to_string();
    let matched = routing
        .routes
        .iter()
        .find_map(|r| Some((r, r.parameters(&path)?)).filter(|(r, _)| r.method == method));
    let Some((route, parameters)) = matched else {
        // API Gateway's own answer for a route it does not have.
        eprintln!("gateway: no route for {method} {path}");
        return (
            StatusCode::NOT_FOUND,
            axum::Json(serde_json::json!({"message": "Not Found"})),
        )
            .into_response();
    };
    let function = routing
        .functions
        .get(&route.function)
        .unwrap_or_else(|| panic!("no function {} started", route.function))
        .clone();
    let body = axum::body::to_bytes(body, usize::MAX)
        .await
        .unwrap_or_default();
    let event = http_api_event(&parts, route, &parameters, &body, routing.base64_bodies);
    match function.invoke(event).await {
        Outcome::Response(answer) => http_response(&answer),
        // What API Gateway answers when the integration fails.
        Outcome::Error(_) => (
            StatusCode::INTERNAL_SERVER_ERROR,
            axum::Json(serde_json::json!({"message": "Internal Server Error"})),
        )
            .into_response(),
    }
}

/// The event of a request with no body, cookie or path parameter: what
/// the benchmark sends.
pub fn api_event(method: &str, path_and_query: &str) -> serde_json::Value {
    let request = axum::http::Request::builder()
        .method(method)
        .uri(path_and_query)
        .header("user-agent", "hostfront-bench")
        .body(())
        .expect("a request");
    let (parts, ()) = request.into_parts();
    let route = crate::template::Route {
        method: method.into(),
        path: parts.uri.path().into(),
        function: String::new(),
    };
    http_api_event(&parts, &route, &[], &[], false)
}

/// An API Gateway HTTP API (payload 2.0) event for one request.
fn http_api_event(
    parts: &axum::http::request::Parts,
    route: &crate::template::Route,
    parameters: &[(String, String)],
    body: &[u8],
    base64_bodies: bool,
) -> serde_json::Value {
    use base64::Engine as _;
    use serde_json::{Map, Value, json};
    let mut headers = Map::new();
    let mut cookies = Vec::new();
    let mut source_ip = "127.0.0.1".to_string();
    for (name, value) in &parts.headers {
        let value = value.to_str().unwrap_or_default().to_string();
        match name.as_str() {
            "cookie" => cookies.extend(value.split("; ").map(|c| Value::from(c.to_string()))),
            "x-gateway-source-ip" => source_ip = value,
            name => {
                let joined = match headers.get(name).and_then(Value::as_str) {
                    Some(before) => format!("{before},{value}"),
                    None => value,
                };
                headers.insert(name.into(), joined.into());
            }
        }
    }
    let raw_query = parts.uri.query().unwrap_or_default().to_string();
    let mut query = Map::new();
    for (name, value) in form_urlencoded::parse(raw_query.as_bytes()) {
        let joined = match query.get(name.as_ref()).and_then(Value::as_str) {
            Some(before) => format!("{before},{value}"),
            None => value.into_owned(),
        };
        query.insert(name.into_owned(), joined.into());
    }
    let route_key = format!("{} {}", route.method, route.path);
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("after 1970");
    let text = std::str::from_utf8(body).ok().filter(|_| !base64_bodies);
    let mut event = json!({
        "version": "2.0",
        "routeKey": route_key,
        "rawPath": parts.uri.path(),
        "rawQueryString": raw_query,
        "headers": headers,
        "requestContext": {
            "accountId": "000000000000",
            "apiId": "local",
            "domainName": "localhost",
            "domainPrefix": "localhost",
            "http": {
                "method": route.method,
                "path": parts.uri.path(),
                "protocol": "HTTP/1.1",
                "sourceIp": source_ip,
                "userAgent": headers.get("user-agent").cloned().unwrap_or_default(),
            },
            "requestId": ulid::Ulid::new().to_string(),
            "routeKey": route_key,
            "stage": "$default",
            "time": "01/Jan/2026:00:00:00 +0000",
            "timeEpoch": now.as_millis() as u64,
        },
        "isBase64Encoded": text.is_none() && !body.is_empty(),
    });
    if !cookies.is_empty() {
        event["cookies"] = cookies.into();
    }
    if !query.is_empty() {
        event["queryStringParameters"] = query.into();
    }
    if !parameters.is_empty() {
        event["pathParameters"] = parameters
            .iter()
            .map(|(k, v)| (k.clone(), Value::from(v.clone())))
            .collect::<Map<_, _>>()
            .into();
    }
    if !body.is_empty() {
        event["body"] = match text {
            Some(text) => text.into(),
            None => base64::engine::general_purpose::STANDARD
                .encode(body)
                .into(),
        };
    }
    event
}

/// The HTTP answer for a function's payload 2.0 response.
fn http_response(answer: &serde_json::Value) -> axum::response::Response {
    use base64::Engine as _;
    let status = answer["statusCode"].as_u64().unwrap_or(200) as u16;
    let mut response = axum::response::Response::builder()
        .status(StatusCode::from_u16(status).expect("a status code"));
    let headers = response.headers_mut().expect("a fresh builder");
    for (name, value) in answer["headers"].as_object().into_iter().flatten() {
        if let (Ok(name), Some(value)) = (
            axum::http::HeaderName::from_bytes(name.as_bytes()),
            value.as_str().and_then(|v| HeaderValue::from_str(v).ok()),
        ) {
            headers.append(name, value);
        }
    }
    for cookie in answer["cookies"].as_array().into_iter().flatten() {
        if let Some(cookie) = cookie.as_str().and_then(|c| HeaderValue::from_str(c).ok()) {
            headers.append(axum::http::header::SET_COOKIE, cookie);
        }
    }
    let body = answer["body"].as_str().unwrap_or_default();
    let body = if answer["isBase64Encoded"].as_bool() == Some(true) {
        base64::engine::general_purpose::STANDARD
            .decode(body)
            .expect("a base64 body")
    } else {
        body.as_bytes().to_vec()
    };
    response
        .body(axum::body::Body::from(body))
        .expect("a response")
}
