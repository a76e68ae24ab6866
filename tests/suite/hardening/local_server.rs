//! The local server as a stranger meets it: the development outbox, private
//! files, slow clients and floods.

use std::net::SocketAddr;

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::Request;
use hostfront_tests::App;
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
        c.dev_outbox = true;
        // Even a proxy the server trusts cannot make a caller local.
        c.trusted_proxies = vec!["0.0.0.0/0".parse().unwrap(), "::/0".parse().unwrap()];
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

    let router = hostfront::http::app_router(app.services.clone(), &app.services.config.site_dir);
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
