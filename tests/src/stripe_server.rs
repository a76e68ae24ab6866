//! A stand-in of Stripe's API for the Stripe adapter's tests, on a loopback
//! port: the endpoints the adapter calls, answered as Stripe documents them
//! (form bodies in, JSON out, `Idempotency-Key` replays, card errors with
//! their codes, Stripe's test cards), with state: intents (setup and
//! payment), charges, refunds, customers and their payment methods, disputes. It signs webhook events
//! as Stripe does. Like Stripe for an ordinary account, it refuses card numbers sent
//! with the secret key, and takes payment methods made with the publishable
//! key (as Stripe.js makes them) and Stripe's test payment methods
//! (`methods`). Faults on demand (`faults`): the next request answered late (after it took
//! effect) or with a server error.
//!
//! It follows Stripe's OpenAPI description for API version 2024-06-20, the
//! adapter's (github.com/stripe/openapi, `openapi/spec3.json` at tag v1267,
//! from which stripe-node 16.12 is generated), and refuses what Stripe
//! refuses there: unknown parameters of a new intent, parameters that need
//! `confirm=true` without it, and, since version 2023-08-16 (Stripe's
//! changelog, "Enables automatic payment methods by default for
//! PaymentIntents and SetupIntents"), a confirmation that could need a
//! redirect and says nowhere to come back to (`confirmation`). Lists show
//! an intent at once; Search, which the same description calls eventually
//! consistent, shows it only a minute later (`lists`).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use hostfront::adapters::stripe::StripeSettings;
use hostfront::adapters::stripe::webhook;
use serde_json::{Value, json};

pub const SECRET_KEY: &str = "sk_test_hostfront";
/// The key Stripe.js makes payment methods with, in the browser.
pub const PUBLISHABLE_KEY: &str = "pk_test_hostfront";
pub const WEBHOOK_SECRET: &str = "whsec_hostfront_test";
/// Stripe's test card that asks the customer to authenticate (3-D Secure).
pub const AUTHENTICATES: &str = "4000002500003155";
/// The API version this stand-in follows, and its account's default.
const API_VERSION: &str = "2024-06-20";
/// How long a new intent takes to reach Search: "under a minute" normally,
/// in the words of Stripe's description of the search endpoints.
const SEARCH_LAG: Duration = Duration::from_secs(60);

mod cards;
mod charges;
mod confirmation;
mod events;
mod faults;
mod intents;
mod lists;
mod methods;

struct CardMethod {
    number: String,
    exp_month: u32,
    exp_year: i32,
    customer: Option<String>,
    /// Used by an intent while attached to no customer: never again.
    used: bool,
}

struct Intent {
    amount: i64,
    currency: String,
    status: &'static str,
    capturable: i64,
    received: i64,
    method: String,
    charge: Option<String>,
    metadata: HashMap<String, String>,
    /// Where the bank sends the cardholder back after its check.
    return_url: Option<String>,
    customer: Option<String>,
    /// `off_session` or `on_session`: the payment method is attached to
    /// `customer` once the payment is authorised.
    setup_future_usage: Option<String>,
    /// When it was made, in unix seconds (its `created`).
    created: i64,
    /// When it was made, for Search's lag.
    made: Instant,
}

#[derive(Default)]
struct Account {
    customers: Vec<String>,
    methods: HashMap<String, CardMethod>,
    intents: HashMap<String, Intent>,
    setups: HashMap<String, Value>,
    charges: HashMap<String, charges::ChargeRecord>,
    /// Idempotency key → (the request it was first used with, the answer).
    answered: HashMap<String, (String, u16, Value)>,
    faults: faults::Faults,
    next_id: u64,
    /// This stand-in's own address, for the bank's check pages.
    base: String,
    /// How long a new intent stays out of Search's results.
    search_lag: Duration,
    /// Searches asked for.
    searches: usize,
    /// The shop's webhook endpoint, where events are sent.
    endpoint: Option<String>,
    /// Events made by the last request, sent once it is answered.
    outbox: Vec<Value>,
    /// Charges shown without their payment's metadata and description.
    bare_charges: bool,
}

pub struct StripeServer {
    pub base: String,
    account: Arc<Mutex<Account>>,
    _server: crate::loopback::Loopback,
}

