//! The local server as a stranger meets it: the development outbox, private
//! files, slow clients and floods.

mod connections;

use std::net::SocketAddr;
use std::time::Duration;

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::Request;
use hostfront_tests::App;
use hostfront_tests::shopper::{Shopper, fresh_username, hosting};
use tower::ServiceExt as _;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_outbox_is_off_unless_turned_on() {
    let app = App::embedded().await;
    let (status, _, _) = app.get("/api/outbox").await;
    assert_eq!(status, 404);
    app.shutdown().await.unwrap();
}

/// The outbox, turned on, answers the raw TCP peer on this machine and a
/// loopback `Host` only: forwarding headers and other hosts get nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_outbox_answers_only_this_machine() {
    let app = App::embedded_with(|c| {
        c.policy.dev_tools = true;
        // Even a proxy the server trusts cannot make a caller local.
        c.policy.trusted_proxies = vec!["0.0.0.0/0".parse().unwrap(), "::/0".parse().unwrap()];
    })
    .await;
    let (status, _, mails) = app.get("/api/outbox").await;
    assert_eq!((status, mails.is_array()), (200, true));
    for host in [
        "evil.example",
        "127.0.0.1.nip.io",
        "localhost.evil.example:80",
    ] {
        let (status, _, _) = app.get_with("/api/outbox", &[("host", host)]).await;
        assert_eq!(status, 404, "Host: {host}");
    }

    let router = hostfront::http::app_router(
        app.ports.clone(),
        &app.server.site_dir(),
        &app.server.limits,
    );
    let from = |peer: &str, forwarded: &str| {
        let mut request = Request::get("/api/outbox")
            .header("host", "127.0.0.1")
            .header("x-forwarded-for", forwarded)
            .body(Body::empty())
            .unwrap();
        request
            .extensions_mut()
            .insert(ConnectInfo(peer.parse::<SocketAddr>().unwrap()));
        request
    };
    for forwarded in ["::1", "127.0.0.1", "unknown", "127.0.0.1:80", "127.0.0.2"] {
        let answer = router
            .clone()
            .oneshot(from("203.0.113.9:4000", forwarded))
            .await
            .unwrap();
        assert_eq!(answer.status(), 404, "X-Forwarded-For: {forwarded}");
    }
    let answer = router
        .clone()
        .oneshot(from("[::ffff:127.0.0.1]:4000", ""))
        .await
        .unwrap();
    assert_eq!(
        answer.status(),
        200,
        "an IPv4-mapped loopback peer is this machine"
    );
    app.shutdown().await.unwrap();
}

fn mode(path: &std::path::Path) -> u32 {
    use std::os::unix::fs::PermissionsExt as _;
    std::fs::metadata(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .permissions()
        .mode()
        & 0o777
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_database_and_the_outbox_are_private() {
    let app = App::embedded().await;
    let ada = Shopper::sign_up(&app, "ada@example.com", "GB").await;
    let (status, _) = ada
        .order(hosting("subdomain", &fresh_username(), &fresh_username()))
        .await;
    assert_eq!(status, 201);
    let data = app.data_dir();
    assert_eq!(mode(data), 0o700);
    for file in [
        "hostfront.sqlite3",
        "hostfront.sqlite3-wal",
        "hostfront.sqlite3-shm",
    ] {
        assert_eq!(mode(&data.join(file)), 0o600, "{file}");
    }
    let outbox = &app.ports.config.mailbox_folder;
    assert!(
        outbox.starts_with(data),
        "the mailbox is in the data folder"
    );
    assert_eq!(mode(outbox), 0o700);
    let mails: Vec<_> = std::fs::read_dir(outbox)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert!(!mails.is_empty());
    for mail in mails {
        assert_eq!(mode(&mail), 0o600, "{}", mail.display());
    }
    app.shutdown().await.unwrap();
}

/// A client that sends its headers slowly is cut off; it does not hold a
/// connection for good.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_clients_are_cut_off() {
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    let app =
        App::embedded_with(|c| c.server.limits.header_timeout = Duration::from_millis(300)).await;
    let address = app.base.trim_start_matches("http://").to_string();
    for sent in ["", "GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\n"] {
        let mut stream = tokio::net::TcpStream::connect(&address).await.unwrap();
        stream.write_all(sent.as_bytes()).await.unwrap();
        let started = std::time::Instant::now();
        let mut answer = Vec::new();
        let read = tokio::time::timeout(
            std::time::Duration::from_secs(5),
            stream.read_to_end(&mut answer),
        )
        .await;
        assert!(
            read.is_ok(),
            "the server still holds a client that sent {sent:?}"
        );
        assert!(started.elapsed() < std::time::Duration::from_secs(3));
        let answer = String::from_utf8_lossy(&answer);
        assert!(
            answer.is_empty() || answer.starts_with("HTTP/1.1 408"),
            "{answer}"
        );
    }
    let (status, _, _) = app.get("/api/health").await;
    assert_eq!(status, 200, "others are served meanwhile");
    app.shutdown().await.unwrap();
}

/// Past the bound on requests at once, or past the time a request may take,
/// the answer is a JSON 503 that says when to come back.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn floods_and_slow_requests_get_a_503() {
    let app = App::embedded_with(|c| c.server.limits.max_requests = 1).await;
    Shopper::sign_up(&app, "ada@example.com", "GB").await;
    let login =
        serde_json::json!({"email": "ada@example.com", "password": "correct horse battery"});
    let logins = (0..12).map(|_| app.post_with("/api/login", &login, &[]));
    let answers = futures::future::join_all(logins).await;
    let busy: Vec<_> = answers.iter().filter(|(s, _)| *s == 503).collect();
    assert!(!busy.is_empty(), "{answers:?}");
    assert!(
        answers.iter().all(|(s, _)| [200, 503].contains(s)),
        "{answers:?}"
    );
    assert_eq!(busy[0].1["error"]["code"], "unavailable");
    app.shutdown().await.unwrap();

    let app =
        App::embedded_with(|c| c.server.limits.request_timeout = Duration::from_millis(1)).await;
    let (status, body) = app.post_with("/api/login", &login, &[]).await;
    assert_eq!(
        (status, body["error"]["message"].as_str()),
        (503, Some("the request took too long; please try again"))
    );
    app.shutdown().await.unwrap();
}

