//! A local AWS Lambda Runtime API: runs a function's `bootstrap` as Lambda
//! does (a process that polls `GET /invocation/next` and posts each answer)
//! and hands it events one at a time. It binds to loopback and its process
//! dies with it.

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
use tokio::sync::{mpsc, oneshot};

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
