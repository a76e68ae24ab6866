//! The `Registrar` port's contract, on the simulated registry, with its state
//! on SQLite and on DynamoDB (moto), and on the EPP adapter against the EPP
//! registry fixture (TLS, real frames, state of its own): what it registers
//! it remembers, and every change is idempotent by its key.

use std::sync::Arc;

use std::time::Duration;

use hostfront::adapters::epp::EppRegistrar;
use hostfront::adapters::sim::{SimulatedRegistry, SimulationSettings, auth_code_for};
use hostfront::clock::{Clock, add_years_secs};
use hostfront::registrar::{
    DomainStatus, Registrar, RegistrarError, Registration, Renewal, TransferRequest, TransferState,
};
use hostfront_tests::TableFixture;
use hostfront_tests::epp_server::EppServer;

macro_rules! conformance {
    ($($case:ident),* $(,)?) => {
        mod sqlite {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn $case() { let f = hostfront_tests::sqlite_table().await; super::$case(super::registry(&f), f).await }
            )*
        }
        mod dynamodb {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn $case() { let f = hostfront_tests::dynamodb_table().await; super::$case(super::registry(&f), f).await }
            )*
        }
        mod epp {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn $case() {
                let f = hostfront_tests::sqlite_table().await;
                let server = super::epp_registry(&f, 2).await;
                super::$case(super::epp_adapter(&server, &f, 2), f).await
            }
            )*
        }
    };
}

conformance!(
    registration_is_remembered_and_idempotent,
    concurrent_registrations_of_one_name_have_one_winner,
    renewal_extends_once_per_key,
    an_expired_domain_passes_through_the_registry_phases,
    transfer_needs_the_auth_code_and_completes_after_the_delay,
    nameservers_and_lock_change_only_our_domains,
);

const TRANSFER_DELAY: Duration = Duration::from_secs(3600);

fn registry(f: &TableFixture) -> Arc<dyn Registrar> {
    let settings = SimulationSettings {
        transfer_delay: TRANSFER_DELAY,
        ..Default::default()
    };
    Arc::new(SimulatedRegistry::new(
        f.table.clone(),
        Arc::new(f.clock.clone()),
        settings,
    ))
}

/// The EPP registry fixture on `f`'s clock, allowing `sessions` sessions.
async fn epp_registry(f: &TableFixture, sessions: usize) -> EppServer {
    EppServer::start(Arc::new(f.clock.clone()), sessions, TRANSFER_DELAY).await
}

/// The EPP adapter for `server`, holding at most `sessions` sessions, its
/// journal in `f`'s table.
fn epp_adapter(server: &EppServer, f: &TableFixture, sessions: usize) -> Arc<EppRegistrar> {
    Arc::new(
        EppRegistrar::new(
            server.settings(sessions),
            f.table.clone(),
            Arc::new(f.clock.clone()),
        )
        .expect("the adapter's TLS settings"),
    )
}

fn registration(domain: &str, key: &str) -> Registration {
    Registration {
        domain: domain.into(),
        years: 2,
        registrant: "CUST-1".into(),
        nameservers: vec!["ns1.example.net".into(), "ns2.example.net".into()],
        idempotency_key: key.into(),
        client_account: None,
    }
}

async fn registration_is_remembered_and_idempotent(r: Arc<dyn Registrar>, f: TableFixture) {
    let names = vec!["quietbakery.com".to_string(), "bakery.com".to_string()];
    let before = r.check(&names).await.unwrap();
    assert_eq!((before[0].available, before[1].available), (true, false));
    let info = r
        .register(&registration("quietbakery.com", "order-1-register"))
        .await
        .unwrap();
    assert_eq!(info.status, DomainStatus::Active);
    assert_eq!(info.expires_at, add_years_secs(f.clock.now_secs(), 2));
    assert!(
        !r.check(&names[..1]).await.unwrap()[0].available,
        "it remembers what it registered"
    );
    f.clock.advance_secs(30);
    let retried = r
        .register(&registration("quietbakery.com", "order-1-register"))
        .await
        .unwrap();
    assert_eq!(
        retried, info,
        "a retry returns the first answer and registers nothing more"
    );
    let other = r
        .register(&registration("quietbakery.com", "order-2-register"))
        .await;
    assert!(
        matches!(other, Err(RegistrarError::Refused { ref code, .. }) if code == "not_available"),
        "{other:?}"
    );
    let reused = r
        .register(&registration("otherbakery.com", "order-1-register"))
        .await;
    assert!(
        matches!(reused, Err(RegistrarError::Refused { ref code, .. }) if code == "idempotency_key_reused")
    );
    let taken = r
        .register(&registration("bakery.com", "order-3-register"))
        .await;
    assert!(matches!(taken, Err(RegistrarError::Refused { .. })));
    assert_eq!(r.info("quietbakery.com").await.unwrap(), info);
}

