//! Security headers on every answer, and a site that needs no inline script.

use std::time::Duration;

use hostfront_tests::App;

async fn headers(app: &App, path: &str) -> reqwest::header::HeaderMap {
    hostfront_tests::http()
        .get(app.url(path))
        .send()
        .await
        .unwrap()
        .headers()
        .clone()
}

/// The headers every answer carries, over plain HTTP.
fn assert_security_headers(h: &reqwest::header::HeaderMap, what: &str) {
    let csp = h["content-security-policy"].to_str().unwrap();
    for directive in [
        "default-src 'self'",
        "script-src 'self'",
        "frame-ancestors 'none'",
        "object-src 'none'",
    ] {
        assert!(csp.contains(directive), "{what}: {csp}");
    }
    assert!(!csp.contains("unsafe-inline"), "{what}: {csp}");
    assert_eq!(h["x-content-type-options"], "nosniff", "{what}");
    assert_eq!(
        h["referrer-policy"], "strict-origin-when-cross-origin",
        "{what}"
    );
    assert_eq!(h["x-frame-options"], "DENY", "{what}");
    assert!(
        h.get("strict-transport-security").is_none(),
        "no HSTS over plain HTTP"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_answer_carries_the_security_headers() {
    let app = App::embedded().await;
    for path in [
        "/",
        "/order.html",
        "/assets/site.css",
        "/no-such-page",
        "/api/health",
        "/api/me",
        "/api/no-such-route",
    ] {
        let h = headers(&app, path).await;
        assert_security_headers(&h, path);
        if path.starts_with("/api/") {
            assert_eq!(h["cache-control"], "no-store", "{path}");
        }
    }
    app.shutdown().await.unwrap();

    let app = App::embedded_with(|c| c.policy.public_url = "https://shop.example.net".into()).await;
    let h = headers(&app, "/").await;
    assert!(
        h["strict-transport-security"]
            .to_str()
            .unwrap()
            .starts_with("max-age=")
    );
    app.shutdown().await.unwrap();
}

/// A 503 from the bound on requests at once or from the request timeout is
/// an answer like any other: security headers, a request ID, a JSON error.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn busy_and_slow_answers_carry_the_security_headers() {
    use hostfront_tests::shopper::Shopper;
    let login = |app: &App| {
        hostfront_tests::http()
            .post(app.url("/api/login"))
            .json(&serde_json::json!({"email": "ada@example.com", "password": "correct horse battery"}))
            .send()
    };
    let check = |answer: reqwest::Response, what: &'static str| async move {
        assert_eq!(answer.status(), 503, "{what}");
        assert_security_headers(answer.headers(), what);
        assert_eq!(answer.headers()["cache-control"], "no-store", "{what}");
        assert!(answer.headers().get("x-request-id").is_some(), "{what}");
        assert!(answer.headers().get("retry-after").is_some(), "{what}");
        let body: serde_json::Value = answer.json().await.unwrap();
        assert_eq!(body["error"]["code"], "unavailable", "{what}: {body}");
    };

    let app =
        App::embedded_with(|c| c.server.limits.request_timeout = Duration::from_millis(1)).await;
    check(login(&app).await.unwrap(), "timed out").await;
    app.shutdown().await.unwrap();

    let app = App::embedded_with(|c| c.server.limits.max_requests = 1).await;
    Shopper::sign_up(&app, "ada@example.com", "GB").await;
    let answers = futures::future::join_all((0..12).map(|_| login(&app))).await;
    let busy = answers
        .into_iter()
        .map(Result::unwrap)
        .find(|a| a.status() == 503)
        .expect("one of twelve logins at once is turned away");
    check(busy, "busy").await;
    app.shutdown().await.unwrap();
}

/// A path that starts with `//` is the same path with one slash: a folder's
/// redirect never points at `//admin/`, which a browser reads as the host
/// `admin`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_double_slash_never_redirects_to_another_host() {
    let app = App::embedded().await;
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    for path in ["//admin", "///admin", "//admin?next=x", "/admin"] {
        let answer = client.get(app.url(path)).send().await.unwrap();
        let status = answer.status().as_u16();
        let location = answer
            .headers()
            .get("location")
            .map(|l| l.to_str().unwrap().to_string());
        assert!(
            status == 404 || (status == 301 || status == 307 || status == 308),
            "{path}: {status}"
        );
        if let Some(location) = location {
            assert!(
                location.starts_with("/admin/") && !location.starts_with("//"),
                "{path} redirects to {location}"
            );
        }
    }
    let answer = client.get(app.url("//api/health")).send().await.unwrap();
    assert_eq!(answer.status(), 200, "the same path with one slash");
    assert_eq!(answer.headers()["cache-control"], "no-store");
    app.shutdown().await.unwrap();
}

/// The policy forbids inline script: the site must have none to break.
#[test]
fn the_site_has_no_inline_script_or_handlers() {
    let site = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../site");
    let handler = |html: &str| {
        html.match_indices(" on").any(|(i, _)| {
            let rest = &html[i + 3..];
            let name: String = rest
                .chars()
                .take_while(|c| c.is_ascii_alphabetic())
                .collect();
            !name.is_empty() && rest[name.len()..].starts_with('=')
        })
    };
    for entry in std::fs::read_dir(&site).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "html") {
            let html = std::fs::read_to_string(&path).unwrap();
            assert!(!handler(&html), "{} has an inline handler", path.display());
            for script in html.split("<script").skip(1) {
                let tag = &script[..script.find('>').unwrap()];
                assert!(
                    tag.contains("src="),
                    "{} has an inline script",
                    path.display()
                );
            }
            assert!(
                !html.contains("style=\""),
                "{} has an inline style",
                path.display()
            );
        }
    }
}
