//! The conventions every route follows, over real HTTP, on both engines.

use hostfront_tests::{App, http};
use serde_json::Value;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn embedded_app_serves_site_health_catalog_and_openapi() {
    let app = App::embedded().await;
    serves_the_foundation(&app, "sqlite", "sqlite").await;
    app.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cloud_app_serves_site_health_catalog_and_openapi() {
    let app = App::cloud().await;
    serves_the_foundation(&app, "dynamodb", "sqs").await;
    app.shutdown().await.unwrap();
}

async fn serves_the_foundation(app: &App, table: &str, queue: &str) {
    let client = http();
    let health = client.get(app.url("/api/health")).send().await.unwrap();
    assert_eq!(health.status(), 200);
    let request_id = health
        .headers()
        .get("x-request-id")
        .expect("a request id")
        .to_str()
        .unwrap()
        .to_string();
    assert_eq!(request_id.len(), 26, "a ULID: {request_id}");
    let health: Value = health.json().await.unwrap();
    assert_eq!(health["status"], "ok");
    assert_eq!(health["engines"]["table"], table);
    assert_eq!(health["engines"]["queue"], queue);
    assert_eq!(health["version"], env!("CARGO_PKG_VERSION"));

    let echoed = client
        .get(app.url("/api/health"))
        .header("x-request-id", "trace-me-42")
        .send()
        .await
        .unwrap();
    assert_eq!(echoed.headers()["x-request-id"], "trace-me-42");

    let page = client.get(app.url("/")).send().await.unwrap();
    assert_eq!(page.status(), 200);
    assert!(
        page.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    assert!(page.text().await.unwrap().contains("Hostfront"));
    let missing = client.get(app.url("/no-such-page")).send().await.unwrap();
    assert_eq!(missing.status(), 404);

    // The first start seeded the demo catalog.
    let catalog = app.get("/api/catalog").await.2;
    assert_eq!(catalog["currency"], "USD");
    let kinds: Vec<&str> = catalog["plans"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["kind"].as_str().unwrap())
        .collect();
    for kind in ["shared", "email", "reseller", "vps", "dedicated"] {
        assert!(kinds.contains(&kind), "{kind} in {kinds:?}");
    }
    assert_eq!(catalog["tlds"][0]["tld"], "com");
    assert!(catalog["tlds"][0]["register"].as_i64().unwrap() > 0);

    let api = app.get("/api/openapi.json").await.2;
    assert!(api["openapi"].as_str().unwrap().starts_with("3."));
    let documented = [
        ("/api/health", "get"),
        ("/api/openapi.json", "get"),
        ("/api/catalog", "get"),
        ("/api/orders", "post"),
        ("/api/orders", "get"),
        ("/api/orders/{id}", "get"),
        ("/api/orders/{id}/pay", "post"),
        ("/api/orders/{id}/zone", "get"),
        ("/api/usernames/check", "get"),
    ];
    for (path, method) in documented {
        assert!(
            api["paths"][path][method].is_object(),
            "{method} {path} is documented"
        );
    }
    assert!(api["components"]["schemas"]["ErrorBody"].is_object());

    let unknown = client
        .get(app.url("/api/nothing/here"))
        .send()
        .await
        .unwrap();
    assert_eq!(unknown.status(), 404);
    let body: Value = unknown.json().await.unwrap();
    assert_eq!(body["error"]["code"], "not_found");
    assert!(
        body["error"]["message"]
            .as_str()
            .is_some_and(|m| !m.is_empty())
    );

    let wrong_method = client.delete(app.url("/api/catalog")).send().await.unwrap();
    assert_eq!(wrong_method.status(), 405);
    let body: Value = wrong_method.json().await.unwrap();
    assert_eq!(body["error"]["code"], "method_not_allowed");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_catalog_is_seeded_once() {
    let app = App::embedded().await;
    let table = app.ports.table.clone();
    assert!(
        !hostfront::catalog::seed_demo(table.as_ref()).await.unwrap(),
        "already seeded at start"
    );
    let catalog = hostfront::catalog::load(table.as_ref()).await.unwrap();
    assert_eq!(catalog, hostfront::catalog::Catalog::demo().sorted());
    app.shutdown().await.unwrap();
}
