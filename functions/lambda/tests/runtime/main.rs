//! The functions' bootstraps, run as Lambda runs them: each a process polling
//! a Runtime API (`hostfront_tests::lambda`), on DynamoDB, SQS and KMS
//! (moto), fed the events API Gateway, SQS and EventBridge send. The routes
//! themselves are tested in the suite; this proves the glue.

mod access;
mod counterparts;
mod events;

use std::time::Duration;

use hostfront::daily::{self, Check};
use hostfront_tests::lambda::{Stack, sqs_event};
use hostfront_tests::shopper::{Shopper, fresh_domain, fresh_username, hosting};
use hostfront_tests::{App, unique};
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

const AUTHORIZER: &str = env!("CARGO_BIN_EXE_api-authorizer");

const SCHEDULER: &str = env!("CARGO_BIN_EXE_scheduler");

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
    stack.seed(SCHEDULER).await;
    let gateway = stack.gateway(API_FUNCTIONS, &[], false).await;
    let app = App::behind(gateway.base.clone(), stack.ports.clone());

    // The system function serves the committed document.
    let (status, _, document) = app.get("/api/openapi.json").await;
    assert_eq!(status, 200);
    let committed: Value = serde_json::from_str(hostfront::http::DOCUMENT).unwrap();
    assert!(
        document == committed,
        "the served document is docs/openapi.json"
    );

    let (status, _, catalog) = app.get("/api/catalog").await;
    assert_eq!(status, 200, "{catalog}");
    assert!(!catalog["plans"].as_array().unwrap().is_empty());

    // A demonstration's orders function serves the simulated provider's
    // card page, which the checkout frames; the payment below goes through
    // its endpoint there.
    let page = hostfront_tests::http()
        .get(app.url("/simulated-gateway/card"))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status().as_u16(), 200);
    assert!(page.text().await.unwrap().contains("card.js"));

    // Signup mails a link; following it sets the session cookie.
    let shopper = Shopper::sign_up(&app, &format!("{}@example.com", unique("ada")), "GB").await;
    let (status, me) = shopper.get("/api/me").await;
    assert_eq!(status, 200, "{me}");
    let method = shopper.payment_method("4242424242424242").await;
    assert!(
        !method.starts_with("pm_card_"),
        "the function's card endpoint made it: {method}"
    );

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
        .ports
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
        .ports
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

    // The daily checks: EventBridge starts each in the scheduler, which
    // queues the day's batches; the worker runs them.
    let scheduler = stack.start(SCHEDULER, &[]).await;
    let mut queued = 0;
    for check in Check::ALL {
        let answer = scheduler
            .invoke(json!({"task": check.name()}))
            .await
            .response();
        assert!(
            answer["outcome"].as_str().unwrap().contains("queued"),
            "{answer}"
        );
        queued += daily::last_run(&stack.ports, check)
            .await
            .unwrap()
            .unwrap()
            .batches;
    }
    assert_eq!(queued, 4, "one batch each, but for no unpaid service");
    let mut batches = Vec::new();
    while batches.len() < queued as usize {
        batches.extend(stack.receive(10).await);
    }
    let answer = worker.invoke(sqs_event(&batches)).await.response();
    assert_eq!(failed_ids(&answer), Vec::<String>::new());
    for check in [
        Check::RegistrySync,
        Check::CertificateAlerts,
        Check::HostingCheck,
        Check::PanelSync,
    ] {
        let run = daily::last_run(&stack.ports, check).await.unwrap().unwrap();
        assert_eq!(run.batches_done, 1, "{run:?}");
        assert_eq!(run.counts.get("checked"), Some(&1), "{run:?}");
    }
    within_policies(&stack);
}

/// Every call the functions made to AWS is one their policy in the
/// template allows: the policies are no looser than written and no tighter
/// than the code needs.
fn within_policies(stack: &Stack) {
    let accesses = stack.access.lock().unwrap().clone();
    assert!(!accesses.is_empty(), "the functions' calls were recorded");
    let denied = hostfront_tests::template::denied(&accesses);
    assert!(
        denied.is_empty(),
        "IAM would deny these calls:\n{}",
        denied
            .iter()
            .map(|a| format!("{a:?}"))
            .collect::<Vec<_>>()
            .join("\n")
    );
}
