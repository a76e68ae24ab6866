//! A customer of the app under test, over real HTTP, and the order bodies
//! the journeys send.

use std::fmt::Display;
use std::time::Duration;

use serde_json::{Value, json};

use crate::{App, http};

/// The session cookie an answer sets, as a `cookie` header's value.
fn session_cookie(response: &reqwest::Response) -> String {
    response.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string()
}

/// A logged-in customer of the app under test.
pub struct Shopper<'a> {
    pub app: &'a App,
    pub cookie: String,
}

impl<'a> Shopper<'a> {
    /// Signs up over HTTP, follows the mailed link, and is logged in.
    pub async fn sign_up(app: &'a App, email: &str, country: &str) -> Shopper<'a> {
        Self::sign_up_as(app, email, "Ada Lovelace", country).await
    }

    /// Signs up as `name`, as `sign_up` does.
    pub async fn sign_up_as(app: &'a App, email: &str, name: &str, country: &str) -> Shopper<'a> {
        let response = http()
            .post(app.url("/api/signup"))
            .json(&json!({"email": email, "password": "correct horse battery", "name": name, "country": country}))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status().as_u16(), 202);
        let token = crate::verification_token(&app.ports, &email.to_lowercase()).await;
        let response = http()
            .post(app.url("/api/verify-email"))
            .json(&json!({ "token": token }))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status().as_u16(), 201);
        Shopper {
            app,
            cookie: session_cookie(&response),
        }
    }

    /// Logs in again as the customer of `email` (signed up with
    /// `sign_up`), as on another device: a session of its own.
    pub async fn log_in(app: &'a App, email: &str) -> Shopper<'a> {
        let response = http()
            .post(app.url("/api/login"))
            .json(&json!({"email": email, "password": "correct horse battery"}))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status().as_u16(), 200);
        Shopper {
            app,
            cookie: session_cookie(&response),
        }
    }

    pub async fn post(&self, path: &str, body: Value, key: Option<&str>) -> (u16, Value) {
        self.send(reqwest::Method::POST, path, body, key).await
    }

    pub async fn put(&self, path: &str, body: Value, key: Option<&str>) -> (u16, Value) {
        self.send(reqwest::Method::PUT, path, body, key).await
    }

    async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Value,
        key: Option<&str>,
    ) -> (u16, Value) {
        let mut headers = vec![("cookie", self.cookie.as_str())];
        if let Some(key) = key {
            headers.push(("idempotency-key", key));
        }
        self.app.send_with(method, path, &body, &headers).await
    }

    pub async fn get(&self, path: &str) -> (u16, Value) {
        let (status, _, body) = self
            .app
            .get_with(path, &[("cookie", self.cookie.as_str())])
            .await;
        (status, body)
    }

    /// The order's DNS zone, as the BIND file the site offers for download.
    pub async fn zone(&self, order_id: &(impl Display + ?Sized)) -> String {
        crate::http()
            .get(self.app.url(&format!("/api/orders/{order_id}/zone")))
            .header("cookie", &self.cookie)
            .send()
            .await
            .expect("the zone answers")
            .text()
            .await
            .expect("a BIND file")
    }

    pub async fn order(&self, body: Value) -> (u16, Value) {
        let key = ulid::Ulid::new().to_string();
        self.post("/api/orders", body, Some(&key)).await
    }

    /// Pays the order with the test card `card` as the browser does: the
    /// provider's card form makes a payment method of it, and the order is
    /// paid with its id.
    pub async fn pay(
        &self,
        id: &(impl Display + ?Sized),
        card: &str,
        country: &str,
    ) -> (u16, Value) {
        let method = self.payment_method(card).await;
        let body = json!({"payment_method": method, "billing_country": country});
        self.post(&format!("/api/orders/{id}/pay"), body, None)
            .await
    }

    /// A payment method of the test card `number`, as the browser gets one:
    /// from the simulated provider's card endpoint, where the app (or, in a
    /// demonstration, the orders function) serves it; else (Stripe)
    /// Stripe's test payment method of that card, as Stripe.js would make.
    /// Confirms twice, back from the bank, the invoice payment `confirm`
    /// (`…/pay/confirm`): both times it answers paid, with no bank page.
    pub async fn confirms_paid_twice(&self, confirm: &str) {
        for _ in 0..2 {
            let (status, paid) = self.post(confirm, json!({}), None).await;
            assert_eq!(
                (status, paid["status"].as_str()),
                (200, Some("paid")),
                "{paid}"
            );
            assert!(paid.get("payment_action_url").is_none(), "{paid}");
        }
    }

    pub async fn payment_method(&self, number: &str) -> String {
        let (status, _, setup) = self.app.get_with("/api/payments/setup", &[]).await;
        if status == 200 && setup["provider"] == "simulated" {
            let card = json!({"number": number, "exp_month": 12, "exp_year": 2099, "cvc": "123"});
            let (status, made) = self
                .app
                .send_with(
                    reqwest::Method::POST,
                    "/simulated-gateway/v1/payment_methods",
                    &card,
                    &[],
                )
                .await;
            if status == 200 {
                return made["id"]
                    .as_str()
                    .expect("a payment method id")
                    .to_string();
            }
            assert!(
                matches!(status, 403..=405),
                "the card page's endpoint refused {number}: {made}"
            );
        }
        test_method(number).to_string()
    }

    /// Polls the order until it reaches `status`; returns it.
    pub async fn wait_for(&self, id: &(impl Display + ?Sized), status: &str) -> Value {
        let what = format!("order {id} {status}");
        crate::eventually(Duration::from_secs(30), &what, || async {
            let (code, order) = self.get(&format!("/api/orders/{id}")).await;
            assert_eq!(code, 200, "{order}");
            if order["status"] == status {
                Ok(order)
            } else {
                Err(order)
            }
        })
        .await
    }
}

