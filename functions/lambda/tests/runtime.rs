//! The functions' bootstraps, run as Lambda runs them: each a process polling
//! a Runtime API (`hostfront_tests::lambda`), on DynamoDB, SQS and KMS
//! (moto), fed the events API Gateway, SQS and EventBridge send. The routes
//! themselves are tested in the suite; this proves the glue.

use std::time::Duration;

use hostfront::daily::{self, Check};
use hostfront_tests::lambda::{Outcome, Stack, sqs_event};
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
    let app = App::behind(gateway.base.clone(), stack.services.clone());

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
        queued += daily::last_run(&stack.services, check)
            .await
            .unwrap()
            .unwrap()
            .batches;
    }
    assert_eq!(queued, 3, "one batch each, but for no unpaid service");
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
    ] {
        let run = daily::last_run(&stack.services, check)
            .await
            .unwrap()
            .unwrap();
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

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn events_carry_cookies_query_strings_base64_bodies_and_the_client_address() {
    let stack = Stack::on_moto().await;
    stack.seed(SCHEDULER).await;
    // Every request body in base64; three logins a minute per client.
    let gateway = stack
        .gateway(API_FUNCTIONS, &[("HOSTFRONT_AUTH_PER_MINUTE", "6")], true)
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

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn behind_cloudfront_the_viewer_counts_and_a_request_around_it_is_refused() {
    let stack = Stack::on_moto().await;
    let secret = "an origin secret CloudFront adds";
    let gateway = stack
        .gateway(
            API_FUNCTIONS,
            &[
                ("HOSTFRONT_ORIGIN_SECRET", secret),
                ("HOSTFRONT_AUTH_PER_MINUTE", "6"),
            ],
            false,
        )
        .await;
    let app = App::behind(gateway.base.clone(), stack.services.clone());
    let login = json!({"email": "nobody@example.com", "password": "not the password"});

    // Straight to the API, without CloudFront's header, or with a wrong one.
    for headers in [vec![], vec![("x-hostfront-origin", "a guess")]] {
        let (status, body) = app.post_with("/api/login", &login, &headers).await;
        assert_eq!(status, 403, "{body}");
        assert_eq!(body["error"]["code"], "forbidden");
    }
    // The refusal is an answer like any other: security headers, request id.
    let refused = reqwest::Client::new()
        .get(format!("{}/api/me", gateway.base))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 403);
    for header in [
        "content-security-policy",
        "x-content-type-options",
        "x-request-id",
    ] {
        assert!(
            refused.headers().contains_key(header),
            "the refusal has {header}"
        );
    }
    let (status, _, _) = app.get("/api/health").await;
    assert_eq!(status, 403, "every route is behind the check");

    // Through CloudFront, every request comes from CloudFront's address (the
    // same `sourceIp`); the viewer's address is what the limits count.
    let from = |viewer: &'static str| {
        vec![
            ("x-hostfront-origin", secret),
            ("cloudfront-viewer-address", viewer),
        ]
    };
    let mut refused = false;
    for _ in 0..10 {
        if app
            .post_with("/api/login", &login, &from("203.0.113.7:51234"))
            .await
            .0
            == 429
        {
            refused = true;
            break;
        }
    }
    assert!(
        refused,
        "the viewer 203.0.113.7 is refused after its wrong tries"
    );
    let (status, body) = app
        .post_with("/api/login", &login, &from("2001:db8::7:443"))
        .await;
    assert_eq!(status, 401, "another viewer is not: {body}");
    within_policies(&stack);
}

