//! A stand-in of Stripe's API for the Stripe adapter's tests, on a loopback
//! port: the endpoints the adapter calls, answered as Stripe documents them
//! (form bodies in, JSON out, `Idempotency-Key` replays, card errors with
//! their codes, Stripe's test cards), with state: intents, charges, refunds,
//! customers and their payment methods. It signs webhook events as Stripe
//! does. Faults on demand: the next request answered late (after it took
//! effect) or with a server error.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use hostfront::adapters::stripe::webhook;
use hostfront::config::StripeSettings;
use serde_json::{Value, json};

pub const SECRET_KEY: &str = "sk_test_hostfront";
pub const WEBHOOK_SECRET: &str = "whsec_hostfront_test";
/// Stripe's test card that asks the customer to authenticate (3-D Secure).
pub const AUTHENTICATES: &str = "4000002500003155";

#[derive(Default)]
struct Faults {
    /// The next request takes effect, then answers after this long.
    slow_next: Option<Duration>,
    /// The next request is answered with this server error, doing nothing.
    fail_next: Option<u16>,
}

struct CardMethod {
    number: String,
    exp_month: u32,
    exp_year: i32,
    customer: Option<String>,
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
}

struct ChargeRecord {
    amount: i64,
    refunded: i64,
}

#[derive(Default)]
struct Account {
    customers: Vec<String>,
    methods: HashMap<String, CardMethod>,
    intents: HashMap<String, Intent>,
    charges: HashMap<String, ChargeRecord>,
    /// Idempotency key → (the request it was first used with, the answer).
    answered: HashMap<String, (String, u16, Value)>,
    faults: Faults,
    next_id: u64,
    /// This stand-in's own address, for the bank's check pages.
    base: String,
}

pub struct StripeServer {
    pub base: String,
    account: Arc<Mutex<Account>>,
    server: tokio::task::JoinHandle<()>,
}

impl Drop for StripeServer {
    fn drop(&mut self) {
        self.server.abort();
    }
}

