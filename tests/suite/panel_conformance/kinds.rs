//! The port's calls for plans other than web hosting, on every panel: a
//! mail-only account's mail domain, and a reseller's privileges. Then what
//! only the WHM stand-in can show: the reseller and the DKIM key as WHM
//! holds them.

use std::sync::Arc;

use super::{account, panel, whm_panel};
use hostfront::catalog::Catalog;
use hostfront::panel::{HostingPanel, PanelError, ResellerTerms};
use hostfront_tests::whm_server::WhmServer;

conformance!(
    a_mail_domain_is_set_up_once_per_key_with_a_dkim_key,
    a_mail_domain_takes_only_its_own_addresses,
    a_reseller_gets_its_plans_terms_again_and_again,
    an_alias_is_parked_once_and_taken_away,
);

/// A domain parked on an account shows its site: parked once however often
/// asked, listed in the account's state, and taken away (twice is fine,
/// as is an account that is gone).
async fn an_alias_is_parked_once_and_taken_away(p: Arc<dyn HostingPanel>) {
    p.create_account(&account("cleo", "order-1")).await.unwrap();
    p.add_alias("cleo", "cleo-bakes.com").await.unwrap();
    p.add_alias("cleo", "cleo-bakes.com").await.unwrap();
    p.add_alias("cleo", "cleo-cakes.com").await.unwrap();
    let state = p.state("cleo").await.unwrap().expect("the account");
    assert_eq!(state.aliases, ["cleo-bakes.com", "cleo-cakes.com"]);
    assert!(state.sites.is_empty(), "an alias is no site of its own");
    p.remove_alias("cleo", "cleo-bakes.com").await.unwrap();
    p.remove_alias("cleo", "cleo-bakes.com").await.unwrap();
    let state = p.state("cleo").await.unwrap().unwrap();
    assert_eq!(state.aliases, ["cleo-cakes.com"]);
    assert!(p.add_alias("nobody", "x-bakes.com").await.is_err());
    p.remove_alias("nobody", "x-bakes.com").await.unwrap();
}

fn reseller_terms() -> ResellerTerms {
    Catalog::demo()
        .plan("reseller-20")
        .expect("the demo sells a reseller plan")
        .reseller_terms()
}

async fn a_mail_domain_is_set_up_once_per_key_with_a_dkim_key(p: Arc<dyn HostingPanel>) {
    p.create_account(&account("ada", "order-1")).await.unwrap();
    let boxes = ["info@ada-bakery.com".to_string()];
    let mail = p
        .set_up_mail_domain("ada", &boxes, "order-1-mail")
        .await
        .unwrap();
    assert_eq!(mail.domain, "ada-bakery.com");
    assert_eq!(mail.mailboxes, boxes);
    assert!(
        mail.webmail_url.starts_with("https://") && mail.webmail_url.ends_with(":2096/"),
        "{mail:?}"
    );
    let key = mail.dkim.clone().expect("a DKIM key");
    assert_eq!(key.selector, "default");
    assert!(key.record.starts_with("v=DKIM1; k="), "{key:?}");
    assert!(
        key.record.contains("; p=") && key.record.len() > 50,
        "{key:?}"
    );
    assert_eq!(
        p.set_up_mail_domain("ada", &boxes, "order-1-mail")
            .await
            .unwrap(),
        mail,
        "a retry answers the first set-up, with the same key"
    );
    let state = p.state("ada").await.unwrap().expect("the account");
    assert_eq!(state.mailboxes, boxes, "the panel holds the mailbox");
    let more = [
        "info@ada-bakery.com".to_string(),
        "shop@ada-bakery.com".to_string(),
    ];
    let changed = p
        .set_up_mail_domain("ada", &more, "order-1-more")
        .await
        .unwrap();
    assert_eq!(changed.mailboxes, more);
    assert_eq!(
        changed.dkim, mail.dkim,
        "a change of mailboxes keeps the published key"
    );
    let missing = p.set_up_mail_domain("nobody", &boxes, "order-2-mail").await;
    assert!(
        matches!(missing, Err(PanelError::Refused { .. })),
        "{missing:?}"
    );
}

async fn a_mail_domain_takes_only_its_own_addresses(p: Arc<dyn HostingPanel>) {
    p.create_account(&account("bob", "order-1")).await.unwrap();
    let elsewhere = ["info@someone-else.com".to_string()];
    let refused = p
        .set_up_mail_domain("bob", &elsewhere, "order-1-mail")
        .await;
    assert!(
        matches!(refused, Err(PanelError::Refused { .. })),
        "{refused:?}"
    );
    let state = p.state("bob").await.unwrap().expect("the account");
    assert!(state.mailboxes.is_empty(), "nothing made: {state:?}");
}

