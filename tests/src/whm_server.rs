//! A stand-in of cPanel & WHM's API for the WHM adapter's tests, on a
//! loopback port: every server of a small fleet at `/<host>/json-api/…`,
//! answering the functions the adapter calls as cPanel's API reference
//! (api.docs.cpanel.net: WHM API 1, UAPI, cPanel API 2) documents them:
//! WHM API 1's `metadata.result` and `reason`, UAPI's `status` and `errors`
//! inside `uapi_cpanel`, cPanel API 2's `cpanelresult`. It keeps state of
//! its own: each server's accounts with their package, suspension, address,
//! mailboxes, addon domains, AutoSSL certificates and use (disk in MB as
//! `listaccts` gives it, bandwidth in bytes as `showbw` does; set with
//! `set_usage`), and the backups copied away. Like WHM it ignores parameters it does not know (so
//! `createacct` gives the server's shared address unless `ip` names
//! another), and `listaccts` answers an empty list for a search that finds
//! no account, while `accountsummary` refuses one.
//! Faults on demand: the next call of a function takes effect and its
//! answer is lost (a gateway error); the next calls fail inside WHM
//! (`metadata.result` 0), whatever they ask.

mod cpanel_api;
mod resellers;
mod whm_api;

pub use resellers::Reseller;

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use hostfront::adapters::whm::WhmSettings;
use serde_json::{Value, json};

pub const TOKEN: &str = "WHMTOKEN0123456789ABCDEFGHIJKLMN";
pub const BACKUP_TARGET: &str = "scp://backup@vault.example.net:2222/srv/backups";
pub const BACKUP_PASSWORD: &str = "vault password";
/// The packages every server has: the demo catalog's plans, and one more.
const PACKAGES: &[&str] = &[
    "web-starter",
    "web-business",
    "web-agency",
    "web-pro",
    "mail-basic",
    "vps-2",
    "dedicated-e3",
    "reseller-20",
];
/// Each server's main, shared address: an account's when `createacct`
/// names no other.
const SHARED_ADDRESS: &str = "192.0.2.1";
/// How long AutoSSL's certificates last.
const CERTIFICATE_DAYS: u64 = 90;

#[derive(Default)]
struct Account {
    domain: String,
    package: String,
    suspended: bool,
    ip: String,
    mailboxes: Vec<String>,
    addon_domains: Vec<String>,
    /// Aliases parked on its own domain (UAPI's `Park`).
    parked_domains: Vec<String>,
    /// Per site: (certificate id, expiry).
    certificates: BTreeMap<String, (String, u64)>,
    /// The DKIM record of its domain, once `enable_dkim` made a key.
    dkim: Option<String>,
    reseller: Option<Reseller>,
    /// The reseller that made it, for its own customer; root's otherwise.
    owner: Option<String>,
    disk_used_mb: u64,
    disk_limit_mb: Option<u64>,
    /// Served this month.
    bandwidth_bytes: u64,
    /// 0: unlimited.
    bandwidth_limit_bytes: u64,
}

/// A backup copied to the backup host.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CopiedBackup {
    pub server: String,
    pub user: String,
    pub host: String,
    pub port: String,
    pub directory: String,
}

#[derive(Default)]
struct Fleet {
    /// Server host → user → account.
    servers: HashMap<String, BTreeMap<String, Account>>,
    backups: Vec<CopiedBackup>,
    /// Server host → ACL list name → its privileges.
    acl_lists: HashMap<String, BTreeMap<String, std::collections::BTreeSet<String>>>,
    /// Function → how many times it was called.
    calls: HashMap<String, usize>,
    /// The next call of this function takes effect; its answer is lost.
    lose_answer_of: Option<String>,
    /// The next this many calls fail inside WHM, whatever they ask.
    failing: usize,
    next_id: u64,
}

pub struct WhmServer {
    pub base: String,
    fleet: Arc<Mutex<Fleet>>,
    _server: crate::loopback::Loopback,
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

impl WhmServer {
    pub async fn start() -> WhmServer {
        let fleet = Arc::new(Mutex::new(Fleet::default()));
        let app = axum::Router::new().fallback(api).with_state(fleet.clone());
        let server = crate::loopback::serve(app).await;
        let base = server.base.clone();
        WhmServer {
            base,
            fleet,
            _server: server,
        }
    }

