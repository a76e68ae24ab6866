//! An EPP registry to test the EPP adapter against, as RFC 5730 (EPP),
//! 5731 (domains), 5734 (TCP transport) and 3915 (registry grace period)
//! specify it: EPP over TLS with a certificate of its own, every frame in
//! both directions held to the RFCs' XML schemas (`tests/epp-schemas/`, see
//! `schema`), and state: what it registers it remembers. It refuses what a
//! registry refuses: a command that does not validate (2001, so a password
//! over 16 characters never logs in), a login asking for a service or an
//! extension its greeting does not offer (2307, 2103), a command before
//! login (2002), and a restore that is not requested then reported within
//! the window (a domain left `pendingRestore` falls back into redemption).
//! Its world is the simulated registry's (the same names are held by
//! another registrar, with the same auth codes, and expire through the same
//! phases), so that the `Registrar` conformance suite reads the same on both.
//!
//! Faults on demand: the next command answered with an error code (2400),
//! the next transform applied and its connection dropped before the answer,
//! and a session limit answered with 2502. A frame the registry itself
//! would send invalid is never sent; the server's drop fails the test that
//! led to it, as it does for every command that did not validate.

mod answer;
mod commands;
mod domains;
pub mod raw;
pub mod schema;

use std::collections::{BTreeSet, HashMap};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use hostfront::adapters::epp::EppSettings;
use hostfront::clock::Clock;
use secrecy::ExposeSecret;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio_rustls::rustls;

use answer::greeting;
pub use domains::RESTORE_WINDOW;

/// About a year, for the ages of the domains the stand-in makes up.
const YEAR: i64 = 365 * 86_400;

pub const CLIENT_ID: &str = "hostfront";

/// Within RFC 5730's 6 to 16 characters.
const PASSWORD: &str = "hf-registry-pw1";

const OTHER_REGISTRAR: &str = "otherreg";

#[derive(Default)]
struct Faults {
    /// The next command is answered with this code and nothing is done.
    fail_next: Option<u16>,
    /// The next transform command is carried out and its connection closed
    /// before the answer.
    drop_next: bool,
}

struct Domain {
    sponsor: String,
    expires_at: i64,
    created_at: i64,
    nameservers: Vec<String>,
    statuses: BTreeSet<String>,
    auth: String,
    transfer: Option<Transfer>,
    /// When a restore was requested, until its report restores the domain.
    restore_requested_at: Option<i64>,
}

#[derive(Clone)]
struct Transfer {
    by: String,
    at: i64,
    status: &'static str,
}

struct Registry {
    clock: Arc<dyn Clock>,
    domains: HashMap<String, Domain>,
    sessions: usize,
    max_sessions: usize,
    transfer_delay: i64,
    /// (command, clTRID) of every command, in order.
    seen: Vec<(String, String)>,
    faults: Faults,
    served: u64,
    /// Every frame that did not validate, either way, with the reasons.
    invalid: Vec<String>,
    /// The services and extensions each login asked for.
    logins: Vec<Vec<String>>,
}

/// A logged-in session: the services and extensions its login chose.
struct Session {
    services: Vec<String>,
}

pub struct EppServer {
    pub address: SocketAddr,
    ca_file: PathBuf,
    registry: Arc<Mutex<Registry>>,
    server: tokio::task::JoinHandle<()>,
    _dir: tempfile::TempDir,
}

impl Drop for EppServer {
    fn drop(&mut self) {
        self.server.abort();
        let invalid = std::mem::take(&mut self.registry.lock().unwrap().invalid);
        if !invalid.is_empty() && !std::thread::panicking() {
            panic!("frames that break the EPP schemas: {invalid:#?}");
        }
    }
}

impl EppServer {
    /// A registry on a loopback port that allows `max_sessions` sessions and
    /// completes transfers `transfer_delay` after they are asked.
    pub async fn start(
        clock: Arc<dyn Clock>,
        max_sessions: usize,
        transfer_delay: Duration,
    ) -> EppServer {
        let dir = tempfile::TempDir::new().expect("temp dir");
        let cert = rcgen::generate_simple_self_signed(vec!["localhost".to_string()])
            .expect("a certificate");
        let ca_file = dir.path().join("registry-ca.pem");
        std::fs::write(&ca_file, cert.cert.pem()).expect("write the certificate");
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .expect("TLS versions")
            .with_no_client_auth()
            .with_single_cert(
                vec![cert.cert.der().clone()],
                rustls::pki_types::PrivateKeyDer::Pkcs8(cert.signing_key.serialize_der().into()),
            )
            .expect("a server certificate");
        let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("a loopback port");
        let address = listener.local_addr().expect("bound");
        let registry = Arc::new(Mutex::new(Registry {
            clock,
            domains: HashMap::new(),
            sessions: 0,
            max_sessions,
            transfer_delay: transfer_delay.as_secs() as i64,
            seen: Vec::new(),
            faults: Faults::default(),
            served: 0,
            invalid: Vec::new(),
            logins: Vec::new(),
        }));
        let shared = registry.clone();
        let server = tokio::spawn(async move {
            while let Ok((tcp, _)) = listener.accept().await {
                let acceptor = acceptor.clone();
                let registry = shared.clone();
                tokio::spawn(async move {
                    if let Ok(tls) = acceptor.accept(tcp).await {
                        serve(tls, registry).await;
                    }
                });
            }
        });
        EppServer {
            address,
            ca_file,
            registry,
            server,
            _dir: dir,
        }
    }

