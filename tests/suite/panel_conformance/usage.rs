//! Reading what a server's accounts use: the contract every panel keeps.

use std::sync::Arc;

use super::account;
use hostfront::panel::HostingPanel;

/// The accounts asked for that are on the server, each with its package,
/// suspension and use; one on another server, or none at all, left out.
pub(super) async fn the_use_of_a_servers_accounts_is_read_at_once(p: Arc<dyn HostingPanel>) {
    let ada = p.create_account(&account("ada", "order-1")).await.unwrap();
    let bob = p.create_account(&account("bob", "order-2")).await.unwrap();
    p.set_plan("ada", "web-pro").await.unwrap();
    p.set_suspended("ada", true).await.unwrap();
    let asked = ["ada", "bob", "ghost"].map(String::from);
    let read = p.usage(&ada.server, &asked).await.unwrap();
    let mut users: Vec<&str> = read.iter().map(|u| u.username.as_str()).collect();
    users.sort();
    let expected: &[&str] = if bob.server == ada.server {
        &["ada", "bob"]
    } else {
        &["ada"]
    };
    assert_eq!(users, expected, "{read:?}");
    let ada_used = read.iter().find(|u| u.username == "ada").unwrap();
    assert_eq!(
        (ada_used.plan_id.as_str(), ada_used.suspended),
        ("web-pro", true)
    );
    let elsewhere = p.usage("nowhere.example.net", &asked).await;
    assert!(
        elsewhere.map_or(true, |read| read.is_empty()),
        "no server, no accounts"
    );
    assert_eq!(p.sites("ada").await.unwrap(), Some(vec![]));
    assert_eq!(p.sites("ghost").await.unwrap(), None);
}