impl StripeServer {
    pub async fn start() -> StripeServer {
        let account = Arc::new(Mutex::new(Account::default()));
        let app = axum::Router::new()
            .fallback(api)
            .with_state(account.clone());
        let server = crate::loopback::serve(app).await;
        let base = server.base.clone();
        {
            let mut account = account.lock().unwrap();
            account.base = base.clone();
            account.search_lag = SEARCH_LAG;
        }
        StripeServer {
            base,
            account,
            _server: server,
        }
    }

    /// The adapter's settings for this account, waiting `timeout` per request.
    pub fn settings(&self, timeout: Duration) -> StripeSettings {
        StripeSettings {
            api_base: self.base.clone(),
            secret_key: SECRET_KEY.into(),
            webhook_secret: Some(WEBHOOK_SECRET.into()),
            publishable_key: Some(PUBLISHABLE_KEY.into()),
            timeout,
        }
    }

    /// The environment that points a process at this account.
    pub fn env(&self) -> Vec<(String, String)> {
        [
            ("HOSTFRONT_PAYMENTS", "stripe"),
            ("HOSTFRONT_STRIPE_API", self.base.as_str()),
            ("HOSTFRONT_STRIPE_SECRET_KEY", SECRET_KEY),
            ("HOSTFRONT_STRIPE_WEBHOOK_SECRET", WEBHOOK_SECRET),
            ("HOSTFRONT_STRIPE_PUBLISHABLE_KEY", PUBLISHABLE_KEY),
        ]
        .map(|(name, value)| (name.to_string(), value.to_string()))
        .to_vec()
    }

    /// New intents reach Search `lag` after they are made.
    pub fn search_lag(&self, lag: Duration) {
        self.account.lock().unwrap().search_lag = lag;
    }

    /// How many searches were asked for.
    pub fn searches(&self) -> usize {
        self.account.lock().unwrap().searches
    }

    /// Every payment intent's `hostfront_key` and status.
    pub fn intents(&self) -> Vec<(String, &'static str)> {
        let account = self.account.lock().unwrap();
        account
            .intents
            .values()
            .map(|i| {
                (
                    i.metadata.get("hostfront_key").cloned().unwrap_or_default(),
                    i.status,
                )
            })
            .collect()
    }

    /// The payment intents made with `hostfront_key` in their metadata.
    pub fn intents_with_key(&self, key: &str) -> Vec<(String, &'static str)> {
        let account = self.account.lock().unwrap();
        account
            .intents
            .iter()
            .filter(|(_, i)| i.metadata.get("hostfront_key").map(String::as_str) == Some(key))
            .map(|(id, i)| (id.clone(), i.status))
            .collect()
    }

    /// `event` as Stripe would post it to a webhook endpoint: the body and
    /// its `Stripe-Signature`, signed at `timestamp`.
    pub fn signed_event(event: &Value, timestamp: i64) -> (String, String) {
        let body = event.to_string();
        let signature = webhook::sign(WEBHOOK_SECRET, body.as_bytes(), timestamp);
        (body, signature)
    }
}

fn error(status: u16, kind: &str, code: &str, message: &str) -> (u16, Value) {
    (
        status,
        json!({"error": {"type": kind, "code": code, "message": message}}),
    )
}

/// A 400 about one parameter of the request, named as Stripe names it.
fn invalid_param(param: &str, code: &str, message: &str) -> (u16, Value) {
    let (status, mut answer) = error(400, "invalid_request_error", code, message);
    answer["error"]["param"] = json!(param);
    (status, answer)
}

fn missing(what: &str, id: &str) -> (u16, Value) {
    error(
        404,
        "invalid_request_error",
        "resource_missing",
        &format!("No such {what}: '{id}'"),
    )
}

type Form = Vec<(String, String)>;

fn field<'a>(form: &'a Form, name: &str) -> Option<&'a str> {
    form.iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

fn expands(form: &Form, what: &str) -> bool {
    form.iter().any(|(k, v)| k == "expand[]" && v == what)
}

/// The parameters in a request's query string.
fn query(uri: &Uri) -> Form {
    form_urlencoded::parse(uri.query().unwrap_or_default().as_bytes())
        .into_owned()
        .collect()
}

async fn api(
    State(account): State<Arc<Mutex<Account>>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if let Some(check) = uri.path().strip_prefix("/3ds/") {
        let mut account = account.lock().unwrap();
        let answer = account.bank(check);
        account.send_outbox();
        return answer;
    }
    let (status, answer, delay) = {
        let mut account = account.lock().unwrap();
        let answer = account.handle(&method, &uri, &headers, &body);
        account.send_outbox();
        answer
    };
    if let Some(delay) = delay {
        // A slow answer (`slow_next`): the client's timeout is what is tested.
        tokio::time::sleep(delay).await;
    }
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    (status, axum::Json(answer)).into_response()
}

