//! Frames written by hand, for the tests of the registry itself: what it
//! answers to a command no adapter would send.

use std::sync::Arc;

use tokio_rustls::rustls;

use super::{EppServer, PASSWORD, read_frame, write_frame};

/// A login frame for `password`, asking for `services` (object URIs).
pub fn login_frame(password: &str, services: &[&str]) -> String {
    let objects: String = services
        .iter()
        .map(|uri| format!("<objURI>{uri}</objURI>"))
        .collect();
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><epp xmlns="urn:ietf:params:xml:ns:epp-1.0"><command><login><clID>{}</clID><pw>{password}</pw><options><version>1.0</version><lang>en</lang></options><svcs>{objects}</svcs></login><clTRID>raw-login</clTRID></command></epp>"#,
        super::CLIENT_ID
    )
}

/// The login the registry accepts.
pub fn good_login() -> String {
    login_frame(PASSWORD, &[super::answer::DOMAIN_NS])
}

impl EppServer {
    /// Opens a session of its own, sends each of `frames` and returns the
    /// registry's answers, in order.
    pub async fn converse(&self, frames: &[String]) -> Vec<String> {
        let mut roots = rustls::RootCertStore::empty();
        let pem = std::fs::read(&self.ca_file).expect("the registry's certificate");
        for cert in rustls_pemfile(&pem) {
            roots.add(cert).expect("a root");
        }
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let config = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .expect("TLS versions")
            .with_root_certificates(roots)
            .with_no_client_auth();
        let connector = tokio_rustls::TlsConnector::from(Arc::new(config));
        let tcp = tokio::net::TcpStream::connect(self.address)
            .await
            .expect("the registry listens");
        let name = rustls::pki_types::ServerName::try_from("localhost").expect("a name");
        let mut tls = connector.connect(name, tcp).await.expect("TLS");
        read_frame(&mut tls).await.expect("a greeting");
        let mut answers = Vec::new();
        for frame in frames {
            write_frame(&mut tls, frame).await.expect("sent");
            answers.push(read_frame(&mut tls).await.unwrap_or_default());
        }
        answers
    }
}

fn rustls_pemfile(pem: &[u8]) -> Vec<rustls::pki_types::CertificateDer<'static>> {
    use rustls::pki_types::CertificateDer;
    use rustls::pki_types::pem::PemObject;
    CertificateDer::pem_slice_iter(pem)
        .map(|cert| cert.expect("a PEM certificate"))
        .collect()
}

/// The result code of an answer.
pub fn code_of(answer: &str) -> u16 {
    answer
        .split_once("<result code=\"")
        .and_then(|(_, rest)| rest.get(..4))
        .and_then(|code| code.parse().ok())
        .unwrap_or(0)
}
