//! A stand-in of Proxmox VE's REST API for the Proxmox adapter's tests, on
//! a loopback port at `/api2/json/…`, answering the calls the adapter makes
//! as the API viewer (pve.proxmox.com/pve-docs/api-viewer) and the sources
//! that declare each call's parameters (proxmox/qemu-server's
//! `PVE/API2/Qemu.pm`, proxmox/pve-manager's `PVE/API2/Nodes.pm` and
//! `PVE/API2/Cluster.pm`) describe them: answers in a `{"data": …}`
//! envelope; 401 without a valid `PVEAPIToken`; 400 with
//! `{"errors": {parameter: message}}` for a parameter its format refuses
//! (`sshkeys` must be URL-encoded, `name` a DNS name); 500 with a message
//! for what fails while running (a `newid` that exists, a disk shrunk, a
//! running VM destroyed); clone, config, resize, start, stop and destroy
//! answer a task id (UPID) whose status is `running` once, then `stopped`
//! with `exitstatus` `OK`.
//! It keeps state: nodes with their memory, and guests (template VMs and
//! clones) with their configuration, disk size and status. A node's `mem`
//! counts the memory its VMs are configured with, running or not.
//! Faults on demand: the next call of an action takes effect and its answer
//! is lost (a gateway timeout); the next calls fail inside Proxmox (500).

mod qemu;

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use hostfront::adapters::proxmox::ProxmoxSettings;
use serde_json::{Value, json};

pub const TOKEN_ID: &str = "hostfront@pve!provisioning";
pub const TOKEN_SECRET: &str = "0b5e3c7a-9d41-4f0e-8a2b-6c1d2e3f4a5b";
/// The template VMs: (OS name, vmid), on the first node.
pub const TEMPLATES: &[(&str, u64)] = &[("debian-12", 9000), ("ubuntu-24.04", 9001)];
pub const NODES: &[&str] = &["pve1", "pve2"];
const MIB: u64 = 1024 * 1024;

struct Guest {
    node: String,
    template: bool,
    running: bool,
    /// Every configuration key, as given (`name`, `description`, `cores`, …).
    config: BTreeMap<String, String>,
    disk_gb: u64,
}

struct Cluster {
    /// Node → its memory, in MiB.
    nodes: BTreeMap<String, u64>,
    guests: BTreeMap<u64, Guest>,
    /// UPID → how many times its status was asked.
    tasks: HashMap<String, usize>,
    calls: HashMap<String, usize>,
    lose_answer_of: Option<String>,
    failing: usize,
}

pub struct ProxmoxServer {
    pub base: String,
    cluster: Arc<Mutex<Cluster>>,
    _server: crate::loopback::Loopback,
}

/// What the stand-in answers: a `data` envelope, or a failure.
type Answer = Result<Value, (StatusCode, Value)>;

/// A parameter its format refuses: 400 with the parameter named.
fn bad_parameter(name: &str, message: &str) -> (StatusCode, Value) {
    (
        StatusCode::BAD_REQUEST,
        json!({"data": null, "errors": {name: message}, "message": "Parameter verification failed.\n"}),
    )
}

/// A failure while running: 500 with the reason.
fn failed(message: String) -> (StatusCode, Value) {
    (
        StatusCode::INTERNAL_SERVER_ERROR,
        json!({"data": null, "message": format!("{message}\n")}),
    )
}

impl ProxmoxServer {
    /// Two nodes of `node_memory_mb` each, the templates on the first.
    pub async fn start(node_memory_mb: u64) -> ProxmoxServer {
        let nodes = NODES
            .iter()
            .map(|n| (n.to_string(), node_memory_mb))
            .collect();
        let guests = TEMPLATES
            .iter()
            .map(|(name, vmid)| {
                let config = BTreeMap::from([
                    ("name".to_string(), format!("template-{name}")),
                    ("memory".to_string(), "512".to_string()),
                    (
                        "scsi0".to_string(),
                        "local-lvm:base-disk,size=2G".to_string(),
                    ),
                ]);
                let guest = Guest {
                    node: NODES[0].into(),
                    template: true,
                    running: false,
                    config,
                    disk_gb: 2,
                };
                (*vmid, guest)
            })
            .collect();
        let cluster = Arc::new(Mutex::new(Cluster {
            nodes,
            guests,
            tasks: HashMap::new(),
            calls: HashMap::new(),
            lose_answer_of: None,
            failing: 0,
        }));
        let app = axum::Router::new()
            .fallback(api)
            .with_state(cluster.clone());
        let server = crate::loopback::serve(app).await;
        let base = server.base.clone();
        ProxmoxServer {
            base,
            cluster,
            _server: server,
        }
    }

