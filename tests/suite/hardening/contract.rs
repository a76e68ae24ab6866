//! The description and the server agree on who may call what: every route
//! the description says needs a session answers 401 without one, and no
//! other route does.

use hostfront_tests::App;
use serde_json::Value;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_session_requirement_in_the_description_is_the_servers() {
    let app = App::embedded().await;
    let (_, _, document) = app.get("/api/openapi.json").await;
    let client = hostfront_tests::http();
    let mut checked = 0;
    for (path, item) in document["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            // A customer's session, or a member of staff's.
            let needs_session = operation["security"].as_array().is_some_and(|s| {
                s.iter()
                    .any(|r| r.get("session").is_some() || r.get("staff").is_some())
            });
            let url = app.url(
                &path
                    .replace("{id}", "01JAAAAAAAAAAAAAAAAAAAAAAA")
                    .replace("{customer}", "01JAAAAAAAAAAAAAAAAAAAAAAA"),
            );
            let url = url
                .replace("{name}", "bakery.com")
                .replace("{number}", "INV-000001");
            let empty = Value::Object(Default::default());
            let request = match method.as_str() {
                "get" => client.get(&url),
                "post" => client.post(&url).json(&empty),
                "put" => client.put(&url).json(&empty),
                "patch" => client.patch(&url).json(&empty),
                "delete" => client.delete(&url),
                other => panic!("{other} {path} is not checked here"),
            };
            let status = request.send().await.unwrap().status().as_u16();
            if needs_session {
                assert_eq!(status, 401, "{method} {path} needs a session");
            } else {
                assert_ne!(
                    status, 401,
                    "{method} {path} does not say it needs a session"
                );
            }
            let declared = operation["responses"].as_object().unwrap();
            assert!(
                declared.contains_key(&status.to_string()),
                "{method} {path} answered an undeclared {status}"
            );
            checked += 1;
        }
    }
    assert!(checked >= 17, "{checked} operations");
    app.shutdown().await.unwrap();
}