/// With `DnsHost` route53, the worker serves a live order's zone as a hosted
/// zone on Route 53 (moto), and the orders function exports it from there,
/// every call within the template's policies.
/// `shopper` orders hosting with `domain` and pays; the worker, started
/// with `env`, runs the jobs, and the order goes live. Its id.
async fn order_goes_live(
    stack: &Stack,
    shopper: &Shopper<'_>,
    domain: &str,
    env: &[(&str, &str)],
) -> String {
    let (status, order) = shopper
        .order(hosting("register", domain, &fresh_username()))
        .await;
    assert_eq!(status, 201, "{order}");
    let id = order["id"].as_str().unwrap().to_string();
    let (status, paid) = shopper.pay(&id, "4242424242424242", "GB").await;
    assert!(status == 200 || status == 202, "{status} {paid}");
    let worker = stack.start(WORKER, env).await;
    let answer = worker
        .invoke(sqs_event(&stack.receive(10).await))
        .await
        .response();
    assert_eq!(failed_ids(&answer), Vec::<String>::new());
    shopper.wait_for(&id, "active").await;
    id
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn with_route53_a_live_order_is_served_there() {
    let stack = Stack::on_moto().await;
    stack.seed(SCHEDULER).await;
    let on_route53 = [("HOSTFRONT_DNS", "route53")];
    let gateway = stack.gateway(API_FUNCTIONS, &on_route53, false).await;
    let app = App::behind(gateway.base.clone(), stack.services.clone());
    let shopper = Shopper::sign_up(&app, &format!("{}@example.com", unique("zoe")), "GB").await;
    let domain = fresh_domain();
    let id = order_goes_live(&stack, &shopper, &domain, &on_route53).await;

    let zones = hostfront_tests::route53_client()
        .list_hosted_zones_by_name()
        .dns_name(&domain)
        .send()
        .await
        .unwrap();
    let zone = zones
        .hosted_zones()
        .iter()
        .find(|z| z.name() == format!("{domain}."))
        .expect("a hosted zone for the domain");
    let comment = zone.config().and_then(|c| c.comment()).unwrap_or_default();
    assert!(
        comment == format!("order:{id}") || comment.starts_with(&format!("order:{id} change:")),
        "the zone names its order (and the change it waits on): {comment}"
    );
    let bind = shopper.zone(&id).await;
    assert!(bind.starts_with(&format!("$ORIGIN {domain}.")), "{bind}");
    assert!(bind.contains("awsdns"), "Route 53's nameservers: {bind}");
    assert!(bind.contains("\tMX\t10 mail."), "{bind}");
    within_policies(&stack);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn with_epp_stripe_and_whm_an_order_pays_registers_and_goes_live_at_the_real_counterparts() {
    use hostfront::staff::Role;
    use hostfront_tests::epp_server::EppServer;
    use hostfront_tests::staff::Clerk;
    use hostfront_tests::stripe_server::StripeServer;
    use hostfront_tests::whm_server::WhmServer;
    let stack = Stack::on_moto().await;
    stack.seed(SCHEDULER).await;
    let clock = std::sync::Arc::new(hostfront::clock::SystemClock);
    let registry = EppServer::start(clock, 4, Duration::from_secs(60)).await;
    let stripe = StripeServer::start().await;
    let fleet = WhmServer::start().await;
    let env: Vec<(String, String)> = [registry.env(1), stripe.env(), fleet.env()].concat();
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let gateway = stack.gateway(API_FUNCTIONS, &env, false).await;
    let app = App::behind(gateway.base.clone(), stack.services.clone());

    // Staff give the panel its first server, which must answer to its token.
    let admin = Clerk::log_in(&app, Role::Admin).await;
    let server = json!({"pool": "shared", "name": "web1", "capacity": 10});
    let (status, pools) = admin.post("/api/admin/pools/servers", server).await;
    assert_eq!(status, 200, "{pools}");
    assert!(fleet.calls("version") >= 1, "the admin function asked web1");
    let range = json!({"first": "198.51.100.10", "count": 8});
    let (status, added) = admin.post("/api/admin/pools/addresses", range).await;
    assert_eq!(status, 200, "{added}");
    let (status, _, free) = app.get("/api/subdomains/check?name=web1").await;
    assert_eq!(status, 200, "{free}");
    assert_eq!(
        free["available"], false,
        "a server's name is reserved: {free}"
    );

    let shopper = Shopper::sign_up(&app, &format!("{}@example.com", unique("eve")), "GB").await;
    let domain = fresh_domain();
    let label = domain.trim_end_matches(".com");
    let (status, _, found) = app.get(&format!("/api/domains/check?name={label}")).await;
    assert_eq!(status, 200, "{found}");
    assert!(
        !registry.transaction_ids("check").is_empty(),
        "the domains function asked the registry"
    );
    let id = order_goes_live(&stack, &shopper, &domain, &env).await;
    let intents = stripe.intents_with_key(&format!("{id}-authorize-1"));
    assert_eq!(
        intents.len(),
        1,
        "paid through Stripe: {:?}",
        stripe.intents()
    );
    assert_eq!(intents[0].1, "succeeded", "authorised and captured");
    let creates = registry.transaction_ids("create");
    assert_eq!(creates.len(), 1, "the worker registered once over EPP");
    assert!(creates[0].contains(&id), "{creates:?}");
    let hosted = fleet.accounts("web1.example.net");
    assert_eq!(
        hosted.len(),
        1,
        "the worker made the account on web1: {hosted:?}"
    );
    assert_eq!(
        hosted[0].1, "198.51.100.10",
        "on the address the pool gave it"
    );
    within_policies(&stack);
}

/// What moto's SES has sent to `address`: each message's subject.
async fn sent_to(address: &str) -> Vec<String> {
    hostfront_tests::ses_messages(address)
        .await
        .iter()
        .map(|m| m["subject"].as_str().unwrap_or_default().to_string())
        .collect()
}

/// With a sender (`MailFrom`), the functions send mail through SES (moto);
/// a permanent bounce SES publishes to the job queue stops mail to that
/// address: the next mail is recorded, and not sent.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn with_ses_mail_goes_out_and_a_bounce_stops_it() {
    let stack = Stack::on_moto().await;
    let ses = hostfront_tests::sesv2_client();
    let from = format!("{}@shop.example", unique("sender"));
    ses.create_email_identity()
        .email_identity(&from)
        .send()
        .await
        .unwrap();
    let set = unique("mail");
    ses.create_configuration_set()
        .configuration_set_name(&set)
        .send()
        .await
        .unwrap();
    let with_ses = [
        ("HOSTFRONT_MAIL", "ses"),
        ("HOSTFRONT_MAIL_FROM", from.as_str()),
        ("HOSTFRONT_SES_CONFIGURATION_SET", set.as_str()),
    ];
    let gateway = stack.gateway(API_FUNCTIONS, &with_ses, false).await;
    let app = App::behind(gateway.base.clone(), stack.services.clone());
    let email = format!("{}@example.com", unique("ada"));
    Shopper::sign_up(&app, &email, "GB").await;
    let sent = sent_to(&email).await;
    assert_eq!(sent.len(), 1, "{sent:?}");
    assert!(sent[0].starts_with("Confirm your email"), "{sent:?}");

    let bounce = json!({
        "eventType": "Bounce",
        "bounce": {"bounceType": "Permanent", "bouncedRecipients": [{"emailAddress": email}]},
        "mail": {"destination": [email]},
    });
    stack
        .services
        .queue
        .send(&bounce.to_string(), Duration::ZERO)
        .await
        .unwrap();
    let worker = stack.start(WORKER, &with_ses).await;
    let answer = worker
        .invoke(sqs_event(&stack.receive(10).await))
        .await
        .response();
    assert_eq!(failed_ids(&answer), Vec::<String>::new());

    // Signing up again mails "you already have an account": recorded, not sent.
    let (status, _) = app
        .post_with(
            "/api/signup",
            &json!({"email": email, "password": "correct horse battery", "name": "Ada", "country": "GB"}),
            &[],
        )
        .await;
    assert_eq!(status, 202);
    let recorded = hostfront::mail::outbox(&stack.services, 50).await.unwrap();
    assert!(
        recorded
            .iter()
            .any(|m| m.to == email && m.kind == hostfront::mail::MailKind::AccountExists),
        "the mail is recorded"
    );
    assert_eq!(sent_to(&email).await.len(), 1, "and not sent");
    within_policies(&stack);
}

/// The domain-check function, were a flaw to let a caller write through it,
/// could not plant an entry in another function's list: IAM refuses its
/// writes of index attributes (or of a customer's id) on a `DOMAIN#` item,
/// while its own cache and counter writes pass.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_domain_function_cannot_write_index_attributes() {
    use hostfront::store::{Key, Table, Update};
    let stack = Stack::on_moto().await;
    let endpoint = hostfront_tests::aws_access::proxy(
        "api-domains",
        &hostfront_tests::moto_endpoint(),
        stack.access.clone(),
    )
    .await;
    let table_name = &stack
        .env
        .iter()
        .find(|(k, _)| k == "HOSTFRONT_TABLE")
        .unwrap()
        .1;
    let table = hostfront::adapters::aws::DynamoTable::new(
        hostfront_tests::dynamodb_client_at(&endpoint),
        table_name,
        std::sync::Arc::new(hostfront::clock::SystemClock),
    );
    let item = |pk: &str, fields: Value| {
        let mut item = Key::new(pk, "FORGED").to_item();
        item.extend(fields.as_object().unwrap().clone());
        item
    };
    let forged = item(
        "DOMAIN#attacker.com",
        json!({"kind": "domain", "customer_id": "victim", "gsi1pk": "DOMAINS#EXPIRY", "gsi1sk": "000000000001#attacker.com"}),
    );
    table.put(forged, None).await.unwrap();
    table
        .update(
            &Key::new("DOMAIN#attacker.com", "MARKER"),
            Update::new().set("gsi2pk", "RENEWALS#scheduled"),
            None,
        )
        .await
        .unwrap();
    let cache = item(
        "DOMAINCHECK#attacker.com",
        json!({"kind": "domain_check", "answer": {}, "ttl": 1}),
    );
    table.put(cache, None).await.unwrap();

    let accesses = stack.access.lock().unwrap().clone();
    let denied = hostfront_tests::template::denied(&accesses);
    let refused = |action: &str| {
        denied
            .iter()
            .any(|a| a.action == action && a.leading_keys == ["DOMAIN#attacker.com"])
    };
    assert!(refused("dynamodb:PutItem"), "{denied:?}");
    assert!(refused("dynamodb:UpdateItem"), "{denied:?}");
    assert_eq!(denied.len(), 2, "the cache write is allowed: {denied:?}");
}

/// API Gateway's authorizer, as API Gateway invokes it (payload 2.0, simple
/// responses): only CloudFront's origin secret goes through.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_authorizer_lets_through_only_what_came_through_cloudfront() {
    let stack = Stack::on_moto().await;
    let secret = "an origin secret CloudFront adds";
    let authorizer = stack
        .start(AUTHORIZER, &[("HOSTFRONT_ORIGIN_SECRET", secret)])
        .await;
    for (given, expected) in [(secret, true), ("a guess", false)] {
        let event = json!({
            "version": "2.0", "type": "REQUEST", "routeKey": "POST /api/login",
            "identitySource": [given], "headers": {"x-hostfront-origin": given},
        });
        let answer = authorizer.invoke(event).await.response();
        assert_eq!(answer, json!({"isAuthorized": expected}));
    }
}
