//! The one error type of every route: a status and `{"error":{"code","message"}}`.

use axum::Json;
use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde::de::DeserializeOwned;
use utoipa::ToSchema;

use hostfront_core::store::TableError;

#[derive(Debug, Clone)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    /// Seconds, sent as `Retry-After` (rate limits, overload).
    pub retry_after: Option<u64>,
    /// Alternatives to offer, e.g. free usernames when the one asked for is taken.
    pub suggestions: Vec<String>,
    /// For `too_many_years`: the most years allowed now.
    pub max_years: Option<u32>,
}

/// The body of every error response.
#[derive(Serialize, ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Serialize, ToSchema)]
pub struct ErrorDetail {
    /// Stable, machine-readable: `invalid_json`, `not_found`, `rate_limited`, ...
    pub code: String,
    /// For people; may change.
    pub message: String,
    /// Alternatives to offer, when there are some (e.g. free usernames).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub suggestions: Vec<String>,
    /// For `too_many_years`: the most years a renewal may run now.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_years: Option<u32>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        ApiError {
            status,
            code,
            message: message.into(),
            retry_after: None,
            suggestions: Vec::new(),
            max_years: None,
        }
    }

    /// The request is malformed: it does not fit the API description.
    pub fn bad_request(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, code, message)
    }

    /// The request fits the API description, but a rule refuses what it asks
    /// (a weak password, a name the registry would refuse, an unknown plan).
    pub fn unprocessable(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNPROCESSABLE_ENTITY, code, message)
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, "not_found", message)
    }

    pub fn conflict(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, code, message)
    }

    pub fn internal() -> Self {
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "something went wrong on our side; please try again",
        )
    }

    pub fn unavailable(message: impl Into<String>) -> Self {
        Self::new(StatusCode::SERVICE_UNAVAILABLE, "unavailable", message)
    }

    pub fn with_suggestions(mut self, suggestions: Vec<String>) -> Self {
        self.suggestions = suggestions;
        self
    }

    pub fn with_max_years(mut self, max_years: u32) -> Self {
        self.max_years = Some(max_years);
        self
    }

    pub fn retry_after(mut self, seconds: u64) -> Self {
        self.retry_after = Some(seconds.max(1));
        self
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        // Being busy is expected under load: a warning, not an error.
        if self.status == StatusCode::SERVICE_UNAVAILABLE {
            tracing::warn!(code = self.code, message = %self.message, "request turned away");
        } else if self.status.is_server_error() {
            tracing::error!(status = %self.status, code = self.code, message = %self.message, "request failed");
        }
        let body = ErrorBody {
            error: ErrorDetail {
                code: self.code.to_string(),
                message: self.message,
                suggestions: self.suggestions,
                max_years: self.max_years,
            },
        };
        let mut response = (self.status, Json(body)).into_response();
        if let Some(seconds) = self.retry_after {
            response.headers_mut().insert("retry-after", seconds.into());
        }
        response
    }
}

impl From<TableError> for ApiError {
    fn from(error: TableError) -> Self {
        match error {
            TableError::ConditionFailed | TableError::TransactionConflict { .. } => {
                ApiError::conflict(
                    "conflict",
                    "the data changed meanwhile; reload and try again",
                )
            }
            TableError::Busy => ApiError::unavailable("busy; please retry").retry_after(1),
            TableError::Invalid(message) | TableError::Backend(message) => {
                tracing::error!(%message, "table request failed");
                ApiError::internal()
            }
        }
    }
}

impl From<hostfront_core::queue::QueueError> for ApiError {
    fn from(error: hostfront_core::queue::QueueError) -> Self {
        tracing::error!(%error, "queue request failed");
        ApiError::internal()
    }
}

/// `axum::Json` whose rejections are `ApiError`s.
pub struct ApiJson<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    /// Every body of this API is a JSON object: serde would also read a
    /// struct from an array of its fields, which the API description forbids.
    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let Json(value) = Json::<serde_json::Value>::from_request(req, state)
            .await
            .map_err(json_rejection)?;
        if !value.is_object() {
            return Err(ApiError::bad_request(
                "invalid_body",
                "the body must be a JSON object",
            ));
        }
        serde_json::from_value(value)
            .map(ApiJson)
            .map_err(|e| ApiError::bad_request("invalid_body", e.to_string()))
    }
}