impl StripeServer {
    pub async fn start() -> StripeServer {
        let account = Arc::new(Mutex::new(Account::default()));
        let app = axum::Router::new()
            .fallback(api)
            .with_state(account.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("a loopback port");
        let base = format!("http://{}", listener.local_addr().expect("bound"));
        account.lock().unwrap().base = base.clone();
        let server = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        StripeServer {
            base,
            account,
            server,
        }
    }

    /// The adapter's settings for this account, waiting `timeout` per request.
    pub fn settings(&self, timeout: Duration) -> StripeSettings {
        StripeSettings {
            api_base: self.base.clone(),
            secret_key: SECRET_KEY.into(),
            webhook_secret: Some(WEBHOOK_SECRET.into()),
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
        ]
        .map(|(name, value)| (name.to_string(), value.to_string()))
        .to_vec()
    }

    /// The next request takes effect, then answers `after` later.
    pub fn slow_next(&self, after: Duration) {
        self.account.lock().unwrap().faults.slow_next = Some(after);
    }

    /// The next request is answered with `status` (a 5xx, or 409 for a key
    /// under way), doing nothing.
    pub fn fail_next(&self, status: u16) {
        self.account.lock().unwrap().faults.fail_next = Some(status);
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

fn card_error(code: &str, decline_code: Option<&str>, message: &str) -> (u16, Value) {
    let mut answer = error(402, "card_error", code, message);
    if let Some(decline) = decline_code {
        answer.1["error"]["decline_code"] = json!(decline);
    }
    answer
}

fn missing(what: &str, id: &str) -> (u16, Value) {
    error(
        404,
        "invalid_request_error",
        "resource_missing",
        &format!("No such {what}: '{id}'"),
    )
}

fn luhn(digits: &str) -> bool {
    let sum: u32 = digits
        .bytes()
        .rev()
        .enumerate()
        .map(|(i, b)| {
            let d = (b - b'0') as u32;
            if i % 2 == 1 {
                if d * 2 > 9 { d * 2 - 9 } else { d * 2 }
            } else {
                d
            }
        })
        .sum();
    sum.is_multiple_of(10)
}

/// Whether a card can be used at all (its number and expiry): Stripe's
/// checks when a payment method is made.
fn usable(number: &str, exp_month: u32, exp_year: i32) -> Result<(), (u16, Value)> {
    if !(12..=19).contains(&number.len()) || !luhn(number) {
        return Err(card_error(
            "incorrect_number",
            None,
            "Your card number is incorrect.",
        ));
    }
    let now = time::OffsetDateTime::now_utc();
    if exp_year < now.year() || (exp_year == now.year() && exp_month < now.month() as u32) {
        return Err(card_error(
            "invalid_expiry_year",
            None,
            "Your card's expiration year is invalid.",
        ));
    }
    Ok(())
}

/// What the bank says to a charge, by Stripe's test card numbers.
fn bank_answer(number: &str) -> Result<(), (u16, Value)> {
    match number {
        "4000000000000002" | "4000000000000341" => Err(card_error(
            "card_declined",
            Some("generic_decline"),
            "Your card was declined.",
        )),
        "4000000000009995" => Err(card_error(
            "card_declined",
            Some("insufficient_funds"),
            "Your card has insufficient funds.",
        )),
        "4000000000000069" => Err(card_error("expired_card", None, "Your card has expired.")),
        _ => Ok(()),
    }
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

async fn api(
    State(account): State<Arc<Mutex<Account>>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if let Some(check) = uri.path().strip_prefix("/3ds/") {
        return account.lock().unwrap().bank(check);
    }
    let (status, answer, delay) = {
        let mut account = account.lock().unwrap();
        account.handle(&method, &uri, &headers, &body)
    };
    if let Some(delay) = delay {
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
        if header("authorization") != Some(&format!("Bearer {SECRET_KEY}")) {
            let (s, v) = error(401, "invalid_request_error", "", "Invalid API Key provided");
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
        let (status, answer) = self.route(method, uri, &form);
        if let (Some(key), &Method::POST) = (key, method) {
            self.answered.insert(key, (request, status, answer.clone()));
        }
        (status, answer, self.faults.slow_next.take())
    }

    fn route(&mut self, method: &Method, uri: &Uri, form: &Form) -> (u16, Value) {
        let path: Vec<&str> = uri.path().trim_matches('/').split('/').collect();
        match (method, path.as_slice()) {
            (&Method::POST, ["v1", "customers"]) => {
                let id = self.id("cus");
                self.customers.push(id.clone());
                (200, json!({"id": id, "object": "customer"}))
            }
            (&Method::POST, ["v1", "setup_intents"]) => self.setup_intent(form),
            (&Method::POST, ["v1", "payment_intents"]) => self.payment_intent(form),
            (&Method::POST, ["v1", "payment_intents", id, "capture"]) => self.capture(id, form),
            (&Method::POST, ["v1", "payment_intents", id, "cancel"]) => self.cancel(id),
            (&Method::POST, ["v1", "refunds"]) => self.refund(form),
            (&Method::GET, ["v1", "payment_intents", "search"]) => self.search(uri),
            (&Method::GET, ["v1", "payment_intents", id]) => {
                let query: Form =
                    form_urlencoded::parse(uri.query().unwrap_or_default().as_bytes())
                        .into_owned()
                        .collect();
                match self.intents.contains_key(*id) {
                    true => (200, self.intent_json(id, &query)),
                    false => missing("payment_intent", id),
                }
            }
            _ => error(404, "invalid_request_error", "", "Unrecognized request URL"),
        }
    }

    /// A payment method from `payment_method_data[card]`, or the refusal.
    fn new_method(&mut self, form: &Form) -> Result<String, (u16, Value)> {
        let get = |name: &str| field(form, &format!("payment_method_data[card][{name}]"));
        let number = get("number").unwrap_or_default().to_string();
        let exp_month = get("exp_month").and_then(|m| m.parse().ok()).unwrap_or(0);
        let exp_year = get("exp_year").and_then(|y| y.parse().ok()).unwrap_or(0);
        usable(&number, exp_month, exp_year)?;
        let id = self.id("pm");
        self.methods.insert(
            id.clone(),
            CardMethod {
                number,
                exp_month,
                exp_year,
                customer: None,
            },
        );
        Ok(id)
    }

    fn method_json(&self, id: &str) -> Value {
        let m = &self.methods[id];
        json!({"id": id, "object": "payment_method", "type": "card", "customer": m.customer,
            "card": {"brand": "visa", "last4": &m.number[m.number.len() - 4..],
                     "exp_month": m.exp_month, "exp_year": m.exp_year}})
    }

    fn setup_intent(&mut self, form: &Form) -> (u16, Value) {
        let Some(customer) = field(form, "customer").map(String::from) else {
            return error(
                400,
                "invalid_request_error",
                "parameter_missing",
                "Missing required param: customer.",
            );
        };
        if !self.customers.contains(&customer) {
            return missing("customer", &customer);
        }
        let method = match self.new_method(form) {
            Ok(method) => method,
            Err(refusal) => return refusal,
        };
        let number = self.methods[&method].number.clone();
        // 0341 attaches and declines only when charged.
        if number != "4000000000000341"
            && let Err(refusal) = bank_answer(&number)
        {
            return refusal;
        }
        let id = self.id("seti");
        let status = if number == AUTHENTICATES {
            "requires_action"
        } else {
            self.methods.get_mut(&method).expect("made").customer = Some(customer.clone());
            "succeeded"
        };
        let method_field = if expands(form, "payment_method") {
            self.method_json(&method)
        } else {
            json!(method)
        };
        (
            200,
            json!({"id": id, "object": "setup_intent", "status": status,
            "customer": customer, "payment_method": method_field}),
        )
    }

    fn intent_json(&self, id: &str, form: &Form) -> Value {
        let i = &self.intents[id];
        let method = if expands(form, "payment_method") || expands(form, "data.payment_method") {
            self.method_json(&i.method)
        } else {
            json!(i.method)
        };
        let charge = match (&i.charge, expands(form, "latest_charge")) {
            (Some(c), true) => {
                let record = &self.charges[c];
                json!({"id": c, "object": "charge", "amount": record.amount, "amount_refunded": record.refunded})
            }
            (charge, _) => json!(charge),
        };
        let mut answer = json!({"id": id, "object": "payment_intent", "amount": i.amount,
            "currency": i.currency, "status": i.status, "capture_method": "manual",
            "amount_capturable": i.capturable, "amount_received": i.received,
            "payment_method": method, "latest_charge": charge, "metadata": i.metadata});
        if i.status == "requires_action" {
            answer["next_action"] = match &i.return_url {
                Some(back) => json!({"type": "redirect_to_url",
                    "redirect_to_url": {"url": format!("{}/3ds/{id}", self.base), "return_url": back}}),
                None => json!({"type": "use_stripe_sdk", "use_stripe_sdk": {}}),
            };
        }
        answer
    }

    /// The card's bank checking its holder (3-D Secure): `/3ds/<intent>`
    /// asks, `/3ds/<intent>/approve` and `/3ds/<intent>/fail` answer, then
    /// send the holder back to the shop's return URL.
    fn bank(&mut self, check: &str) -> Response {
        let (id, answer) = check.split_once('/').unwrap_or((check, ""));
        let Some(intent) = self.intents.get_mut(id) else {
            return (StatusCode::NOT_FOUND, "no such payment").into_response();
        };
        if answer.is_empty() {
            let page = format!(
                "<h1>Your bank</h1><p>Confirm the payment of {} {}?</p>\
                 <a href=\"/3ds/{id}/approve\">Confirm</a> <a href=\"/3ds/{id}/fail\">Refuse</a>",
                intent.amount, intent.currency
            );
            return axum::response::Html(page).into_response();
        }
        if intent.status == "requires_action" {
            if answer == "approve" {
                intent.status = "requires_capture";
                intent.capturable = intent.amount;
            } else {
                intent.status = "requires_payment_method";
            }
        }
        let back = intent.return_url.clone().unwrap_or_default();
        axum::response::Redirect::to(&back).into_response()
    }

    fn payment_intent(&mut self, form: &Form) -> (u16, Value) {
        let amount = field(form, "amount")
            .and_then(|a| a.parse::<i64>().ok())
            .unwrap_or(0);
        if amount < 1 {
            return error(
                400,
                "invalid_request_error",
                "parameter_invalid_integer",
                "This value must be greater than or equal to 1.",
            );
        }
        let method = match field(form, "payment_method") {
            Some(id) => {
                let owner = self.methods.get(id).map(|m| m.customer.clone());
                match owner {
                    Some(owner)
                        if owner.as_deref() == field(form, "customer") && owner.is_some() =>
                    {
                        id.to_string()
                    }
                    _ => return missing("PaymentMethod", id),
                }
            }
            None => match self.new_method(form) {
                Ok(method) => method,
                Err(refusal) => return refusal,
            },
        };
        let metadata = form
            .iter()
            .filter_map(|(k, v)| {
                let name = k.strip_prefix("metadata[")?.strip_suffix(']')?;
                Some((name.to_string(), v.clone()))
            })
            .collect();
        let id = self.id("pi");
        let number = self.methods[&method].number.clone();
        let off_session = field(form, "off_session") == Some("true");
        let mut intent = Intent {
            amount,
            currency: field(form, "currency").unwrap_or("usd").to_string(),
            status: "requires_payment_method",
            capturable: 0,
            received: 0,
            method,
            charge: None,
            metadata,
            return_url: field(form, "return_url").map(String::from),
        };
        if let Err(refusal) = bank_answer(&number) {
            self.intents.insert(id, intent);
            return refusal;
        }
        if number == AUTHENTICATES {
            if off_session {
                self.intents.insert(id, intent);
                return card_error(
                    "authentication_required",
                    Some("authentication_required"),
                    "Your card was declined. This transaction requires authentication.",
                );
            }
            intent.status = "requires_action";
        } else {
            intent.status = "requires_capture";
            intent.capturable = amount;
        }
        self.intents.insert(id.clone(), intent);
        (200, self.intent_json(&id, form))
    }

    fn capture(&mut self, id: &str, form: &Form) -> (u16, Value) {
        let charge_id = self.id("ch");
        let Some(intent) = self.intents.get_mut(id) else {
            return missing("payment_intent", id);
        };
        if intent.status != "requires_capture" {
            return error(
                400,
                "invalid_request_error",
                "payment_intent_unexpected_state",
                &format!(
                    "This PaymentIntent could not be captured because it has a status of {}.",
                    intent.status
                ),
            );
        }
        let amount = field(form, "amount_to_capture")
            .and_then(|a| a.parse().ok())
            .unwrap_or(intent.capturable);
        if amount < 1 || amount > intent.capturable {
            return error(
                400,
                "invalid_request_error",
                "amount_too_large",
                "The amount to capture must be at most the amount capturable.",
            );
        }
        intent.status = "succeeded";
        intent.received = amount;
        intent.capturable = 0;
        intent.charge = Some(charge_id.clone());
        self.charges.insert(
            charge_id,
            ChargeRecord {
                amount,
                refunded: 0,
            },
        );
        (200, self.intent_json(id, form))
    }

    fn cancel(&mut self, id: &str) -> (u16, Value) {
        let Some(intent) = self.intents.get_mut(id) else {
            return missing("payment_intent", id);
        };
        if ![
            "requires_capture",
            "requires_action",
            "requires_payment_method",
        ]
        .contains(&intent.status)
        {
            return error(
                400,
                "invalid_request_error",
                "payment_intent_unexpected_state",
                &format!(
                    "You cannot cancel this PaymentIntent because it has a status of {}.",
                    intent.status
                ),
            );
        }
        intent.status = "canceled";
        intent.capturable = 0;
        (200, self.intent_json(id, &Vec::new()))
    }

    fn refund(&mut self, form: &Form) -> (u16, Value) {
        let charge = field(form, "charge").unwrap_or_default().to_string();
        let id = self.id("re");
        let Some(record) = self.charges.get_mut(&charge) else {
            return missing("charge", &charge);
        };
        let left = record.amount - record.refunded;
        let amount = field(form, "amount")
            .and_then(|a| a.parse().ok())
            .unwrap_or(left);
        if amount < 1 || amount > left {
            return error(
                400,
                "invalid_request_error",
                "amount_too_large",
                &format!(
                    "Refund amount ({amount}) is greater than unrefunded amount on charge ({left})"
                ),
            );
        }
        record.refunded += amount;
        (
            200,
            json!({"id": id, "object": "refund", "amount": amount, "charge": charge, "status": "succeeded"}),
        )
    }

    /// `metadata['<name>']:'<value>'`, the one search query the adapter makes.
    fn search(&self, uri: &Uri) -> (u16, Value) {
        let query: Form = form_urlencoded::parse(uri.query().unwrap_or_default().as_bytes())
            .into_owned()
            .collect();
        let text = field(&query, "query").unwrap_or_default();
        let parsed = text
            .strip_prefix("metadata['")
            .and_then(|rest| rest.split_once("']:'"))
            .map(|(name, value)| (name, value.trim_end_matches('\'')));
        let Some((name, value)) = parsed else {
            return error(400, "invalid_request_error", "", "Invalid search query");
        };
        let data: Vec<Value> = self
            .intents
            .iter()
            .filter(|(_, i)| i.metadata.get(name).map(String::as_str) == Some(value))
            .map(|(id, _)| self.intent_json(id, &query))
            .collect();
        (
            200,
            json!({"object": "search_result", "data": data, "has_more": false}),
        )
    }
}
