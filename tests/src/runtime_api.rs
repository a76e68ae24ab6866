//! A local AWS Lambda Runtime API: runs a function's `bootstrap` as Lambda
//! does (a process that polls `GET /invocation/next` and posts each answer)
//! and hands it events one at a time. It serves the runtime tests and the
//! cold-start benchmark; it binds to loopback and its process dies with it.

use std::collections::HashMap;
use std::path::Path;
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path as UrlPath, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::IntoResponse;
use axum::routing::{get, post};
use hostfront::Services;
use hostfront::adapters::aws::{DynamoTable, KmsSealer, SqsQueue};
use hostfront::clock::SystemClock;
use serde_json::{Value, json};
use tokio::sync::{mpsc, oneshot};

use crate::{kms_client, moto_endpoint, sqs_client, test_config, unique};

/// What the function answered to one invocation.
#[derive(Debug)]
pub enum Outcome {
    /// The handler's response document.
    Response(serde_json::Value),
    /// An error the runtime reported (`/error`), with its document.
    Error(serde_json::Value),
}

impl Outcome {
    /// The response, or a panic naming the error.
    pub fn response(self) -> serde_json::Value {
        match self {
            Outcome::Response(body) => body,
            Outcome::Error(error) => panic!("the function failed: {error}"),
        }
    }
}

struct Invocation {
    id: String,
    event: serde_json::Value,
    answer: oneshot::Sender<Outcome>,
}

#[derive(Default)]
struct Inner {
    /// Answers awaited, by request id.
    waiting: Mutex<HashMap<String, oneshot::Sender<Outcome>>>,
    /// When the function first asked for work: the end of its init.
    first_poll: Mutex<Option<Instant>>,
    ready: tokio::sync::Notify,
    init_error: Mutex<Option<String>>,
}

#[derive(Clone)]
struct Api {
    inner: Arc<Inner>,
    next: Arc<tokio::sync::Mutex<mpsc::Receiver<Invocation>>>,
}

/// A function process under the emulated Runtime API.
pub struct Function {
    inner: Arc<Inner>,
    events: mpsc::Sender<Invocation>,
    started: Instant,
    process: tokio::process::Child,
    server: tokio::task::JoinHandle<()>,
}

