//! The functions' bootstraps, run as Lambda runs them: each a process polling
//! a Runtime API (`hostfront_tests::runtime_api`), on DynamoDB, SQS and KMS
//! (moto), fed the events API Gateway, SQS and EventBridge send. The routes
//! themselves are tested in the suite; this proves the glue.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use hostfront::Services;
use hostfront::adapters::aws::{DynamoTable, KmsSealer, SqsQueue};
use hostfront::clock::SystemClock;
use hostfront_tests::runtime_api::{Function, Gateway, Outcome};
use hostfront_tests::shopper::{Shopper, fresh_domain, fresh_username, hosting};
use hostfront_tests::{App, kms_client, moto_endpoint, sqs_client, test_config, unique};
use serde_json::{Value, json};

/// Every API function's binary.
const API_FUNCTIONS: &[(&str, &str)] = &[
    ("api-system", env!("CARGO_BIN_EXE_api-system")),
    ("api-catalog", env!("CARGO_BIN_EXE_api-catalog")),
    ("api-domains", env!("CARGO_BIN_EXE_api-domains")),
    ("api-accounts", env!("CARGO_BIN_EXE_api-accounts")),
    ("api-orders", env!("CARGO_BIN_EXE_api-orders")),
    ("api-portal", env!("CARGO_BIN_EXE_api-portal")),
    ("api-admin", env!("CARGO_BIN_EXE_api-admin")),
];
const WORKER: &str = env!("CARGO_BIN_EXE_worker");
const SCHEDULER: &str = env!("CARGO_BIN_EXE_scheduler");

/// A stack on moto: its table, queues and key, the environment the
/// template gives every function, and services over the same resources for
/// the test to look with.
struct Stack {
    env: Vec<(String, String)>,
    services: Services,
    queue: SqsQueue,
}

impl Stack {
    async fn on_moto() -> Stack {
        let clock = Arc::new(SystemClock);
        let dir = tempfile::TempDir::new().unwrap();
        let config = test_config(dir.path());
        let table_name = unique("stack");
        let table = DynamoTable::new(
            hostfront_tests::dynamodb_client(),
            &table_name,
            clock.clone(),
        );
        table.create_if_missing().await.unwrap();
        let queue = SqsQueue::create(sqs_client(), &unique("stack-jobs"), 5)
            .await
            .unwrap();
        let key = KmsSealer::create_key(&kms_client()).await.unwrap();
        let env = [
            ("HOSTFRONT_TABLE", table_name.as_str()),
            ("HOSTFRONT_QUEUE_URL", queue.url()),
            ("HOSTFRONT_DLQ_URL", queue.dead_letter_url()),
            ("HOSTFRONT_QUEUE_MAX_RECEIVES", "5"),
            ("HOSTFRONT_KMS_KEY_ID", key.as_str()),
            ("HOSTFRONT_DEMO", "true"),
            ("HOSTFRONT_AWS_ENDPOINT", moto_endpoint().as_str()),
            ("HOSTFRONT_SIM_REGISTRAR_LATENCY_MS", "0"),
            ("HOSTFRONT_SIM_PANEL_LATENCY_MS", "0"),
            ("HOSTFRONT_LOG_FORMAT", "json"),
            ("AWS_REGION", "us-east-1"),
            ("AWS_ACCESS_KEY_ID", "test"),
            ("AWS_SECRET_ACCESS_KEY", "test"),
        ]
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .to_vec();
        let sealer = Arc::new(KmsSealer::new(kms_client(), key));
        let services = hostfront::wiring::with_ports(
            config,
            clock,
            Arc::new(table),
            Arc::new(queue.clone()),
            sealer,
        );
        Stack {
            env,
            services,
            queue,
        }
    }

    /// Starts `bootstrap` with the stack's environment and `extra`, and waits for its init.
    async fn start(&self, bootstrap: &str, extra: &[(&str, &str)]) -> Function {
        let mut env = self.env.clone();
        env.extend(extra.iter().map(|(k, v)| (k.to_string(), v.to_string())));
        let mut function = Function::start(Path::new(bootstrap), &env).await;
        function.init(Duration::from_secs(20)).await;
        function
    }

    /// Every API function behind a gateway routing as the template does.
    async fn gateway(&self, extra: &[(&str, &str)], base64_bodies: bool) -> Gateway {
        let mut functions = HashMap::new();
        for (name, bootstrap) in API_FUNCTIONS {
            functions.insert(
                name.to_string(),
                Arc::new(self.start(bootstrap, extra).await),
            );
        }
        Gateway::start(
            hostfront_tests::template::routes(),
            functions,
            base64_bodies,
        )
        .await
    }

    /// The catalog, written as the template has the scheduler write it on deploy.
    async fn seed(&self) {
        let scheduler = self.start(SCHEDULER, &[]).await;
        let answer = scheduler
            .invoke(json!({"seed_catalog": true}))
            .await
            .response();
        assert_eq!(answer, json!({"seeded": true}));
        let again = scheduler
            .invoke(json!({"seed_catalog": true}))
            .await
            .response();
        assert_eq!(again, json!({"seeded": false}), "seeding is done once");
        scheduler.stop().await;
    }

