//! The `HostingPanel` port's contract, on the simulated panel with its state
//! on SQLite and on DynamoDB (moto), and on the WHM adapter against the
//! cPanel & WHM fixture (a fleet of servers with accounts of their own): an
//! account is made once per key on a server with room and an address of its
//! own, what it holds is kept, and removing it gives its place back.
//! Then the WHM adapter's own cases: lost answers, refusals, backups.

mod over_whm;
mod seed;
mod usage;

use std::net::Ipv4Addr;
use std::sync::Arc;
use std::time::Duration;

use hostfront::adapters::sim::{PanelSettings, SimulatedPanel};
use hostfront::adapters::whm::WhmPanel;
use hostfront::panel::{HostingPanel, NewAccount, PanelError};
use hostfront_tests::TableFixture;
use hostfront_tests::whm_server::WhmServer;
use usage::the_use_of_a_servers_accounts_is_read_at_once;

macro_rules! conformance {
    ($($case:ident),* $(,)?) => {
        mod sqlite {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn $case() { let f = hostfront_tests::sqlite_table().await; super::$case(super::panel(&f)).await }
            )*
        }
        mod dynamodb {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn $case() { let f = hostfront_tests::dynamodb_table().await; super::$case(super::panel(&f)).await }
            )*
        }
        mod whm {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn $case() {
                let f = hostfront_tests::sqlite_table().await;
                let fleet = hostfront_tests::whm_server::WhmServer::start().await;
                super::$case(super::whm_panel(&fleet, &f).await).await
            }
            )*
        }
    };
}

mod kinds;

conformance!(
    an_account_is_made_once_per_key_with_a_place_of_its_own,
    what_an_account_holds_is_kept,
    removing_an_account_gives_its_place_back,
    a_full_pool_has_no_capacity,
    two_tries_at_once_make_one_account,
    the_use_of_a_servers_accounts_is_read_at_once,
);

/// Two accounts a server, in the simulation's pools (two shared servers).
fn panel(f: &TableFixture) -> Arc<dyn HostingPanel> {
    let settings = PanelSettings {
        capacity_per_server: 2,
        addresses: 16,
        latency: Duration::ZERO,
        failure_rate: 0.0,
    };
    Arc::new(SimulatedPanel::new(
        f.table.clone(),
        Arc::new(f.clock.clone()),
        settings,
        "hostfront.example",
    ))
}

/// The WHM adapter on `fleet`, its inventory in `f`'s table, with the
/// simulation's pools: two shared servers, a VPS host and a dedicated rack
/// of two accounts each, and 16 addresses.
async fn whm_panel(fleet: &WhmServer, f: &TableFixture) -> Arc<dyn HostingPanel> {
    let panel = whm_adapter(fleet, f, fleet.settings(Duration::from_secs(5)));
    for (pool, name) in [
        ("shared", "web1"),
        ("shared", "web2"),
        ("vps", "vmhost1"),
        ("dedicated", "rack1"),
    ] {
        panel
            .add_server(pool, name, 2)
            .await
            .expect("the server answers");
    }
    let first = Ipv4Addr::new(198, 51, 100, 10);
    assert_eq!(panel.add_addresses(first, 16).await.unwrap(), 16);
    panel
}

fn whm_adapter(
    _fleet: &WhmServer,
    f: &TableFixture,
    settings: hostfront::adapters::whm::WhmSettings,
) -> Arc<dyn HostingPanel> {
    Arc::new(
        WhmPanel::new(
            settings,
            f.table.clone(),
            Arc::new(f.clock.clone()),
            "hostfront.example",
        )
        .expect("the adapter's settings"),
    )
}

fn account(username: &str, key: &str) -> NewAccount {
    NewAccount {
        username: username.into(),
        password: "a long enough password".into(),
        domain: format!("{username}-bakery.com"),
        plan_id: "web-starter".into(),
        pool: "shared".into(),
        idempotency_key: key.into(),
    }
}

async fn used(p: &dyn HostingPanel) -> (u32, u32) {
    let pools = p.pools().await.unwrap();
    let accounts = pools.servers.iter().map(|s| s.accounts).sum();
    (accounts, pools.addresses.free)
}

