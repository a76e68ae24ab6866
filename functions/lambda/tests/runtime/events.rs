//! What the functions are fed: API Gateway's events, every route of the
//! template, and EventBridge's scheduled tasks.

use super::{API_FUNCTIONS, SCHEDULER, within_policies};
use hostfront_tests::lambda::{Outcome, Stack};
use hostfront_tests::shopper::Shopper;
use hostfront_tests::{App, unique};
use serde_json::{Value, json};

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn events_carry_cookies_query_strings_base64_bodies_and_the_client_address() {
    let stack = Stack::on_moto().await;
    stack.seed(SCHEDULER).await;
    // Every request body in base64; three logins a minute per client.
    let gateway = stack
        .gateway(API_FUNCTIONS, &[("HOSTFRONT_AUTH_PER_MINUTE", "6")], true)
        .await;
    let app = App::behind(gateway.base.clone(), stack.ports.clone());

    // The session cookie goes out in the response's `cookies` and comes back
    // in the event's `cookies`.
    let email = format!("{}@example.com", unique("grace"));
    let shopper = Shopper::sign_up(&app, &email, "GB").await;
    let (status, me) = shopper.get("/api/me").await;
    assert_eq!(status, 200, "{me}");
    assert_eq!(me["email"], email.as_str(), "{me}");

    // The query string, percent-encoded, reaches the route.
    let (status, _, found) = app.get("/api/domains/check?name=Caf%C3%A9.com").await;
    assert_eq!(status, 200, "{found}");
    assert_eq!(found["normalized"]["ascii"], "xn--caf-dma.com", "{found}");

    // The client is `requestContext.http.sourceIp`: one address is refused
    // after its wrong tries, another is not.
    let wrong_login = |ip: &'static str| {
        let app = &app;
        let email = email.clone();
        async move {
            app.post_with(
                "/api/login",
                &json!({"email": email, "password": "not the password"}),
                &[("x-gateway-source-ip", ip)],
            )
            .await
            .0
        }
    };
    let mut refused = false;
    for _ in 0..10 {
        if wrong_login("203.0.113.7").await == 429 {
            refused = true;
            break;
        }
    }
    assert!(refused, "203.0.113.7 is refused after its wrong tries");
    assert_eq!(
        wrong_login("198.51.100.4").await,
        401,
        "another client is not"
    );
    within_policies(&stack);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn every_route_of_the_template_reaches_the_function_that_serves_it() {
    let stack = Stack::on_moto().await;
    let gateway = stack.gateway(API_FUNCTIONS, &[], false).await;
    let client = reqwest::Client::new();
    for route in hostfront_tests::template::routes() {
        let path = route
            .path
            .split('/')
            .map(|segment| {
                if segment.starts_with('{') {
                    "x"
                } else {
                    segment
                }
            })
            .collect::<Vec<_>>()
            .join("/");
        let method = reqwest::Method::from_bytes(route.method.as_bytes()).unwrap();
        let response = client
            .request(method, format!("{}{path}", gateway.base))
            .header("x-hostfront-console", "1")
            .json(&json!({}))
            .send()
            .await
            .unwrap();
        let status = response.status().as_u16();
        let body: Value = response.json().await.unwrap_or(Value::Null);
        let unrouted = body["error"]["message"] == "no such API route"
            || body["error"]["code"] == "method_not_allowed"
            || status >= 500;
        assert!(
            !unrouted,
            "{} {} reached {} but was not served there: {status} {body}",
            route.method, route.path, route.function
        );
    }
    within_policies(&stack);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_scheduler_runs_the_task_eventbridge_names() {
    let stack = Stack::on_moto().await;
    let scheduler = stack.start(SCHEDULER, &[]).await;
    // EventBridge Scheduler sends the template's `Input` as the event.
    let answer = scheduler
        .invoke(json!({"task": "sweep-expired"}))
        .await
        .response();
    assert_eq!(answer["task"], "sweep-expired", "{answer}");
    assert!(answer["outcome"].is_string(), "{answer}");
    match scheduler.invoke(json!({"task": "no-such-task"})).await {
        Outcome::Error(error) => assert!(
            error.to_string().contains("no-such-task"),
            "the error names the task: {error}"
        ),
        Outcome::Response(answer) => panic!("an unknown task ran: {answer}"),
    }
    // A failed invocation does not end the process: it takes the next one.
    let again = scheduler
        .invoke(json!({"task": "cancel-lapsed-orders"}))
        .await
        .response();
    assert_eq!(again["task"], "cancel-lapsed-orders", "{again}");
    within_policies(&stack);
}
