//! An EPP registry to test the EPP adapter against: EPP over TLS (RFC 5734
//! framing, a certificate of its own), real XML frames (RFC 5730 and 5731,
//! RGP of RFC 3915), and state: what it registers it remembers. Its world is
//! the simulated registry's (the same names are held by another registrar,
//! with the same auth codes, and expire through the same phases), so that
//! the `Registrar` conformance suite reads the same on both.
//!
//! Faults on demand: the next command answered with an error code (2400),
//! the next transform applied and its connection dropped before the answer,
//! and a session limit answered with 2502.

use std::collections::{BTreeSet, HashMap};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use hostfront::adapters::epp::EppSettings;
use hostfront::adapters::sim::{auth_code_for, phase, registered_elsewhere, static_availability};
use hostfront::clock::{Clock, add_years_secs};
use hostfront::registrar::DomainStatus;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio_rustls::rustls;

/// About a year, for the ages of the domains the stand-in makes up.
const YEAR: i64 = 365 * 86_400;
pub const CLIENT_ID: &str = "hostfront";
const PASSWORD: &str = "test-registry-password";
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
            ("HOSTFRONT_EPP_PASSWORD", settings.password),
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
}

/// One connection: the greeting, then a frame in, a frame out.
async fn serve<S>(mut stream: S, registry: Arc<Mutex<Registry>>)
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin,
{
    let mut logged_in = false;
    if write_frame(&mut stream, &greeting()).await.is_err() {
        return;
    }
    loop {
        let Some(request) = read_frame(&mut stream).await else {
            break;
        };
        let (answer, after) = {
            let mut registry = registry.lock().unwrap();
            registry.handle(&request, &mut logged_in)
        };
        if after == After::Drop {
            break;
        }
        if write_frame(&mut stream, &answer).await.is_err() || after == After::Close {
            break;
        }
    }
    if logged_in {
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

const EPP_NS: &str = "urn:ietf:params:xml:ns:epp-1.0";
const DOMAIN_NS: &str = "urn:ietf:params:xml:ns:domain-1.0";
const RGP_NS: &str = "urn:ietf:params:xml:ns:rgp-1.0";

fn greeting() -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="no"?>
<epp xmlns="{EPP_NS}"><greeting><svID>Hostfront test registry</svID><svDate>2026-01-01T00:00:00.0Z</svDate><svcMenu><version>1.0</version><lang>en</lang><objURI>{DOMAIN_NS}</objURI><svcExtension><extURI>{RGP_NS}</extURI></svcExtension></svcMenu><dcp><access><all/></access><statement><purpose><admin/><prov/></purpose><recipient><ours/><public/></recipient><retention><stated/></retention></statement></dcp></greeting></epp>"#
    )
}

/// What a command asked, read from its frame.
struct Command<'a> {
    name: &'a str,
    element: roxmltree::Node<'a, 'a>,
    extension: Option<roxmltree::Node<'a, 'a>>,
    id: String,
}

fn child<'a>(node: roxmltree::Node<'a, 'a>, name: &str) -> Option<roxmltree::Node<'a, 'a>> {
    node.children()
        .find(|n| n.is_element() && n.tag_name().name() == name)
}

fn children<'a>(
    node: roxmltree::Node<'a, 'a>,
    name: &'a str,
) -> impl Iterator<Item = roxmltree::Node<'a, 'a>> {
    node.descendants()
        .filter(move |n| n.is_element() && n.tag_name().name() == name)
}

