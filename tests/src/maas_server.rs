//! A stand-in of Canonical MAAS's REST API 2.0 for the MAAS adapter's
//! tests, on a loopback port at `/MAAS/api/2.0/…`, answering the calls the
//! adapter makes as MAAS's documentation ("API login", "API v2 reference")
//! and the handlers that declare each call's parameters and statuses
//! (canonical/maas's `src/maasserver/api/machines.py` and `nodes.py`,
//! `node_constraint_filter_forms.py`) describe them: 401 without a valid
//! OAuth 1.0 PLAINTEXT `Authorization`; 400 with `{parameter: [messages]}`
//! for a parameter its form refuses; 409 with a text for an allocation
//! nothing matches or an operation the machine's state forbids; 404 for an
//! unknown `system_id`. `allocate` takes the cheapest ready machine that
//! matches (cores plus memory in GiB), names it with `agent_name`;
//! `deploy` moves it to Deploying, which a later read finds Deployed;
//! `release` with `erase` moves it to Disk erasing, which a later read
//! finds Ready, its `agent_name` cleared.
//! It keeps state: machines with their size, status, owner's agent name,
//! series, user data, power and erasures. Faults on demand: the next call
//! of an operation takes effect and its answer is lost (a gateway
//! timeout); the next calls fail (503).

mod machines;

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use hostfront::adapters::maas::MaasSettings;
use serde_json::Value;

use crate::loopback::{self, Loopback};

pub const CONSUMER_KEY: &str = "Xq7tZ3mB9kLp2wRv4s";
pub const TOKEN_KEY: &str = "Hn5cV8dF2gJ6kM9qT3";
pub const TOKEN_SECRET: &str = "P4sW7zX2cV5bN8mQ1rT6yU9iO3aS";
/// The series its boot images offer.
pub const SERIES: &[&str] = &["noble", "jammy"];

#[derive(Debug, Clone)]
pub struct Machine {
    pub hostname: String,
    pub cpu_count: u64,
    /// MiB.
    pub memory: u64,
    /// MB.
    pub storage: u64,
    pub status_name: String,
    pub agent_name: String,
    pub distro_series: String,
    pub user_data: Option<String>,
    pub power_on: bool,
    /// Each release's erasure: quick or whole.
    pub erasures: Vec<&'static str>,
}

struct Region {
    machines: BTreeMap<String, Machine>,
    calls: HashMap<String, usize>,
    lose_answer_of: Option<String>,
    failing: usize,
}

pub struct MaasServer {
    pub url: String,
    region: Arc<Mutex<Region>>,
    _server: Loopback,
}

/// What the stand-in answers: JSON, or a status with a body.
pub(crate) type Answer = Result<Value, (StatusCode, Value)>;

impl MaasServer {
    /// A region with `machines`: (cores, memory in GiB, disk in GB) each, all ready.
    pub async fn start(machines: &[(u64, u64, u64)]) -> MaasServer {
        let machines = machines
            .iter()
            .enumerate()
            .map(|(n, (cores, memory_gb, disk_gb))| {
                let machine = Machine {
                    hostname: format!("rack-{n:02}"),
                    cpu_count: *cores,
                    memory: memory_gb * 1024,
                    storage: disk_gb * 1000,
                    status_name: "Ready".into(),
                    agent_name: String::new(),
                    distro_series: String::new(),
                    user_data: None,
                    power_on: false,
                    erasures: Vec::new(),
                };
                (format!("x{n:02}abc"), machine)
            })
            .collect();
        let region = Arc::new(Mutex::new(Region {
            machines,
            calls: HashMap::new(),
            lose_answer_of: None,
            failing: 0,
        }));
        let app = axum::Router::new().fallback(api).with_state(region.clone());
        let server = loopback::serve(app).await;
        MaasServer {
            url: format!("{}/MAAS", server.base),
            region,
            _server: server,
        }
    }

    /// The adapter's settings for this region: `addresses` addresses from
    /// 192.0.2.100, `ubuntu-24.04` and `ubuntu-22.04` as its series.
    pub fn settings(&self, addresses: u32) -> MaasSettings {
        MaasSettings {
            url: self.url.clone(),
            api_key: format!("{CONSUMER_KEY}:{TOKEN_KEY}:{TOKEN_SECRET}").into(),
            templates: vec![
                ("ubuntu-24.04".into(), "noble".into()),
                ("ubuntu-22.04".into(), "jammy".into()),
            ],
            ipv4_first: "192.0.2.100".parse().unwrap(),
            ipv4_count: addresses,
            ipv6_network: "2001:db8:7::".parse().unwrap(),
            install_time: Duration::from_secs(1_800),
            timeout: Duration::from_secs(5),
        }
    }