    /// Up to `count` messages of the job queue, as the SQS event source
    /// receives them, waiting at most 15 s for the first.
    async fn receive(&self, count: i32) -> Vec<aws_sdk_sqs::types::Message> {
        let deadline = std::time::Instant::now() + Duration::from_secs(15);
        loop {
            let received = sqs_client()
                .receive_message()
                .queue_url(self.queue.url())
                .max_number_of_messages(count)
                .message_system_attribute_names(aws_sdk_sqs::types::MessageSystemAttributeName::All)
                .send()
                .await
                .unwrap()
                .messages
                .unwrap_or_default();
            if !received.is_empty() || std::time::Instant::now() > deadline {
                return received;
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }
}

/// The SQS event Lambda's event source sends for `messages`.
fn sqs_event(messages: &[aws_sdk_sqs::types::Message]) -> Value {
    let records: Vec<Value> = messages
        .iter()
        .map(|m| {
            let attributes: serde_json::Map<String, Value> = m
                .attributes()
                .into_iter()
                .flatten()
                .map(|(k, v)| (k.as_str().to_string(), Value::from(v.clone())))
                .collect();
            json!({
                "messageId": m.message_id(),
                "receiptHandle": m.receipt_handle(),
                "body": m.body(),
                "attributes": attributes,
                "messageAttributes": {},
                "md5OfBody": m.md5_of_body(),
                "eventSource": "aws:sqs",
                "eventSourceARN": "arn:aws:sqs:us-east-1:000000000000:jobs",
                "awsRegion": "us-east-1",
            })
        })
        .collect();
    json!({ "Records": records })
}

fn failed_ids(answer: &Value) -> Vec<String> {
    answer["batchItemFailures"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["itemIdentifier"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_order_goes_live_through_the_functions_and_a_failed_job_alone_comes_back() {
    let stack = Stack::on_moto().await;
    stack.seed().await;
    let gateway = stack.gateway(&[], false).await;
    let app = App::behind(gateway.base.clone(), stack.services.clone());

    let (status, _, catalog) = app.get("/api/catalog").await;
    assert_eq!(status, 200, "{catalog}");
    assert!(!catalog["plans"].as_array().unwrap().is_empty());

    // Signup mails a link; following it sets the session cookie.
    let shopper = Shopper::sign_up(&app, &format!("{}@example.com", unique("ada")), "GB").await;
    let (status, me) = shopper.get("/api/me").await;
    assert_eq!(status, 200, "{me}");

    let (status, order) = shopper
        .order(hosting("register", &fresh_domain(), &fresh_username()))
        .await;
    assert_eq!(status, 201, "{order}");
    let id = order["id"].as_str().unwrap().to_string();
    let (status, paid) = shopper.pay(&id, "4242424242424242", "GB").await;
    assert!(status == 200 || status == 202, "{status} {paid}");

    // The paid order's job, and a message that is no job, in one batch to a
    // worker whose registrar and panel are down.
    stack
        .services
        .queue
        .send("this is no job", Duration::ZERO)
        .await
        .unwrap();
    let mut batch = stack.receive(10).await;
    while batch.len() < 2 {
        batch.extend(stack.receive(10).await);
    }
    let job = batch
        .iter()
        .find(|m| m.body() != Some("this is no job"))
        .unwrap()
        .clone();
    let failing_worker = stack
        .start(
            WORKER,
            &[
                ("HOSTFRONT_SIM_REGISTRAR_FAILURE_RATE", "1"),
                ("HOSTFRONT_SIM_PANEL_FAILURE_RATE", "1"),
            ],
        )
        .await;
    let answer = failing_worker.invoke(sqs_event(&batch)).await.response();
    assert_eq!(
        failed_ids(&answer),
        [job.message_id().unwrap().to_string()],
        "only the failed job is named; the poison one went to the dead-letter queue"
    );
    let dead: Vec<String> = stack
        .services
        .queue
        .dead_letters(10)
        .await
        .unwrap()
        .into_iter()
        .map(|m| m.body)
        .collect();
    assert_eq!(dead, ["this is no job"]);

    // SQS delivers the failed job again after its backoff; a healthy worker finishes it.
    let again = stack.receive(10).await;
    assert_eq!(
        again.iter().map(|m| m.body()).collect::<Vec<_>>(),
        [job.body()]
    );
    let worker = stack.start(WORKER, &[]).await;
    let answer = worker.invoke(sqs_event(&again)).await.response();
    assert_eq!(failed_ids(&answer), Vec::<String>::new());
    let live = shopper.wait_for(&id, "active").await;
    assert!(live["service"].is_object(), "{live}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn events_carry_cookies_query_strings_base64_bodies_and_the_client_address() {
    let stack = Stack::on_moto().await;
    stack.seed().await;
    // Every request body in base64; three logins a minute per client.
    let gateway = stack
        .gateway(&[("HOSTFRONT_AUTH_PER_MINUTE", "6")], true)
        .await;
    let app = App::behind(gateway.base.clone(), stack.services.clone());

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
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn every_route_of_the_template_reaches_the_function_that_serves_it() {
    let stack = Stack::on_moto().await;
    let gateway = stack.gateway(&[], false).await;
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
}
