//! Scheduled tasks page through every item, however many there are.

use hostfront::adapters::sim::APPROVED;
use hostfront::clock::ManualClock;
use hostfront::orders::{checkout, create};
use hostfront::scheduler::{STALLED_AFTER, Task};
use hostfront_tests::shopper::{card, fresh_username, register};
use hostfront_tests::{customer, embedded_ports_with};

/// More stalled orders than one page holds: every one is enqueued again.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn resume_provisioning_reaches_every_stalled_order() {
    let clock = ManualClock::starting_now();
    let (_dir, ports) = embedded_ports_with(&clock, |_| {});
    hostfront::catalog::seed_demo(ports.table.as_ref())
        .await
        .unwrap();
    let (ada, _) = customer(&ports, "ada").await;
    const STALLED: usize = 105;
    for n in 0..STALLED {
        let placed = create::place(
            &ports,
            &ada,
            &format!("k{n}"),
            register(&format!("stall{n}x.com"), &fresh_username()),
        )
        .await
        .unwrap();
        checkout::pay(&ports, &ada, &placed.view.id, card(APPROVED))
            .await
            .unwrap();
    }
    // No worker runs here: every paid order stays provisioning.
    clock.advance_secs(STALLED_AFTER.as_secs() as i64 + 60);
    let outcome = Task::ResumeProvisioning.run(&ports).await.unwrap();
    assert_eq!(
        outcome,
        format!("enqueued {STALLED} stalled orders and 0 panel changes again")
    );
}