    /// The next call of `op` (`allocate`, `deploy`, `release`, …; `read`,
    /// `update`) takes effect, and its answer is lost.
    pub fn lose_answer_of(&self, op: &str) {
        self.region.lock().unwrap().lose_answer_of = Some(op.into());
    }

    /// The next `calls` calls fail, whatever they ask.
    pub fn fail_next_calls(&self, calls: usize) {
        self.region.lock().unwrap().failing = calls;
    }

    /// Time passes: deployments and erasures under way finish.
    pub fn settle(&self) {
        let mut region = self.region.lock().unwrap();
        for machine in region.machines.values_mut() {
            machines::finish(machine);
        }
    }

    /// How many times `op` was called.
    pub fn calls(&self, op: &str) -> usize {
        *self.region.lock().unwrap().calls.get(op).unwrap_or(&0)
    }

    /// The machine `system_id` as the region holds it.
    pub fn machine(&self, system_id: &str) -> Option<Machine> {
        self.region.lock().unwrap().machines.get(system_id).cloned()
    }

    /// The machines some agent holds: (system_id, agent_name).
    pub fn taken(&self) -> Vec<(String, String)> {
        let region = self.region.lock().unwrap();
        region
            .machines
            .iter()
            .filter(|(_, m)| !m.agent_name.is_empty())
            .map(|(id, m)| (id.clone(), m.agent_name.clone()))
            .collect()
    }
}

/// The parameters of the `Authorization: OAuth k="v", …` header, decoded.
fn oauth_parameters(headers: &HeaderMap) -> Option<HashMap<String, String>> {
    let header = headers.get("authorization")?.to_str().ok()?;
    let list = header.strip_prefix("OAuth ")?;
    list.split(',')
        .map(|pair| {
            let (name, value) = pair.trim().split_once('=')?;
            let value = value.strip_prefix('"')?.strip_suffix('"')?;
            let decoded: String = form_urlencoded::parse(format!("v={value}").as_bytes())
                .next()
                .map(|(_, v)| v.into_owned())?;
            Some((name.to_string(), decoded))
        })
        .collect()
}

/// A request signed with the user's key: PLAINTEXT, its signature the
/// empty consumer secret and the token secret, with a nonce and timestamp.
fn signed(headers: &HeaderMap) -> bool {
    let Some(oauth) = oauth_parameters(headers) else {
        return false;
    };
    let is = |name: &str, value: &str| oauth.get(name).map(String::as_str) == Some(value);
    is("oauth_signature_method", "PLAINTEXT")
        && is("oauth_consumer_key", CONSUMER_KEY)
        && is("oauth_token", TOKEN_KEY)
        && is("oauth_signature", &format!("&{TOKEN_SECRET}"))
        && oauth.get("oauth_nonce").is_some_and(|n| !n.is_empty())
        && oauth
            .get("oauth_timestamp")
            .is_some_and(|t| t.parse::<u64>().is_ok())
}

async fn api(
    State(region): State<Arc<Mutex<Region>>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let Some(path) = uri.path().strip_prefix("/MAAS/api/2.0/") else {
        return (StatusCode::NOT_FOUND, "no such page").into_response();
    };
    if !signed(&headers) {
        let text = "Authorization Error: 'Invalid access token'";
        return (StatusCode::UNAUTHORIZED, text).into_response();
    }
    let query: HashMap<String, String> =
        form_urlencoded::parse(uri.query().unwrap_or("").as_bytes())
            .into_owned()
            .collect();
    let params = match method {
        Method::GET => query.clone(),
        _ => machines::multipart_fields(&headers, &body),
    };
    let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    let op = query.get("op").cloned().unwrap_or_else(|| match method {
        Method::PUT => "update".into(),
        _ => "read".into(),
    });
    let mut region = region.lock().unwrap();
    *region.calls.entry(op.clone()).or_default() += 1;
    if region.failing > 0 {
        region.failing -= 1;
        return (StatusCode::SERVICE_UNAVAILABLE, "Service Unavailable").into_response();
    }
    let answer = region.answer(&method, &segments, &op, &params);
    if region.lose_answer_of.as_deref() == Some(op.as_str()) {
        region.lose_answer_of = None;
        return (StatusCode::GATEWAY_TIMEOUT, "the answer was lost").into_response();
    }
    match answer {
        Ok(json) => axum::Json(json).into_response(),
        Err((status, Value::String(text))) => (status, text).into_response(),
        Err((status, json)) => (status, axum::Json(json)).into_response(),
    }
}