    /// The adapter's settings for this cluster: `addresses` addresses
    /// from 192.0.2.10.
    pub fn settings(&self, addresses: u32) -> ProxmoxSettings {
        ProxmoxSettings {
            url: self.base.clone(),
            token_id: TOKEN_ID.into(),
            token_secret: TOKEN_SECRET.into(),
            nodes: NODES.iter().map(|n| n.to_string()).collect(),
            templates: TEMPLATES
                .iter()
                .map(|(name, vmid)| (name.to_string(), *vmid as u32))
                .collect(),
            disk: "scsi0".into(),
            ipv4_first: "192.0.2.10".parse().unwrap(),
            ipv4_count: addresses,
            ipv4_prefix: 24,
            ipv4_gateway: "192.0.2.1".parse().unwrap(),
            ipv6_network: "2001:db8:2::".parse().unwrap(),
            ipv6_gateway: "2001:db8:2::1".parse().unwrap(),
            timeout: Duration::from_secs(5),
            task_timeout: Duration::from_secs(10),
        }
    }

    /// The next call of `action` (`clone`, `config`, `resize`, `start`,
    /// `stop`, `destroy`) takes effect, and its answer is lost.
    pub fn lose_answer_of(&self, action: &str) {
        self.cluster.lock().unwrap().lose_answer_of = Some(action.into());
    }

    /// The next `calls` calls fail inside Proxmox, whatever they ask.
    pub fn fail_next_calls(&self, calls: usize) {
        self.cluster.lock().unwrap().failing = calls;
    }

    /// How many times `action` was called.
    pub fn calls(&self, action: &str) -> usize {
        *self.cluster.lock().unwrap().calls.get(action).unwrap_or(&0)
    }

    /// The VMs that are not templates: (vmid, node, name, running).
    pub fn vms(&self) -> Vec<(u64, String, String, bool)> {
        let cluster = self.cluster.lock().unwrap();
        cluster
            .guests
            .iter()
            .filter(|(_, g)| !g.template)
            .map(|(vmid, g)| {
                let name = g.config.get("name").cloned().unwrap_or_default();
                (*vmid, g.node.clone(), name, g.running)
            })
            .collect()
    }

    /// A VM's configuration key, and its disk size in GB.
    pub fn config(&self, vmid: u64, key: &str) -> Option<String> {
        let cluster = self.cluster.lock().unwrap();
        let guest = cluster.guests.get(&vmid)?;
        match key {
            "disk_gb" => Some(guest.disk_gb.to_string()),
            _ => guest.config.get(key).cloned(),
        }
    }
}

async fn api(
    State(cluster): State<Arc<Mutex<Cluster>>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let Some(path) = uri.path().strip_prefix("/api2/json/") else {
        return (StatusCode::NOT_FOUND, "no such page").into_response();
    };
    let authorised = headers.get("authorization").and_then(|v| v.to_str().ok())
        == Some(format!("PVEAPIToken={TOKEN_ID}={TOKEN_SECRET}").as_str());
    if !authorised {
        let answer = json!({"data": null, "message": "authentication failure\n"});
        return (StatusCode::UNAUTHORIZED, axum::Json(answer)).into_response();
    }
    let raw = if matches!(method, Method::GET | Method::DELETE) {
        uri.query().unwrap_or_default().as_bytes().to_vec()
    } else {
        body.to_vec()
    };
    let params: HashMap<String, String> = form_urlencoded::parse(&raw).into_owned().collect();
    let segments: Vec<String> = path.split('/').map(percent_decoded).collect();
    let segments: Vec<&str> = segments.iter().map(String::as_str).collect();
    let mut cluster = cluster.lock().unwrap();
    let action = qemu::action(&method, &segments);
    *cluster.calls.entry(action.to_string()).or_default() += 1;
    if cluster.failing > 0 {
        cluster.failing -= 1;
        let (status, answer) =
            failed("cfs-lock 'file-replication_cfg' error: got lock request timeout".into());
        return (status, axum::Json(answer)).into_response();
    }
    let answer = cluster.answer(&method, &segments, &params);
    if cluster.lose_answer_of.as_deref() == Some(action) {
        cluster.lose_answer_of = None;
        return (StatusCode::GATEWAY_TIMEOUT, "the answer was lost").into_response();
    }
    match answer {
        Ok(data) => axum::Json(json!({ "data": data })).into_response(),
        Err((status, answer)) => (status, axum::Json(answer)).into_response(),
    }
}

/// `%XX` escapes decoded (a UPID in a path is escaped).
fn percent_decoded(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok());
        match (bytes[i], hex.and_then(|h| u8::from_str_radix(h, 16).ok())) {
            (b'%', Some(byte)) => {
                out.push(byte);
                i += 3;
            }
            (byte, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}
