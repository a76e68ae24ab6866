//! Client accounts, as a registrar that keeps one per customer has them:
//! the simulated registry with `client_accounts` set (on SQLite and on
//! DynamoDB) refuses a registration or transfer without an account, with an
//! unknown one or with a wrong password, and makes an account once per key;
//! without the setting, and over EPP, none is required.

use super::*;
use hostfront::registrar::ClientAccount;

macro_rules! on_both_tables {
    ($($case:ident),* $(,)?) => {
        mod sqlite {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn $case() { let f = hostfront_tests::sqlite_table().await; super::$case(f).await }
            )*
        }
        mod dynamodb {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn $case() { let f = hostfront_tests::dynamodb_table().await; super::$case(f).await }
            )*
        }
    };
}

on_both_tables!(
    accounts_are_required_and_their_passwords_checked,
    an_account_is_made_once_per_key,
    without_the_setting_no_account_is_needed,
);

fn requiring(f: &TableFixture) -> SimulatedRegistry {
    let settings = SimulationSettings {
        transfer_delay: TRANSFER_DELAY,
        client_accounts: true,
        ..Default::default()
    };
    SimulatedRegistry::new(f.table.clone(), Arc::new(f.clock.clone()), settings)
}

fn account(username: &str, password: &str) -> ClientAccount {
    ClientAccount {
        username: username.into(),
        password: password.into(),
    }
}

fn refused_with(result: Result<impl std::fmt::Debug, RegistrarError>, expected: &str) {
    match result {
        Err(RegistrarError::Refused { code, .. }) => assert_eq!(code, expected),
        other => panic!("expected {expected}, got {other:?}"),
    }
}

fn under(domain: &str, key: &str, client_account: Option<ClientAccount>) -> Registration {
    Registration {
        client_account,
        ..registration(domain, key)
    }
}

async fn accounts_are_required_and_their_passwords_checked(f: TableFixture) {
    let r = requiring(&f);
    assert!(r.client_accounts_required());
    r.create_client_account(&account("family01", "first password"), "acct-1")
        .await
        .unwrap();
    refused_with(
        r.register(&under("quietbakery.com", "k1", None)).await,
        "client_account_required",
    );
    let wrong = Some(account("family01", "second password"));
    refused_with(
        r.register(&under("quietbakery.com", "k2", wrong)).await,
        "client_account_denied",
    );
    let unknown = Some(account("stranger", "first password"));
    refused_with(
        r.register(&under("quietbakery.com", "k3", unknown)).await,
        "client_account_denied",
    );
    assert!(
        r.check(&["quietbakery.com".to_string()]).await.unwrap()[0].available,
        "nothing registered by a refusal"
    );
    let right = Some(account("family01", "first password"));
    let info = r
        .register(&under("quietbakery.com", "k4", right.clone()))
        .await
        .unwrap();
    assert_eq!(
        r.register(&under("quietbakery.com", "k4", right.clone()))
            .await
            .unwrap(),
        info,
        "a retry answers as the first time"
    );
    let transfer = |client_account: Option<ClientAccount>, key: &str| TransferRequest {
        domain: "bakery.net".into(),
        auth_code: auth_code_for("bakery.net"),
        idempotency_key: key.into(),
        client_account,
    };
    refused_with(
        r.transfer(&transfer(None, "t1")).await,
        "client_account_required",
    );
    assert_eq!(
        r.transfer(&transfer(right, "t2")).await.unwrap(),
        TransferState::Pending
    );
    let mut domains = r.client_account_domains("family01").await.unwrap();
    domains.sort();
    assert_eq!(domains, ["bakery.net", "quietbakery.com"]);
}

async fn an_account_is_made_once_per_key(f: TableFixture) {
    let r = requiring(&f);
    let family = account("family02", "first password");
    r.create_client_account(&family, "acct-2").await.unwrap();
    r.create_client_account(&family, "acct-2")
        .await
        .expect("the same key again is the same account");
    refused_with(
        r.create_client_account(&account("family02", "other password"), "acct-3")
            .await,
        "client_account_taken",
    );
    // The first password still opens it: the refused create changed nothing.
    r.register(&under("quietbakery.org", "k5", Some(family)))
        .await
        .unwrap();
    refused_with(
        r.create_client_account(&account("family03", ""), "acct-4")
            .await,
        "invalid_client_account",
    );
}

async fn without_the_setting_no_account_is_needed(f: TableFixture) {
    let r = registry(&f);
    assert!(!r.client_accounts_required());
    r.register(&registration("freebakery.com", "k6"))
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn epp_requires_no_client_account() {
    let f = hostfront_tests::sqlite_table().await;
    let server = epp_registry(&f, 2).await;
    let r = epp_adapter(&server, &f, 2);
    assert!(!r.client_accounts_required());
    r.create_client_account(&account("family04", "first password"), "acct-5")
        .await
        .expect("nothing to make at an EPP registry");
    r.register(&registration("eppbakery.com", "k7"))
        .await
        .unwrap();
}