async fn a_reseller_gets_its_plans_terms_again_and_again(p: Arc<dyn HostingPanel>) {
    p.create_account(&account("cleo", "order-1")).await.unwrap();
    let terms = reseller_terms();
    let access = p.make_reseller("cleo", &terms).await.unwrap();
    assert_eq!(access.acl_list, "hostfront-reseller-20");
    assert_eq!(access.account_limit, 20);
    assert!(access.reseller_url.ends_with(":2087/"), "{access:?}");
    assert_eq!(
        p.make_reseller("cleo", &terms).await.unwrap(),
        access,
        "making it again changes nothing"
    );
    let missing = p.make_reseller("nobody", &terms).await;
    assert!(
        matches!(missing, Err(PanelError::Refused { .. })),
        "{missing:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn whm_holds_the_resellers_list_and_limits() {
    let f = hostfront_tests::sqlite_table().await;
    let fleet = WhmServer::start().await;
    let p = whm_panel(&fleet, &f).await;
    let cleo = p.create_account(&account("cleo", "order-1")).await.unwrap();
    let mut terms = reseller_terms();
    p.make_reseller("cleo", &terms).await.unwrap();
    let host = cleo.server.as_str();
    let (reseller, acls) = fleet
        .reseller(host, "cleo")
        .expect("a reseller on its server");
    assert_eq!(reseller.acl_list.as_deref(), Some("hostfront-reseller-20"));
    assert_eq!(reseller.account_limit, Some(20));
    assert_eq!(reseller.disk_limit_mb, Some(150 * 1024));
    let expected: std::collections::BTreeSet<String> = terms.acls.iter().cloned().collect();
    assert_eq!(acls, expected, "the plan's privileges, no more");
    // The catalog takes a privilege away: making it again takes it away on WHM.
    terms.acls.retain(|a| a != "kill-acct");
    p.make_reseller("cleo", &terms).await.unwrap();
    let (_, acls) = fleet.reseller(host, "cleo").unwrap();
    assert!(
        !acls.contains("kill-acct") && acls.contains("create-acct"),
        "{acls:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn whm_passes_on_the_key_it_made() {
    let f = hostfront_tests::sqlite_table().await;
    let fleet = WhmServer::start().await;
    let p = whm_panel(&fleet, &f).await;
    let ada = p.create_account(&account("ada", "order-1")).await.unwrap();
    let boxes = ["info@ada-bakery.com".to_string()];
    let mail = p.set_up_mail_domain("ada", &boxes, "k1").await.unwrap();
    let host = ada.server.as_str();
    assert_eq!(mail.dkim.map(|k| k.record), fleet.dkim(host, "ada"));
    // A second set-up of the same domain keeps WHM's key.
    let again = p.set_up_mail_domain("ada", &boxes, "k2").await.unwrap();
    assert_eq!(again.dkim.map(|k| k.record), fleet.dkim(host, "ada"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn whm_removing_a_reseller_removes_the_accounts_it_made() {
    let f = hostfront_tests::sqlite_table().await;
    let fleet = WhmServer::start().await;
    let p = whm_panel(&fleet, &f).await;
    let cleo = p.create_account(&account("cleo", "order-1")).await.unwrap();
    let ada = p.create_account(&account("ada", "order-2")).await.unwrap();
    p.make_reseller("cleo", &reseller_terms()).await.unwrap();
    fleet.reseller_makes_account(&cleo.server, "cleo", "cleoclient");
    p.remove_account("cleo").await.unwrap();
    let left: Vec<String> = fleet
        .accounts(&cleo.server)
        .into_iter()
        .map(|(u, _)| u)
        .collect();
    assert!(!left.contains(&"cleo".to_string()), "{left:?}");
    assert!(
        !left.contains(&"cleoclient".to_string()),
        "its customer's account went with it: {left:?}"
    );
    assert!(p.account("ada").await.unwrap().is_some(), "{ada:?} stays");
    assert_eq!(fleet.calls("terminatereseller"), 1);
    assert_eq!(fleet.calls("removeacct"), 0);
    p.remove_account("cleo").await.unwrap();
    assert_eq!(
        fleet.calls("terminatereseller"),
        1,
        "removing it again asks nothing more"
    );
}