async fn an_account_is_made_once_per_key_with_a_place_of_its_own(p: Arc<dyn HostingPanel>) {
    let before = used(p.as_ref()).await;
    let ada = p.create_account(&account("ada", "order-1")).await.unwrap();
    assert_eq!(
        (ada.username.as_str(), ada.domain.as_str()),
        ("ada", "ada-bakery.com")
    );
    assert!(ada.server.ends_with(".hostfront.example"), "{ada:?}");
    assert!(ada.ipv4.parse::<std::net::Ipv4Addr>().is_ok(), "{ada:?}");
    assert_eq!(
        p.create_account(&account("ada", "order-1")).await.unwrap(),
        ada,
        "a retry returns the first answer"
    );
    assert_eq!(
        used(p.as_ref()).await,
        (before.0 + 1, before.1 - 1),
        "one place taken"
    );
    let again = p.create_account(&account("ada", "order-2")).await;
    assert!(
        matches!(again, Err(PanelError::Refused { ref code, .. }) if code == "username_taken"),
        "{again:?}"
    );
    let bob = p.create_account(&account("bob", "order-3")).await.unwrap();
    assert_ne!(bob.ipv4, ada.ipv4, "an address of its own");
    assert_eq!(p.account("ada").await.unwrap(), Some(ada));
    assert_eq!(p.account("nobody").await.unwrap(), None);
}

async fn what_an_account_holds_is_kept(p: Arc<dyn HostingPanel>) {
    p.create_account(&account("cleo", "order-4")).await.unwrap();
    let boxes = vec!["info@cleo-bakery.com".to_string()];
    let mail = p
        .set_up_mail_and_admin("cleo", "cleo@example.com", &boxes, "mail-4")
        .await
        .unwrap();
    assert_eq!(
        p.set_up_mail_and_admin("cleo", "cleo@example.com", &boxes, "mail-4")
            .await
            .unwrap(),
        mail
    );
    p.set_plan("cleo", "web-pro").await.unwrap();
    p.set_suspended("cleo", true).await.unwrap();
    p.set_suspended("cleo", true).await.unwrap();
    p.set_sites("cleo", &["cleo-cakes.com".to_string()])
        .await
        .unwrap();
    let state = p.state("cleo").await.unwrap().expect("the account");
    assert_eq!(state.plan_id, "web-pro");
    assert!(state.suspended);
    assert_eq!(state.sites, ["cleo-cakes.com"]);
    assert_eq!(state.mailboxes, boxes);
    let sites: Vec<String> = p
        .certificates("cleo")
        .await
        .unwrap()
        .into_iter()
        .map(|c| c.domain)
        .collect();
    assert_eq!(
        sites,
        ["cleo-bakery.com", "cleo-cakes.com"],
        "a certificate per site"
    );
    p.set_suspended("cleo", false).await.unwrap();
    assert!(!p.state("cleo").await.unwrap().unwrap().suspended);
    p.set_sites("cleo", &[]).await.unwrap();
    assert!(p.state("cleo").await.unwrap().unwrap().sites.is_empty());
    let certificates = p.certificates("cleo").await.unwrap();
    assert_eq!(certificates.len(), 1, "the site's certificate went with it");
    assert!(p.set_plan("nobody", "web-pro").await.is_err());
    assert_eq!(p.state("nobody").await.unwrap(), None);
}

async fn removing_an_account_gives_its_place_back(p: Arc<dyn HostingPanel>) {
    let before = used(p.as_ref()).await;
    p.create_account(&account("dora", "order-5")).await.unwrap();
    p.remove_account("dora").await.unwrap();
    assert_eq!(p.account("dora").await.unwrap(), None);
    assert_eq!(
        used(p.as_ref()).await,
        before,
        "its server place and address are free"
    );
    p.remove_account("dora").await.unwrap();
    assert_eq!(
        used(p.as_ref()).await,
        before,
        "removing it again does nothing"
    );
    p.create_account(&account("dora", "order-6"))
        .await
        .expect("the name is free again");
}

async fn two_tries_at_once_make_one_account(p: Arc<dyn HostingPanel>) {
    let before = used(p.as_ref()).await;
    let request = account("ada", "order-1");
    let (a, b) = tokio::join!(p.create_account(&request), p.create_account(&request));
    assert_eq!(
        a.unwrap(),
        b.unwrap(),
        "both tries answer with the one account"
    );
    assert_eq!(used(p.as_ref()).await, (before.0 + 1, before.1 - 1));
    let (first, second) = (account("bob", "order-2"), account("bob", "order-3"));
    let (bob, thief) = tokio::join!(p.create_account(&first), p.create_account(&second));
    assert!(
        bob.is_ok() != thief.is_ok(),
        "one key wins the name: {bob:?} {thief:?}"
    );
    assert_eq!(used(p.as_ref()).await, (before.0 + 2, before.1 - 2));
}

async fn a_full_pool_has_no_capacity(p: Arc<dyn HostingPanel>) {
    for n in 0..4 {
        p.create_account(&account(&format!("user{n}"), &format!("fill-{n}")))
            .await
            .unwrap();
    }
    let full = p.create_account(&account("user4", "fill-4")).await;
    assert!(matches!(full, Err(PanelError::NoCapacity(_))), "{full:?}");
    let mut vps = account("user5", "fill-5");
    vps.pool = "vps".into();
    p.create_account(&vps).await.expect("another pool has room");
}