    /// The adapter's settings for this fleet, waiting `timeout` per call.
    pub fn settings(&self, timeout: Duration) -> WhmSettings {
        WhmSettings {
            url: format!("{}/{{server}}", self.base),
            user: "root".into(),
            tokens: vec![("*".into(), TOKEN.into())],
            timeout,
            backup_target: BACKUP_TARGET.into(),
            backup_password: BACKUP_PASSWORD.into(),
            backup_days: 30,
        }
    }

    /// The environment that points a process at this fleet.
    pub fn env(&self) -> Vec<(String, String)> {
        [
            ("HOSTFRONT_PANEL", "whm".to_string()),
            ("HOSTFRONT_WHM_URL", format!("{}/{{server}}", self.base)),
            ("HOSTFRONT_WHM_TOKENS", format!("*={TOKEN}")),
            ("HOSTFRONT_WHM_BACKUP_TARGET", BACKUP_TARGET.into()),
            ("HOSTFRONT_WHM_BACKUP_PASSWORD", BACKUP_PASSWORD.into()),
        ]
        .map(|(name, value)| (name.to_string(), value))
        .to_vec()
    }

    /// The next call of `function` takes effect, and its answer is lost.
    pub fn lose_answer_of(&self, function: &str) {
        self.fleet.lock().unwrap().lose_answer_of = Some(function.into());
    }

    /// The next `calls` calls fail inside WHM (`metadata.result` 0), as
    /// a server out of disk or a broken update makes every function fail.
    pub fn fail_next_calls(&self, calls: usize) {
        self.fleet.lock().unwrap().failing = calls;
    }

    /// How many times `function` was called.
    pub fn calls(&self, function: &str) -> usize {
        *self.fleet.lock().unwrap().calls.get(function).unwrap_or(&0)
    }

