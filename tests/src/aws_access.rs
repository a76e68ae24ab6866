//! What a function asks of AWS, seen on the wire: a recording proxy between
//! one function and moto. Each DynamoDB request is logged in IAM's terms, as
//! the actions IAM checks, the partition keys its `dynamodb:LeadingKeys`
//! condition sees and the attribute names its `dynamodb:Attributes` sees; each
//! KMS request with its encryption context (`kms:EncryptionContext:…`), so
//! that tests can hold the template's policies to what the functions really do.

use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Request, State};
use axum::response::{IntoResponse, Response};
use serde_json::Value;

/// One action of one request.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Access {
    /// The function's binary name.
    pub function: String,
    /// The IAM action: `dynamodb:GetItem`, `sqs:SendMessage`, `kms:Decrypt`.
    pub action: String,
    /// For DynamoDB: the partition key values the action touches (for a
    /// query, the partition it reads, of the index it names).
    pub leading_keys: Vec<String>,
    /// For SQS, the queue's name.
    pub queue: Option<String>,
    /// For a DynamoDB write, the top-level attribute names the request
    /// names: the item's, or the key's and those of its expressions.
    pub attributes: Vec<String>,
    /// For KMS, the encryption context's pairs.
    pub context: Vec<(String, String)>,
}

/// Every access recorded, shared by the proxies of one stack.
pub type AccessLog = Arc<Mutex<Vec<Access>>>;

/// Failures the proxy answers with instead of forwarding: what moto, which
/// runs one transaction at a time, never produces.
#[derive(Default)]
pub struct Faults {
    /// How many of the next `TransactWriteItems` DynamoDB cancels for a
    /// `TransactionConflict`, as it does when another transaction holds an item.
    pub transaction_conflicts: std::sync::atomic::AtomicU32,
    /// How many of the next looks at a Route 53 change (`GetChange`) find it
    /// `PENDING`, as real changes start; moto serves every change at once.
    pub pending_changes: std::sync::atomic::AtomicU32,
}

impl Faults {
    fn take_pending(&self) -> bool {
        use std::sync::atomic::Ordering;
        self.pending_changes
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
            .is_ok()
    }

    fn take_conflict(&self) -> bool {
        use std::sync::atomic::Ordering;
        self.transaction_conflicts
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
            .is_ok()
    }
}

#[derive(Clone)]
struct Proxy {
    function: String,
    upstream: String,
    log: AccessLog,
    faults: Arc<Faults>,
    client: reqwest::Client,
}

/// Starts a proxy for `function` in front of `upstream`; returns its endpoint.
pub async fn proxy(function: &str, upstream: &str, log: AccessLog) -> String {
    proxy_with_faults(function, upstream, log, Arc::default()).await
}

