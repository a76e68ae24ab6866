//! EPP sessions with the registry: opened over TLS and logged in on demand,
//! kept between commands (a registry counts logins and sessions, and a new
//! TLS session per command would cost a round trip or three), never more at
//! once than the registry allows, and dropped whenever the connection may be
//! out of step (an I/O error, a timeout, or the registry closing it).

use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use instant_epp::client::{EppClient, RustlsConnector};
use instant_epp::common::ServiceExtension;
use instant_epp::login::{Login, Services};
use instant_epp::logout::Logout;
use instant_epp::response::ResultCode;
use secrecy::ExposeSecret;
use tokio::sync::Semaphore;
use tokio_rustls::rustls;

use super::EppSettings;

/// How a command went wrong, as the adapter needs to tell.
#[derive(Debug)]
pub(super) enum EppError {
    /// The registry answered with an error result.
    Refused { code: ResultCode, message: String },
    /// No answer: the connection failed, timed out or the registry closed
    /// it. Whether a transform command took effect is unknown.
    Unavailable(String),
}

type Client = EppClient<RustlsConnector>;

struct Idle {
    client: Client,
    since: Instant,
}

pub(super) struct Sessions {
    settings: Arc<EppSettings>,
    /// Made with the first session: the system's roots take milliseconds to
    /// read, which a function's cold start should not pay.
    tls: OnceLock<Arc<rustls::ClientConfig>>,
    idle: Mutex<Vec<Idle>>,
    slots: Semaphore,
}

/// Registries close sessions idle for a few minutes; one idle longer than
/// this is asked `<hello>` before it carries a command.
const KEEPALIVE_AFTER: Duration = Duration::from_secs(120);

/// The RGP extension, announced at login so the registry reports grace and
/// redemption periods and takes restores.
pub(super) const RGP_XMLNS: &str = "urn:ietf:params:xml:ns:rgp-1.0";
/// The only object service the adapter uses: domains (RFC 5731).
const DOMAIN_XMLNS: &str = "urn:ietf:params:xml:ns:domain-1.0";

impl Sessions {
    /// Sessions as `settings` say; roots of a CA file are read (and
    /// checked) at once, the system's with the first session.
    pub(super) fn new(settings: Arc<EppSettings>) -> Result<Sessions, String> {
        let tls = OnceLock::new();
        if settings.ca_file.is_some() {
            let _ = tls.set(tls_config(&settings)?);
        }
        Ok(Sessions {
            slots: Semaphore::new(settings.sessions.max(1)),
            settings,
            tls,
            idle: Mutex::new(Vec::new()),
        })
    }

    /// Runs `work` on a logged-in session, waiting for one when all the
    /// registry allows are busy. The session goes back to the pool unless
    /// the work left it in doubt.
    pub(super) async fn with<T>(
        &self,
        work: impl AsyncFnOnce(&mut Client) -> Result<T, instant_epp::Error>,
    ) -> Result<T, EppError> {
        let _slot = tokio::time::timeout(self.settings.timeout, self.slots.acquire())
            .await
            .map_err(|_| EppError::Unavailable("every EPP session is busy".into()))?
            .map_err(|_| EppError::Unavailable("the EPP pool is closed".into()))?;
        let mut client = self.session().await?;
        let outcome = work(&mut client).await;
        let healthy = match &outcome {
            Ok(_) => true,
            Err(instant_epp::Error::Command(status)) => !closes_session(status.result.code),
            Err(_) => false,
        };
        if healthy {
            let since = Instant::now();
            self.idle.lock().unwrap().push(Idle { client, since });
        }
        outcome.map_err(EppError::from)
    }

    /// An idle session that still answers, or a new one.
    async fn session(&self) -> Result<Client, EppError> {
        loop {
            let Some(idle) = self.idle.lock().unwrap().pop() else {
                return self.open().await;
            };
            let mut client = idle.client;
            if idle.since.elapsed() < KEEPALIVE_AFTER {
                return Ok(client);
            }
            let hello = tokio::time::timeout(self.settings.timeout, client.hello()).await;
            if matches!(hello, Ok(Ok(_))) {
                return Ok(client);
            }
        }
    }

