//! What may reach the functions and what they may do: only requests through
//! CloudFront, the authorizer's checks, and the domain function's writes.

use super::{API_FUNCTIONS, AUTHORIZER, within_policies};
use hostfront_tests::App;
use hostfront_tests::lambda::Stack;
use serde_json::{Value, json};

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
    let app = App::behind(gateway.base.clone(), stack.ports.clone());
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