impl Function {
    /// Starts `bootstrap` with `env` (over the Lambda variables it is
    /// given), under a Runtime API of its own.
    pub async fn start(bootstrap: &Path, env: &[(String, String)]) -> Function {
        let (events, receiver) = mpsc::channel(16);
        let inner = Arc::new(Inner::default());
        let api = Api {
            inner: inner.clone(),
            next: Arc::new(tokio::sync::Mutex::new(receiver)),
        };
        let router = Router::new()
            .route("/2018-06-01/runtime/invocation/next", get(next))
            .route(
                "/2018-06-01/runtime/invocation/{id}/response",
                post(response),
            )
            .route("/2018-06-01/runtime/invocation/{id}/error", post(error))
            .route("/2018-06-01/runtime/init/error", post(init_error))
            .with_state(api);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("a loopback port");
        let address = listener.local_addr().expect("bound");
        let server = tokio::spawn(async move {
            let _ = axum::serve(listener, router).await;
        });
        let name = bootstrap
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let started = Instant::now();
        let process = tokio::process::Command::new(bootstrap)
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("AWS_LAMBDA_RUNTIME_API", address.to_string())
            .env("AWS_LAMBDA_FUNCTION_NAME", &name)
            .env("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "256")
            .env("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
            .env("AWS_LAMBDA_LOG_STREAM_NAME", "local")
            .env("AWS_LAMBDA_LOG_GROUP_NAME", format!("/aws/lambda/{name}"))
            .envs(env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(if std::env::var_os("HOSTFRONT_FUNCTION_LOGS").is_some() {
                Stdio::inherit()
            } else {
                Stdio::null()
            })
            .kill_on_drop(true)
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", bootstrap.display()));
        Function {
            inner,
            events,
            started,
            process,
            server,
        }
    }

    /// How long the function took from its start to its first poll for work
    /// (its init), waiting at most `limit`.
    pub async fn init(&mut self, limit: Duration) -> Duration {
        let deadline = Instant::now() + limit;
        loop {
            let notified = self.inner.ready.notified();
            if let Some(at) = *self.inner.first_poll.lock().unwrap() {
                return at - self.started;
            }
            if let Some(error) = self.inner.init_error.lock().unwrap().clone() {
                panic!("the function failed its init: {error}");
            }
            if let Ok(Some(status)) = self.process.try_wait() {
                panic!("the function exited during its init: {status}");
            }
            assert!(
                Instant::now() < deadline,
                "the function did not poll for work within {limit:?}"
            );
            // The poll's own time is recorded; this wait only bounds the checks.
            let _ = tokio::time::timeout(Duration::from_millis(20), notified).await;
        }
    }

    /// Sends one event and waits (at most 30 s) for the answer.
    pub async fn invoke(&self, event: serde_json::Value) -> Outcome {
        let (answer, answered) = oneshot::channel();
        let invocation = Invocation {
            id: ulid::Ulid::new().to_string(),
            event,
            answer,
        };
        self.events
            .send(invocation)
            .await
            .expect("the Runtime API is up");
        tokio::time::timeout(Duration::from_secs(30), answered)
            .await
            .expect("the function answers within 30 s")
            .expect("the function answers")
    }

    /// Stops the function and its Runtime API.
    pub async fn stop(mut self) {
        let _ = self.process.kill().await;
        self.server.abort();
    }
}

async fn next(State(api): State<Api>) -> impl IntoResponse {
    {
        let mut first = api.inner.first_poll.lock().unwrap();
        if first.is_none() {
            *first = Some(Instant::now());
            api.inner.ready.notify_waiters();
        }
    }
    let Some(invocation) = api.next.lock().await.recv().await else {
        return (StatusCode::GONE, HeaderMap::new(), Bytes::new());
    };
    api.inner
        .waiting
        .lock()
        .unwrap()
        .insert(invocation.id.clone(), invocation.answer);
    let deadline = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("after 1970")
        + Duration::from_secs(60);
    let mut headers = HeaderMap::new();
    let header = |value: String| HeaderValue::from_str(&value).expect("a header value");
    headers.insert("lambda-runtime-aws-request-id", header(invocation.id));
    headers.insert(
        "lambda-runtime-deadline-ms",
        header(deadline.as_millis().to_string()),
    );
    headers.insert(
        "lambda-runtime-invoked-function-arn",
        header("arn:aws:lambda:us-east-1:000000000000:function:local".into()),
    );
    headers.insert(
        "lambda-runtime-trace-id",
        header("Root=1-00000000-000000000000000000000000;Sampled=0".into()),
    );
    headers.insert("content-type", header("application/json".into()));
    let body = serde_json::to_vec(&invocation.event).expect("an event serialises");
    (StatusCode::OK, headers, Bytes::from(body))
}

fn answer(api: &Api, id: &str, outcome: Outcome) -> StatusCode {
    match api.inner.waiting.lock().unwrap().remove(id) {
        Some(waiting) => {
            let _ = waiting.send(outcome);
            StatusCode::ACCEPTED
        }
        None => StatusCode::BAD_REQUEST,
    }
}

fn document(body: &Bytes) -> serde_json::Value {
    serde_json::from_slice(body)
        .unwrap_or_else(|_| serde_json::Value::String(String::from_utf8_lossy(body).into_owned()))
}

async fn response(State(api): State<Api>, UrlPath(id): UrlPath<String>, body: Bytes) -> StatusCode {
    answer(&api, &id, Outcome::Response(document(&body)))
}

async fn error(State(api): State<Api>, UrlPath(id): UrlPath<String>, body: Bytes) -> StatusCode {
    answer(&api, &id, Outcome::Error(document(&body)))
}

async fn init_error(State(api): State<Api>, body: Bytes) -> StatusCode {
    *api.inner.init_error.lock().unwrap() = Some(String::from_utf8_lossy(&body).into_owned());
    api.inner.ready.notify_waiters();
    StatusCode::ACCEPTED
}

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

/// A stack on moto: its table, queues and key, the environment the
/// template gives every function, and services over the same resources for
/// the test to look with.
pub struct Stack {
    pub env: Vec<(String, String)>,
    pub services: Services,
    pub queue: SqsQueue,
    /// What the functions `start` started asked of AWS.
    pub access: crate::aws_access::AccessLog,
}

impl Stack {
    pub async fn on_moto() -> Stack {
        let clock = Arc::new(SystemClock);
        let dir = tempfile::TempDir::new().unwrap();
        let config = test_config(dir.path());
        let table_name = unique("stack");
        let table = DynamoTable::new(crate::dynamodb_client(), &table_name, clock.clone());
        table.create_if_missing().await.unwrap();
        let queue = SqsQueue::create(sqs_client(), &unique("stack-jobs"), 5)
            .await
            .unwrap();
        let key = KmsSealer::create_key(&kms_client()).await.unwrap();
        let env = [
            ("HOSTFRONT_TABLE", table_name.as_str()),
            ("HOSTFRONT_QUEUE_URL", queue.url()),
            ("HOSTFRONT_DLQ_URL", queue.dead_letter_url()),
            ("HOSTFRONT_QUEUE_MAX_RECEIVES", "5"),
            ("HOSTFRONT_KMS_KEY_ID", key.as_str()),
            ("HOSTFRONT_DEMO", "true"),
            ("HOSTFRONT_AWS_ENDPOINT", moto_endpoint().as_str()),
            ("HOSTFRONT_SIM_REGISTRAR_LATENCY_MS", "0"),
            ("HOSTFRONT_SIM_PANEL_LATENCY_MS", "0"),
            ("HOSTFRONT_LOG_FORMAT", "json"),
            ("AWS_REGION", "us-east-1"),
            ("AWS_ACCESS_KEY_ID", "test"),
            ("AWS_SECRET_ACCESS_KEY", "test"),
        ]
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .to_vec();
        let sealer = Arc::new(KmsSealer::new(kms_client(), key));
        let services = hostfront::wiring::with_ports(
            config,
            clock,
            Arc::new(table),
            Arc::new(queue.clone()),
            sealer,
        );
        Stack {
            env,
            services,
            queue,
            access: Default::default(),
        }
    }

    /// Starts `bootstrap` with the stack's environment and `extra`, its AWS
    /// calls recorded in `access`, and waits for its init.
    pub async fn start(&self, bootstrap: &str, extra: &[(&str, &str)]) -> Function {
        let bootstrap = Path::new(bootstrap);
        let name = bootstrap.file_name().unwrap().to_string_lossy();
        let endpoint = crate::aws_access::proxy(&name, &moto_endpoint(), self.access.clone()).await;
        let mut extra = extra.to_vec();
        extra.push(("HOSTFRONT_AWS_ENDPOINT", &endpoint));
        let mut function = self.start_unready(bootstrap, &extra).await;
        function.init(Duration::from_secs(20)).await;
        function
    }

    /// Starts `bootstrap` with the stack's environment and `extra`.
    pub async fn start_unready(&self, bootstrap: &Path, extra: &[(&str, &str)]) -> Function {
        let mut env = self.env.clone();
        env.extend(extra.iter().map(|(k, v)| (k.to_string(), v.to_string())));
        Function::start(bootstrap, &env).await
    }

    /// The API `functions` (binary name, bootstrap) behind a gateway routing
    /// as the template does.
    pub async fn gateway(
        &self,
        functions: &[(&str, &str)],
        extra: &[(&str, &str)],
        base64_bodies: bool,
    ) -> Gateway {
        let mut started = HashMap::new();
        for (name, bootstrap) in functions {
            started.insert(
                name.to_string(),
                Arc::new(self.start(bootstrap, extra).await),
            );
        }
        Gateway::start(crate::template::routes(), started, base64_bodies).await
    }

    /// The catalog, written as the template has the scheduler write it on deploy.
    pub async fn seed(&self, scheduler: &str) {
        let scheduler = self.start(scheduler, &[]).await;
        let answer = scheduler
            .invoke(json!({"seed_catalog": true}))
            .await
            .response();
        assert_eq!(answer, json!({"seeded": true}));
        let again = scheduler
            .invoke(json!({"seed_catalog": true}))
            .await
            .response();
        assert_eq!(again, json!({"seeded": false}), "seeding is done once");
        scheduler.stop().await;
    }

    /// Up to `count` messages of the job queue, as the SQS event source
    /// receives them, waiting at most 15 s for the first.
    pub async fn receive(&self, count: i32) -> Vec<aws_sdk_sqs::types::Message> {
        let deadline = std::time::Instant::now() + Duration::from_secs(15);
        loop {
            let received = sqs_client()
                .receive_message()
                .queue_url(self.queue.url())
                .max_number_of_messages(count)
                .message_system_attribute_names(aws_sdk_sqs::types::MessageSystemAttributeName::All)
                .send()
                .await
                .unwrap()
                .messages
                .unwrap_or_default();
            if !received.is_empty() || std::time::Instant::now() > deadline {
                return received;
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }
}

/// The SQS event Lambda's event source sends for `messages`.
pub fn sqs_event(messages: &[aws_sdk_sqs::types::Message]) -> Value {
    let records: Vec<Value> = messages
        .iter()
        .map(|m| {
            let attributes: serde_json::Map<String, Value> = m
                .attributes()
                .into_iter()
                .flatten()
                .map(|(k, v)| (k.as_str().to_string(), Value::from(v.clone())))
                .collect();
            json!({
                "messageId": m.message_id(),
                "receiptHandle": m.receipt_handle(),
                "body": m.body(),
                "attributes": attributes,
                "messageAttributes": {},
                "md5OfBody": m.md5_of_body(),
                "eventSource": "aws:sqs",
                "eventSourceARN": "arn:aws:sqs:us-east-1:000000000000:jobs",
                "awsRegion": "us-east-1",
            })
        })
        .collect();
    json!({ "Records": records })
}
