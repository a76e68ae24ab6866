//! Every admin route, read from the OpenAPI document, called as anonymous,
//! as a customer and as each role: a role below the one the route declares
//! gets 403, anyone not staff 401, and a role that is enough never either.
//! A route under `/api/admin/` that declares no role fails the test, so no
//! route can be added and forgotten.

use hostfront::http::contract::staff_role;
use hostfront::staff::Role;
use hostfront_tests::App;
use hostfront_tests::shopper::{Shopper, fresh_username};
use hostfront_tests::staff::Clerk;
use serde_json::{Value, json};

/// Every admin operation but login: (method, path with placeholders filled, role).
fn admin_operations(document: &Value) -> Vec<(reqwest::Method, String, Role)> {
    let mut operations = Vec::new();
    for (path, item) in document["paths"].as_object().unwrap() {
        if !path.starts_with("/api/admin/") || path == "/api/admin/login" {
            continue;
        }
        for (method, operation) in item.as_object().unwrap() {
            let role = staff_role(operation)
                .and_then(Role::named)
                .unwrap_or_else(|| panic!("{method} {path} declares no staff role"));
            // Placeholders get a well-formed id nobody has.
            let filled = path
                .split('/')
                .map(|part| match part.starts_with('{') {
                    true => "01JAAAAAAAAAAAAAAAAAAAAAAA",
                    false => part,
                })
                .collect::<Vec<_>>()
                .join("/");
            let method = method.to_uppercase().parse().unwrap();
            operations.push((method, filled, role));
        }
    }
    // Logging out ends the session the rest need: last.
    operations.sort_by_key(|(_, path, _)| path.ends_with("/logout"));
    operations
}

fn query(path: &str) -> String {
    match path {
        "/api/admin/orders" => format!("{path}?status=pending_review"),
        "/api/admin/customers" => format!("{path}?q=nobody"),
        "/api/admin/audit" => format!("{path}?subject=order:none"),
        _ => path.into(),
    }
}

async fn every_admin_route_answers_only_its_roles(app: &App) {
    let document = hostfront::http::openapi(false);
    let operations = admin_operations(&document);
    assert!(
        operations.len() >= 15,
        "{} admin operations",
        operations.len()
    );
    let customer = Shopper::sign_up(app, &format!("{}@example.com", fresh_username()), "GB").await;
    let console = [("x-hostfront-console", "1")];
    for (method, path, _) in &operations {
        let path = query(path);
        let (anonymous, _) = app
            .send_with(method.clone(), &path, &json!({}), &console)
            .await;
        assert_eq!(anonymous, 401, "{method} {path} as anonymous");
        let headers = [("cookie", customer.cookie.as_str()), console[0]];
        let (as_customer, _) = app
            .send_with(method.clone(), &path, &json!({}), &headers)
            .await;
        assert_eq!(as_customer, 401, "{method} {path} as a customer");
    }
    for role in Role::ALL {
        let clerk = Clerk::log_in(app, role).await;
        for (method, path, needed) in &operations {
            let path = query(path);
            let (status, body) = clerk.send(method.clone(), &path, json!({})).await;
            if role.allows(*needed) {
                assert!(
                    ![401, 403].contains(&status),
                    "{method} {path} as {role:?} (needs {needed:?}): {status} {body}"
                );
            } else {
                assert_eq!(
                    (status, body["error"]["code"].as_str()),
                    (403, Some("forbidden")),
                    "{method} {path} as {role:?} (needs {needed:?})"
                );
            }
        }
    }
    // A change without the console's header is refused, whoever asks.
    let admin = Clerk::log_in(app, Role::Admin).await;
    let (status, body) = app
        .send_with(
            reqwest::Method::POST,
            "/api/admin/dead-letters/redrive",
            &json!({}),
            &[("cookie", admin.cookie.as_str())],
        )
        .await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (403, Some("console_header_required"))
    );
}

on_both_engines!(every_admin_route_answers_only_its_roles: roles_embedded, roles_cloud);
