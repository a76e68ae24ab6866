//! A member of staff of the app under test, logged in over HTTP with a
//! password and a one-time code.

use serde_json::{Value, json};

use crate::App;
use hostfront::audit::Actor;
use hostfront::staff::Role;
use hostfront::staff::auth::{self, Enrolment, NewStaff};
use hostfront::staff::totp;

/// A logged-in member of staff.
pub struct Clerk<'a> {
    pub app: &'a App,
    pub cookie: String,
    pub enrolment: Enrolment,
}

/// A new member of staff with `role`, made in the store, not yet logged in.
pub async fn enrol(app: &App, role: Role) -> Enrolment {
    let email = format!(
        "{}-{}@staff.example",
        role.as_str(),
        crate::shopper::fresh_username()
    );
    auth::create(
        &app.ports,
        (&Actor::system("tests"), None, "127.0.0.1"),
        NewStaff {
            email,
            name: format!("A {} clerk", role.as_str()),
            role,
            password: Some("staff password of the tests".into()),
        },
    )
    .await
    .expect("a member of staff is made")
}

/// The code the member's authenticator shows now.
pub fn code_now(app: &App, enrolment: &Enrolment) -> String {
    totp::code_at(&enrolment.totp_secret, app.ports.clock.now_secs())
}

impl<'a> Clerk<'a> {
    /// A new member with `role`, logged in.
    pub async fn log_in(app: &'a App, role: Role) -> Clerk<'a> {
        let enrolment = enrol(app, role).await;
        let body = json!({
            "email": enrolment.member.email,
            "password": "staff password of the tests",
            "code": code_now(app, &enrolment),
        });
        let response = crate::http()
            .post(app.url("/api/admin/login"))
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status().as_u16(), 200, "a staff login");
        let cookie = response.headers()["set-cookie"]
            .to_str()
            .unwrap()
            .split(';')
            .next()
            .unwrap()
            .to_string();
        Clerk {
            app,
            cookie,
            enrolment,
        }
    }

    /// Sends `body` with `method`, as the console does (with its header).
    pub async fn send(&self, method: reqwest::Method, path: &str, body: Value) -> (u16, Value) {
        let headers = [
            ("cookie", self.cookie.as_str()),
            ("x-hostfront-console", "1"),
        ];
        if method == reqwest::Method::GET {
            let (status, _, body) = self.app.get_with(path, &headers).await;
            return (status, body);
        }
        self.app.send_with(method, path, &body, &headers).await
    }

    pub async fn get(&self, path: &str) -> (u16, Value) {
        self.send(reqwest::Method::GET, path, Value::Null).await
    }

    pub async fn post(&self, path: &str, body: Value) -> (u16, Value) {
        self.send(reqwest::Method::POST, path, body).await
    }
}
