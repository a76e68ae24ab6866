//! What every request must look like before a route sees it.
//!
//! - One slash between path segments, as nginx's `merge_slashes` has it:
//!   `//admin` is `/admin`, so nothing built from the path (a folder's
//!   redirect to `path/`) can start with `//`, which a browser reads as
//!   another host.
//! - No state change in a content type that a cross-site form or a CORS
//!   "simple request" can send (`application/x-www-form-urlencoded`,
//!   `multipart/form-data`, `text/plain`): this API takes JSON or no body,
//!   so such a request is refused with a 415 before any route runs,
//!   including the routes that read no body.

use axum::extract::Request;
use axum::http::{HeaderMap, Method, StatusCode, Uri, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::error::ApiError;

/// The prefixes of the paths whose next segment is a public link's token.
const TOKEN_PATHS: [&str; 2] = ["/api/previews/", "/api/proposals/"];

/// `path` as the request log may show it: a link's token withheld.
pub fn loggable_path(path: &str) -> std::borrow::Cow<'_, str> {
    let prefix = TOKEN_PATHS.iter().find(|p| path.starts_with(**p));
    match prefix {
        None => path.into(),
        Some(prefix) => {
            let rest = &path[prefix.len()..];
            let after = rest.find('/').map_or("", |i| &rest[i..]);
            format!("{prefix}[token]{after}").into()
        }
    }
}

/// `request` with each run of slashes in its path made one.
pub fn merge_slashes(mut request: Request) -> Request {
    let uri = request.uri();
    if !uri.path().contains("//") {
        return request;
    }
    let mut path = String::with_capacity(uri.path().len());
    for c in uri.path().chars() {
        if !(c == '/' && path.ends_with('/')) {
            path.push(c);
        }
    }
    if let Some(query) = uri.query() {
        path = format!("{path}?{query}");
    }
    let mut parts = uri.clone().into_parts();
    parts.path_and_query = path.parse().ok();
    if let Ok(merged) = Uri::from_parts(parts) {
        *request.uri_mut() = merged;
    }
    request
}

/// The content types a page on another site can send without asking (the
/// CORS "simple request" ones).
const FORM_TYPES: [&str; 3] = [
    "application/x-www-form-urlencoded",
    "multipart/form-data",
    "text/plain",
];

/// Refuses a state change sent in a form's content type.
pub async fn refuse_form_posts(request: Request, next: Next) -> Response {
    let safe = matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    );
    if !safe && sent_as_form(request.headers()) {
        return ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            "this API takes JSON (Content-Type: application/json) or no body, never a form",
        )
        .into_response();
    }
    next.run(request).await
}

/// Whether a `Content-Type` is a form's (by its essence, as browsers read
/// it), or is not text at all.
fn sent_as_form(headers: &HeaderMap) -> bool {
    headers.get_all(header::CONTENT_TYPE).iter().any(|value| {
        let Ok(value) = value.to_str() else {
            return true;
        };
        let essence = value.split(';').next().unwrap_or("").trim();
        FORM_TYPES
            .iter()
            .any(|form| essence.eq_ignore_ascii_case(form))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn merged(target: &str) -> String {
        let request = Request::get(target)
            .body(axum::body::Body::empty())
            .unwrap();
        merge_slashes(request).uri().to_string()
    }

    #[test]
    fn link_tokens_never_reach_the_request_log() {
        let token = "q1w2e3r4t5y6u7i8o9p0a1s2d3f4g5h6j7k8l9z0x1c";
        let path = format!("/api/proposals/{token}/accept");
        assert_eq!(loggable_path(&path), "/api/proposals/[token]/accept");
        assert_eq!(
            loggable_path(&format!("/api/previews/{token}")),
            "/api/previews/[token]"
        );
        assert_eq!(loggable_path("/api/orders/01J"), "/api/orders/01J");
    }

    #[test]
    fn runs_of_slashes_are_one() {
        assert_eq!(merged("//admin"), "/admin");
        assert_eq!(
            merged("///evil.example//x/?next=//a"),
            "/evil.example/x/?next=//a"
        );
        assert_eq!(merged("/api/health"), "/api/health");
        assert_eq!(
            merged("http://shop.example//admin"),
            "http://shop.example/admin"
        );
    }

    #[test]
    fn form_content_types_are_known_by_their_essence() {
        let with = |value: &str| {
            let mut headers = HeaderMap::new();
            headers.insert(header::CONTENT_TYPE, value.parse().unwrap());
            sent_as_form(&headers)
        };
        for form in [
            "application/x-www-form-urlencoded",
            "Multipart/Form-Data; boundary=x",
            "text/plain;charset=UTF-8",
            " TEXT/PLAIN ",
        ] {
            assert!(with(form), "{form}");
        }
        for json in [
            "application/json",
            "application/json; charset=utf-8",
            "text/plainx",
        ] {
            assert!(!with(json), "{json}");
        }
        assert!(!sent_as_form(&HeaderMap::new()), "no body, no type");
    }
}
