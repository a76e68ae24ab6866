//! One HTTPS client for the adapters that speak HTTP APIs (Stripe, WHM, VIES):
//! rustls with the platform's verifier, made with the first request because
//! the system's roots take milliseconds to read, which a function's cold
//! start should not pay. Plain HTTP is allowed to 127.0.0.1 only, where
//! the test fixtures listen.

use std::sync::OnceLock;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;

type Https = hyper_rustls::HttpsConnector<HttpConnector>;

#[derive(Default)]
pub(crate) struct HttpsClient {
    client: OnceLock<Client<Https, Full<Bytes>>>,
}

/// Why an exchange has no answer.
#[derive(Debug)]
pub(crate) enum Failure {
    /// No answer within the time allowed: the request may have been done.
    TimedOut,
    /// TLS could not be set up, or the connection failed.
    Transport(String),
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Failure::TimedOut => f.write_str("no answer in time"),
            Failure::Transport(error) => f.write_str(error),
        }
    }
}

impl Failure {
    /// The failure in words naming `service`: "MAAS did not answer in time".
    pub(crate) fn of(self, service: &str) -> String {
        match self {
            Failure::TimedOut => format!("{service} did not answer in time"),
            Failure::Transport(error) => format!("{service}: {error}"),
        }
    }
}

/// Refuses a base URL that would send secrets in the clear.
pub(crate) fn check_base_url(url: &str) -> Result<(), String> {
    if url.starts_with("https://") || url.starts_with("http://127.0.0.1:") {
        Ok(())
    } else {
        Err(format!(
            "{url} is not https://: only https://, or http:// on 127.0.0.1"
        ))
    }
}

impl HttpsClient {
    fn client(&self) -> Result<&Client<Https, Full<Bytes>>, Failure> {
        if let Some(client) = self.client.get() {
            return Ok(client);
        }
        use rustls_platform_verifier::BuilderVerifierExt;
        use tokio_rustls::rustls;
        let provider = std::sync::Arc::new(rustls::crypto::ring::default_provider());
        let tls = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .and_then(|b| b.with_platform_verifier())
            .map_err(|e| Failure::Transport(format!("TLS: {e}")))?
            .with_no_client_auth();
        let connector = hyper_rustls::HttpsConnectorBuilder::new()
            .with_tls_config(tls)
            .https_or_http()
            .enable_http1()
            .build();
        let client = Client::builder(TokioExecutor::new()).build(connector);
        Ok(self.client.get_or_init(|| client))
    }

    /// Sends `request` and reads the whole answer: its status and body.
    pub(crate) async fn exchange(
        &self,
        request: hyper::Request<Full<Bytes>>,
        timeout: Duration,
    ) -> Result<(u16, Bytes), Failure> {
        let client = self.client()?;
        let exchange = async {
            let response = client.request(request).await?;
            let status = response.status().as_u16();
            let body = response.into_body().collect().await?.to_bytes();
            Ok::<_, Box<dyn std::error::Error + Send + Sync>>((status, body))
        };
        tokio::time::timeout(timeout, exchange)
            .await
            .map_err(|_| Failure::TimedOut)?
            .map_err(|e| Failure::Transport(e.to_string()))
    }
}