async fn concurrent_registrations_of_one_name_have_one_winner(
    r: Arc<dyn Registrar>,
    _f: TableFixture,
) {
    let mut tasks = tokio::task::JoinSet::new();
    for n in 0..10 {
        let r = r.clone();
        tasks.spawn(async move {
            r.register(&registration("racebakery.com", &format!("order-{n}")))
                .await
        });
    }
    let mut won = 0;
    while let Some(result) = tasks.join_next().await {
        match result.unwrap() {
            Ok(_) => won += 1,
            Err(RegistrarError::Refused { code, .. }) => assert_eq!(code, "not_available"),
            Err(other) => panic!("unexpected {other}"),
        }
    }
    assert_eq!(won, 1);
}

fn renewal(domain: &str, years: u32, current_expiry: i64, key: &str) -> Renewal {
    Renewal {
        domain: domain.into(),
        years,
        current_expiry,
        idempotency_key: key.into(),
    }
}

async fn renewal_extends_once_per_key(r: Arc<dyn Registrar>, f: TableFixture) {
    let first = r
        .register(&registration("renewbakery.com", "reg"))
        .await
        .unwrap();
    let once = renewal("renewbakery.com", 1, first.expires_at, "renew-2027");
    let renewed = r.renew(&once).await.unwrap();
    assert_eq!(renewed.expires_at, add_years_secs(first.expires_at, 1));
    assert_eq!(
        r.renew(&once).await.unwrap(),
        renewed,
        "the same key renews once"
    );
    // A second request for the same period, under another key, names an
    // expiry that has moved on: refused, never a second year.
    let twice = renewal("renewbakery.com", 1, first.expires_at, "renew-2027-again");
    assert!(matches!(
        r.renew(&twice).await,
        Err(RegistrarError::Refused { code, .. }) if code == "expiry_mismatch"
    ));
    assert_eq!(
        r.info("renewbakery.com").await.unwrap().expires_at,
        add_years_secs(first.expires_at, 1)
    );
    let again = r
        .renew(&renewal(
            "renewbakery.com",
            1,
            renewed.expires_at,
            "renew-2028",
        ))
        .await
        .unwrap();
    assert_eq!(again.expires_at, add_years_secs(first.expires_at, 2));
    assert!(matches!(
        r.renew(&renewal("nobody.com", 1, 0, "x")).await,
        Err(RegistrarError::NotFound(_))
    ));
    let _ = f;
}