impl Account {
    fn id(&mut self, prefix: &str) -> String {
        self.next_id += 1;
        format!("{prefix}_{:016}", self.next_id)
    }

    fn handle(
        &mut self,
        method: &Method,
        uri: &Uri,
        headers: &HeaderMap,
        body: &[u8],
    ) -> (u16, Value, Option<Duration>) {
        let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
        let publishable = header("authorization") == Some(&format!("Bearer {PUBLISHABLE_KEY}"));
        if !publishable && header("authorization") != Some(&format!("Bearer {SECRET_KEY}")) {
            let (s, v) = error(401, "invalid_request_error", "", "Invalid API Key provided");
            return (s, v, None);
        }
        if publishable && (*method != Method::POST || uri.path() != "/v1/payment_methods") {
            let (s, v) = error(
                403,
                "invalid_request_error",
                "secret_key_required",
                "This API call cannot be made with a publishable API key.",
            );
            return (s, v, None);
        }
        if let Some(status) = self.faults.fail_next.take() {
            let (s, v) = error(
                status,
                "api_error",
                "",
                "An error occurred with our connection to Stripe.",
            );
            return (s, v, None);
        }
        let form: Form = form_urlencoded::parse(body).into_owned().collect();
        let request = format!("{method} {} {}", uri.path(), String::from_utf8_lossy(body));
        let key = header("idempotency-key").map(String::from);
        if let (Some(key), &Method::POST) = (&key, method)
            && let Some((first, status, answer)) = self.answered.get(key)
        {
            if *first != request {
                let (s, v) = error(
                    400,
                    "idempotency_error",
                    "",
                    "Keys for idempotent requests can only be used with the same parameters they were first used with.",
                );
                return (s, v, None);
            }
            return (*status, answer.clone(), None);
        }
        // Stripe keeps no answer for a key when the parameters fail its
        // checks: nothing began.
        let version = header("stripe-version").unwrap_or(API_VERSION);
        if let Err((s, v)) = confirmation::check(method, uri.path(), &form, version) {
            return (s, v, None);
        }
        if !publishable && let Err((s, v)) = methods::no_raw_card_data(&form) {
            return (s, v, None);
        }
        let (status, answer) = self.route(method, uri, &form);
        if let (Some(key), &Method::POST) = (key, method) {
            self.answered.insert(key, (request, status, answer.clone()));
        }
        (status, answer, self.faults.slow(uri.path()))
    }

    fn route(&mut self, method: &Method, uri: &Uri, form: &Form) -> (u16, Value) {
        let path: Vec<&str> = uri.path().trim_matches('/').split('/').collect();
        match (method, path.as_slice()) {
            (&Method::POST, ["v1", "customers"]) => {
                let id = self.id("cus");
                self.customers.push(id.clone());
                (200, json!({"id": id, "object": "customer"}))
            }
            (&Method::POST, ["v1", "payment_methods"]) => self.payment_method(form),
            (&Method::POST, ["v1", "payment_methods", id, "detach"]) => self.detach(id),
            (&Method::POST, ["v1", "setup_intents"]) => self.setup_intent(form),
            (&Method::GET, ["v1", "setup_intents", id]) => match self.setups.contains_key(*id) {
                true => (200, self.setup_json(id, &query(uri))),
                false => missing("setup_intent", id),
            },
            (&Method::POST, ["v1", "payment_intents"]) => self.payment_intent(form),
            (&Method::POST, ["v1", "payment_intents", id, "capture"]) => self.capture(id, form),
            (&Method::POST, ["v1", "payment_intents", id, "cancel"]) => self.cancel(id),
            (&Method::POST, ["v1", "refunds"]) => self.refund(form),
            (&Method::GET, ["v1", "charges", id]) => self.get_charge(id, &query(uri)),
            (&Method::GET, ["v1", "payment_intents"]) => self.list(&query(uri)),
            (&Method::GET, ["v1", "payment_intents", "search"]) => self.search(&query(uri)),
            (&Method::GET, ["v1", "payment_intents", id]) => match self.intents.contains_key(*id) {
                true => (200, self.intent_json(id, &query(uri))),
                false => missing("payment_intent", id),
            },
            _ => error(404, "invalid_request_error", "", "Unrecognized request URL"),
        }
    }
}