fn json_rejection(rejection: JsonRejection) -> ApiError {
    let status = rejection.status();
    let (code, message) = match &rejection {
        JsonRejection::MissingJsonContentType(_) => (
            "unsupported_media_type",
            "send the body as JSON with Content-Type: application/json".to_string(),
        ),
        JsonRejection::JsonSyntaxError(_) => {
            ("invalid_json", "the body is not valid JSON".to_string())
        }
        _ if status == StatusCode::PAYLOAD_TOO_LARGE => (
            "body_too_large",
            "the request body is too large".to_string(),
        ),
        other => ("invalid_body", other.body_text()),
    };
    ApiError::new(status, code, message)
}

/// `axum::extract::Query` whose rejections are `ApiError`s.
pub struct ApiQuery<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        axum::extract::Query::<T>::from_request_parts(parts, state)
            .await
            .map(|q| ApiQuery(q.0))
            .map_err(|rejection: QueryRejection| {
                ApiError::bad_request("invalid_query", rejection.body_text())
            })
    }
}

#[cfg(test)]
mod tests {
    use axum::Router;
    use axum::body::Body;
    use axum::extract::DefaultBodyLimit;
    use axum::routing::{get, post};
    use serde::Deserialize;
    use tower::ServiceExt;

    use super::*;

    #[derive(Deserialize)]
    struct Signup {
        #[allow(dead_code)]
        email: String,
    }

    #[derive(Deserialize)]
    struct Page {
        #[allow(dead_code)]
        limit: u32,
    }

    fn app() -> Router {
        Router::new()
            .route("/json", post(|ApiJson(_): ApiJson<Signup>| async { "ok" }))
            .route("/query", get(|ApiQuery(_): ApiQuery<Page>| async { "ok" }))
            .layer(DefaultBodyLimit::max(64))
    }

    async fn call(request: Request<Body>) -> (StatusCode, serde_json::Value) {
        let response = app().oneshot(request).await.unwrap();
        let status = response.status();
        let bytes = axum::body::to_bytes(response.into_body(), 1 << 16)
            .await
            .unwrap();
        (
            status,
            serde_json::from_slice(&bytes).unwrap_or(serde_json::Value::Null),
        )
    }

    fn post_json(body: &str, content_type: &str) -> Request<Body> {
        Request::post("/json")
            .header("content-type", content_type)
            .body(Body::from(body.to_string()))
            .unwrap()
    }

    #[tokio::test]
    async fn body_rejections_are_json_errors() {
        for (request, status, code) in [
            (post_json("{", "application/json"), 400, "invalid_json"),
            (
                post_json(r#"["a@b.c"]"#, "application/json"),
                400,
                "invalid_body",
            ),
            (
                post_json(r#"{"name":"x"}"#, "application/json"),
                400,
                "invalid_body",
            ),
            (
                post_json(r#"{"email":"a@b.c"}"#, "text/plain"),
                415,
                "unsupported_media_type",
            ),
            (
                post_json(
                    &format!(r#"{{"email":"{}"}}"#, "a".repeat(100)),
                    "application/json",
                ),
                413,
                "body_too_large",
            ),
            (
                Request::get("/query?limit=lots")
                    .body(Body::empty())
                    .unwrap(),
                400,
                "invalid_query",
            ),
        ] {
            let (got, body) = call(request).await;
            assert_eq!(
                (got.as_u16(), body["error"]["code"].as_str()),
                (status, Some(code)),
                "{body}"
            );
            assert!(
                body["error"]["message"]
                    .as_str()
                    .is_some_and(|m| !m.is_empty())
            );
        }
        let (ok, _) = call(post_json(r#"{"email":"a@b.c"}"#, "application/json")).await;
        assert_eq!(ok, StatusCode::OK);
    }

    #[test]
    fn retry_after_is_sent_as_a_header() {
        let response = ApiError::new(StatusCode::TOO_MANY_REQUESTS, "rate_limited", "slow down")
            .retry_after(7)
            .into_response();
        assert_eq!(response.headers()["retry-after"], "7");
    }
}
