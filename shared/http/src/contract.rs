//! The answers every route shares, added to the API description in one
//! place so that the document and the server cannot drift apart: each comes
//! from a layer or extractor that every route of its kind passes through.
//!
//! - any route: 503 (the server is busy or a request took too long);
//! - any route that changes something: 415 (`unsupported_media_type`) for
//!   a form's content type, body or not;
//! - a route with a JSON body (`ApiJson`): 400 (`invalid_json`,
//!   `invalid_body`), 413 (`body_too_large`), 415 (`unsupported_media_type`);
//! - a route with query parameters (`ApiQuery`): 400 (`invalid_query`);
//! - a route that needs a customer's session (`CurrentCustomer`, declared
//!   with `security(("session" = []))`): 401 (`not_logged_in`) and 400
//!   (`ambiguous_session`);
//! - a route that reads the client's address (`Admitted`): 400 (`bad_forwarding`);
//! - a staff route (`Staff<R>`, declared with `security(("staff" = ["<role>"]))`):
//!   401 (`not_logged_in`), 403 (`forbidden`: a lesser role; and for a
//!   change, `console_header_required`), 400 (`ambiguous_session`, `bad_forwarding`).
//!
//! Routes declare the rest themselves: their successes, 404, 409, 422 and
//! 429; never these, which would say twice what is said here.

use serde_json::{Value, json};

/// The security scheme of a customer's session cookie.
pub const SESSION_SCHEME: &str = "session";

/// The security scheme of a staff session; its scopes name the least role.
pub const STAFF_SCHEME: &str = "staff";

/// The least role `operation` declares, for a staff route.
pub fn staff_role(operation: &Value) -> Option<&str> {
    operation["security"]
        .as_array()?
        .iter()
        .find_map(|r| r.get(STAFF_SCHEME)?.as_array()?.first()?.as_str())
}

fn error(description: &str) -> Value {
    json!({
        "description": description,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorBody"}}}
    })
}

/// Adds `status` to `responses` unless the route declared it, in which case
/// the shared codes join its description.
fn add(responses: &mut serde_json::Map<String, Value>, status: &str, description: &str) {
    match responses.get_mut(status) {
        None => {
            responses.insert(status.into(), error(description));
        }
        Some(declared) => {
            let text = declared["description"].as_str().unwrap_or("").to_string();
            if !text.contains(description) {
                declared["description"] = json!(format!("{text}; {description}"));
            }
        }
    }
}

/// Completes `document` (an OpenAPI 3.1 document as JSON) with the shared answers.
pub fn complete(mut document: Value, cookie_name: &str, staff_cookie_name: &str) -> Value {
    let paths = document["paths"].as_object_mut().expect("paths");
    for item in paths.values_mut() {
        let Some(item) = item.as_object_mut() else {
            continue;
        };
        for (method, operation) in item.iter_mut() {
            if ["get", "post", "put", "patch", "delete"].contains(&method.as_str()) {
                complete_operation(method, operation);
            }
        }
    }
    document["components"]["securitySchemes"][STAFF_SCHEME] = json!({
        "type": "apiKey",
        "in": "cookie",
        "name": staff_cookie_name,
        "description": "The staff session cookie that `/api/admin/login` sets; each route's scope is the least role it needs (support, billing, admin)."
    });
    document["components"]["securitySchemes"][SESSION_SCHEME] = json!({
        "type": "apiKey",
        "in": "cookie",
        "name": cookie_name,
        "description": "The session cookie that login and email verification set."
    });
    document
}

/// Adds the shared answers to one operation, called with `method`.
fn complete_operation(method: &str, operation: &mut Value) {
    let has_body = operation.get("requestBody").is_some();
    let has_query = operation["parameters"]
        .as_array()
        .is_some_and(|ps| ps.iter().any(|p| p["in"] == "query"));
    let needs_session = operation["security"]
        .as_array()
        .is_some_and(|s| s.iter().any(|r| r.get(SESSION_SCHEME).is_some()));
    let limited = operation["responses"].get("429").is_some();
    let staff = staff_role(operation).is_some();
    let changes = method != "get";
    let responses = operation["responses"].as_object_mut().expect("responses");
    add(
        responses,
        "503",
        "`unavailable`: busy, or the request took too long; see Retry-After",
    );
    if has_body {
        add(
            responses,
            "400",
            "`invalid_json`, `invalid_body`: the body does not fit this description",
        );
        add(responses, "413", "`body_too_large`");
        add(responses, "415", "`unsupported_media_type`: send JSON");
    }
    if changes && !has_body {
        add(
            responses,
            "415",
            "`unsupported_media_type`: a form's content type (this route takes no body)",
        );
    }
    if has_query {
        add(responses, "400", "`invalid_query`");
    }
    if needs_session {
        add(responses, "401", "`not_logged_in`");
        add(responses, "400", "`ambiguous_session`: two session cookies");
    }
    if staff {
        add(responses, "401", "`not_logged_in`");
        add(
            responses,
            "403",
            if changes {
                "`forbidden`: the role is not enough; `console_header_required`"
            } else {
                "`forbidden`: the role is not enough"
            },
        );
        add(responses, "400", "`ambiguous_session`: two session cookies");
    }
    if limited || staff {
        add(
            responses,
            "400",
            "`bad_forwarding`: a proxy forwarded something that is not an address",
        );
    }
}