/// With the development tools on, a developer publishes the TXT record that
/// proves an external domain is theirs; with them off, nobody can.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_simulated_dns_is_a_development_tool() {
    let publish = |app: &App| {
        hostfront_tests::http()
            .put(app.url("/api/dev/dns/_hostfront-verify.bakery.com"))
            .json(&serde_json::json!({"txt": ["hostfront-verify=abc"]}))
            .send()
    };
    let app = App::embedded().await;
    assert_eq!(publish(&app).await.unwrap().status(), 404);
    app.shutdown().await.unwrap();
    let app = App::embedded_with(|c| c.policy.dev_tools = true).await;
    assert_eq!(publish(&app).await.unwrap().status(), 204);
    let published = hostfront::resolver::Resolver::txt(
        app.ports.resolver.as_ref(),
        "_hostfront-verify.bakery.com",
    )
    .await
    .unwrap();
    assert_eq!(published, ["hostfront-verify=abc"]);
    app.shutdown().await.unwrap();
}

/// With the development tools on, a developer makes the simulated world
/// drift for the daily checks to find: a domain renewed at the registry, a
/// domain pointed at another host. Nonsense is refused and changes nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_simulated_registry_and_dns_drift_as_development_tools() {
    let app = App::embedded_with(|c| c.policy.dev_tools = true).await;
    let client = hostfront_tests::http();
    let drift = |name: &str, body: serde_json::Value| {
        client
            .post(app.url(&format!("/api/dev/registry/{name}/drift")))
            .json(&body)
            .send()
    };
    let renewed = serde_json::json!({"drift": "renewed_elsewhere", "years": 1});
    let unknown = drift("never-registered-here.com", renewed.clone())
        .await
        .unwrap();
    assert_eq!(unknown.status(), 404);
    let body: serde_json::Value = unknown.json().await.unwrap();
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("no such domain"),
        "{body}"
    );
    let nonsense = drift("bakery.com", serde_json::json!({"drift": "stolen"}))
        .await
        .unwrap();
    assert!(nonsense.status().is_client_error(), "{}", nonsense.status());

    let pointing =
        serde_json::json!({"nameservers": ["ns1.other.example"], "addresses": ["203.0.113.9"]});
    let url = app.url("/api/dev/dns/bakery.shop/pointing");
    assert_eq!(
        client
            .put(&url)
            .json(&pointing)
            .send()
            .await
            .unwrap()
            .status(),
        204
    );
    let resolver = app.ports.resolver.as_ref();
    assert_eq!(
        resolver.addresses("bakery.shop").await.unwrap(),
        ["203.0.113.9".parse::<std::net::IpAddr>().unwrap()]
    );
    let bad = client
        .put(&url)
        .json(&serde_json::json!({"nameservers": [], "addresses": ["not an address"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 400);
    assert_eq!(
        resolver.addresses("bakery.shop").await.unwrap().len(),
        1,
        "unchanged"
    );
    assert_eq!(client.delete(&url).send().await.unwrap().status(), 204);
    assert!(resolver.addresses("bakery.shop").await.unwrap().is_empty());
    app.shutdown().await.unwrap();
}