/// Stripe's test payment method of the test card `number`, which the
/// simulated gateway and the Stripe stand-in both take.
pub fn test_method(number: &str) -> &'static str {
    hostfront::adapters::sim::test_method(number)
        .unwrap_or_else(|| panic!("{number} is no test card with a test payment method"))
}

/// A payment's body with the test payment method of `card`.
pub fn pay_body(card: &str, country: &str) -> Value {
    json!({"payment_method": test_method(card), "billing_country": country})
}

pub fn hosting(action: &str, name: &str, username: &str) -> Value {
    json!({
        "plan_id": "web-starter", "cycle": "monthly",
        "domain": {"action": action, "name": name},
        "username": username, "password": "sourdough starter rises",
    })
}

/// A domain nobody has ordered, so tests on one shared moto never collide.
pub fn fresh_domain() -> String {
    format!(
        "bakery{}.com",
        &ulid::Ulid::new().to_string().to_lowercase()[16..]
    )
}

pub fn fresh_username() -> String {
    format!("u{}", &ulid::Ulid::new().to_string().to_lowercase()[16..])
}

/// An order of Web Starter, monthly, registering `domain`, with a generated
/// password, as the library takes it.
pub fn register(domain: &str, username: &str) -> hostfront::orders::create::OrderRequest {
    use hostfront::orders::create::{DomainRequest, OrderRequest};
    OrderRequest {
        plan_id: "web-starter".into(),
        cycle: "monthly".into(),
        domain: DomainRequest {
            action: hostfront::orders::DomainAction::Register,
            name: domain.into(),
            auth_code: None,
        },
        username: username.into(),
        password: None,
        generate_password: true,
        server: None,
        zone: None,
        registrar_account: None,
    }
}

/// The test payment method of the test card `number`, as the library takes it.
pub fn method(number: &str) -> hostfront::payments::PaymentMethodId {
    hostfront::payments::PaymentMethodId::parse(test_method(number)).expect("a test method")
}

/// Payment with the test card `number`, billed in GB, as the library takes it.
pub fn card(number: &str) -> hostfront::orders::checkout::PayRequest {
    hostfront::orders::checkout::PayRequest {
        payment_method: Some(test_method(number).into()),
        billing_country: "GB".into(),
        save_card: false,
        client_country: None,
    }
}
