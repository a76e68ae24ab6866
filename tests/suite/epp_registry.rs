//! What a registry refuses, and the EPP adapter therefore never sends: a
//! frame the RFC schemas reject, a password RFC 5730 does not allow, a
//! login asking for services the greeting did not offer, and a restore
//! (RFC 3915) that is requested but never reported.

use std::sync::Arc;
use std::time::Duration;

use hostfront::adapters::epp::EppRegistrar;
use hostfront::clock::Clock;
use hostfront::registrar::{DomainStatus, Registrar, Registration, Renewal};
use hostfront::settings::Settings;
use hostfront_tests::TableFixture;
use hostfront_tests::epp_server::raw::{code_of, good_login, login_frame};
use hostfront_tests::epp_server::{EppServer, RESTORE_WINDOW};
use secrecy::ExposeSecret;

const DOMAIN_NS: &str = "urn:ietf:params:xml:ns:domain-1.0";
const DAY: i64 = 86_400;

async fn registry(f: &TableFixture) -> EppServer {
    EppServer::start(Arc::new(f.clock.clone()), 4, Duration::from_secs(3600)).await
}

fn adapter(server: &EppServer, f: &TableFixture) -> Arc<EppRegistrar> {
    Arc::new(
        EppRegistrar::new(
            server.settings(2),
            f.table.clone(),
            Arc::new(f.clock.clone()),
        )
        .expect("valid settings"),
    )
}

fn command(body: &str, id: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><epp xmlns="urn:ietf:params:xml:ns:epp-1.0"><command>{body}<clTRID>{id}</clTRID></command></epp>"#
    )
}

fn info(domain: &str) -> String {
    command(
        &format!(
            r#"<info><domain:info xmlns:domain="{DOMAIN_NS}"><domain:name>{domain}</domain:name></domain:info></info>"#
        ),
        "raw-info",
    )
}

fn restore_request(domain: &str) -> String {
    command(
        &format!(
            r#"<update><domain:update xmlns:domain="{DOMAIN_NS}"><domain:name>{domain}</domain:name><domain:chg/></domain:update></update><extension><rgp:update xmlns:rgp="urn:ietf:params:xml:ns:rgp-1.0"><rgp:restore op="request"/></rgp:update></extension>"#
        ),
        "raw-restore",
    )
}

