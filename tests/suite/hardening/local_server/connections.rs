//! Idle connections, HTTP/2 cleartext ones included, are closed and lock no
//! visitor out.

use axum::body::Body;
use hostfront_tests::App;

/// What an HTTP/2 client sends first over cleartext (prior knowledge): the
/// connection preface and empty settings. A client that sends only this
/// holds an idle HTTP/2 connection.
const H2C_HELLO: &[u8] = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n\x00\x00\x00\x04\x00\x00\x00\x00\x00";

/// Lets this process hold `files` descriptors (both ends of every loopback
/// connection are ours), within the hard limit.
fn allow_open_files(files: u64) {
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit and setrlimit only read and write `limit`.
    unsafe {
        assert_eq!(libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit), 0);
        if limit.rlim_cur < files {
            limit.rlim_cur = files.min(limit.rlim_max);
            assert_eq!(libc::setrlimit(libc::RLIMIT_NOFILE, &limit), 0);
        }
    }
    assert!(
        limit.rlim_cur >= files,
        "this test needs {files} open files; the hard limit is {}",
        limit.rlim_max
    );
}

/// One client holding more idle HTTP/2 connections than the server serves
/// at once does not lock visitors out: the connection idle longest makes
/// room for a newcomer, who is answered at once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn idle_h2c_connections_do_not_lock_visitors_out() {
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    allow_open_files(8192);
    let app = App::embedded().await;
    assert_eq!(app.server.limits.max_connections, 1024, "the default");
    let address = app.base.trim_start_matches("http://").to_string();
    let mut idle = Vec::new();
    for _ in 0..1_030 {
        let mut stream = tokio::net::TcpStream::connect(&address).await.unwrap();
        stream.write_all(H2C_HELLO).await.unwrap();
        idle.push(stream);
    }
    // The server has taken up each connection once it answered the preface
    // with its settings (or, making room for a newer one, closed it).
    for (n, stream) in idle.iter_mut().enumerate() {
        let mut first = [0u8; 1];
        let wait = std::time::Duration::from_secs(10);
        let answered = tokio::time::timeout(wait, stream.read(&mut first)).await;
        assert!(answered.is_ok(), "connection {n} was never taken up");
    }
    let visit = hostfront_tests::http().get(app.url("/api/health")).send();
    let answer = tokio::time::timeout(std::time::Duration::from_secs(1), visit).await;
    let status = answer.map(|a| a.map(|r| r.status().as_u16()));
    assert!(
        matches!(status, Ok(Ok(200))),
        "a visitor behind 1,030 idle connections: {status:?}"
    );
    drop(idle);
    app.shutdown().await.unwrap();
}

/// How long after `since` the server closed `stream` (it reads to the end),
/// and what it sent; None when it still holds it after five seconds.
async fn closed_after(
    stream: &mut tokio::net::TcpStream,
    since: std::time::Instant,
) -> Option<(std::time::Duration, String)> {
    use tokio::io::AsyncReadExt as _;
    let mut answer = Vec::new();
    let read = tokio::time::timeout(
        std::time::Duration::from_secs(5),
        stream.read_to_end(&mut answer),
    )
    .await;
    read.ok().map(|_| {
        (
            since.elapsed(),
            String::from_utf8_lossy(&answer).into_owned(),
        )
    })
}

/// An idle connection is closed after the idle timeout, over HTTP/1 and
/// HTTP/2 alike; one that never sends a request, after the header timeout.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn idle_connections_are_closed_after_the_idle_timeout() {
    use std::time::{Duration, Instant};
    use tokio::io::AsyncWriteExt as _;
    let app = App::embedded_with(|c| {
        c.server.limits.idle_timeout = Duration::from_millis(300);
        c.server.limits.header_timeout = Duration::from_millis(3_000);
    })
    .await;
    let address = app.base.trim_start_matches("http://").to_string();
    let documented = |elapsed: Duration, timeout: u64| {
        // The timeout, plus a moment for the goodbye.
        (Duration::from_millis(timeout - 50)..Duration::from_millis(timeout + 1_200))
            .contains(&elapsed)
    };

    // HTTP/1.1 keep-alive, after an answer.
    let mut stream = tokio::net::TcpStream::connect(&address).await.unwrap();
    stream
        .write_all(b"GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        .await
        .unwrap();
    let (elapsed, answer) = closed_after(&mut stream, Instant::now())
        .await
        .expect("an idle HTTP/1.1 connection stays open");
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(
        documented(elapsed, 300),
        "HTTP/1.1 closed after {elapsed:?}"
    );

    // HTTP/2, after an answer.
    let stream = tokio::net::TcpStream::connect(&address).await.unwrap();
    let (mut send, connection) = hyper::client::conn::http2::handshake(
        hyper_util::rt::TokioExecutor::new(),
        hyper_util::rt::TokioIo::new(stream),
    )
    .await
    .unwrap();
    let open = tokio::spawn(connection);
    let request = axum::http::Request::get(app.url("/api/health"))
        .body(Body::empty())
        .unwrap();
    let answer = send.send_request(request).await.unwrap();
    assert_eq!(answer.status(), 200);
    let answered = Instant::now();
    let closed = tokio::time::timeout(Duration::from_secs(5), open).await;
    assert!(closed.is_ok(), "an idle HTTP/2 connection stays open");
    let elapsed = answered.elapsed();
    assert!(documented(elapsed, 300), "HTTP/2 closed after {elapsed:?}");

    // HTTP/2 that never asks for anything.
    let mut stream = tokio::net::TcpStream::connect(&address).await.unwrap();
    let connected = Instant::now();
    stream.write_all(H2C_HELLO).await.unwrap();
    let (elapsed, _) = closed_after(&mut stream, connected)
        .await
        .expect("an HTTP/2 connection with no request stays open");
    assert!(documented(elapsed, 3_000), "closed after {elapsed:?}");
    app.shutdown().await.unwrap();
}