/// As `proxy`, answering with `faults` while it has some.
pub async fn proxy_with_faults(
    function: &str,
    upstream: &str,
    log: AccessLog,
    faults: Arc<Faults>,
) -> String {
    let proxy = Proxy {
        function: function.into(),
        upstream: upstream.trim_end_matches('/').into(),
        log,
        faults,
        client: reqwest::Client::new(),
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a loopback port");
    let endpoint = format!("http://{}", listener.local_addr().expect("bound"));
    let app = Router::new().fallback(forward).with_state(proxy);
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    endpoint
}

async fn forward(State(proxy): State<Proxy>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let body: Bytes = axum::body::to_bytes(body, usize::MAX)
        .await
        .unwrap_or_default();
    let target = parts
        .headers
        .get("x-amz-target")
        .and_then(|t| t.to_str().ok())
        .unwrap_or_default();
    let document: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let queue = document["QueueUrl"]
        .as_str()
        .and_then(|url| url.rsplit('/').next())
        .map(String::from);
    let actions = match rest_action(parts.method.as_str(), parts.uri.path()) {
        Some(action) => vec![Named::action(action)],
        None => accesses(target, &document),
    };
    let context = encryption_context(&document);
    let recorded = actions.into_iter().map(|named| Access {
        function: proxy.function.clone(),
        action: named.action,
        leading_keys: named.leading_keys,
        queue: queue.clone(),
        attributes: named.attributes,
        context: context.clone(),
    });
    proxy.log.lock().unwrap().extend(recorded);
    if target.ends_with(".TransactWriteItems") && proxy.faults.take_conflict() {
        return transaction_conflict(&document);
    }

    let url = format!(
        "{}{}",
        proxy.upstream,
        parts
            .uri
            .path_and_query()
            .map(|p| p.as_str())
            .unwrap_or("/")
    );
    let mut upstream = proxy.client.request(parts.method.clone(), url).body(body);
    for (name, value) in &parts.headers {
        if name != axum::http::header::HOST && name != axum::http::header::CONTENT_LENGTH {
            upstream = upstream.header(name, value);
        }
    }
    let Ok(answer) = upstream.send().await else {
        return axum::http::StatusCode::BAD_GATEWAY.into_response();
    };
    let mut response = Response::builder().status(answer.status().as_u16());
    for (name, value) in answer.headers() {
        if name != "transfer-encoding" && name != "content-length" {
            response = response.header(name.as_str(), value.as_bytes());
        }
    }
    let mut bytes = answer.bytes().await.unwrap_or_default();
    // Route 53 answers every new change `PENDING`, and a look at it finds it
    // so until it is served.
    let submits = parts.method == "POST" && parts.uri.path().ends_with("/rrset");
    let looks = parts.method == "GET" && parts.uri.path().contains("/change/");
    let pending = proxy
        .faults
        .pending_changes
        .load(std::sync::atomic::Ordering::SeqCst)
        > 0;
    if (submits && pending) || (looks && proxy.faults.take_pending()) {
        let text = String::from_utf8_lossy(&bytes).replace("INSYNC", "PENDING");
        bytes = Bytes::from(text);
    }
    response
        .body(axum::body::Body::from(bytes))
        .expect("a response")
}

/// DynamoDB's answer to a transaction another one stood in the way of: one
/// reason per item, the first in conflict.
fn transaction_conflict(request: &Value) -> Response {
    let items = request["TransactItems"].as_array().map_or(1, Vec::len);
    let reasons: Vec<Value> = (0..items)
        .map(|i| match i {
            0 => serde_json::json!({"Code": "TransactionConflict", "Message": "Transaction is ongoing for the item"}),
            _ => serde_json::json!({"Code": "None"}),
        })
        .collect();
    let body = serde_json::json!({
        "__type": "com.amazonaws.dynamodb.v20120810#TransactionCanceledException",
        "Message": "Transaction cancelled, please refer cancellation reasons for specific reasons [TransactionConflict]",
        "CancellationReasons": reasons,
    });
    Response::builder()
        .status(400)
        .header("content-type", "application/x-amz-json-1.0")
        .body(axum::body::Body::from(body.to_string()))
        .expect("a response")
}

/// The IAM action of a REST request: Route 53 (`/2013-04-01/…`) or SES v2
/// (`/v2/email/…`), if it is one.
fn rest_action(method: &str, path: &str) -> Option<String> {
    if let Some(rest) = path.strip_prefix("/v2/email/") {
        return Some(match (method, rest.trim_end_matches('/')) {
            ("POST", "outbound-emails") => "ses:SendEmail".into(),
            _ => format!("ses:unknown {method} {path}"),
        });
    }
    let rest = path.strip_prefix("/2013-04-01/")?;
    let parts: Vec<&str> = rest.trim_end_matches('/').split('/').collect();
    let action = match (method, parts.as_slice()) {
        ("POST", ["hostedzone"]) => "CreateHostedZone",
        ("GET", ["hostedzone"]) => "ListHostedZones",
        ("GET", ["hostedzonesbyname"]) => "ListHostedZonesByName",
        ("GET", ["hostedzone", _]) => "GetHostedZone",
        ("DELETE", ["hostedzone", _]) => "DeleteHostedZone",
        ("POST", ["hostedzone", _]) => "UpdateHostedZoneComment",
        ("POST", ["hostedzone", _, "rrset"]) => "ChangeResourceRecordSets",
        ("GET", ["hostedzone", _, "rrset"]) => "ListResourceRecordSets",
        ("GET", ["change", _]) => "GetChange",
        _ => return Some(format!("route53:unknown {method} {path}")),
    };
    Some(format!("route53:{action}"))
}

/// One IAM action of a request, with what its condition keys see.
struct Named {
    action: String,
    leading_keys: Vec<String>,
    attributes: Vec<String>,
}

impl Named {
    fn action(action: String) -> Named {
        Named {
            action,
            leading_keys: Vec::new(),
            attributes: Vec::new(),
        }
    }
}

/// A KMS request's encryption context, sorted.
fn encryption_context(body: &Value) -> Vec<(String, String)> {
    let mut pairs: Vec<(String, String)> = body["EncryptionContext"]
        .as_object()
        .into_iter()
        .flatten()
        .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_string()))
        .collect();
    pairs.sort();
    pairs
}