    /// The adapter's settings for this registry.
    pub fn settings(&self, sessions: usize) -> EppSettings {
        EppSettings {
            host: "localhost".into(),
            port: self.address.port(),
            client_id: CLIENT_ID.into(),
            password: PASSWORD.into(),
            sessions,
            check_batch: 5,
            timeout: Duration::from_secs(5),
            ca_file: Some(self.ca_file.clone()),
        }
    }

    /// The environment that points a process at this registry.
    pub fn env(&self, sessions: usize) -> Vec<(String, String)> {
        let settings = self.settings(sessions);
        [
            ("HOSTFRONT_REGISTRAR", "epp".to_string()),
            ("HOSTFRONT_EPP_HOST", settings.host),
            ("HOSTFRONT_EPP_PORT", settings.port.to_string()),
            ("HOSTFRONT_EPP_CLIENT_ID", settings.client_id),
            (
                "HOSTFRONT_EPP_PASSWORD",
                settings.password.expose_secret().to_string(),
            ),
            ("HOSTFRONT_EPP_SESSIONS", sessions.to_string()),
            ("HOSTFRONT_EPP_CA_FILE", self.ca_file.display().to_string()),
        ]
        .map(|(name, value)| (name.to_string(), value))
        .to_vec()
    }

    /// Answers the next command with `code` (such as 2400), doing nothing.
    pub fn fail_next(&self, code: u16) {
        self.registry.lock().unwrap().faults.fail_next = Some(code);
    }

    /// Carries out the next transform command, then drops its connection
    /// without an answer.
    pub fn drop_next(&self) {
        self.registry.lock().unwrap().faults.drop_next = true;
    }

    /// The clTRIDs of the commands named `command` (such as `create`).
    pub fn transaction_ids(&self, command: &str) -> Vec<String> {
        let registry = self.registry.lock().unwrap();
        registry
            .seen
            .iter()
            .filter(|(c, _)| c == command)
            .map(|(_, id)| id.clone())
            .collect()
    }

    /// Sessions logged in now.
    pub fn sessions(&self) -> usize {
        self.registry.lock().unwrap().sessions
    }

    /// The object and extension URIs each login asked for, in order.
    pub fn logins(&self) -> Vec<Vec<String>> {
        self.registry.lock().unwrap().logins.clone()
    }

    /// The frames that broke the schemas so far, which the server's drop
    /// would fail the test on; taking them lets a test that sends one on
    /// purpose look at them instead.
    pub fn take_invalid_frames(&self) -> Vec<String> {
        std::mem::take(&mut self.registry.lock().unwrap().invalid)
    }

    /// Lets a clock-driven test move the registry's restore window.
    pub fn restore_requested_at(&self, domain: &str) -> Option<i64> {
        let registry = self.registry.lock().unwrap();
        registry.domains.get(domain)?.restore_requested_at
    }
}

/// One connection: the greeting, then a frame in, a frame out.
async fn serve<S>(mut stream: S, registry: Arc<Mutex<Registry>>)
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin,
{
    let mut session = None;
    let hello = registry.lock().unwrap().checked(greeting());
    let Some(hello) = hello else {
        return;
    };
    if write_frame(&mut stream, &hello).await.is_err() {
        return;
    }
    loop {
        let Some(request) = read_frame(&mut stream).await else {
            break;
        };
        let (answer, after) = {
            let mut registry = registry.lock().unwrap();
            let (answer, after) = registry.handle(&request, &mut session);
            (registry.checked(answer), after)
        };
        let Some(answer) = answer else {
            break;
        };
        if after == After::Drop {
            break;
        }
        if write_frame(&mut stream, &answer).await.is_err() || after == After::Close {
            break;
        }
    }
    if session.is_some() {
        registry.lock().unwrap().sessions -= 1;
    }
}

/// RFC 5734: each frame is a 32-bit big-endian length (itself included),
/// then the XML.
async fn read_frame<S: tokio::io::AsyncRead + Unpin>(stream: &mut S) -> Option<String> {
    let length = stream.read_u32().await.ok()? as usize;
    let mut body = vec![0; length.checked_sub(4)?];
    stream.read_exact(&mut body).await.ok()?;
    String::from_utf8(body).ok()
}

async fn write_frame<S: tokio::io::AsyncWrite + Unpin>(
    stream: &mut S,
    xml: &str,
) -> std::io::Result<()> {
    stream.write_u32(xml.len() as u32 + 4).await?;
    stream.write_all(xml.as_bytes()).await?;
    stream.flush().await
}

#[derive(PartialEq, Eq, Clone, Copy)]
enum After {
    Continue,
    /// Answer, then close (logout, 2502).
    Close,
    /// Close without answering.
    Drop,
}

/// What a command asked, read from its frame.
struct Command<'a> {
    name: &'a str,
    element: roxmltree::Node<'a, 'a>,
    extension: Option<roxmltree::Node<'a, 'a>>,
    id: String,
}
