//! The app under test: the real server on a loopback port, on either engine.

use super::http;
use crate::{test_config, test_server, until};
use hostfront::Ports;
use hostfront::adapters::embedded::EmbeddedDb;
use hostfront::clock::{Clock, SystemClock};
use hostfront::settings::{ServerSettings, Settings};
use std::path::Path;
use std::sync::Arc;
use tempfile::TempDir;

/// The whole app, as the local server runs it, on a free loopback port.
pub struct App {
    pub base: String,
    pub ports: Ports,
    /// How the local server serves it: the site and the server's bounds.
    pub server: ServerSettings,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    done: Option<tokio::task::JoinHandle<anyhow::Result<()>>>,
    dir: TempDir,
}

impl App {
    /// On the embedded engine, with its own data directory.
    pub async fn embedded() -> App {
        App::embedded_with(|_| {}).await
    }

    /// On the embedded engine, with settings changed by `configure`.
    pub async fn embedded_with(configure: impl FnOnce(&mut Settings)) -> App {
        let dir = TempDir::new().expect("temp dir");
        let mut config = test_config(dir.path());
        configure(&mut config);
        let db = EmbeddedDb::open(dir.path()).expect("embedded database opens");
        let server = config.server.clone();
        let ports = hostfront::wiring::embedded(config, db, Arc::new(SystemClock));
        App::start(ports, server, dir).await
    }

    /// On DynamoDB and SQS (moto), with a fresh table and queue.
    pub async fn cloud() -> App {
        App::cloud_with(|_| {}).await
    }

    /// On DynamoDB and SQS (moto), with settings changed by `configure`.
    pub async fn cloud_with(configure: impl FnOnce(&mut Settings)) -> App {
        let dir = TempDir::new().expect("temp dir");
        let clock: Arc<dyn Clock> = Arc::new(SystemClock);
        let mut config = test_config(dir.path());
        configure(&mut config);
        let server = config.server.clone();
        let ports = crate::engines::on_moto(config, clock, "app").await;
        App::start(ports, server, dir).await
    }

    /// An app served elsewhere, at `base` (the Lambda functions behind a
    /// local gateway), whose records `services` reads.
    pub fn behind(base: String, ports: Ports) -> App {
        App {
            base,
            ports,
            server: test_server(),
            stop: None,
            done: None,
            dir: TempDir::new().expect("temp dir"),
        }
    }

    /// Another process on the same services (and so the same table and queue).
    pub async fn serve(ports: Ports) -> App {
        App::serve_with(ports, test_server()).await
    }

    /// As `serve`, the local server serving as `server` says.
    pub async fn serve_with(ports: Ports, server: ServerSettings) -> App {
        App::start(ports, server, TempDir::new().expect("temp dir")).await
    }

    /// The folder of the app's own files (its database, key file and
    /// mailbox) when made by `embedded` or `cloud`; an app served from
    /// given ports has an empty one.
    pub fn data_dir(&self) -> &Path {
        self.dir.path()
    }

    async fn start(ports: Ports, server: ServerSettings, dir: TempDir) -> App {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("a loopback port");
        let base = format!("http://{}", listener.local_addr().expect("bound"));
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let done = tokio::spawn(hostfront::local::serve(
            ports.clone(),
            server.clone(),
            listener,
            async move {
                let _ = stopped.await;
            },
        ));
        let app = App {
            base,
            ports,
            server,
            stop: Some(stop),
            done: Some(done),
            dir,
        };
        app.wait_ready().await;
        app
    }

    /// Waits until the app answers, which it does once its start-up seeding is done.
    async fn wait_ready(&self) {
        let client = http();
        let health = self.url("/api/health");
        until(
            std::time::Duration::from_secs(60),
            &format!("the app ready at {}", self.base),
            || async {
                let answer = client.get(&health).send().await;
                answer.is_ok_and(|response| response.status().is_success())
            },
        )
        .await;
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// POSTs `body` as JSON with `headers`; returns the status and the JSON answer.
    pub async fn post_with(
        &self,
        path: &str,
        body: &serde_json::Value,
        headers: &[(&str, &str)],
    ) -> (u16, serde_json::Value) {
        self.send_with(reqwest::Method::POST, path, body, headers)
            .await
    }

    /// Sends `body` as JSON with `method` and `headers`; returns the status and the JSON answer.
    pub async fn send_with(
        &self,
        method: reqwest::Method,
        path: &str,
        body: &serde_json::Value,
        headers: &[(&str, &str)],
    ) -> (u16, serde_json::Value) {
        let mut request = http().request(method, self.url(path)).json(body);
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let response = request.send().await.expect("the app answers");
        let status = response.status().as_u16();
        (
            status,
            response.json().await.unwrap_or(serde_json::Value::Null),
        )
    }

    /// GETs `path` and returns the status, the `Retry-After` header and the JSON body.
    pub async fn get(&self, path: &str) -> (u16, Option<String>, serde_json::Value) {
        self.get_with(path, &[]).await
    }

    pub async fn get_with(
        &self,
        path: &str,
        headers: &[(&str, &str)],
    ) -> (u16, Option<String>, serde_json::Value) {
        let mut request = http().get(self.url(path));
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let response = request.send().await.expect("the app answers");
        let status = response.status().as_u16();
        let retry = response
            .headers()
            .get("retry-after")
            .map(|v| v.to_str().unwrap().to_string());
        (
            status,
            retry,
            response.json().await.unwrap_or(serde_json::Value::Null),
        )
    }

    /// Stops the app as SIGTERM would and waits for it to finish.
    pub async fn shutdown(mut self) -> anyhow::Result<()> {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        match self.done.take() {
            Some(done) => done.await?,
            None => Ok(()),
        }
    }
}