async fn an_expired_domain_passes_through_the_registry_phases(
    r: Arc<dyn Registrar>,
    f: TableFixture,
) {
    const DAY: i64 = 86_400;
    let name = "lapsingbakery.com";
    let first = r.register(&registration(name, "reg-lapse")).await.unwrap();
    f.clock
        .advance_secs(first.expires_at - f.clock.now_secs() + DAY);
    assert_eq!(
        r.info(name).await.map(|i| i.status).unwrap(),
        DomainStatus::AutoRenewGrace
    );
    f.clock.advance_secs(50 * DAY);
    assert_eq!(
        r.info(name).await.map(|i| i.status).unwrap(),
        DomainStatus::Redemption
    );
    // Renewed in redemption: restored, a year from the old expiry.
    let restored = r
        .renew(&renewal(name, 1, first.expires_at, "restore"))
        .await
        .unwrap();
    assert_eq!(restored.expires_at, add_years_secs(first.expires_at, 1));
    assert_eq!(
        r.info(name).await.map(|i| i.status).unwrap(),
        DomainStatus::Active
    );

    // Left to lapse: pending delete cannot be renewed; then it is released.
    f.clock
        .advance_secs(restored.expires_at - f.clock.now_secs() + 76 * DAY);
    assert_eq!(
        r.info(name).await.map(|i| i.status).unwrap(),
        DomainStatus::PendingDelete
    );
    assert!(matches!(
        r.renew(&renewal(name, 1, restored.expires_at, "too-late")).await,
        Err(RegistrarError::Refused { code, .. }) if code == "not_renewable"
    ));
    f.clock.advance_secs(5 * DAY);
    assert!(matches!(
        r.info(name).await.map(|i| i.status),
        Err(RegistrarError::NotFound(_))
    ));
    let free = r.check(&[name.to_string()]).await.unwrap();
    assert!(free[0].available, "released: anyone may register it");
    let again = r.register(&registration(name, "reg-again")).await.unwrap();
    assert_eq!(again.status, DomainStatus::Active);
}

async fn transfer_needs_the_auth_code_and_completes_after_the_delay(
    r: Arc<dyn Registrar>,
    f: TableFixture,
) {
    let wrong = TransferRequest {
        domain: "bakery.net".into(),
        auth_code: "guess".into(),
        idempotency_key: "t1".into(),
        client_account: None,
    };
    assert!(matches!(
        r.transfer(&wrong).await.unwrap(),
        TransferState::Rejected { .. }
    ));
    let right = TransferRequest {
        domain: "bakery.net".into(),
        auth_code: auth_code_for("bakery.net"),
        idempotency_key: "t2".into(),
        client_account: None,
    };
    assert_eq!(r.transfer(&right).await.unwrap(), TransferState::Pending);
    assert_eq!(
        r.transfer(&right).await.unwrap(),
        TransferState::Pending,
        "idempotent"
    );
    assert_eq!(
        r.transfer_status("bakery.net").await.unwrap(),
        TransferState::Pending
    );
    assert_eq!(
        r.info("bakery.net").await.unwrap().status,
        DomainStatus::PendingTransfer
    );
    f.clock.advance_secs(3601);
    assert_eq!(
        r.transfer_status("bakery.net").await.unwrap(),
        TransferState::Completed
    );
    assert_eq!(
        r.info("bakery.net").await.unwrap().status,
        DomainStatus::Active
    );
    let unregistered = TransferRequest {
        domain: "quietbakery.org".into(),
        auth_code: "x".into(),
        idempotency_key: "t3".into(),
        client_account: None,
    };
    assert!(matches!(
        r.transfer(&unregistered).await,
        Err(RegistrarError::Refused { .. })
    ));
}

async fn nameservers_and_lock_change_only_our_domains(r: Arc<dyn Registrar>, _f: TableFixture) {
    r.register(&registration("nsbakery.com", "reg"))
        .await
        .unwrap();
    let ns = vec![
        "ns1.hostfront.example".to_string(),
        "ns2.hostfront.example".to_string(),
    ];
    r.set_nameservers("nsbakery.com", &ns).await.unwrap();
    r.set_lock("nsbakery.com", false).await.unwrap();
    let info = r.info("nsbakery.com").await.unwrap();
    assert_eq!((info.nameservers, info.locked), (ns.clone(), false));
    assert!(matches!(
        r.set_nameservers("nsbakery.com", &ns[..1]).await,
        Err(RegistrarError::Refused { .. })
    ));
    assert!(matches!(
        r.set_lock("stranger.com", true).await,
        Err(RegistrarError::NotFound(_))
    ));
    assert_eq!(
        r.info("bakery.com").await.unwrap().status,
        DomainStatus::External
    );
    assert!(matches!(
        r.info("nobodyhasthis.com").await,
        Err(RegistrarError::NotFound(_))
    ));
}

mod client_accounts;
mod over_epp;
