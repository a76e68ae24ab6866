//! The simulated panel seeds its inventory on first use, a hundred items to
//! a transaction. A seed left half-made (a crash before its marker) is
//! finished by the next call without freeing an address already taken.

use std::sync::Arc;
use std::time::Duration;

use hostfront::adapters::sim::{PanelSettings, SimulatedPanel};
use hostfront::panel::HostingPanel;
use hostfront::store::Key;
use hostfront_tests::TableFixture;

fn panel(f: &TableFixture, addresses: u32) -> SimulatedPanel {
    let settings = PanelSettings {
        capacity_per_server: 50,
        addresses,
        latency: Duration::ZERO,
        failure_rate: 0.0,
    };
    SimulatedPanel::new(
        f.table.clone(),
        Arc::new(f.clock.clone()),
        settings,
        "hostfront.example",
    )
}

async fn a_half_made_seed_is_finished_and_keeps_what_was_taken(f: TableFixture) {
    let small = panel(&f, 16);
    let ada = small
        .create_account(&super::account("ada", "order-1"))
        .await
        .unwrap();
    // As if the seed had stopped before its marker: the next call builds
    // again, over items of which one address is taken.
    f.table
        .delete(&Key::new("SIMPANEL#SERVER", "BUILT"), None)
        .await
        .unwrap();
    let large = panel(&f, 240);
    let pools = large.pools().await.unwrap();
    assert_eq!(pools.addresses.free, 239, "{pools:?}");
    assert_eq!(pools.servers.iter().map(|s| s.accounts).sum::<u32>(), 1);
    let bob = large
        .create_account(&super::account("bob", "order-2"))
        .await
        .unwrap();
    assert_ne!(ada.ipv4, bob.ipv4, "the taken address stays taken");
}

async fn two_first_calls_at_once_seed_once(f: TableFixture) {
    let (one, two) = (panel(&f, 240), panel(&f, 240));
    let (ada, bob) = (
        super::account("ada", "order-1"),
        super::account("bob", "order-2"),
    );
    let (a, b) = tokio::join!(one.create_account(&ada), two.create_account(&bob));
    assert_ne!(a.unwrap().ipv4, b.unwrap().ipv4);
    let pools = one.pools().await.unwrap();
    assert_eq!(pools.addresses.free, 238, "{pools:?}");
}

macro_rules! on_both_tables {
    ($($case:ident),*) => {
        mod sqlite {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn $case() { super::$case(hostfront_tests::sqlite_table().await).await }
            )*
        }
        mod dynamodb {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn $case() { super::$case(hostfront_tests::dynamodb_table().await).await }
            )*
        }
    };
}

on_both_tables!(
    a_half_made_seed_is_finished_and_keeps_what_was_taken,
    two_first_calls_at_once_seed_once
);