    async fn open(&self) -> Result<Client, EppError> {
        let settings = &self.settings;
        let tls = match self.tls.get() {
            Some(tls) => tls.clone(),
            None => {
                let made = tls_config(settings).map_err(EppError::Unavailable)?;
                self.tls.get_or_init(|| made).clone()
            }
        };
        let connector = RustlsConnector::builder((settings.host.clone(), settings.port))
            .map_err(|e| EppError::Unavailable(format!("EPP host name: {e}")))?
            .build_with_config(tls);
        let mut client = Client::new(connector, settings.host.clone(), settings.timeout)
            .await
            .map_err(EppError::from)?;
        let offered = client.greeting().map_err(EppError::from)?.svc_menu.services;
        let mut login = Login::new(
            &settings.client_id,
            settings.password.expose_secret(),
            None,
            None,
        );
        login.services(chosen_services(&offered)?);
        client
            .transact(&login, &format!("hf-login-{}", ulid::Ulid::new()))
            .await
            .map_err(EppError::from)?;
        Ok(client)
    }

    /// Logs every idle session out, for a clean shutdown.
    pub(super) async fn close(&self) {
        let idle: Vec<Idle> = std::mem::take(&mut *self.idle.lock().unwrap());
        for mut session in idle {
            let logout = session.client.transact(&Logout, "hf-logout").await;
            if logout.is_ok() {
                let _ = session.client.shutdown().await;
            }
        }
    }
}

/// What the login asks for, among what the greeting `offered` (RFC 5730
/// section 2.9.1.1 lets it choose nothing else): domains, which it needs,
/// and RGP when the registry has it.
fn chosen_services(offered: &instant_epp::hello::Services) -> Result<Services<'static>, EppError> {
    if !offered.obj_uris.iter().any(|uri| uri == DOMAIN_XMLNS) {
        return Err(EppError::Unavailable(
            "the EPP registry does not offer domains (RFC 5731)".into(),
        ));
    }
    let rgp = offered
        .svc_ext
        .as_ref()
        .is_some_and(|ext| ext.ext_uris.iter().any(|uri| uri == RGP_XMLNS));
    Ok(Services {
        obj_uris: vec![DOMAIN_XMLNS.into()],
        svc_ext: rgp.then(|| ServiceExtension {
            ext_uris: vec![RGP_XMLNS.into()],
        }),
    })
}

/// The result codes after which the registry closes the connection.
fn closes_session(code: ResultCode) -> bool {
    matches!(
        code,
        ResultCode::CommandFailedServerClosingConnection
            | ResultCode::AuthenticationErrorServerClosingConnection
            | ResultCode::SessionLimitExceededServerClosingConnection
    )
}

impl From<instant_epp::Error> for EppError {
    fn from(error: instant_epp::Error) -> EppError {
        match error {
            instant_epp::Error::Command(status) => EppError::Refused {
                code: status.result.code,
                message: status.result.message,
            },
            other => EppError::Unavailable(format!("EPP: {other}")),
        }
    }
}

/// TLS to the registry: the roots in `ca_file` when one is given (a
/// registry's test environment often has its own), else the system's.
fn tls_config(settings: &EppSettings) -> Result<Arc<rustls::ClientConfig>, String> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("TLS: {e}"))?;
    let builder = match &settings.ca_file {
        Some(file) => {
            use rustls::pki_types::CertificateDer;
            use rustls::pki_types::pem::PemObject;
            let mut roots = rustls::RootCertStore::empty();
            for cert in CertificateDer::pem_file_iter(file)
                .map_err(|e| format!("{}: {e}", file.display()))?
            {
                let cert = cert.map_err(|e| format!("{}: {e}", file.display()))?;
                roots
                    .add(cert)
                    .map_err(|e| format!("{}: {e}", file.display()))?;
            }
            builder.with_root_certificates(roots)
        }
        None => {
            use rustls_platform_verifier::BuilderVerifierExt;
            builder
                .with_platform_verifier()
                .map_err(|e| format!("TLS: {e}"))?
        }
    };
    Ok(Arc::new(builder.with_no_client_auth()))
}
