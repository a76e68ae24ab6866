//! A stand-in of VIES, the EU's VAT register, for the VIES adapter's tests,
//! on a loopback port: `POST /check-vat-number` and
//! `POST /check-vat-test-service` answered as the Commission's description
//! of the REST API has them (`tests/specs/vies/swagger_publicVAT.yaml`, "Vies
//! on-the-Web Endpoint" 1.0.0): a check (`valid`, `requestDate`,
//! `requestIdentifier` when the requester names itself, `name`, `address`,
//! `---` when unknown), or a refusal as `{actionSucceed: false,
//! errorWrappers: [{error, message}]}`, 400 for what the caller sent wrong
//! and 500 for the rest.
//!
//! It refuses what VIES refuses: a body that is not the request's JSON, a
//! country code that is not a member state's (`INVALID_INPUT`), a national
//! number outside `[0-9A-Za-z+*.]{2,12}` (`INVALID_INPUT`), and a requester
//! that is not a valid number it knows (`INVALID_REQUESTER_INFO`). The test
//! service answers the documented test numbers (`tests/specs/vies/README.md`).
//!
//! The register is the test's: numbers it registers are valid, others
//! invalid; a number may be answered with any refusal, a member state may
//! be down (`MS_UNAVAILABLE`), and a number may be answered late. It stops
//! when dropped.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use hostfront::adapters::vies::ViesSettings;
use hostfront::tax_ids::VatNumber;
use serde_json::{Value, json};

/// VIES's codes of the member states, and Northern Ireland's.
const MEMBER_STATES: [&str; 28] = [
    "AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "EL", "ES", "FI", "FR", "HR", "HU", "IE", "IT",
    "LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK", "XI",
];

/// The test service's numbers and the refusal each gets.
const TEST_NUMBERS: [(&str, &str); 11] = [
    ("201", "INVALID_INPUT"),
    ("202", "INVALID_REQUESTER_INFO"),
    ("300", "SERVICE_UNAVAILABLE"),
    ("301", "MS_UNAVAILABLE"),
    ("302", "TIMEOUT"),
    ("400", "VAT_BLOCKED"),
    ("401", "IP_BLOCKED"),
    ("500", "GLOBAL_MAX_CONCURRENT_REQ"),
    ("501", "GLOBAL_MAX_CONCURRENT_REQ_TIME"),
    ("600", "MS_MAX_CONCURRENT_REQ"),
    ("601", "MS_MAX_CONCURRENT_REQ_TIME"),
];

/// The valid number the stand-in knows as our own, the requester's.
pub const REQUESTER: &str = "NL123456789B01";

#[derive(Default)]
struct Register {
    /// Valid numbers (`DE123456789`) and their name and address.
    valid: HashMap<String, (String, String)>,
    /// Numbers answered with a refusal instead.
    refused: HashMap<String, &'static str>,
    /// Member states whose part of VIES is down.
    down: Vec<String>,
    /// Numbers answered this late.
    slow: HashMap<String, Duration>,
    /// Requests received.
    requests: usize,
}

type Shared = Arc<Mutex<Register>>;

pub struct ViesServer {
    pub base: String,
    register: Shared,
    _server: crate::loopback::Loopback,
}

impl ViesServer {
    pub async fn start() -> ViesServer {
        let register = Shared::default();
        register.lock().unwrap().valid.insert(
            REQUESTER.into(),
            (
                "HOSTFRONT B.V.".into(),
                "KEIZERSGRACHT 1\n1015 AA AMSTERDAM".into(),
            ),
        );
        let app = axum::Router::new()
            .route("/check-vat-number", axum::routing::post(check_vat_number))
            .route("/check-vat-test-service", axum::routing::post(test_service))
            .with_state(register.clone());
        let server = crate::loopback::serve(app).await;
        let base = server.base.clone();
        ViesServer {
            base,
            register,
            _server: server,
        }
    }

    /// The adapter's settings: asking as `requester`, waiting `timeout`.
    pub fn settings(&self, requester: Option<&str>, timeout: Duration) -> ViesSettings {
        ViesSettings {
            url: self.base.clone(),
            requester: requester.map(|r| VatNumber::parse(r).expect("a VAT number")),
            timeout,
        }
    }

    /// The environment that points a process at this register.
    pub fn env(&self) -> Vec<(String, String)> {
        [
            ("HOSTFRONT_TAX_IDS", "vies"),
            ("HOSTFRONT_VIES_URL", self.base.as_str()),
            ("HOSTFRONT_VIES_REQUESTER", REQUESTER),
        ]
        .map(|(name, value)| (name.to_string(), value.to_string()))
        .to_vec()
    }

    /// Registers `number` (`DE123456789`) as valid, of `name` at `address`.
    pub fn register(&self, number: &str, name: &str, address: &str) {
        let mut register = self.register.lock().unwrap();
        register
            .valid
            .insert(number.into(), (name.into(), address.into()));
    }

    /// Answers `number` with the refusal `code` (`MS_MAX_CONCURRENT_REQ`).
    pub fn refuse(&self, number: &str, code: &'static str) {
        self.register
            .lock()
            .unwrap()
            .refused
            .insert(number.into(), code);
    }