    /// The users of server `host` with their address.
    pub fn accounts(&self, host: &str) -> Vec<(String, String)> {
        let fleet = self.fleet.lock().unwrap();
        fleet
            .servers
            .get(host)
            .map(|accounts| {
                accounts
                    .iter()
                    .map(|(user, a)| (user.clone(), a.ip.clone()))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// `user`'s reseller record on `host`, with its list's privileges.
    pub fn reseller(
        &self,
        host: &str,
        user: &str,
    ) -> Option<(Reseller, std::collections::BTreeSet<String>)> {
        let fleet = self.fleet.lock().unwrap();
        let reseller = fleet.servers.get(host)?.get(user)?.reseller.clone()?;
        let acls = reseller
            .acl_list
            .as_deref()
            .map(|name| fleet.acl_list(host, name))
            .unwrap_or_default();
        Some((reseller, acls))
    }

    /// The reseller `owner` makes the account `user` for a customer of its
    /// own, through its own WHM login: the server has it, Hostfront not.
    pub fn reseller_makes_account(&self, host: &str, owner: &str, user: &str) {
        let mut fleet = self.fleet.lock().unwrap();
        let accounts = fleet.servers.entry(host.into()).or_default();
        accounts.insert(
            user.into(),
            Account {
                domain: format!("{user}.example"),
                package: "web-starter".into(),
                suspended: false,
                ip: SHARED_ADDRESS.into(),
                mailboxes: Vec::new(),
                addon_domains: Vec::new(),
                certificates: BTreeMap::new(),
                owner: Some(owner.into()),
                ..Account::default()
            },
        );
    }

    /// The DKIM record `user`'s domain on `host` publishes, if it has a key.
    pub fn dkim(&self, host: &str, user: &str) -> Option<String> {
        let fleet = self.fleet.lock().unwrap();
        fleet.servers.get(host)?.get(user)?.dkim.clone()
    }

    /// Sets what `user` of server `host` uses and may use, as the server
    /// measures it: disk in MB, this month's bandwidth in bytes.
    pub fn set_usage(
        &self,
        host: &str,
        user: &str,
        disk_mb: u64,
        limit_mb: Option<u64>,
        bytes: u64,
    ) {
        let mut fleet = self.fleet.lock().unwrap();
        let account = fleet
            .servers
            .get_mut(host)
            .and_then(|accounts| accounts.get_mut(user))
            .expect("an account of the fleet");
        account.disk_used_mb = disk_mb;
        account.disk_limit_mb = limit_mb;
        account.bandwidth_bytes = bytes;
    }

    pub fn backups(&self) -> Vec<CopiedBackup> {
        self.fleet.lock().unwrap().backups.clone()
    }
}

/// WHM API 1's answer.
fn whm_answer(function: &str, outcome: Result<Value, String>) -> Value {
    let (result, reason, data) = match outcome {
        Ok(data) => (1, "OK".to_string(), data),
        Err(reason) => (0, reason, Value::Null),
    };
    json!({
        "metadata": {"version": 1, "command": function, "result": result, "reason": reason},
        "data": data,
    })
}

fn uapi_answer(outcome: Result<Value, String>) -> Value {
    let (status, data, errors) = match outcome {
        Ok(data) => (1, data, Value::Null),
        Err(error) => (0, Value::Null, json!([error])),
    };
    whm_answer(
        "uapi_cpanel",
        Ok(
            json!({"uapi": {"status": status, "data": data, "errors": errors,
            "messages": null, "warnings": null, "metadata": {}}}),
        ),
    )
}

fn api2_answer(module: &str, function: &str, outcome: Result<String, String>) -> Value {
    let (result, reason) = match outcome {
        Ok(reason) => (1, reason),
        Err(reason) => (0, reason),
    };
    json!({"cpanelresult": {"apiversion": 2, "module": module, "func": function,
        "event": {"result": result}, "data": [{"result": result, "reason": reason}]}})
}

/// A cPanel username: lowercase letters and digits, at most 16, not
/// starting with a digit or `test`.
fn valid_username(user: &str) -> bool {
    (1..=16).contains(&user.len())
        && user
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        && !user.starts_with(|c: char| c.is_ascii_digit())
        && !user.starts_with("test")
}

impl Fleet {
    fn certificate(&mut self, site: &str) -> (String, u64) {
        self.next_id += 1;
        (
            format!("{}_{:06x}", site.replace(['.', '-'], "_"), self.next_id),
            now() + CERTIFICATE_DAYS * 86_400,
        )
    }
}

async fn api(State(fleet): State<Arc<Mutex<Fleet>>>, uri: Uri, headers: HeaderMap) -> Response {
    let Some((server, function)) = uri
        .path()
        .strip_prefix('/')
        .and_then(|p| p.split_once("/json-api/"))
    else {
        return (StatusCode::NOT_FOUND, "no such page").into_response();
    };
    let authorised = headers.get("authorization").and_then(|v| v.to_str().ok())
        == Some(format!("whm root:{TOKEN}").as_str());
    if !authorised {
        return (StatusCode::FORBIDDEN, "Access denied").into_response();
    }
    let q: HashMap<String, String> =
        form_urlencoded::parse(uri.query().unwrap_or_default().as_bytes())
            .into_owned()
            .collect();
    if function != "cpanel" && q.get("api.version").map(String::as_str) != Some("1") {
        return (StatusCode::BAD_REQUEST, "api.version=1 expected").into_response();
    }
    let mut fleet = fleet.lock().unwrap();
    *fleet.calls.entry(function.to_string()).or_default() += 1;
    if fleet.failing > 0 {
        fleet.failing -= 1;
        let reason = "Cpanel::Exception::IO::FileWriteError: No space left on device".to_string();
        return axum::Json(whm_answer(function, Err(reason))).into_response();
    }
    let answer = match function {
        "uapi_cpanel" => uapi_answer(fleet.uapi(server, &q)),
        "cpanel" => {
            let outcome = fleet.api2(server, &q);
            let (module, func) = (q.get("cpanel_jsonapi_module"), q.get("cpanel_jsonapi_func"));
            api2_answer(
                module.map_or("", String::as_str),
                func.map_or("", String::as_str),
                outcome,
            )
        }
        _ => {
            let outcome = fleet.whm(server, function, &q);
            whm_answer(function, outcome)
        }
    };
    if fleet.lose_answer_of.as_deref() == Some(function) {
        fleet.lose_answer_of = None;
        return (StatusCode::BAD_GATEWAY, "the answer was lost").into_response();
    }
    axum::Json(answer).into_response()
}
