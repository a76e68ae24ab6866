//! Serving a stand-in of an outside service on a loopback port.

use axum::Router;

/// A router served on 127.0.0.1; the server stops when this is dropped.
pub struct Loopback {
    /// `http://127.0.0.1:<port>`.
    pub base: String,
    server: tokio::task::JoinHandle<()>,
}

impl Drop for Loopback {
    fn drop(&mut self) {
        self.server.abort();
    }
}

/// Serves `app` on a free loopback port.
pub async fn serve(app: Router) -> Loopback {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a loopback port");
    let base = format!("http://{}", listener.local_addr().expect("bound"));
    let server = tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    Loopback { base, server }
}