    /// Takes the member state `country` (`DE`) down: `MS_UNAVAILABLE`.
    pub fn member_state_down(&self, country: &str) {
        self.register.lock().unwrap().down.push(country.into());
    }

    /// Brings the member state `country` back up.
    pub fn member_state_up(&self, country: &str) {
        self.register.lock().unwrap().down.retain(|c| c != country);
    }

    /// Answers `number` only `after` this long.
    pub fn slow(&self, number: &str, after: Duration) {
        self.register
            .lock()
            .unwrap()
            .slow
            .insert(number.into(), after);
    }

    /// How many requests it received.
    pub fn requests(&self) -> usize {
        self.register.lock().unwrap().requests
    }
}

/// A refusal, as the description's `CommonResponse`.
fn refusal(code: &str) -> Response {
    let status = match code {
        "INVALID_INPUT" | "INVALID_REQUESTER_INFO" => StatusCode::BAD_REQUEST,
        _ => StatusCode::INTERNAL_SERVER_ERROR,
    };
    let body = json!({
        "actionSucceed": false,
        "errorWrappers": [{"error": code, "message": code.replace('_', " ").to_lowercase()}],
    });
    (status, axum::Json(body)).into_response()
}

/// A request VIES takes: the number, and the requester if it names one.
struct Request {
    country: String,
    number: String,
    requester: Option<String>,
}

impl Request {
    fn key(&self) -> String {
        format!("{}{}", self.country, self.number)
    }
}

/// The request in `body`, or the refusal VIES gives it.
fn request(body: &[u8]) -> Result<Request, &'static str> {
    let body: Value = serde_json::from_slice(body).map_err(|_| "INVALID_INPUT")?;
    let text = |name: &str| match &body[name] {
        Value::Null => Ok(None),
        Value::String(text) => Ok(Some(text.clone())),
        _ => Err("INVALID_INPUT"),
    };
    let (Some(country), Some(number)) = (text("countryCode")?, text("vatNumber")?) else {
        return Err("INVALID_INPUT");
    };
    if !MEMBER_STATES.contains(&country.as_str()) || !national(&number) {
        return Err("INVALID_INPUT");
    }
    let requester = match (text("requesterMemberStateCode")?, text("requesterNumber")?) {
        (None, None) => None,
        (Some(country), Some(number)) => Some(format!("{country}{number}")),
        _ => return Err("INVALID_REQUESTER_INFO"),
    };
    Ok(Request {
        country,
        number,
        requester,
    })
}

/// A national number as VIES takes it: `[0-9A-Za-z+*.]{2,12}`.
fn national(number: &str) -> bool {
    (2..=12).contains(&number.len())
        && number
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '*' | '.'))
}

/// A check's answer: `registered` gives the name and address of a valid number.
fn answer(request: &Request, registered: Option<(String, String)>) -> Response {
    let consultation = match request.requester {
        Some(_) => format!("WAPI{}", fastrand_id()),
        None => String::new(),
    };
    let valid = registered.is_some();
    let (name, address) = registered.unwrap_or_else(|| ("---".into(), "---".into()));
    let now = time::OffsetDateTime::now_utc();
    let body = json!({
        "countryCode": request.country,
        "vatNumber": request.number,
        "requestDate": hostfront::clock::rfc3339_millis(now),
        "valid": valid,
        "requestIdentifier": consultation,
        "name": name,
        "address": address,
    });
    (StatusCode::OK, axum::Json(body)).into_response()
}

fn fastrand_id() -> String {
    (0..12)
        .map(|_| fastrand::alphanumeric().to_ascii_uppercase())
        .collect()
}

async fn check_vat_number(State(register): State<Shared>, body: Bytes) -> Response {
    let request = match request(&body) {
        Ok(request) => request,
        Err(code) => return refusal(code),
    };
    let (delay, outcome) = {
        let mut register = register.lock().unwrap();
        register.requests += 1;
        let key = request.key();
        let requester_known = request
            .requester
            .as_ref()
            .is_none_or(|r| register.valid.contains_key(r));
        let outcome = if !requester_known {
            Err("INVALID_REQUESTER_INFO")
        } else if let Some(code) = register.refused.get(&key) {
            Err(*code)
        } else if register.down.contains(&request.country) {
            Err("MS_UNAVAILABLE")
        } else {
            Ok(register.valid.get(&key).cloned())
        };
        (register.slow.get(&key).copied(), outcome)
    };
    if let Some(delay) = delay {
        tokio::time::sleep(delay).await;
    }
    match outcome {
        Ok(registered) => answer(&request, registered),
        Err(code) => refusal(code),
    }
}

/// The test service: its documented numbers, whatever the country.
async fn test_service(State(register): State<Shared>, body: Bytes) -> Response {
    let request = match request(&body) {
        Ok(request) => request,
        Err(code) => return refusal(code),
    };
    register.lock().unwrap().requests += 1;
    let test_name = || {
        (
            "John Doe".to_string(),
            "123 Main St, Anytown, UK".to_string(),
        )
    };
    match request.number.as_str() {
        "100" => answer(&request, Some(test_name())),
        "200" => answer(&request, None),
        number => refusal(
            TEST_NUMBERS
                .iter()
                .find(|(test, _)| *test == number)
                .map_or("SERVICE_UNAVAILABLE", |(_, code)| *code),
        ),
    }
}