fn login_with_rgp() -> String {
    good_login().replace(
        "</svcs>",
        "<svcExtension><extURI>urn:ietf:params:xml:ns:rgp-1.0</extURI></svcExtension></svcs>",
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_password_over_16_characters_is_refused_when_configured() {
    let f = hostfront_tests::sqlite_table().await;
    let server = registry(&f).await;
    let mut settings = server.settings(1);
    settings.password = "twenty-two-characters!".into();
    let refused = EppRegistrar::new(settings, f.table.clone(), Arc::new(f.clock.clone()));
    let why = refused.err().expect("refused before any login");
    assert!(why.contains("6 to 16"), "{why}");
    let env = |name: &str| match name {
        "HOSTFRONT_EPP_PASSWORD" => Some("twenty-two-characters!".to_string()),
        _ => server
            .env(1)
            .into_iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v),
    };
    let config = Settings::from_lookup(env);
    assert!(
        config
            .as_ref()
            .err()
            .is_some_and(|e| e.to_string().contains("HOSTFRONT_EPP_PASSWORD")),
        "the configuration is refused at start"
    );

    // The registry refuses it too: the schema's pwType is 6 to 16.
    let answers = server
        .converse(&[login_frame("twenty-two-characters!", &[DOMAIN_NS])])
        .await;
    assert_eq!(code_of(&answers[0]), 2001, "{}", answers[0]);
    assert_eq!(server.take_invalid_frames().len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_login_asks_only_for_what_the_greeting_offers() {
    let f = hostfront_tests::sqlite_table().await;
    let server = registry(&f).await;
    let r = adapter(&server, &f);
    r.check(&["quietbakery.com".to_string()]).await.unwrap();
    assert_eq!(
        server.logins(),
        [vec![
            DOMAIN_NS.to_string(),
            "urn:ietf:params:xml:ns:rgp-1.0".to_string()
        ]],
        "domains and RGP, as offered; no hosts or contacts"
    );

    let host = "urn:ietf:params:xml:ns:host-1.0";
    let answers = server
        .converse(&[login_frame(
            password_of(&server).as_str(),
            &[host, DOMAIN_NS],
        )])
        .await;
    assert_eq!(code_of(&answers[0]), 2307, "{}", answers[0]);
    let answers = server.converse(&[good_login(), info("<bad")]).await;
    assert_eq!(code_of(&answers[0]), 1000);
    assert_eq!(code_of(&answers[1]), 2001, "not XML: {}", answers[1]);
    let answers = server
        .converse(&[
            good_login(),
            info("bakery.com").replace("domain:name", "domain:nom"),
        ])
        .await;
    assert_eq!(code_of(&answers[1]), 2001, "{}", answers[1]);
    assert_eq!(server.take_invalid_frames().len(), 2);
}

fn password_of(server: &EppServer) -> String {
    server.settings(1).password.expose_secret().to_string()
}

fn registration(domain: &str) -> Registration {
    Registration {
        domain: domain.into(),
        years: 1,
        registrant: "CUST-1".into(),
        nameservers: vec!["ns1.example.net".into(), "ns2.example.net".into()],
        idempotency_key: format!("reg-{domain}"),
        client_account: None,
    }
}

/// Registers `domain` and lets it lapse into redemption.
async fn in_redemption(r: &EppRegistrar, f: &TableFixture, domain: &str) -> i64 {
    let first = r.register(&registration(domain)).await.unwrap();
    f.clock
        .advance_secs(first.expires_at - f.clock.now_secs() + 50 * DAY);
    assert_eq!(
        r.info(domain).await.unwrap().status,
        DomainStatus::Redemption
    );
    first.expires_at
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_restore_is_requested_then_reported() {
    let f = hostfront_tests::sqlite_table().await;
    let server = registry(&f).await;
    let r = adapter(&server, &f);
    let expiry = in_redemption(&r, &f, "restoredbakery.com").await;
    let renewal = Renewal {
        domain: "restoredbakery.com".into(),
        years: 1,
        current_expiry: expiry,
        idempotency_key: "restore-1".into(),
    };
    let restored = r.renew(&renewal).await.unwrap();
    assert_eq!(restored.status, DomainStatus::Active);
    assert_eq!(
        restored.expires_at,
        hostfront::clock::add_years_secs(expiry, 1),
        "a restore brings back the year renewed at expiry, in calendar years"
    );
    let updates = server.transaction_ids("update");
    assert_eq!(updates.len(), 2, "a request, then a report: {updates:?}");
    assert!(updates[0].ends_with("-restore"), "{updates:?}");
    assert!(updates[1].ends_with("-restore-report"), "{updates:?}");
    assert_eq!(r.renew(&renewal).await.unwrap(), restored, "once per key");
    assert_eq!(server.transaction_ids("update").len(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_restore_never_reported_falls_back_and_a_retry_only_reports() {
    let f = hostfront_tests::sqlite_table().await;
    let server = registry(&f).await;
    let r = adapter(&server, &f);
    let expiry = in_redemption(&r, &f, "lapsedbakery.com").await;

    // A request alone leaves the domain pendingRestore, and only for the window.
    let answers = server
        .converse(&[login_with_rgp(), restore_request("lapsedbakery.com")])
        .await;
    assert_eq!(code_of(&answers[1]), 1000, "{}", answers[1]);
    assert!(
        answers[1].contains(r#"s="pendingRestore""#),
        "{}",
        answers[1]
    );
    let answers = server
        .converse(&[login_with_rgp(), info("lapsedbakery.com")])
        .await;
    assert!(answers[1].contains("pendingRestore"), "{}", answers[1]);
    assert_eq!(
        r.info("lapsedbakery.com").await.unwrap().status,
        DomainStatus::Redemption,
        "not restored yet"
    );
    f.clock.advance_secs(RESTORE_WINDOW + DAY);
    let answers = server
        .converse(&[login_with_rgp(), info("lapsedbakery.com")])
        .await;
    assert!(answers[1].contains("redemptionPeriod"), "{}", answers[1]);
    assert!(server.restore_requested_at("lapsedbakery.com").is_none());
    let early = server
        .converse(&[login_with_rgp(), restore_request("lapsedbakery.com")])
        .await;
    assert_eq!(code_of(&early[1]), 1000, "requested again");

    // The adapter finds it pendingRestore and sends only the report.
    let restored = r
        .renew(&Renewal {
            domain: "lapsedbakery.com".into(),
            years: 1,
            current_expiry: expiry,
            idempotency_key: "restore-2".into(),
        })
        .await
        .unwrap();
    assert_eq!(restored.status, DomainStatus::Active);
    let updates = server.transaction_ids("update");
    let ours: Vec<&String> = updates.iter().filter(|id| id.starts_with("hf-")).collect();
    assert_eq!(ours.len(), 1, "{updates:?}");
    assert!(ours[0].ends_with("-restore-report"), "{updates:?}");
}