/// The attribute names `field` (an item or a key) and the request's
/// expressions name: what IAM's `dynamodb:Attributes` holds for a write.
fn named_attributes(request: &Value, field: &Value) -> Vec<String> {
    let mut names: Vec<String> = field
        .as_object()
        .into_iter()
        .flat_map(|item| item.keys().cloned())
        .chain(
            request["ExpressionAttributeNames"]
                .as_object()
                .into_iter()
                .flat_map(|names| names.values())
                .filter_map(|name| name.as_str().map(String::from)),
        )
        .collect();
    names.sort();
    names.dedup();
    names
}

/// The IAM actions of one request with `x-amz-target: target`, each with
/// the partition keys and attribute names it touches.
fn accesses(target: &str, body: &Value) -> Vec<Named> {
    let Some((service, operation)) = target.split_once('.') else {
        return Vec::new();
    };
    let prefix = match service {
        s if s.starts_with("DynamoDB") => "dynamodb",
        s if s.starts_with("AmazonSQS") => "sqs",
        s if s.starts_with("TrentService") => "kms",
        _ => return vec![Named::action(format!("unknown:{target}"))],
    };
    let action = |name: &str| format!("{prefix}:{name}");
    if prefix != "dynamodb" {
        return vec![Named::action(action(operation))];
    }
    let pk = |item: &Value| item["pk"]["S"].as_str().map(String::from);
    // One item's write: the action, its key or item field, and the request holding it.
    let write = |name: &str, request: &Value, field: &str| Named {
        action: action(name),
        leading_keys: pk(&request[field]).into_iter().collect(),
        attributes: named_attributes(request, &request[field]),
    };
    match operation {
        "GetItem" => vec![Named {
            leading_keys: pk(&body["Key"]).into_iter().collect(),
            ..Named::action(action(operation))
        }],
        "DeleteItem" | "UpdateItem" => vec![write(operation, body, "Key")],
        "PutItem" => vec![write(operation, body, "Item")],
        "BatchGetItem" => {
            let keys = tables(body)
                .flat_map(|t| t["Keys"].as_array().cloned().unwrap_or_default())
                .filter_map(|k| pk(&k))
                .collect();
            vec![Named {
                leading_keys: keys,
                ..Named::action(action(operation))
            }]
        }
        "BatchWriteItem" => {
            let writes: Vec<Value> = tables(body)
                .flat_map(|t| t.as_array().cloned().unwrap_or_default())
                .collect();
            let field = |w: &Value| match w.get("PutRequest") {
                Some(put) => put["Item"].clone(),
                None => w["DeleteRequest"]["Key"].clone(),
            };
            let mut attributes: Vec<String> = writes
                .iter()
                .flat_map(|w| named_attributes(&Value::Null, &field(w)))
                .collect();
            attributes.sort();
            attributes.dedup();
            vec![Named {
                action: action(operation),
                leading_keys: writes.iter().filter_map(|w| pk(&field(w))).collect(),
                attributes,
            }]
        }
        // IAM checks each item's own action in a transaction.
        "TransactWriteItems" => body["TransactItems"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|item| {
                [
                    ("Put", "PutItem", "Item"),
                    ("Update", "UpdateItem", "Key"),
                    ("Delete", "DeleteItem", "Key"),
                    ("ConditionCheck", "ConditionCheckItem", "Key"),
                ]
                .into_iter()
                .find_map(|(kind, name, field)| item.get(kind).map(|r| write(name, r, field)))
            })
            .collect(),
        "Query" => vec![Named {
            leading_keys: queried_partition(body).into_iter().collect(),
            ..Named::action(action(operation))
        }],
        other => vec![Named::action(action(other))],
    }
}

fn tables(body: &Value) -> impl Iterator<Item = Value> + '_ {
    body["RequestItems"]
        .as_object()
        .into_iter()
        .flat_map(|tables| tables.values().cloned())
}

/// The partition key value of a query: the `#name = :value` of its key
/// condition whose name is the table's or the index's partition key.
fn queried_partition(body: &Value) -> Option<String> {
    let expression = body["KeyConditionExpression"].as_str()?;
    expression.split(" AND ").find_map(|part| {
        let (name, value) = part.trim().trim_matches(['(', ')']).split_once(" = ")?;
        let attribute = body["ExpressionAttributeNames"][name.trim()].as_str()?;
        attribute
            .ends_with("pk")
            .then(|| body["ExpressionAttributeValues"][value.trim()]["S"].as_str())
            .flatten()
            .map(String::from)
    })
}

/// The part of a partition key a policy names: up to and with its first `#`
/// (`CUSTOMER#`), or the whole key when it has none (`CATALOG`).
pub fn key_prefix(key: &str) -> &str {
    key.find('#').map_or(key, |at| &key[..=at])
}
