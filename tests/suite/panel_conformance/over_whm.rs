//! What only the WHM adapter has, against the WHM stand-in: lost answers,
//! refused accounts and tokens, backups copied away, addresses, and servers
//! that fail or cannot say.

use super::{account, used, whm_adapter, whm_panel};
use hostfront::panel::PanelError;
use hostfront_tests::whm_server::{BACKUP_TARGET, WhmServer};
use std::time::Duration;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn whm_a_lost_answer_to_createacct_makes_one_account() {
    let f = hostfront_tests::sqlite_table().await;
    let fleet = WhmServer::start().await;
    let p = whm_panel(&fleet, &f).await;
    fleet.lose_answer_of("createacct");
    let lost = p.create_account(&account("ada", "order-1")).await;
    assert!(matches!(lost, Err(PanelError::Unavailable(_))), "{lost:?}");
    let ada = p.create_account(&account("ada", "order-1")).await.unwrap();
    assert_eq!(
        fleet.calls("createacct"),
        1,
        "the server was asked, not told again"
    );
    assert_eq!(
        fleet.accounts(&ada.server),
        [("ada".to_string(), ada.ipv4.clone())],
        "one account, on the address the inventory gave it"
    );
    assert_eq!(used(p.as_ref()).await, (1, 15), "one place taken");
    let other = p.create_account(&account("ada", "order-2")).await;
    assert!(
        matches!(other, Err(PanelError::Refused { ref code, .. }) if code == "username_taken"),
        "{other:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn whm_a_refused_account_gives_its_place_back() {
    let f = hostfront_tests::sqlite_table().await;
    let fleet = WhmServer::start().await;
    let p = whm_panel(&fleet, &f).await;
    let mut no_package = account("ada", "order-1");
    no_package.plan_id = "no-such-plan".into();
    let refused = p.create_account(&no_package).await;
    assert!(
        matches!(refused, Err(PanelError::Refused { ref message, .. }) if message.contains("package")),
        "WHM's reason is passed on: {refused:?}"
    );
    let refused = p.create_account(&account("test1", "order-2")).await;
    assert!(
        matches!(refused, Err(PanelError::Refused { .. })),
        "{refused:?}"
    );
    assert_eq!(used(p.as_ref()).await, (0, 16), "nothing kept");
    assert_eq!(p.account("ada").await.unwrap(), None);
    p.create_account(&account("ada", "order-3"))
        .await
        .expect("the name and the place are free");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn whm_an_accounts_backup_is_copied_away_before_it_is_removed() {
    let f = hostfront_tests::sqlite_table().await;
    let fleet = WhmServer::start().await;
    let p = whm_panel(&fleet, &f).await;
    let ada = p.create_account(&account("ada", "order-1")).await.unwrap();
    let backup = p.back_up("ada", "teardown-backup").await.unwrap();
    assert_eq!(p.back_up("ada", "teardown-backup").await.unwrap(), backup);
    let copies = fleet.backups();
    assert_eq!(copies.len(), 1, "one copy per key");
    assert_eq!(
        format!(
            "scp://backup@{}:{}{}",
            copies[0].host, copies[0].port, copies[0].directory
        ),
        BACKUP_TARGET
    );
    let early = p.remove_account("ada").await;
    assert!(
        matches!(early, Err(PanelError::Unavailable(ref m)) if m.contains("backup")),
        "the copy is given time: {early:?}"
    );
    assert_eq!(fleet.accounts(&ada.server).len(), 1);
    f.clock.advance_secs(16 * 60);
    p.remove_account("ada").await.unwrap();
    assert!(fleet.accounts(&ada.server).is_empty());
    assert_eq!(used(p.as_ref()).await, (0, 16));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn whm_a_refused_token_adds_no_server_and_removes_no_account() {
    let f = hostfront_tests::sqlite_table().await;
    let fleet = WhmServer::start().await;
    let mut settings = fleet.settings(Duration::from_secs(5));
    settings.tokens = vec![("*".into(), "WRONG".into())];
    let p = whm_adapter(&fleet, &f, settings);
    let refused = p.add_server("shared", "web1", 10).await;
    assert!(
        matches!(refused, Err(PanelError::Refused { ref code, .. }) if code == "server_unreachable"),
        "{refused:?}"
    );
    assert!(p.pools().await.unwrap().servers.is_empty());

    // A token that stops working removes nothing and frees nothing.
    let good = whm_panel(&fleet, &f).await;
    let ada = good
        .create_account(&account("ada", "order-1"))
        .await
        .unwrap();
    let denied = p.remove_account("ada").await;
    assert!(
        matches!(denied, Err(PanelError::Refused { ref code, .. }) if code == "panel_denied"),
        "{denied:?}"
    );
    assert_eq!(fleet.accounts(&ada.server).len(), 1);
    assert_eq!(used(good.as_ref()).await, (1, 15), "its place is kept");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn whm_an_account_gets_the_address_its_place_was_given() {
    let f = hostfront_tests::sqlite_table().await;
    let fleet = WhmServer::start().await;
    let p = whm_panel(&fleet, &f).await;
    let ada = p.create_account(&account("ada", "order-1")).await.unwrap();
    assert_eq!(
        fleet.accounts(&ada.server),
        [("ada".to_string(), ada.ipv4.clone())],
        "createacct's `ip` names the address; WHM ignores parameters it does not document"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn whm_a_failing_server_is_not_taken_to_have_lost_the_account() {
    let f = hostfront_tests::sqlite_table().await;
    let fleet = WhmServer::start().await;
    let p = whm_panel(&fleet, &f).await;
    let ada = p.create_account(&account("ada", "order-1")).await.unwrap();
    fleet.fail_next_calls(1);
    let failed = p.remove_account("ada").await;
    assert!(
        matches!(failed, Err(PanelError::Unavailable(_))),
        "{failed:?}"
    );
    assert_eq!(fleet.accounts(&ada.server).len(), 1, "still on its server");
    assert_eq!(used(p.as_ref()).await, (1, 15), "its place is kept");
    p.remove_account("ada").await.expect("the retry removes it");
    assert!(fleet.accounts(&ada.server).is_empty());
    assert_eq!(fleet.calls("removeacct"), 1);
    assert_eq!(used(p.as_ref()).await, (0, 16));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn whm_a_retried_creation_waits_while_the_server_cannot_say() {
    let f = hostfront_tests::sqlite_table().await;
    let fleet = WhmServer::start().await;
    let p = whm_panel(&fleet, &f).await;
    fleet.lose_answer_of("createacct");
    let lost = p.create_account(&account("ada", "order-1")).await;
    assert!(matches!(lost, Err(PanelError::Unavailable(_))), "{lost:?}");
    fleet.fail_next_calls(1);
    let unsure = p.create_account(&account("ada", "order-1")).await;
    assert!(
        matches!(unsure, Err(PanelError::Unavailable(_))),
        "whether it was made is unknown: {unsure:?}"
    );
    assert_eq!(fleet.calls("createacct"), 1, "not made again meanwhile");
    let ada = p.create_account(&account("ada", "order-1")).await.unwrap();
    assert_eq!(fleet.calls("createacct"), 1);
    assert_eq!(
        fleet.accounts(&ada.server),
        [("ada".to_string(), ada.ipv4.clone())]
    );
    assert_eq!(used(p.as_ref()).await, (1, 15), "one place taken");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn whm_an_account_already_gone_from_its_server_is_not_removed_twice() {
    let f = hostfront_tests::sqlite_table().await;
    let fleet = WhmServer::start().await;
    let p = whm_panel(&fleet, &f).await;
    let ada = p.create_account(&account("ada", "order-1")).await.unwrap();
    fleet.lose_answer_of("removeacct");
    let lost = p.remove_account("ada").await;
    assert!(matches!(lost, Err(PanelError::Unavailable(_))), "{lost:?}");
    assert!(
        fleet.accounts(&ada.server).is_empty(),
        "removed all the same"
    );
    p.remove_account("ada")
        .await
        .expect("no such account: only its place is left to give back");
    assert_eq!(fleet.calls("removeacct"), 1);
    assert_eq!(used(p.as_ref()).await, (0, 16));
}

/// One `listaccts` and one `showbw` for all of a server's accounts, read
/// in WHM's units: `diskused` and `disklimit` in MB, bandwidth in bytes.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn whm_a_servers_use_is_two_calls_in_whms_units() {
    let f = hostfront_tests::sqlite_table().await;
    let fleet = WhmServer::start().await;
    let p = whm_panel(&fleet, &f).await;
    let ada = p.create_account(&account("ada", "order-1")).await.unwrap();
    let mut cleo = account("cleo", "order-2");
    cleo.domain = "cleo-bakery.com".into();
    p.create_account(&cleo).await.unwrap();
    let host = ada.server.clone();
    fleet.set_usage(&host, "ada", 2_048, Some(10_240), 5 * 1024 * 1024 + 1);
    let (lists, bandwidths) = (fleet.calls("listaccts"), fleet.calls("showbw"));
    let asked = ["ada", "cleo"].map(String::from);
    let read = p.usage(&host, &asked).await.unwrap();
    assert_eq!(
        (
            fleet.calls("listaccts") - lists,
            fleet.calls("showbw") - bandwidths
        ),
        (1, 1),
        "one read of the server, however many accounts"
    );
    let ada_used = read.iter().find(|u| u.username == "ada").expect("ada");
    assert_eq!(
        (ada_used.disk_used_mb, ada_used.disk_limit_mb),
        (2_048, Some(10_240))
    );
    assert_eq!(
        (ada_used.bandwidth_used_mb, ada_used.bandwidth_limit_mb),
        (6, None),
        "bytes counted up to MB; 0 is no limit"
    );
    fleet.fail_next_calls(1);
    let failed = p.usage(&host, &asked).await;
    assert!(
        matches!(failed, Err(PanelError::Unavailable(_))),
        "a server that cannot list is asked again later: {failed:?}"
    );
}
