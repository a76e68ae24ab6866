//! The functions at real counterparts: Route 53, EPP, Stripe and WHM, and
//! SES with its bounces.

use super::{API_FUNCTIONS, SCHEDULER, WORKER, failed_ids, within_policies};
use hostfront_tests::lambda::{Stack, sqs_event};
use hostfront_tests::shopper::{Shopper, fresh_domain, fresh_username, hosting};
use hostfront_tests::{App, unique};
use serde_json::json;
use std::time::Duration;

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
    let app = App::behind(gateway.base.clone(), stack.ports.clone());
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
    let app = App::behind(gateway.base.clone(), stack.ports.clone());

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
    let app = App::behind(gateway.base.clone(), stack.ports.clone());
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
        .ports
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
    let recorded = hostfront::mail::outbox(&stack.ports, 50).await.unwrap();
    assert!(
        recorded
            .iter()
            .any(|m| m.to == email && m.kind == hostfront::mail::MailKind::AccountExists),
        "the mail is recorded"
    );
    assert_eq!(sent_to(&email).await.len(), 1, "and not sent");
    within_policies(&stack);
}
