//! Security headers on every answer, and a site that needs no inline script.

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
        let csp = h["content-security-policy"].to_str().unwrap();
        for directive in [
            "default-src 'self'",
            "script-src 'self'",
            "frame-ancestors 'none'",
            "object-src 'none'",
        ] {
            assert!(csp.contains(directive), "{path}: {csp}");
        }
        assert!(!csp.contains("unsafe-inline"), "{path}: {csp}");
        assert_eq!(h["x-content-type-options"], "nosniff", "{path}");
        assert_eq!(
            h["referrer-policy"], "strict-origin-when-cross-origin",
            "{path}"
        );
        assert_eq!(h["x-frame-options"], "DENY", "{path}");
        assert!(
            h.get("strict-transport-security").is_none(),
            "no HSTS over plain HTTP"
        );
        if path.starts_with("/api/") {
            assert_eq!(h["cache-control"], "no-store", "{path}");
        }
    }
    app.shutdown().await.unwrap();

    let app = App::embedded_with(|c| c.public_url = "https://shop.example.net".into()).await;
    let h = headers(&app, "/").await;
    assert!(
        h["strict-transport-security"]
            .to_str()
            .unwrap()
            .starts_with("max-age=")
    );
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