fn text_of(node: roxmltree::Node<'_, '_>, name: &str) -> String {
    child(node, name)
        .and_then(|n| n.text())
        .unwrap_or_default()
        .trim()
        .to_string()
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

fn time(secs: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(secs)
        .expect("a time")
        .format(&time::format_description::well_known::Rfc3339)
        .expect("formats")
}

fn date(secs: i64) -> String {
    time(secs)[..10].to_string()
}

/// An answer: its result, data and extension, under the command's clTRID.
struct Answer {
    code: u16,
    message: String,
    data: String,
    extension: String,
}

impl Answer {
    fn ok(data: String) -> Answer {
        Answer::with(1000, "Command completed successfully", data)
    }
    fn with(code: u16, message: &str, data: String) -> Answer {
        Answer {
            code,
            message: message.into(),
            data,
            extension: String::new(),
        }
    }
    fn error(code: u16, message: impl Into<String>) -> Answer {
        Answer {
            code,
            message: message.into(),
            data: String::new(),
            extension: String::new(),
        }
    }
    fn render(&self, id: &str, served: u64) -> String {
        let data = if self.data.is_empty() {
            String::new()
        } else {
            format!("<resData>{}</resData>", self.data)
        };
        let extension = if self.extension.is_empty() {
            String::new()
        } else {
            format!("<extension>{}</extension>", self.extension)
        };
        format!(
            r#"<?xml version="1.0" encoding="UTF-8" standalone="no"?>
<epp xmlns="{EPP_NS}"><response><result code="{}"><msg>{}</msg></result>{data}{extension}<trID><clTRID>{}</clTRID><svTRID>REG-{served}</svTRID></trID></response></epp>"#,
            self.code,
            escape(&self.message),
            escape(id)
        )
    }
}

impl Registry {
    fn handle(&mut self, request: &str, logged_in: &mut bool) -> (String, After) {
        self.served += 1;
        let served = self.served;
        let Ok(document) = roxmltree::Document::parse(request) else {
            return (
                Answer::error(2001, "Command syntax error").render("", served),
                After::Continue,
            );
        };
        let root = document.root_element();
        if child(root, "hello").is_some() {
            return (greeting(), After::Continue);
        }
        let Some(command) = child(root, "command") else {
            return (
                Answer::error(2001, "Command syntax error").render("", served),
                After::Continue,
            );
        };
        let Some(element) = command
            .children()
            .find(|n| n.is_element() && !["extension", "clTRID"].contains(&n.tag_name().name()))
        else {
            return (
                Answer::error(2001, "Command syntax error").render("", served),
                After::Continue,
            );
        };
        let command = Command {
            name: element.tag_name().name(),
            element,
            extension: child(command, "extension"),
            id: text_of(command, "clTRID"),
        };
        self.seen
            .push((command.name.to_string(), command.id.clone()));
        let id = command.id.clone();
        if command.name == "login" {
            let (answer, after) = self.login(&command, logged_in);
            return (answer.render(&id, served), after);
        }
        if !*logged_in {
            return (
                Answer::error(2002, "Command use error: log in first").render(&id, served),
                After::Continue,
            );
        }
        if command.name == "logout" {
            *logged_in = false;
            self.sessions -= 1;
            return (
                Answer::error(1500, "Command completed successfully; ending session")
                    .render(&id, served),
                After::Close,
            );
        }
        if let Some(code) = self.faults.fail_next.take() {
            return (
                Answer::error(code, "Command failed").render(&id, served),
                After::Continue,
            );
        }
        let transform = ["create", "renew", "update", "transfer", "delete"].contains(&command.name);
        let answer = self.domain_command(&command);
        if transform && std::mem::take(&mut self.faults.drop_next) {
            return (String::new(), After::Drop);
        }
        (answer.render(&id, served), After::Continue)
    }

    fn login(&mut self, command: &Command, logged_in: &mut bool) -> (Answer, After) {
        if text_of(command.element, "clID") != CLIENT_ID
            || text_of(command.element, "pw") != PASSWORD
        {
            return (Answer::error(2200, "Authentication error"), After::Continue);
        }
        if *logged_in {
            return (Answer::error(2002, "Already logged in"), After::Continue);
        }
        if self.sessions >= self.max_sessions {
            return (
                Answer::error(2502, "Session limit exceeded; server closing connection"),
                After::Close,
            );
        }
        self.sessions += 1;
        *logged_in = true;
        (
            Answer::error(1000, "Command completed successfully"),
            After::Continue,
        )
    }

    fn now(&self) -> i64 {
        self.clock.now_secs()
    }

    /// Brings `name` up to date: held elsewhere in the simulated world,
    /// released after its last phase, or moved by a transfer whose time came.
    fn settle(&mut self, name: &str) {
        let now = self.now();
        if !self.domains.contains_key(name) && registered_elsewhere(name) {
            self.domains.insert(
                name.to_string(),
                Domain {
                    sponsor: OTHER_REGISTRAR.into(),
                    expires_at: now + YEAR / 2,
                    created_at: now - 3 * YEAR,
                    nameservers: vec![format!("ns1.{name}"), format!("ns2.{name}")],
                    statuses: BTreeSet::from(["clientTransferProhibited".to_string()]),
                    auth: auth_code_for(name),
                    transfer: None,
                },
            );
        }
        let delay = self.transfer_delay;
        let Some(domain) = self.domains.get_mut(name) else {
            return;
        };
        if let Some(transfer) = domain.transfer.as_mut()
            && transfer.status == "pending"
            && now >= transfer.at + delay
        {
            if name.starts_with("nack") {
                transfer.status = "clientRejected";
            } else {
                transfer.status = "serverApproved";
                domain.sponsor = transfer.by.clone();
                domain.expires_at = add_years_secs(domain.expires_at, 1);
                domain.statuses.clear();
            }
        }
        if domain.sponsor == CLIENT_ID && phase(name, domain.expires_at, now).is_none() {
            self.domains.remove(name);
        }
    }

    fn phase_of(&self, name: &str, domain: &Domain) -> DomainStatus {
        phase_at(name, domain.expires_at, self.now())
    }

    fn domain_command(&mut self, command: &Command) -> Answer {
        let Some(object) = command
            .element
            .children()
            .find(|n| n.is_element() && n.tag_name().namespace() == Some(DOMAIN_NS))
        else {
            return Answer::error(2307, "Unimplemented object service");
        };
        if command.name == "check" {
            return self.check(object);
        }
        let name = text_of(object, "name").to_lowercase();
        self.settle(&name);
        match command.name {
            "create" => self.create(&name, object),
            "info" => self.info(&name),
            "renew" => self.renew(&name, object),
            "update" => self.update(&name, object, command.extension),
            "transfer" => self.transfer(&name, object, command.element.attribute("op")),
            _ => Answer::error(2101, "Unimplemented command"),
        }
    }

    fn check(&mut self, object: roxmltree::Node) -> Answer {
        let names: Vec<String> = children(object, "name")
            .map(|n| n.text().unwrap_or_default().trim().to_lowercase())
            .collect();
        if names.len() > 5 {
            return Answer::error(
                2306,
                "Parameter value policy error: at most 5 names per check",
            );
        }
        let mut data = format!(r#"<domain:chkData xmlns:domain="{DOMAIN_NS}">"#);
        for name in &names {
            self.settle(name);
            let world = static_availability(name);
            let reserved = world.reason.as_deref() == Some("reserved");
            let taken = self.domains.contains_key(name);
            let available = !taken && !reserved;
            data.push_str(&format!(
                r#"<domain:cd><domain:name avail="{}">{}</domain:name>{}</domain:cd>"#,
                u8::from(available),
                escape(name),
                match (available, reserved) {
                    (true, _) => String::new(),
                    (false, true) => "<domain:reason>Reserved</domain:reason>".into(),
                    (false, false) => "<domain:reason>In use</domain:reason>".into(),
                }
            ));
        }
        data.push_str("</domain:chkData>");
        Answer::ok(data)
    }

    fn create(&mut self, name: &str, object: roxmltree::Node) -> Answer {
        if self.domains.contains_key(name) {
            return Answer::error(2302, "Object exists");
        }
        if !static_availability(name).available {
            return Answer::error(2306, "Parameter value policy error: reserved");
        }
        let years: i64 = text_of(object, "period").parse().unwrap_or(1);
        if !(1..=10).contains(&years) {
            return Answer::error(2004, "Parameter value range error: period");
        }
        let auth = child(object, "authInfo")
            .map(|a| text_of(a, "pw"))
            .unwrap_or_default();
        if auth.is_empty() {
            return Answer::error(2003, "Required parameter missing: authInfo");
        }
        let now = self.now();
        let nameservers: Vec<String> = children(object, "hostObj")
            .map(|n| n.text().unwrap_or_default().trim().to_lowercase())
            .collect();
        let domain = Domain {
            sponsor: CLIENT_ID.into(),
            expires_at: add_years_secs(now, years as u32),
            created_at: now,
            nameservers,
            statuses: BTreeSet::from(["clientTransferProhibited".to_string()]),
            auth,
            transfer: None,
        };
        let data = format!(
            r#"<domain:creData xmlns:domain="{DOMAIN_NS}"><domain:name>{}</domain:name><domain:crDate>{}</domain:crDate><domain:exDate>{}</domain:exDate></domain:creData>"#,
            escape(name),
            time(now),
            time(domain.expires_at)
        );
        self.domains.insert(name.to_string(), domain);
        Answer::ok(data)
    }

    fn info(&self, name: &str) -> Answer {
        let Some(domain) = self.domains.get(name) else {
            return Answer::error(2303, "Object does not exist");
        };
        let ours = domain.sponsor == CLIENT_ID;
        let mut statuses: Vec<String> = domain.statuses.iter().cloned().collect();
        if domain
            .transfer
            .as_ref()
            .is_some_and(|t| t.status == "pending")
        {
            statuses.push("pendingTransfer".into());
        }
        let phase = self.phase_of(name, domain);
        if ours
            && matches!(
                phase,
                DomainStatus::Redemption | DomainStatus::PendingDelete
            )
        {
            statuses.push("pendingDelete".into());
        }
        if statuses.is_empty() {
            statuses.push("ok".into());
        }
        let statuses: String = statuses
            .iter()
            .map(|s| format!(r#"<domain:status s="{s}"/>"#))
            .collect();
        let private = if ours {
            let hosts: String = domain
                .nameservers
                .iter()
                .map(|ns| format!("<domain:hostObj>{}</domain:hostObj>", escape(ns)))
                .collect();
            format!(
                "<domain:ns>{hosts}</domain:ns><domain:clID>{CLIENT_ID}</domain:clID><domain:crDate>{}</domain:crDate><domain:exDate>{}</domain:exDate><domain:authInfo><domain:pw>{}</domain:pw></domain:authInfo>",
                time(domain.created_at),
                time(domain.expires_at),
                escape(&domain.auth)
            )
        } else {
            format!(
                "<domain:clID>{}</domain:clID><domain:exDate>{}</domain:exDate>",
                domain.sponsor,
                time(domain.expires_at)
            )
        };
        let mut answer = Answer::ok(format!(
            r#"<domain:infData xmlns:domain="{DOMAIN_NS}"><domain:name>{}</domain:name><domain:roid>{}-HF</domain:roid>{statuses}{private}</domain:infData>"#,
            escape(name),
            name.len() as u64 * 7919 + domain.created_at as u64 % 100_000
        ));
        let rgp = match (ours, phase) {
            (true, DomainStatus::AutoRenewGrace) => Some("autoRenewPeriod"),
            (true, DomainStatus::Redemption) => Some("redemptionPeriod"),
            (true, DomainStatus::PendingDelete) => Some("pendingDelete"),
            _ => None,
        };
        if let Some(rgp) = rgp {
            answer.extension = format!(
                r#"<rgp:infData xmlns:rgp="{RGP_NS}"><rgp:rgpStatus s="{rgp}"/></rgp:infData>"#
            );
        }
        answer
    }

    /// The phase and record of `name` when we sponsor it, or the refusal.
    fn ours(&mut self, name: &str) -> Result<(DomainStatus, &mut Domain), Answer> {
        let now = self.now();
        match self.domains.get_mut(name) {
            None => Err(Answer::error(2303, "Object does not exist")),
            Some(domain) if domain.sponsor != CLIENT_ID => {
                Err(Answer::error(2201, "Authorization error"))
            }
            Some(domain) => Ok((phase_at(name, domain.expires_at, now), domain)),
        }
    }

    fn renew(&mut self, name: &str, object: roxmltree::Node) -> Answer {
        let now = self.now();
        let (phase, domain) = match self.ours(name) {
            Ok(ours) => ours,
            Err(refusal) => return refusal,
        };
        if !matches!(phase, DomainStatus::Active | DomainStatus::AutoRenewGrace) {
            return Answer::error(2304, "Object status prohibits operation");
        }
        if text_of(object, "curExpDate") != date(domain.expires_at) {
            return Answer::error(2306, "Parameter value policy error: curExpDate");
        }
        let years: i64 = text_of(object, "period").parse().unwrap_or(1);
        if !(1..=10).contains(&years)
            || add_years_secs(domain.expires_at, years as u32) > add_years_secs(now, 11)
        {
            return Answer::error(2004, "Parameter value range error: period");
        }
        domain.expires_at = add_years_secs(domain.expires_at, years as u32);
        Answer::ok(format!(
            r#"<domain:renData xmlns:domain="{DOMAIN_NS}"><domain:name>{}</domain:name><domain:exDate>{}</domain:exDate></domain:renData>"#,
            escape(name),
            time(domain.expires_at)
        ))
    }

    fn update(
        &mut self,
        name: &str,
        object: roxmltree::Node,
        extension: Option<roxmltree::Node>,
    ) -> Answer {
        let (phase, domain) = match self.ours(name) {
            Ok(ours) => ours,
            Err(refusal) => return refusal,
        };
        let restore = extension
            .and_then(|e| children(e, "restore").next())
            .and_then(|r| r.attribute("op"));
        if let Some(op) = restore {
            if op != "request" || phase != DomainStatus::Redemption {
                return Answer::error(2304, "Object status prohibits operation: not in redemption");
            }
            // The restore brings back the year renewed at expiry.
            domain.expires_at = add_years_secs(domain.expires_at, 1);
            return Answer::ok(String::new());
        }
        let mut nameservers = domain.nameservers.clone();
        let mut statuses = domain.statuses.clone();
        if let Some(add) = child(object, "add") {
            nameservers.extend(
                children(add, "hostObj").map(|n| n.text().unwrap_or_default().to_lowercase()),
            );
            statuses.extend(
                children(add, "status")
                    .filter_map(|s| s.attribute("s"))
                    .map(String::from),
            );
        }
        if let Some(rem) = child(object, "rem") {
            let gone: Vec<String> = children(rem, "hostObj")
                .map(|n| n.text().unwrap_or_default().to_lowercase())
                .collect();
            nameservers.retain(|ns| !gone.contains(ns));
            for status in children(rem, "status").filter_map(|s| s.attribute("s")) {
                statuses.remove(status);
            }
        }
        if nameservers.len() == 1 || nameservers.len() > 13 {
            return Answer::error(2306, "Parameter value policy error: 2 to 13 nameservers");
        }
        if let Some(pw) = child(object, "chg")
            .and_then(|c| child(c, "authInfo"))
            .map(|a| text_of(a, "pw"))
        {
            domain.auth = pw;
        }
        domain.nameservers = nameservers;
        domain.statuses = statuses;
        Answer::ok(String::new())
    }

    fn transfer(&mut self, name: &str, object: roxmltree::Node, op: Option<&str>) -> Answer {
        let now = self.now();
        let Some(domain) = self.domains.get_mut(name) else {
            return Answer::error(2303, "Object does not exist");
        };
        match op {
            Some("request") => {
                if domain.sponsor == CLIENT_ID {
                    return Answer::error(2106, "Object is not eligible for transfer");
                }
                if domain
                    .transfer
                    .as_ref()
                    .is_some_and(|t| t.status == "pending")
                {
                    return Answer::error(2300, "Object pending transfer");
                }
                let pw = child(object, "authInfo")
                    .map(|a| text_of(a, "pw"))
                    .unwrap_or_default();
                if pw != domain.auth {
                    return Answer::error(2202, "Invalid authorization information");
                }
                let transfer = Transfer {
                    by: CLIENT_ID.into(),
                    at: now,
                    status: "pending",
                };
                domain.transfer = Some(transfer.clone());
                let mut answer = transfer_data(name, domain, &transfer, self.transfer_delay);
                answer.code = 1001;
                answer.message = "Command completed successfully; action pending".into();
                answer
            }
            Some("query") => match domain.transfer.clone() {
                Some(transfer) if transfer.by == CLIENT_ID || domain.sponsor == CLIENT_ID => {
                    transfer_data(name, domain, &transfer, self.transfer_delay)
                }
                _ => Answer::error(2301, "Object not pending transfer"),
            },
            _ => Answer::error(2102, "Unimplemented option"),
        }
    }
}

/// The phase of a domain of ours: the simulation's phases (a domain past
/// them is released when next settled).
fn phase_at(name: &str, expires_at: i64, now: i64) -> DomainStatus {
    phase(name, expires_at, now).unwrap_or(DomainStatus::PendingDelete)
}

fn transfer_data(name: &str, domain: &Domain, transfer: &Transfer, delay: i64) -> Answer {
    let losing = if domain.sponsor == transfer.by {
        OTHER_REGISTRAR
    } else {
        domain.sponsor.as_str()
    };
    Answer::ok(format!(
        r#"<domain:trnData xmlns:domain="{DOMAIN_NS}"><domain:name>{}</domain:name><domain:trStatus>{}</domain:trStatus><domain:reID>{}</domain:reID><domain:reDate>{}</domain:reDate><domain:acID>{losing}</domain:acID><domain:acDate>{}</domain:acDate><domain:exDate>{}</domain:exDate></domain:trnData>"#,
        escape(name),
        transfer.status,
        transfer.by,
        time(transfer.at),
        time(transfer.at + delay),
        time(domain.expires_at)
    ))
}
